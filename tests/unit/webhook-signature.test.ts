import { describe, expect, it } from "vitest";
import { roleFromClaims, signBody, verifySignature } from "../../functions/shared/auth.js";
import { UnauthorizedError } from "../../functions/shared/errors.js";

const secret = "a-secret-of-at-least-16-chars";
const body = '{"hello":"world"}';
const nowMs = Date.UTC(2026, 10, 11, 0, 0, 0);
const ts = String(nowMs / 1000);

describe("webhook signature", () => {
  it("names the expected format when the signature lacks sha256= or is not 64 hex digits", () => {
    const hex = signBody(secret, ts, body).slice("sha256=".length);
    expect(() => verifySignature(secret, { timestamp: ts, signature: hex }, body, nowMs)).toThrow(/must be "sha256=" followed by 64 hex digits/);
    expect(() => verifySignature(secret, { timestamp: ts, signature: "sha256=xyz" }, body, nowMs)).toThrow(/64 hex digits/);
    expect(() => verifySignature(secret, { timestamp: ts, signature: `sha256=${hex.toUpperCase()}` }, body, nowMs)).not.toThrow();
  });

  it("accepts the design's sha256=<hex HMAC(secret, ts.body)>", () => {
    expect(() => verifySignature(secret, { timestamp: ts, signature: signBody(secret, ts, body) }, body, nowMs)).not.toThrow();
  });

  it("rejects a changed body, a wrong secret, a missing header and a stale timestamp", () => {
    const good = signBody(secret, ts, body);
    expect(() => verifySignature(secret, { timestamp: ts, signature: good }, body + " ", nowMs)).toThrow(UnauthorizedError);
    expect(() => verifySignature("another-secret-16chars", { timestamp: ts, signature: good }, body, nowMs)).toThrow(UnauthorizedError);
    expect(() => verifySignature(secret, { timestamp: ts, signature: undefined }, body, nowMs)).toThrow(/Missing/);
    expect(() => verifySignature(secret, { timestamp: ts, signature: good }, body, nowMs + 301_000)).toThrow(/replay/);
    expect(() => verifySignature(secret, { timestamp: ts, signature: good }, body, nowMs + 299_000)).not.toThrow();
    expect(() => verifySignature(secret, { timestamp: "yesterday", signature: good }, body, nowMs)).toThrow(/unix seconds/);
  });
});

describe("roles from claims", () => {
  it("reads Cognito groups as an array or as HTTP API's bracketed string", () => {
    expect(roleFromClaims({ "cognito:groups": ["agent"] })).toBe("agent");
    expect(roleFromClaims({ "cognito:groups": "[agent supervisor]" })).toBe("supervisor");
    expect(roleFromClaims({ "cognito:groups": "[]" })).toBeUndefined();
    expect(roleFromClaims({})).toBeUndefined();
  });
});
