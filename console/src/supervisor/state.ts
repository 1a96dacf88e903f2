/**
 * The live wall's state, pushed: the supervisors' WebSocket says what changed (`queue`: the
 * conversations whose line or agent changed, the lines drained, the agents whose duty changed,
 * coalesced per backend invocation; `escalation`; `receipts`: acknowledgements). A queue push
 * or escalation re-reads `GET /queue` once (one request for the whole wall, never one per
 * agent; coalesced, at most one read in flight and one queued, 1 s apart), as do a reconnect
 * (catch-up, once) and the supervisor's own actions. Receipts are applied as pushed
 * (`onReceipts`). A slow safety re-read every `safetyRefreshSeconds` (60 s) while the tab is
 * visible catches a push that was lost. The 3-minute rate (`GET /metrics/routing`, today in
 * the shop's zone) is re-read every 30 s. `adherence.alert` (an on-duty agent not online for
 * too long) is kept per agent until a later queue read shows the agent online (or off duty), or
 * the supervisor dismisses it (./alerts.ts); it also asks for a queue read.
 */
import { computed, signal } from "@preact/signals";
import { api, ApiError, consoleConfig } from "../api/client.js";
import type { LiveMessage, LiveQueue, Metrics, Presence, QueueAgent, ReassignRequest, ReceiptsPush, Skill } from "../api/types.js";
import { currentToken, type Session } from "../auth/session.js";
import { now } from "../live/clock.js";
import { refresher } from "../live/refresher.js";
import { connectLive } from "../live/socket.js";
import { afterQueueRead, withAlert, type AdherenceAlert } from "./alerts.js";

export type WallState = ReturnType<typeof createWall>;

const describe = (error: unknown) => (error instanceof ApiError ? error.describe() : String(error));

/** Midnight today in `timeZone`, as an instant. */
export function startOfDay(at: Date, timeZone: string): Date {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).formatToParts(at).map((p) => [p.type, p.value]),
  );
  const sinceMidnight = (Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second)) * 1000 + at.getMilliseconds();
  return new Date(at.getTime() - sinceMidnight);
}

export interface SkillLine {
  skill: string;
  name: string;
  waiting: number;
  escalated: number;
  longestWaitSeconds: number | null;
}

/** The safety re-read's period: config.json's `safetyRefreshSeconds`, 60 s by default. */
export const safetyRefreshMs = () => Math.max(5, consoleConfig().safetyRefreshSeconds ?? 60) * 1000;

/** What a screen hears of the live connection: each acknowledgement push, and each (re)connect. */
export type LiveListener = (event: ReceiptsPush | { type: "open" }) => void;

export function createWall(session: Session) {
  const listeners = new Set<LiveListener>();
  const tell = (event: ReceiptsPush | { type: "open" }) => listeners.forEach((listener) => listener(event));
  const queue = signal<LiveQueue | null>(null);
  const readAt = signal(0);
  const metrics = signal<Metrics | null>(null);
  const skills = signal<Skill[]>([]);
  const failure = signal<string | null>(null);
  const alerts = signal<AdherenceAlert[]>([]);
  const onError = (error: unknown) => (failure.value = describe(error));

  const queueReader = refresher(
    async () => {
      const startedAt = Date.now();
      const read = await api.queue();
      queue.value = read;
      alerts.value = afterQueueRead(alerts.value, read.agents, startedAt);
      readAt.value = Date.now();
    },
    { everyMs: safetyRefreshMs(), minGapMs: 1_000, onError },
  );
  const metricsReader = refresher(
    async () => {
      const to = new Date();
      metrics.value = await api.routingMetrics(startOfDay(to, consoleConfig().shopTimeZone), to);
    },
    { everyMs: 30_000, minGapMs: 5_000, onError },
  );
  const skillsReader = refresher(
    async () => {
      skills.value = (await api.skills()).skills;
    },
    { onError },
  );

  const live = connectLive({
    url: consoleConfig().wsUrl,
    token: () => currentToken() ?? session.token,
    onMessage: (message: LiveMessage) => {
      if (message.type === "queue" || message.type === "escalation") queueReader.request();
      else if (message.type === "receipts") tell(message);
      else if (message.type === "adherence.alert") {
        alerts.value = withAlert(alerts.value, message, Date.now());
        queueReader.request();
      }
    },
    onOpen: () => {
      tell({ type: "open" });
      queueReader.request();
      metricsReader.request();
      skillsReader.request();
    },
  });

  /** Seconds the server's figures have aged since the read (timers keep running between reads). */
  const age = () => Math.max(0, (now.value - readAt.value) / 1000);

  const agents = computed<QueueAgent[]>(() => [...(queue.value?.agents ?? [])].sort((a, b) => a.name.localeCompare(b.name) || a.agentId.localeCompare(b.agentId)));
  const onDuty = computed(() => agents.value.filter((a) => a.onDuty));
  const online = computed(() => onDuty.value.filter((a) => a.presence === "online"));
  const freeSlots = computed(() => online.value.reduce((n, a) => n + Math.max(0, a.maxConcurrent - a.load), 0));
  const skillNames = computed(() => new Map(skills.value.map((s) => [s.skillId, s.name])));
  /** Per line (each skill, then `any` when someone waits there): the queue's own summary. */
  const lines = computed<SkillLine[]>(() =>
    Object.entries(queue.value?.lines ?? {})
      .filter(([skill, line]) => skill !== "any" || line.waiting > 0)
      .map(([skill, line]) => ({ skill, name: skillNames.value.get(skill) ?? skill, waiting: line.waiting, escalated: line.escalated, longestWaitSeconds: line.longestWaitSeconds })),
  );
  const longestWaitSeconds = computed(() => {
    const all = lines.value.map((l) => l.longestWaitSeconds).filter((s): s is number => s !== null);
    return all.length > 0 ? Math.max(...all) : null;
  });

  /** Runs a supervisor's action, then re-reads the queue; true when the action succeeded. */
  async function act(run: () => Promise<unknown>): Promise<boolean> {
    failure.value = null;
    let ok = true;
    try {
      await run();
    } catch (error) {
      ok = false;
      onError(error);
    }
    await queueReader.now();
    return ok;
  }

  return {
    queue,
    metrics,
    skills,
    failure,
    alerts,
    /** The supervisor has seen the agent's alert. */
    dismissAlert: (agentId: string) => (alerts.value = alerts.value.filter((a) => a.agentId !== agentId)),
    agents,
    onDuty,
    online,
    freeSlots,
    lines,
    longestWaitSeconds,
    age,
    readAt,
    live: live.status,
    refresh: () => queueReader.request(),
    /** Hears acknowledgement pushes and reconnects until the returned function is called. */
    onLive(listener: LiveListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setPresence: (agentId: string, status: Presence) => act(() => api.setPresence(agentId, status)),
    setCapacity: (agent: QueueAgent, maxConcurrent: number) => act(() => api.changeAgent(agent.agentId, { maxConcurrent: Math.min(50, Math.max(1, maxConcurrent)) })),
    reassign: (conversationId: string, request: ReassignRequest) => act(() => api.reassign(conversationId, request)),
    conversationsOf: (agentId: string) => api.conversationsOf(agentId).then((r) => r.conversations),
    dispose() {
      live.close();
      queueReader.stop();
      metricsReader.stop();
      skillsReader.stop();
    },
  };
}
