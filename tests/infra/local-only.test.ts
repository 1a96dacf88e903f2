/**
 * The local stack's sign-in (`POST /local/token`, local/console.ts) and test helpers exist only
 * there: no function of the list routes under /local or /_local, the synthesized stacks have no
 * such route, and infra/ never imports local/ (which would carry the key minting into the build).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { functionList } from "../../functions/catalog/index.js";
import { buildApp } from "../../infra/build-app.js";

const localPath = /^\/_?local(\/|$)/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

describe("local-only routes", () => {
  it("no function of the list has a route under /local or /_local", () => {
    const paths = functionList.flatMap((f) => f.triggers.flatMap((t) => (t.kind === "http" ? [t.path] : [])));
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((p) => localPath.test(p))).toEqual([]);
  });

  it("the synthesized stacks hold no /local route and never mention the token endpoint", () => {
    const stacks = buildApp({ bundle: false });
    const templates = [stacks.stateful, stacks.stateless, stacks.console, stacks.consoleContent].map((stack) => Template.fromStack(stack));
    const routeKeys = templates.flatMap((t) => Object.values(t.findResources("AWS::ApiGatewayV2::Route")).map((r) => String(r.Properties.RouteKey)));
    expect(routeKeys.some((k) => k.startsWith("GET /agents"))).toBe(true);
    expect(routeKeys.filter((k) => localPath.test(k.split(" ")[1] ?? ""))).toEqual([]);
    for (const template of templates) expect(JSON.stringify(template.toJSON())).not.toContain("/local/token");
  });

  it("infra/ imports nothing from local/", () => {
    const root = resolve(import.meta.dirname, "../..");
    const offenders = files(join(root, "infra")).filter((f) => /from\s+["'][./]*\/local\//.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
