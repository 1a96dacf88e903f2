/**
 * A running (or stopped) timer: amber from 100 s, red at 180 s, the platforms' reply-speed
 * marks (Qianniu warns at 100 s; shops are graded on first replies within 3 minutes). The state
 * is said in words too, not by colour alone.
 */
import { formatDuration, t } from "../i18n/index.js";
import { now } from "../live/clock.js";

export const amberFromSeconds = 100;
export const redFromSeconds = 180;

export function timerLevel(seconds: number): "ok" | "amber" | "red" {
  return seconds >= redFromSeconds ? "red" : seconds >= amberFromSeconds ? "amber" : "ok";
}

export function Timer(props: { label: string; from: string; until?: string | undefined; testId?: string }) {
  const end = props.until ? Date.parse(props.until) : now.value;
  const seconds = Math.max(0, (end - Date.parse(props.from)) / 1000);
  const level = timerLevel(seconds);
  const running = props.until === undefined;
  return (
    <span class={`timer timer-${level}${running ? " running" : ""}`} data-level={level} data-testid={props.testId}>
      <span class="timer-label">{props.label}</span> <span class="timer-value">{formatDuration(seconds)}</span>
      {level !== "ok" && <span class="timer-state"> {t(level === "red" ? "conversation.late" : "conversation.slow")}</span>}
    </span>
  );
}
