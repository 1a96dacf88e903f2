/**
 * The local stack's console routes and the quick start's token path (issue 16 item 8):
 * `POST /local/token` signs a token this stack accepts and refuses bad input naming each field;
 * `npm run token` asks the stack on PORT (so a stack started with another DATA_DIR still accepts
 * its token) and, with no stack answering, says which key it signed with; a token signed with
 * another key gets a 401 naming this stack's key file; `/console/` serves the SPA with its headers.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../local/ports.js";
import { useLocalStack } from "../support/stack.js";

const root = resolve(import.meta.dirname, "../..");
// A console build of its own (two files), so this file does not depend on the browser tests' build.
const consoleDir = mkdtempSync(join(tmpdir(), "sqr-console-"));
mkdirSync(join(consoleDir, "assets"));
writeFileSync(join(consoleDir, "index.html"), '<!doctype html><title>console</title><script type="module" src="/console/assets/app-abc123.js"></script>');
writeFileSync(join(consoleDir, "assets", "app-abc123.js"), "console.log('app');");
afterAll(() => rmSync(consoleDir, { recursive: true, force: true }));

const s = useLocalStack({ consoleDir });
const run = promisify(execFile);

function token(env: Record<string, string>, ...args: string[]) {
  return run(process.execPath, ["--import", "tsx", "local/token.ts", ...args], { cwd: root, env: { ...process.env, ...env } });
}

describe("POST /local/token", () => {
  it("signs a token the stack accepts, for the role asked", async () => {
    const res = await fetch(`${s().url}/local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ role: "supervisor", sub: "sup.local" }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; role: string; sub: string; expiresAt: string };
    expect(body).toMatchObject({ role: "supervisor", sub: "sup.local" });
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(11 * 3600_000);
    expect((await s().api("GET", "/queue", { as: body.token })).status).toBe(200);
    const agent = (await (await fetch(`${s().url}/local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ role: "agent", sub: "ag.local" }) })).json()) as { token: string };
    expect((await s().api("GET", "/queue", { as: agent.token })).status).toBe(403);
  });

  it("refuses a body that is not JSON, or names each bad field", async () => {
    const form = await fetch(`${s().url}/local/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "role=supervisor&sub=x" });
    expect(form.status).toBe(415);
    const bad = await fetch(`${s().url}/local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ role: "root", sub: "a b", extra: 1 }) });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field).sort()).toEqual(expect.arrayContaining(["role", "sub"]));
    expect((await fetch(`${s().url}/local/token`)).status).toBe(405);
  });
});

describe("npm run token", () => {
  it("asks the stack on PORT, so its token works whatever DATA_DIR says", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "sqr-other-"));
    try {
      const { stdout } = await token({ PORT: new URL(s().url).port, DATA_DIR: elsewhere }, "--role", "supervisor", "--sub", "alice");
      expect((await s().api("GET", "/queue", { as: stdout.trim() })).status).toBe(200);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("with no stack on PORT signs with DATA_DIR's key and says so; this stack's 401 names its own key file", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "sqr-other-"));
    try {
      const { stdout, stderr } = await token({ PORT: String(await freePort()), DATA_DIR: elsewhere }, "--role", "supervisor", "--sub", "alice");
      expect(stderr).toContain(join(elsewhere, "jwt-keys.json"));
      expect(stderr).toMatch(/no local stack answers/);
      const refused = await s().api("GET", "/queue", { as: stdout.trim() });
      expect(refused.status).toBe(401);
      expect(refused.body.detail).toContain(s().keyFile);
      expect(refused.body.detail).toMatch(/another key/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe("/console/", () => {
  it("serves the SPA: index.html for its routes (uncached), hashed assets immutable, security headers", async () => {
    const index = await fetch(`${s().url}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("x-content-type-options")).toBe("nosniff");
    expect(index.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await index.text()).toContain("app-abc123.js");
    expect(await (await fetch(`${s().url}/console/wall/anything`)).text()).toContain("<title>console</title>");
    const asset = await fetch(`${s().url}/console/assets/app-abc123.js`);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(asset.headers.get("content-type")).toContain("text/javascript");
    expect((await fetch(`${s().url}/console/assets/missing.js`)).status).toBe(404);
    // Nothing outside the build is reachable, however the path is spelled.
    expect((await fetch(`${s().url}/console/%2e%2e/%2e%2e/package.json`)).status).not.toBe(200);
    expect(await (await fetch(`${s().url}/console/..%2f..%2fpackage.json`)).text()).not.toContain('"name"');
    const config = (await (await fetch(`${s().url}/console/config.json`)).json()) as { wsUrl: string; signIn: { kind: string } };
    expect(config).toMatchObject({ wsUrl: s().wsUrl, signIn: { kind: "local" } });
    const root = await fetch(`${s().url}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/console/");
  });
});
