/**
 * The live connection: the agents' and supervisors' WebSocket (`wsUrl?token=<JWT>`: a browser's
 * WebSocket cannot send headers, and the server's $connect reads the `token` query parameter).
 *
 * Pushes are nudges; the durable state is re-read on every (re)connect, once (`onOpen`), so a
 * reconnect after an outage costs one read per screen, never a replay of what was missed.
 * Reconnects back off exponentially with jitter (1 s doubling to 30 s), wait for the network to
 * come back, and a connection that dies at once does not reset the back-off (no tight loops).
 */
import { signal, type ReadonlySignal } from "@preact/signals";
import type { LiveMessage } from "../api/types.js";

export type LiveStatus = { state: "connecting" } | { state: "open" } | { state: "waiting"; retryAt: number };

export interface LiveConnection {
  status: ReadonlySignal<LiveStatus>;
  close(): void;
}

const firstDelayMs = 1_000;
const maxDelayMs = 30_000;
/** A connection that stayed up this long was a real one: the next drop starts the back-off again. */
const stableAfterMs = 10_000;
/** API Gateway closes idle WebSockets after 10 minutes. */
const pingEveryMs = 4 * 60_000;

export function connectLive(options: { url: string; token: string | (() => string | undefined); onMessage: (message: LiveMessage) => void; onOpen: () => void }): LiveConnection {
  const status = signal<LiveStatus>({ state: "connecting" });
  let socket: WebSocket | undefined;
  let attempt = 0;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let openedAt = 0;

  const open = () => {
    if (closed) return;
    clearTimeout(retryTimer);
    status.value = { state: "connecting" };
    const url = new URL(options.url);
    // Read at each (re)connect: a refreshed token (Cognito) is the one sent.
    url.searchParams.set("token", (typeof options.token === "function" ? options.token() : options.token) ?? "");
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      openedAt = Date.now();
      status.value = { state: "open" };
      pingTimer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ action: "ping" })), pingEveryMs);
      options.onOpen();
    };
    ws.onmessage = (event: MessageEvent<string>) => {
      let message: LiveMessage;
      try {
        message = JSON.parse(event.data) as LiveMessage;
      } catch {
        return;
      }
      options.onMessage(message);
    };
    ws.onclose = () => {
      clearInterval(pingTimer);
      if (socket !== ws || closed) return;
      socket = undefined;
      if (openedAt && Date.now() - openedAt >= stableAfterMs) attempt = 0;
      openedAt = 0;
      scheduleRetry();
    };
  };

  const scheduleRetry = () => {
    const base = Math.min(maxDelayMs, firstDelayMs * 2 ** attempt);
    attempt++;
    const delay = Math.round(base / 2 + (Math.random() * base) / 2);
    status.value = { state: "waiting", retryAt: Date.now() + delay };
    retryTimer = setTimeout(() => (navigator.onLine ? open() : undefined), delay);
  };

  // Back online, or back to the tab while waiting: try now instead of at the end of the back-off.
  const retryNow = () => {
    if (!closed && status.value.state === "waiting" && navigator.onLine) open();
  };
  const onVisible = () => document.visibilityState === "visible" && retryNow();
  window.addEventListener("online", retryNow);
  document.addEventListener("visibilitychange", onVisible);

  open();
  return {
    status,
    close() {
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(pingTimer);
      window.removeEventListener("online", retryNow);
      document.removeEventListener("visibilitychange", onVisible);
      socket?.close();
      socket = undefined;
    },
  };
}
