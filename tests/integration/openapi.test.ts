/**
 * `GET /openapi.json` (issue 16): the published contract is served by the API itself, without a
 * token, and is exactly docs/openapi.json (which tests/unit/openapi.test.ts keeps current).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();
const published = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "docs", "openapi.json"), "utf8"));

describe("GET /openapi.json", () => {
  it("serves the published document to anyone, cacheable", async () => {
    const res = await stack().api("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(res.body).toEqual(published);
    expect(res.body.paths["/openapi.json"].get.security).toEqual([]);
  });

  it("answers only GET", async () => {
    const res = await stack().api("POST", "/openapi.json", { body: {} });
    expect(res.status).toBe(405);
  });
});
