/**
 * OAuth 2.0 authorization code with PKCE (RFC 7636) against Cognito's managed login, as pure
 * functions over Web Crypto (the browser's and Node's are the same API, so tests/unit runs them):
 * the verifier and its S256 challenge, the authorize URL, the state check on the way back, and
 * the token endpoint's requests (code exchange and refresh; a public client, so no secret).
 */

/** What config.json says about the Cognito sign-in (infra/build-app.ts writes it). */
export interface CognitoConfig {
  /** The managed login's base URL, e.g. https://shop-console.auth.ap-east-1.amazoncognito.com */
  domain: string;
  clientId: string;
  redirectUri: string;
  logoutUri: string;
  scopes: string[];
}

/** RFC 4648 §5 base64url without padding. */
export function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A random string of `bytes` random bytes, base64url (32 bytes: the 43 characters RFC 7636 §4.1 recommends). */
export function randomToken(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~]. */
export function isVerifier(value: string): boolean {
  return /^[A-Za-z0-9\-._~]{43,128}$/.test(value);
}

/** RFC 7636 §4.2 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export async function challengeOf(verifier: string): Promise<string> {
  if (!isVerifier(verifier)) throw new Error("A PKCE code verifier is 43-128 characters of A-Z a-z 0-9 - . _ ~");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

const endpoint = (config: CognitoConfig, path: string) => `${config.domain.replace(/\/+$/, "")}${path}`;

/** The managed login's authorize URL for this sign-in attempt. */
export function authorizeUrl(config: CognitoConfig, attempt: { state: string; challenge: string }): string {
  const url = new URL(endpoint(config, "/oauth2/authorize"));
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", config.redirectUri);
  url.searchParams.set("scope", config.scopes.join(" "));
  url.searchParams.set("state", attempt.state);
  url.searchParams.set("code_challenge", attempt.challenge);
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}

/** The managed login's sign-out URL (it ends Cognito's own session too, then returns to the console). */
export function logoutUrl(config: CognitoConfig): string {
  const url = new URL(endpoint(config, "/logout"));
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("logout_uri", config.logoutUri);
  return url.toString();
}

export class SignInError extends Error {
  constructor(
    readonly reason: "state-mismatch" | "no-attempt" | "refused" | "token-endpoint",
    message: string,
  ) {
    super(message);
    this.name = "SignInError";
  }
}

/**
 * What the redirect back carries: `undefined` when it is not a sign-in callback at all; the code
 * when its `state` is the one this browser sent (anything else is refused: a forged or replayed
 * callback, RFC 6749 §10.12); a SignInError for a mismatch or Cognito's own refusal.
 */
export function callbackCode(url: URL, expectedState: string | undefined): { code: string } | undefined {
  const code = url.searchParams.get("code");
  const error = url.searchParams.get("error");
  if (!code && !error) return undefined;
  const state = url.searchParams.get("state");
  if (!expectedState) throw new SignInError("no-attempt", "No sign-in was started in this tab; sign in again.");
  if (state !== expectedState) throw new SignInError("state-mismatch", "The sign-in answer does not belong to this sign-in (state mismatch); sign in again.");
  if (error) throw new SignInError("refused", `Sign-in refused: ${url.searchParams.get("error_description") ?? error}`);
  return { code: code ?? "" };
}

export interface TokenRequest {
  url: string;
  init: { method: "POST"; headers: Record<string, string>; body: string };
}

/** RFC 6749 §4.1.3 + RFC 7636 §4.5: the code for tokens, with the verifier (a public client: no secret). */
export function codeExchangeRequest(config: CognitoConfig, code: string, verifier: string): TokenRequest {
  const body = new URLSearchParams({ grant_type: "authorization_code", client_id: config.clientId, code, redirect_uri: config.redirectUri, code_verifier: verifier });
  return { url: endpoint(config, "/oauth2/token"), init: { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" }, body: body.toString() } };
}

/** RFC 6749 §6: new tokens for the refresh token. */
export function refreshRequest(config: CognitoConfig, refreshToken: string): TokenRequest {
  const body = new URLSearchParams({ grant_type: "refresh_token", client_id: config.clientId, refresh_token: refreshToken });
  return { url: endpoint(config, "/oauth2/token"), init: { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" }, body: body.toString() } };
}

export interface Tokens {
  idToken: string;
  accessToken: string;
  /** Absent on a refresh (Cognito keeps the one it issued). */
  refreshToken?: string;
  expiresInSeconds: number;
}

/** Sends a token request and reads Cognito's answer. */
export async function requestTokens(request: TokenRequest, fetcher: typeof fetch = fetch): Promise<Tokens> {
  const response = await fetcher(request.url, request.init);
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.id_token !== "string" || typeof body.access_token !== "string") {
    throw new SignInError("token-endpoint", `The sign-in service refused the tokens: ${typeof body.error === "string" ? body.error : `HTTP ${response.status}`}`);
  }
  return {
    idToken: body.id_token,
    accessToken: body.access_token,
    ...(typeof body.refresh_token === "string" ? { refreshToken: body.refresh_token } : {}),
    expiresInSeconds: typeof body.expires_in === "number" ? body.expires_in : 3600,
  };
}

/** The claims of a JWT (not verified: the API verifies it; the console only reads who and until when). */
export function claimsOf(jwt: string): Record<string, unknown> {
  const payload = jwt.split(".")[1] ?? "";
  const binary = atob(payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "="));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/** The role the API will see (functions/shared/auth.ts: `cognito:groups`, supervisor first), or undefined. */
export function roleOf(claims: Record<string, unknown>): "supervisor" | "agent" | undefined {
  const groups = Array.isArray(claims["cognito:groups"]) ? (claims["cognito:groups"] as unknown[]) : [];
  if (groups.includes("supervisor")) return "supervisor";
  if (groups.includes("agent")) return "agent";
  return undefined;
}
