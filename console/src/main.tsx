/** The console's entry: read where the API is, then render. */
import { render } from "preact";
import { loadConfig } from "./api/client.js";
import { App } from "./app.js";
import { completeSignInOnLoad } from "./auth/callback.js";
import "./styles.css";

const root = document.getElementById("app");
if (root) {
  await loadConfig();
  // The AWS build: back from Cognito's managed login with a code (a no-op locally).
  await completeSignInOnLoad();
  render(<App />, root);
}
