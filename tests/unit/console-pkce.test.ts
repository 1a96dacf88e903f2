/**
 * The console's Cognito sign-in (console/src/auth/pkce.ts): the S256 challenge against RFC 7636
 * Appendix B, the verifier's form, the state check on the way back, and the token endpoint's
 * requests as a public client sends them (no secret, form-encoded, the verifier with the code).
 */
import { describe, expect, it } from "vitest";
import {
  authorizeUrl,
  base64Url,
  callbackCode,
  challengeOf,
  claimsOf,
  codeExchangeRequest,
  isVerifier,
  logoutUrl,
  randomToken,
  refreshRequest,
  requestTokens,
  roleOf,
  SignInError,
  type CognitoConfig,
} from "../../console/src/auth/pkce.js";

const config: CognitoConfig = {
  domain: "https://shop-console.auth.ap-east-1.amazoncognito.com",
  clientId: "4example5client6id",
  redirectUri: "https://d111111abcdef8.cloudfront.net/console/",
  logoutUri: "https://d111111abcdef8.cloudfront.net/console/",
  scopes: ["openid", "email", "profile"],
};

describe("PKCE (RFC 7636)", () => {
  it("derives the Appendix B challenge from the Appendix B verifier", async () => {
    // RFC 7636 Appendix B: the octets of the random verifier, its base64url form, and S256 of it.
    const octets = new Uint8Array([116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121]);
    const verifier = base64Url(octets);
    expect(verifier).toBe("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    expect(await challengeOf(verifier)).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("makes verifiers of 43 unreserved characters, different each time, and refuses malformed ones", async () => {
    const a = randomToken(32);
    const b = randomToken(32);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(isVerifier(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(isVerifier("too-short")).toBe(false);
    expect(isVerifier("x".repeat(129))).toBe(false);
    await expect(challengeOf("has spaces in it and is long enough to pass the length rule")).rejects.toThrow(/43-128 characters/);
  });

  it("sends the managed login the code flow with an S256 challenge and the state", () => {
    const url = new URL(authorizeUrl(config, { state: "st4te", challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" }));
    expect(`${url.origin}${url.pathname}`).toBe("https://shop-console.auth.ap-east-1.amazoncognito.com/oauth2/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: "code",
      client_id: "4example5client6id",
      redirect_uri: "https://d111111abcdef8.cloudfront.net/console/",
      scope: "openid email profile",
      state: "st4te",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    });
    expect(new URL(logoutUrl(config)).searchParams.get("logout_uri")).toBe(config.logoutUri);
  });
});

describe("the callback's state check", () => {
  const back = (query: string) => new URL(`https://d111111abcdef8.cloudfront.net/console/${query}`);

  it("takes the code only when the state is this tab's", () => {
    expect(callbackCode(back("?code=abc&state=st4te"), "st4te")).toEqual({ code: "abc" });
    expect(callbackCode(back(""), "st4te")).toBeUndefined();
    expect(callbackCode(back("#wall"), undefined)).toBeUndefined();
  });

  it("refuses another state, a callback with no attempt, and says why Cognito refused", () => {
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error instanceof SignInError ? error.reason : "other";
      }
      return "none";
    };
    expect(reason(() => callbackCode(back("?code=abc&state=forged"), "st4te"))).toBe("state-mismatch");
    expect(reason(() => callbackCode(back("?code=abc"), "st4te"))).toBe("state-mismatch");
    expect(reason(() => callbackCode(back("?code=abc&state=st4te"), undefined))).toBe("no-attempt");
    expect(reason(() => callbackCode(back("?error=access_denied&state=st4te"), "st4te"))).toBe("refused");
    // An error answer with someone else's state is a mismatch first: nothing of it is trusted.
    expect(reason(() => callbackCode(back("?error=access_denied&state=forged"), "st4te"))).toBe("state-mismatch");
  });
});

describe("the token endpoint", () => {
  it("exchanges the code with the verifier, as a public client (no secret, no Authorization header)", () => {
    const request = codeExchangeRequest(config, "the-code", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    expect(request.url).toBe("https://shop-console.auth.ap-east-1.amazoncognito.com/oauth2/token");
    expect(request.init.method).toBe("POST");
    expect(request.init.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.keys(request.init.headers).map((h) => h.toLowerCase())).not.toContain("authorization");
    expect(Object.fromEntries(new URLSearchParams(request.init.body))).toEqual({
      grant_type: "authorization_code",
      client_id: "4example5client6id",
      code: "the-code",
      redirect_uri: "https://d111111abcdef8.cloudfront.net/console/",
      code_verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    });
    expect(Object.fromEntries(new URLSearchParams(refreshRequest(config, "r3fresh").init.body))).toEqual({ grant_type: "refresh_token", client_id: "4example5client6id", refresh_token: "r3fresh" });
  });

  it("reads the tokens Cognito answers, and refuses an error answer", async () => {
    const idToken = `h.${Buffer.from(JSON.stringify({ sub: "li.na", "cognito:groups": ["agent"], exp: 2_000_000_000 })).toString("base64url")}.s`;
    const calls: { url: string; init: RequestInit }[] = [];
    const ok = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ id_token: idToken, access_token: "a", refresh_token: "r", expires_in: 3600, token_type: "Bearer" }), { status: 200 });
    }) as unknown as typeof fetch;
    const tokens = await requestTokens(codeExchangeRequest(config, "c", "v".repeat(43)), ok);
    expect(tokens).toEqual({ idToken, accessToken: "a", refreshToken: "r", expiresInSeconds: 3600 });
    expect(calls[0]?.url).toBe("https://shop-console.auth.ap-east-1.amazoncognito.com/oauth2/token");
    const claims = claimsOf(tokens.idToken);
    expect(claims.sub).toBe("li.na");
    expect(roleOf(claims)).toBe("agent");
    expect(roleOf({ "cognito:groups": ["agent", "supervisor"] })).toBe("supervisor");
    expect(roleOf({})).toBeUndefined();

    const refused = (async () => new Response(JSON.stringify({ error: "invalid_grant" }), { status: 400 })) as unknown as typeof fetch;
    await expect(requestTokens(codeExchangeRequest(config, "c", "v".repeat(43)), refused)).rejects.toThrow(/invalid_grant/);
  });
});
