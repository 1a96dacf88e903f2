/** The console: the sign-in form, then the screens of the signed-in role. */
import { session } from "./auth/session.js";
import { AgentWorkspace } from "./agent/workspace.js";
import { t } from "./i18n/index.js";
import { SignIn } from "./auth/sign-in.js";
import { SupervisorConsole } from "./supervisor/console.js";
import { Header } from "./ui/header.js";

export function App() {
  const current = session.value;
  return (
    <>
      <a class="skip" href="#main">
        {t("app.skip")}
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        {!current ? <SignIn /> : current.role === "agent" ? <AgentWorkspace key={current.since} session={current} /> : <SupervisorConsole key={current.since} session={current} />}
      </main>
    </>
  );
}
