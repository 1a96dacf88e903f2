/**
 * Roles come from exact group names. API Gateway flattens array claims (`[a b]`), which makes a
 * single group called "agent supervisor" look like two groups; the token the authorizer verified
 * settles it.
 */
import { describe, expect, it } from "vitest";
import { callerFromClaims } from "../../functions/shared/auth.js";
import { UnauthorizedError } from "../../functions/shared/errors.js";

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const bearer = (payload: Record<string, unknown>) => `Bearer ${part({ alg: "ES256" })}.${part(payload)}.c2ln`;
/** What the HTTP API JWT authorizer hands the function for this payload. */
const flattened = (payload: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(" ")}]` : v]));

describe("callerFromClaims", () => {
  it("does not make a supervisor of a single group named 'agent supervisor'", () => {
    const payload = { sub: "mallory", "cognito:groups": ["agent supervisor"] };
    expect(() => callerFromClaims(flattened(payload), bearer(payload))).toThrow(UnauthorizedError);
    expect(() => callerFromClaims(payload)).toThrow(UnauthorizedError);
  });

  it("still reads real memberships: both groups act as supervisor, one group as itself", () => {
    const both = { sub: "li.na", "cognito:groups": ["agent", "supervisor"] };
    expect(callerFromClaims(flattened(both), bearer(both))).toEqual({ kind: "user", sub: "li.na", role: "supervisor" });
    const agent = { sub: "wang.wei", "cognito:groups": ["agent"] };
    expect(callerFromClaims(flattened(agent), bearer(agent))).toEqual({ kind: "user", sub: "wang.wei", role: "agent" });
    expect(callerFromClaims(agent)).toEqual({ kind: "user", sub: "wang.wei", role: "agent" });
  });

  it("refuses a bearer that is not the token behind the claims", () => {
    const claims = flattened({ sub: "li.na", "cognito:groups": ["agent"] });
    expect(() => callerFromClaims(claims, bearer({ sub: "someone-else", "cognito:groups": ["supervisor"] }))).toThrow(/does not match/);
    expect(() => callerFromClaims(claims, "Bearer not-a-jwt")).toThrow(UnauthorizedError);
  });
});
