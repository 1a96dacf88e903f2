/** The console's entry: read where the API is, then render. */
import { render } from "preact";
import { loadConfig } from "./api/client.js";
import { App } from "./app.js";
import "./styles.css";

const root = document.getElementById("app");
if (root) {
  await loadConfig();
  render(<App />, root);
}
