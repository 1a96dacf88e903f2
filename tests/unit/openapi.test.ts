/**
 * The published contract (issue 16): docs/openapi.json is the current rendering of the function
 * list and the routes' contracts, a valid OpenAPI 3.1 document by the official meta-schema, with
 * every HTTP route of the function list in it (auth by its trigger); the console's types are
 * generated from it; and the response check the integration tests run refuses what breaks it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { functionList } from "../../functions/catalog/index.js";
import { buildOpenApi, operationIdOf, renderOpenApi } from "../../functions/catalog/openapi.js";
import { renderConsoleTypes } from "../../scripts/openapi-types.js";
import { contractChecker } from "../support/contract-check.js";

const root = join(import.meta.dirname, "..", "..");
const document = buildOpenApi() as any;
const http = functionList.flatMap((spec) => spec.triggers.flatMap((t) => (t.kind === "http" ? [{ spec, trigger: t }] : [])));

describe("the OpenAPI document", () => {
  it("is current: docs/openapi.json is the code's rendering (npm run docs:openapi)", () => {
    expect(readFileSync(join(root, "docs", "openapi.json"), "utf8")).toBe(renderOpenApi(document));
  });

  it("generates the console's types: console/src/api/schema.d.ts is current (npm run docs:openapi)", async () => {
    expect(readFileSync(join(root, "console", "src", "api", "schema.d.ts"), "utf8")).toBe(await renderConsoleTypes(JSON.parse(renderOpenApi(document))));
  });

  it("is a valid OpenAPI 3.1 document (the official meta-schema)", async () => {
    const result = await new Validator().validate(JSON.parse(renderOpenApi(document)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe("3.1.0");
  });

  it("has every HTTP route of the function list, each with its function, auth and roles", () => {
    const operations = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(http.map(({ trigger }) => `${trigger.method} ${trigger.path}`).sort());
    for (const { spec, trigger } of http) {
      const operation = document.paths[trigger.path][trigger.method.toLowerCase()];
      expect(operation.operationId).toBe(operationIdOf(trigger.method, trigger.path));
      expect(operation["x-function"]).toBe(spec.name);
      const schemes = (operation.security as Record<string, string[]>[]).map((s) => Object.keys(s).sort().join("+"));
      const expected = { public: [], jwt: ["bearer"], signature: ["webhookSignature+webhookTimestamp"], "signature-or-jwt": ["webhookSignature+webhookTimestamp", "bearer"] }[trigger.auth.kind];
      expect(schemes, `${trigger.method} ${trigger.path}`).toEqual(expected);
      if (trigger.auth.kind === "jwt" || trigger.auth.kind === "signature-or-jwt") expect(operation["x-roles"]).toEqual(trigger.auth.roles);
      // Every answer is documented: success, and problem+json for each error (500 and 503 everywhere, 401 where authenticated).
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["500", "503", ...(trigger.auth.kind === "public" ? [] : ["401"])]));
      const successes = Object.keys(operation.responses).filter((s) => Number(s) < 300);
      expect(successes.length, `${trigger.method} ${trigger.path}`).toBeGreaterThan(0);
      for (const status of successes) {
        if (status === "204") expect(operation.responses[status].content).toBeUndefined();
        else expect(Object.keys(operation.responses[status].content)).toEqual(["application/json"]);
      }
      const params = [...trigger.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect((operation.parameters ?? []).filter((p: any) => p.in === "path").map((p: any) => p.name)).toEqual(params);
    }
  });

  it("names the views once as components, and problems as one shared application/problem+json schema", () => {
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(["Agent", "Conversation", "Notice", "Problem", "FieldError", "Sku", "Shift", "LiveQueue"]));
    for (const response of Object.values(document.components.responses as Record<string, any>)) {
      expect(response.content).toEqual({ "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } });
    }
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    expect(document.components.securitySchemes.webhookSignature).toMatchObject({ type: "apiKey", in: "header", name: "X-Signature" });
  });
});

describe("the response check of the integration tests", () => {
  const checker = contractChecker();
  const agent = {
    agentId: "a1", name: "Li", skills: ["presale"], maxConcurrent: 3, presence: "online", load: 0, overCapacityBy: 0, onDuty: true,
    shift: { shiftId: "day", from: "2030-01-01T00:00:00.000Z", to: "2030-01-01T08:00:00.000Z" }, nextShift: null, available: true, active: true,
    deactivatedAt: null, lastAssignedAt: "2030-01-01T00:00:00.000Z", updatedAt: "2030-01-01T00:00:00.000Z", updatedBy: "supervisor:s1",
  };

  it("accepts a response as documented", () => {
    expect(checker.check("GET", "/agents/a1", 200, "application/json", agent)).toEqual([]);
    expect(checker.check("GET", "/agents/a1?x=1", 404, "application/problem+json", { type: "/problems/not-found", title: "Not found", status: 404, detail: "No agent." })).toEqual([]);
    expect(checker.check("DELETE", "/shifts/early", 204, null, undefined)).toEqual([]);
  });

  it("refuses a missing field, an undocumented field, a wrong type, a bad instant, an undocumented status and a wrong media type", () => {
    const { load: _load, ...withoutLoad } = agent;
    expect(checker.check("GET", "/agents/a1", 200, "application/json", withoutLoad).join()).toMatch(/load/);
    expect(checker.check("GET", "/agents/a1", 200, "application/json", { ...agent, secret: 1 }).join()).toMatch(/additional/);
    expect(checker.check("GET", "/agents/a1", 200, "application/json", { ...agent, load: "2" }).join()).toMatch(/\/load must be integer/);
    expect(checker.check("GET", "/agents/a1", 200, "application/json", { ...agent, updatedAt: "yesterday" }).join()).toMatch(/updatedAt must match format "date-time"/);
    expect(checker.check("GET", "/agents/a1", 418, "application/json", agent).join()).toMatch(/does not list/);
    expect(checker.check("GET", "/agents/a1", 200, "text/plain", agent).join()).toMatch(/Content-Type/);
    expect(checker.check("GET", "/agents/a1", 404, "application/problem+json", { title: "Not found" }).join()).toMatch(/type/);
  });

  it("matches a literal segment before a path parameter, and leaves requests of no operation alone", () => {
    expect(checker.check("GET", "/stock/drift", 200, "application/json", agent).join()).toMatch(/GET \/stock\/drift 200/);
    expect(checker.check("PATCH", "/stock/drift", 405, "application/problem+json", {})).toEqual([]);
  });
});
