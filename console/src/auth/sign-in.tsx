/**
 * The sign-in screen. Locally: Role (角色), User ID (用户 ID), Sign in (登录). In the AWS build
 * (config.json `signIn.kind: "cognito"`): one Sign in button to Cognito's managed login.
 */
import { useSignal } from "@preact/signals";
import { ApiError, consoleConfig } from "../api/client.js";
import { startCognitoSignIn } from "./cognito.js";
import { signInProblem } from "./callback.js";
import { t } from "../i18n/index.js";
import { unlockAudio } from "../ui/sound.js";
import { signedOutBecause, signInLocally, type Role } from "./session.js";

export function SignIn() {
  const config = consoleConfig().signIn;
  return config.kind === "cognito" ? <CognitoSignIn config={config} /> : <LocalSignIn />;
}

function CognitoSignIn({ config }: { config: Parameters<typeof startCognitoSignIn>[0] }) {
  const busy = useSignal(false);
  return (
    <section class="sign-in" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">{t("signIn.heading")}</h1>
      {signedOutBecause.value === "expired" && (
        <p class="notice-line" role="status">
          {t("signIn.expired")}
        </p>
      )}
      {signInProblem.value && (
        <p class="error" role="alert">
          {t("signIn.failed", { detail: signInProblem.value })}
        </p>
      )}
      <button
        type="button"
        class="primary"
        disabled={busy.value}
        onClick={() => {
          unlockAudio();
          busy.value = true;
          void startCognitoSignIn(config);
        }}
      >
        {t("signIn.submit")}
      </button>
      <p class="hint">{t("signIn.cognitoHint")}</p>
    </section>
  );
}

function LocalSignIn() {
  const role = useSignal<Role>("agent");
  const userId = useSignal("");
  const busy = useSignal(false);
  const failure = useSignal<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    // The click is the gesture browsers require before a page may play the urgent-notice sound.
    unlockAudio();
    busy.value = true;
    failure.value = null;
    try {
      await signInLocally(role.value, userId.value.trim());
    } catch (error) {
      failure.value = t("signIn.failed", { detail: error instanceof ApiError ? error.describe() : String(error) });
    } finally {
      busy.value = false;
    }
  };

  return (
    <section class="sign-in" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">{t("signIn.heading")}</h1>
      {signedOutBecause.value === "expired" && (
        <p class="notice-line" role="status">
          {t("signIn.expired")}
        </p>
      )}
      <form onSubmit={submit}>
        <label for="sign-in-role">{t("signIn.role")}</label>
        <select id="sign-in-role" value={role.value} onChange={(e) => (role.value = (e.currentTarget.value as Role))}>
          <option value="agent">{t("role.agent")}</option>
          <option value="supervisor">{t("role.supervisor")}</option>
        </select>
        <label for="sign-in-user">{t("signIn.userId")}</label>
        <input
          id="sign-in-user"
          name="username"
          autocomplete="username"
          required
          maxLength={64}
          pattern="[A-Za-z0-9_.\-]{1,64}"
          value={userId.value}
          onInput={(e) => (userId.value = e.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={busy.value}>
          {t("signIn.submit")}
        </button>
        <p class="hint">{t("signIn.hint")}</p>
        {failure.value && (
          <p class="error" role="alert">
            {failure.value}
          </p>
        )}
      </form>
    </section>
  );
}
