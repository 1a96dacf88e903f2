/**
 * The AWS build's sign-in: Cognito managed login, authorization code + PKCE (./pkce.ts), with the
 * console's public app client (infra/console-stack.ts) named in config.json. The tokens live in
 * memory only (./session.ts); what must survive the redirect to the login page and back — the
 * verifier and the state of this one attempt — waits in sessionStorage (this tab only) and is
 * removed as the callback is read, used or not. The ID token is the bearer (its `aud` is the
 * app client, which the APIs accept; its `cognito:groups` name the role). It is refreshed a
 * minute before it expires with the refresh token (also in memory); if that fails, the console
 * returns to the sign-in screen, whose button starts a new login.
 */
import { authorizeUrl, callbackCode, challengeOf, claimsOf, codeExchangeRequest, logoutUrl, randomToken, refreshRequest, requestTokens, roleOf, SignInError, type CognitoConfig, type Tokens } from "./pkce.js";

const attemptKey = "console.signIn.attempt";

interface Attempt {
  state: string;
  verifier: string;
}

/** Goes to the managed login with a fresh verifier and state. */
export async function startCognitoSignIn(config: CognitoConfig): Promise<void> {
  const attempt: Attempt = { state: randomToken(16), verifier: randomToken(32) };
  sessionStorage.setItem(attemptKey, JSON.stringify(attempt));
  location.assign(authorizeUrl(config, { state: attempt.state, challenge: await challengeOf(attempt.verifier) }));
}

function takeAttempt(): Attempt | undefined {
  const raw = sessionStorage.getItem(attemptKey);
  sessionStorage.removeItem(attemptKey);
  try {
    return raw ? (JSON.parse(raw) as Attempt) : undefined;
  } catch {
    return undefined;
  }
}

export interface CognitoUser {
  role: "supervisor" | "agent";
  userId: string;
  tokens: Tokens;
  expiresAt: number;
}

export function userOf(tokens: Tokens): CognitoUser {
  const claims = claimsOf(tokens.idToken);
  const role = roleOf(claims);
  if (!role) throw new SignInError("refused", "This account is in neither the supervisor nor the agent group; ask an administrator to add it to one.");
  const exp = typeof claims.exp === "number" ? claims.exp * 1000 : Date.now() + tokens.expiresInSeconds * 1000;
  return { role, userId: String(claims.sub ?? ""), tokens, expiresAt: exp };
}

/**
 * On load: when the URL is the login's callback, checks its state against this tab's attempt,
 * exchanges the code and cleans the URL (the code is single-use; a reload must not replay it).
 * Undefined when the page was not opened by a callback.
 */
export async function completeCognitoSignIn(config: CognitoConfig, fetcher: typeof fetch = fetch): Promise<CognitoUser | undefined> {
  const url = new URL(location.href);
  const attempt = url.searchParams.has("code") || url.searchParams.has("error") ? takeAttempt() : undefined;
  let found: { code: string } | undefined;
  try {
    found = callbackCode(url, attempt?.state);
  } finally {
    if (url.searchParams.has("code") || url.searchParams.has("error")) {
      for (const name of ["code", "state", "error", "error_description"]) url.searchParams.delete(name);
      history.replaceState(history.state, "", url);
    }
  }
  if (!found || !attempt) return undefined;
  return userOf(await requestTokens(codeExchangeRequest(config, found.code, attempt.verifier), fetcher));
}

/** New tokens for the user's refresh token (Cognito keeps the refresh token itself). */
export async function refreshCognito(config: CognitoConfig, user: CognitoUser, fetcher: typeof fetch = fetch): Promise<CognitoUser> {
  if (!user.tokens.refreshToken) throw new SignInError("token-endpoint", "No refresh token; sign in again.");
  const tokens = await requestTokens(refreshRequest(config, user.tokens.refreshToken), fetcher);
  return userOf({ ...tokens, refreshToken: tokens.refreshToken ?? user.tokens.refreshToken });
}

/** Ends the managed login's session too, then comes back to the console. */
export function cognitoSignOut(config: CognitoConfig): void {
  location.assign(logoutUrl(config));
}
