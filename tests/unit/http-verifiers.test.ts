import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import type { FunctionSpec, RouteAuth } from "../../functions/catalog/types.js";
import { httpApi } from "../../functions/shared/http.js";

function spec(auth: RouteAuth): FunctionSpec {
  return { name: "UnitApi", entry: "functions/unit.http.ts", handler: "handler", description: "unit", triggers: [{ kind: "http", method: "POST", path: "/things", auth }], access: { table: "none" } };
}

const routes = { "POST /things": async () => ({ status: 204 }) };
const webhookSecret = async () => "a-secret-of-16-chars";

describe("in-function verifiers, checked at cold start", () => {
  it("refuses a signature route without a verifier, and a signature-or-JWT route without a bearer verifier", () => {
    expect(() => httpApi(spec({ kind: "signature" }), routes)).toThrow(/POST \/things verify signatures or tokens in the function; build it with httpApi from shared\/http-signed\.ts/);
    expect(() => httpApi(spec({ kind: "signature-or-jwt", roles: ["supervisor"] }), routes, { webhookSecret })).toThrow(/shared\/http-signed\.ts/);
  });

  it("starts a signature route with the secret alone, and a signature-or-JWT route with both verifiers", () => {
    expect(() => httpApi(spec({ kind: "signature" }), routes, { webhookSecret })).not.toThrow();
    expect(() => httpApi(spec({ kind: "signature-or-jwt", roles: ["supervisor"] }), routes, { webhookSecret, verifyBearer: async () => ({}) })).not.toThrow();
  });

  it("bundles jose only into functions that verify bearer tokens (not the signature-only webhooks)", async () => {
    const bundled = async (entry: string) => {
      const result = await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", write: false, metafile: true, mainFields: ["module", "main"], logLevel: "silent" });
      return Object.keys(result.metafile.inputs);
    };
    for (const entry of ["functions/routing/routing.http.ts", "functions/integrations/events.http.ts"]) {
      const inputs = await bundled(entry);
      expect(inputs.some((i) => i.includes("node_modules/jose/")), entry).toBe(false);
      expect(inputs.some((i) => i.includes("client-secrets-manager")), entry).toBe(true);
    }
    expect((await bundled("functions/stock/stock.http.ts")).some((i) => i.includes("node_modules/jose/"))).toBe(true);
  }, 60_000);
});
