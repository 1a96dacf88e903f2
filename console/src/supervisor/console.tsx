/**
 * The supervisor's console: one live connection and wall state shared by its screens, and a
 * navigation between them. A new screen (rota editor, coverage, stock, settings) is one entry
 * in `screens` with its own component; the catalogs carry its `nav.*` label.
 */
import { useEffect, useState } from "preact/hooks";
import { useSignal } from "@preact/signals";
import type { FunctionComponent } from "preact";
import type { Session } from "../auth/session.js";
import { t, type MessageKey } from "../i18n/index.js";
import { lazyScreen } from "../ui/lazy.js";
import { liveStatus } from "../ui/live-status.js";
import { Adherence } from "./adherence.js";
import { Coverage } from "./coverage.js";
import { Notices } from "./notices.js";
import { RotaEditor } from "./rota.js";
import { Settings } from "./settings.js";
import { createWall, type WallState } from "./state.js";
import { Stock } from "./stock.js";
import { Wall } from "./wall.js";

interface Screen {
  id: string;
  label: MessageKey;
  component: FunctionComponent<{ state: WallState }>;
}

/** The plans screen is a chunk of its own (./plans.tsx), fetched when it is first shown. */
const Plans = lazyScreen(() => import("./plans.js").then((m) => m.Plans));

const screens: Screen[] = [
  { id: "wall", label: "nav.wall", component: Wall },
  { id: "notices", label: "nav.notices", component: Notices },
  { id: "rota", label: "nav.rota", component: RotaEditor },
  { id: "coverage", label: "nav.coverage", component: Coverage },
  { id: "adherence", label: "nav.adherence", component: Adherence },
  { id: "plans", label: "nav.plans", component: Plans },
  { id: "stock", label: "nav.stock", component: Stock },
  { id: "settings", label: "nav.settings", component: Settings },
];

const screenFromHash = () => screens.find((s) => `#${s.id}` === location.hash) ?? (screens[0] as Screen);

export function SupervisorConsole(props: { session: Session }) {
  const [state] = useState(() => createWall(props.session));
  const current = useSignal(screenFromHash());
  useEffect(() => {
    liveStatus.value = state.live;
    const onHash = () => (current.value = screenFromHash());
    window.addEventListener("hashchange", onHash);
    return () => {
      window.removeEventListener("hashchange", onHash);
      liveStatus.value = null;
      state.dispose();
    };
  }, [state]);
  const Current = current.value.component;
  return (
    <div class="supervisor">
      <nav aria-label={t("nav.label")}>
        <ul>
          {screens.map((s) => (
            <li key={s.id}>
              <a href={`#${s.id}`} aria-current={current.value.id === s.id ? "page" : undefined}>
                {t(s.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <Current state={state} />
    </div>
  );
}
