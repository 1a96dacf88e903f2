/**
 * Who is signed in. The token lives in this module's memory only (never in storage): a reload
 * signs in again. Locally the sign-in is the Role / User ID form backed by `POST /local/token`;
 * in AWS, Cognito's managed login (authorization code + PKCE, ./cognito.ts) sets the same
 * signal, and its ID token is refreshed a minute before it expires (the screens keep running:
 * they read the current token at each call and each reconnect); a failed refresh signs out.
 */
import { signal } from "@preact/signals";
import { api, consoleConfig, useCredentials } from "../api/client.js";
import type { LocalTokenRequest } from "../api/types.js";
import { cognitoSignOut, refreshCognito, type CognitoUser } from "./cognito.js";

export type Role = LocalTokenRequest["role"];

export interface Session {
  role: Role;
  userId: string;
  token: string;
  expiresAt: number;
  /** When this sign-in began (kept through token refreshes: the screens are keyed by it). */
  since: number;
}

export const session = signal<Session | null>(null);
/** Why the user is back at the sign-in form (an expired token). */
export const signedOutBecause = signal<"expired" | null>(null);

let expiryTimer: ReturnType<typeof setTimeout> | undefined;

export function signOut(reason: "expired" | null = null): void {
  clearTimeout(expiryTimer);
  const wasCognito = cognitoUser !== undefined;
  cognitoUser = undefined;
  session.value = null;
  signedOutBecause.value = reason;
  // Asked by the user: end the managed login's session too (it returns to the console).
  const signIn = consoleConfig().signIn;
  if (reason === null && wasCognito && signIn.kind === "cognito") cognitoSignOut(signIn);
}

/** The current token (the API client and each WebSocket (re)connect read it). */
export const currentToken = (): string | undefined => session.value?.token;

let cognitoUser: CognitoUser | undefined;
/** Refreshed this long before the ID token expires. */
const refreshAheadMs = 60_000;

/** Signs in with what Cognito issued, and keeps the ID token fresh until sign-out. */
export function adoptCognitoUser(user: CognitoUser): void {
  const previous = session.value;
  const refreshed = cognitoUser !== undefined && previous?.userId === user.userId && previous.role === user.role;
  cognitoUser = user;
  signedOutBecause.value = null;
  session.value = { role: user.role, userId: user.userId, token: user.tokens.idToken, expiresAt: user.expiresAt, since: refreshed && previous ? previous.since : Date.now() };
  clearTimeout(expiryTimer);
  expiryTimer = setTimeout(() => void refreshNow(), Math.max(0, user.expiresAt - refreshAheadMs - Date.now()));
}

async function refreshNow(): Promise<void> {
  const signIn = consoleConfig().signIn;
  const user = cognitoUser;
  if (!user || signIn.kind !== "cognito") return;
  try {
    adoptCognitoUser(await refreshCognito(signIn, user));
  } catch {
    signOut("expired");
  }
}

useCredentials(
  () => session.value?.token,
  () => signOut("expired"),
);

export async function signInLocally(role: Role, userId: string): Promise<void> {
  const issued = await api.localToken({ role, sub: userId });
  const expiresAt = Date.parse(issued.expiresAt);
  signedOutBecause.value = null;
  session.value = { role: issued.role, userId: issued.sub, token: issued.token, expiresAt, since: Date.now() };
  clearTimeout(expiryTimer);
  expiryTimer = setTimeout(() => signOut("expired"), Math.max(0, expiresAt - Date.now()));
}
