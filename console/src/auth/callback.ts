/** The Cognito callback on load: completes a sign-in the login page sent back, or says why not. */
import { signal } from "@preact/signals";
import { consoleConfig } from "../api/client.js";
import { completeCognitoSignIn } from "./cognito.js";
import { adoptCognitoUser } from "./session.js";

/** Why the last Cognito callback did not sign in (state mismatch, refused, token endpoint). */
export const signInProblem = signal<string | null>(null);

export async function completeSignInOnLoad(): Promise<void> {
  const signIn = consoleConfig().signIn;
  if (signIn.kind !== "cognito") return;
  try {
    const user = await completeCognitoSignIn(signIn);
    if (user) adoptCognitoUser(user);
  } catch (error) {
    signInProblem.value = error instanceof Error ? error.message : String(error);
  }
}
