/**
 * Checks a response against the OpenAPI document (functions/catalog/openapi.ts, built from the
 * code once per test process, so it is the contract of the code under test): the status must be
 * one the operation documents, the media type the documented one, and the body valid against its
 * JSON Schema (ajv, draft 2020-12, with formats). `stack().api` calls it on every response, so
 * every integration test checks the contract of every call it makes.
 *
 * Requests that match no operation (a wrong method, the local-only routes) are not checked: the
 * document says nothing about them.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { buildOpenApi, problemMediaType } from "../../functions/catalog/openapi.js";

type Json = Record<string, any>;

interface Operation {
  key: string;
  method: string;
  pattern: RegExp;
  literalSegments: number;
  responses: Json;
}

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

class ContractChecker {
  private readonly operations: Operation[] = [];
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly document: Json;

  constructor(document: Json) {
    this.document = document;
    addFormats(this.ajv);
    // The components once, under an id the response schemas' $refs point into.
    this.ajv.addSchema({ $id: "https://contract.local/openapi.json", $defs: rewrite(document.components.schemas) });
    for (const [path, methods] of Object.entries(document.paths as Record<string, Json>)) {
      const source = path.split("/").map((segment) => (/^\{\w+\}$/.test(segment) ? "[^/]+" : segment.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))).join("/");
      const literalSegments = path.split("/").filter((s) => s && !s.startsWith("{")).length;
      for (const [method, operation] of Object.entries(methods)) {
        this.operations.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), pattern: new RegExp(`^${source}$`), literalSegments, responses: operation.responses });
      }
    }
    // As API Gateway does, a literal segment beats a path parameter (`/stock/drift` before `/stock/{sku}`).
    this.operations.sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /** Why the response breaks the contract (each reason one line), or an empty list. */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown): string[] {
    const path = new URL(url, "http://local").pathname;
    const operation = this.operations.find((o) => o.method === method.toUpperCase() && o.pattern.test(path));
    if (!operation) return [];
    const documented = operation.responses[String(status)] ?? operation.responses.default;
    if (!documented) return [`${operation.key} answered ${status}, which its contract does not list (it lists ${Object.keys(operation.responses).join(", ")})`];
    const response = this.resolve(documented);
    const content = response.content as Record<string, { schema: Json }> | undefined;
    if (!content) return body === undefined || body === "" ? [] : [`${operation.key} ${status}: the contract says no body, got ${JSON.stringify(body).slice(0, 200)}`];
    const [mediaType] = Object.keys(content);
    const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
    if (type !== mediaType) return [`${operation.key} ${status}: Content-Type ${type || "(none)"}, the contract says ${mediaType}`];
    const validate = this.validator(`${operation.key} ${status}`, content[mediaType ?? ""]?.schema ?? {});
    if (validate(body)) return [];
    return (validate.errors ?? []).slice(0, 10).map((e) => `${operation.key} ${status}: ${e.instancePath || "(body)"} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ""}`);
  }

  private resolve(response: Json): Json {
    const ref = response.$ref as string | undefined;
    if (!ref) return response;
    const name = ref.replace("#/components/responses/", "");
    return this.document.components.responses[name] as Json;
  }

  /** Each response schema is compiled once per process. */
  private validator(key: string, schema: Json): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rewrite(schema));
      this.validators.set(key, validate);
    }
    return validate;
  }
}

function rewrite<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\/([^"]+)"/g, '"https://contract.local/openapi.json#/$defs/$1"')) as T;
}

let checker: ContractChecker | undefined;

/** The checker of this process's code (the document is built on first use). */
export function contractChecker(): ContractChecker {
  checker ??= new ContractChecker(buildOpenApi());
  return checker;
}

export { problemMediaType };
