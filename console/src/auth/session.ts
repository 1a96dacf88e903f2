/**
 * Who is signed in. The token lives in this module's memory only (never in storage): a reload
 * signs in again, as with Cognito's in-memory tokens. Locally the sign-in is the Role / User ID
 * form backed by `POST /local/token`; a Cognito (authorization code + PKCE) sign-in plugs in
 * beside `signInLocally` and sets the same signal.
 */
import { signal } from "@preact/signals";
import { api, useCredentials } from "../api/client.js";
import type { LocalTokenRequest } from "../api/types.js";

export type Role = LocalTokenRequest["role"];

export interface Session {
  role: Role;
  userId: string;
  token: string;
  expiresAt: number;
}

export const session = signal<Session | null>(null);
/** Why the user is back at the sign-in form (an expired token). */
export const signedOutBecause = signal<"expired" | null>(null);

let expiryTimer: ReturnType<typeof setTimeout> | undefined;

export function signOut(reason: "expired" | null = null): void {
  clearTimeout(expiryTimer);
  session.value = null;
  signedOutBecause.value = reason;
}

useCredentials(
  () => session.value?.token,
  () => signOut("expired"),
);

export async function signInLocally(role: Role, userId: string): Promise<void> {
  const issued = await api.localToken({ role, sub: userId });
  const expiresAt = Date.parse(issued.expiresAt);
  signedOutBecause.value = null;
  session.value = { role: issued.role, userId: issued.sub, token: issued.token, expiresAt };
  clearTimeout(expiryTimer);
  expiryTimer = setTimeout(() => signOut("expired"), Math.max(0, expiresAt - Date.now()));
}
