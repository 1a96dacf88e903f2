/**
 * Property-based fuzzing of every HTTP route in the function list: bad path parameters (the id
 * grammar: malformed percent-encoding, dot segments, control and over-long ids), bad bodies
 * (not JSON, wrong JSON types, overflowing numbers, deep nesting, huge strings) and bad query
 * values, each sent with a caller the route accepts. Every answer must be a 4xx problem+json
 * (never a 5xx), and the table must hold exactly what it held before the battery.
 */
import { request } from "node:http";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signBody } from "../../functions/shared/auth.js";
import { functionList, type HttpTrigger } from "../../functions/catalog/index.js";
import { localClient } from "../../local/dynamodb.js";
import { makeAgent } from "../support/routing.js";
import { useLocalStack, type TestStack } from "../support/stack.js";

const stack = useLocalStack();

const routes: HttpTrigger[] = functionList.flatMap((f) => f.triggers.filter((t): t is HttpTrigger => t.kind === "http"));
const hasBody = (t: HttpTrigger) => t.method !== "GET" && t.method !== "DELETE";

interface RawResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Sends the path exactly as given (fetch would normalise `..` and re-encode `%`). */
function send(s: TestStack, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  const { hostname, port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers: { ...headers, ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) }) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), body: text }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A caller the route lets through authentication, so the input itself is what is judged. */
async function credentials(s: TestStack, trigger: HttpTrigger, agentId: string, body: string): Promise<Record<string, string>> {
  const auth = trigger.auth;
  if (auth.kind === "public") return {};
  if (auth.kind === "signature") {
    const timestamp = String(Math.floor(Date.now() / 1000));
    return { "x-signature-timestamp": timestamp, "x-signature": signBody(s.webhookSecret, timestamp, body) };
  }
  const token = auth.roles.includes("supervisor") ? await s.supervisor("fuzzer") : await s.agentToken(agentId);
  return { authorization: `Bearer ${token}` };
}

/** Path parameter values no id grammar may accept (sent raw, so they reach the gateway as is). */
const badSegment = fc.oneof(
  fc.constantFrom("%", "%E0%A4%A", "%zz", "%2e%2e", "%2E", "..", ".", "%00", "%0A", "a%2Fb", "%C0%AF", "%E4%B8%AD%E6%96%87"),
  fc.string({ minLength: 129, maxLength: 300 }).map((x) => encodeURIComponent(x.padEnd(129, "x"))),
  fc.string({ minLength: 1, maxLength: 20 }).map((x) => `${encodeURIComponent(x)}%20%7F`),
);

function nested(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

/** Bodies no route's schema accepts: not JSON, the wrong JSON type, or hostile values. */
const badBody = fc.oneof(
  fc.constantFrom("{", "not json", "[1,2", "\u0000", '{"a":1}garbage', "1e99999", nested(5_000), `{"x":${nested(40)}}`, JSON.stringify({ name: "x".repeat(500_000) })),
  // Hostile values inside fields that hold free-form data (campaign rules, notice bodies).
  fc.constantFrom(`{"rules":${nested(5_000)}}`, '{"rules":{"a":1e308}}', '{"rules":{"a":-1e-320}}', '{"rules":{"":1}}', `{"rules":{"a":"${"x".repeat(500_000)}"}}`, `{"title":"t","body":${nested(100)}}`),
  fc.constantFrom("null", "[]", '"text"', "true", "1e308", "-1e-320", "{}").map((v) => v),
  fc.jsonValue({ maxDepth: 4 }).filter((v) => v === null || typeof v !== "object" || Array.isArray(v)).map((v) => JSON.stringify(v)),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.double(), fc.constant(1e308), fc.string({ maxLength: 5 }), fc.constant(null)), { maxKeys: 4 }).map((v) => JSON.stringify({ ...v, "": 1 })),
);

const badQueryValue = fc.oneof(fc.constantFrom("%", "%E0%A4%A", "1e308", "-1", "NaN", "", "2026-13-45", "99999999999999999999", "x".repeat(5_000)), fc.string({ maxLength: 10 }).map(encodeURIComponent));

async function snapshot(s: TestStack): Promise<string[]> {
  const client = localClient(s.dynamoEndpoint);
  const items: string[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: s.tableName, ConsistentRead: true, ...(cursor ? { ExclusiveStartKey: cursor as never } : {}) }));
    for (const item of page.Items ?? []) items.push(JSON.stringify(item));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  client.destroy();
  return items.sort();
}

function fillPath(trigger: HttpTrigger, params: Record<string, string>): string {
  return trigger.path.replace(/\{(\w+)\}/g, (_m, name: string) => params[name] ?? "x");
}

function expectProblem(response: RawResponse, what: string): void {
  expect(response.status, `${what} -> ${response.status} ${response.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(response.status, `${what} -> ${response.status} ${response.body.slice(0, 300)}`).toBeLessThan(500);
  expect(response.contentType, `${what}: content type`).toContain("application/problem+json");
}

describe("every route, fuzzed", () => {
  it("answers every bad path, body and query with a 4xx problem and changes nothing", async () => {
    const s = stack();
    // Something to change, so "nothing changed" is a real claim: an online agent on duty.
    const agentId = await makeAgent(s, { skills: ["presale"], maxConcurrent: 2 });
    const before = await snapshot(s);
    let requests = 0;

    for (const trigger of routes) {
      const paramNames = [...trigger.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "");
      // Bad path parameters, one at a time, the others a plausible id of nothing that exists.
      for (const name of paramNames) {
        await fc.assert(
          fc.asyncProperty(badSegment, async (segment) => {
            const path = fillPath(trigger, Object.fromEntries(paramNames.map((n) => [n, n === name ? segment : `fuzz-${n}`])));
            const body = hasBody(trigger) ? "{}" : undefined;
            const response = await send(s, trigger.method, path, { ...(await credentials(s, trigger, agentId, body ?? "")), ...(body ? { "content-type": "application/json" } : {}) }, body);
            requests++;
            expectProblem(response, `${trigger.method} ${path}`);
          }),
          { numRuns: 12 },
        );
      }
      // Bad bodies, on a path naming things that do not exist (nothing may be created from them).
      if (hasBody(trigger)) {
        const path = fillPath(trigger, Object.fromEntries(paramNames.map((n) => [n, `fuzz-${n}`])));
        await fc.assert(
          fc.asyncProperty(badBody, async (body) => {
            const contentType = trigger.path === "/rota/import" ? "text/csv" : "application/json";
            const response = await send(s, trigger.method, path, { ...(await credentials(s, trigger, agentId, body)), "content-type": contentType }, body);
            requests++;
            expectProblem(response, `${trigger.method} ${path} body ${body.slice(0, 80)}`);
          }),
          { numRuns: 15 },
        );
      }
      // Bad query values: never a server error; a rejection is a problem document.
      if (trigger.method === "GET") {
        const path = fillPath(trigger, Object.fromEntries(paramNames.map((n) => [n, `fuzz-${n}`])));
        await fc.assert(
          fc.asyncProperty(fc.constantFrom("from", "to", "at", "date", "skill", "limit", "cursor", "status", "qty", "volumes", "aht"), badQueryValue, async (key, value) => {
            const response = await send(s, "GET", `${path}?${key}=${value}`, await credentials(s, trigger, agentId, ""));
            requests++;
            expect(response.status, `GET ${path}?${key}=${value.slice(0, 60)} -> ${response.body.slice(0, 300)}`).toBeLessThan(500);
            if (response.status >= 400) expect(response.contentType).toContain("application/problem+json");
          }),
          { numRuns: 8 },
        );
      }
    }

    expect(requests).toBeGreaterThan(routes.length * 8);
    expect(await snapshot(s)).toEqual(before);
  }, 400_000);
});
