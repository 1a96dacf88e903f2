/** Schemas built on first use (functions/shared/lazy-schema.ts, issue 11 cold start): a stand-in that behaves as the schema it builds. */
import * as z from "zod/mini";
import { describe, expect, it } from "vitest";
import { lazy } from "../../functions/shared/lazy-schema.js";
import { agentSchema } from "../../functions/agents/domain.js";
import { exceptionInputSchema } from "../../functions/rota/domain.js";

const eager = () => z.strictObject({ name: z.string().check(z.minLength(2, "too short")), n: z._default(z.number().check(z.int()), 3) });

describe("lazy schemas", () => {
  it("are not built when composed into other schemas, and built once on first parse", () => {
    let builds = 0;
    const inner = lazy(() => {
      builds++;
      return eager();
    });
    const outer = z.object({ a: inner, b: z.optional(inner), c: z.array(inner), d: z.nullable(inner), e: z.union([inner, z.string()]) });
    expect(builds).toBe(0);
    expect(z.parse(outer, { a: { name: "ab" }, c: [{ name: "cd", n: 1 }], d: null, e: "x" })).toEqual({ a: { name: "ab", n: 3 }, c: [{ name: "cd", n: 1 }], d: null, e: "x" });
    z.parse(inner, { name: "again" });
    expect(builds).toBe(1);
  });

  it("parse, fail and compose exactly as the schema they stand for", () => {
    const stand = lazy(eager);
    const real = eager();
    for (const input of [{ name: "ok" }, { name: "x" }, { name: "ok", extra: 1 }, { name: "ok", n: 1.5 }, null, "text"]) {
      expect(z.safeParse(stand, input)).toEqual(z.safeParse(real, input));
    }
    expect(z.parse(z.extend(stand, { flag: z.boolean() }), { name: "ok", flag: true })).toEqual({ name: "ok", n: 3, flag: true });
    expect(z.safeParse(z.pick(stand, { name: true }), { name: "ok", n: 1 }).success).toBe(false);
    const refined = stand.check(z.refine((v) => v.name !== "no", { error: "not no" }));
    expect(z.safeParse(refined, { name: "no" }).error?.issues[0]?.message).toBe("not no");
    expect(stand instanceof z.ZodMiniObject).toBe(true);
    expect(Object.keys(stand.shape)).toEqual(["name", "n"]);
  });

  it("render the same JSON Schema (what docs/openapi.json is built from), as input and as output", () => {
    const stand = lazy(eager);
    for (const io of ["input", "output"] as const) {
      expect(z.toJSONSchema(z.object({ x: stand, y: z.optional(stand) }), { io })).toEqual(z.toJSONSchema(z.object({ x: eager(), y: z.optional(eager()) }), { io }));
    }
  });

  it("keep the declared schemas' rules: a stored agent and a rota exception parse as before", () => {
    expect(z.safeParse(agentSchema, { agentId: "a", name: "A", skills: ["BAD"], maxConcurrent: 1, presence: "online", lastAssignedAt: "", updatedAt: "", updatedBy: "" }).success).toBe(false);
    const leave = z.safeParse(exceptionInputSchema, { kind: "leave", agentId: "a", from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z" });
    expect(leave.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["to", "must be after from"]]);
  });
});
