/** Factories for routing tests: agents on duty/online, signed conversation webhooks. */
import type { Conversation } from "../../functions/routing/conversation.js";
import type { TestStack } from "./stack.js";

export interface AgentSetup {
  skills?: string[];
  maxConcurrent?: number;
  onDuty?: boolean;
  presence?: "online" | "paused" | "away" | "offline";
}

/** Creates an agent through the API and puts it on duty directly (as the rota's duty clock would). */
export async function makeAgent(s: TestStack, setup: AgentSetup = {}): Promise<string> {
  const id = s.uid("agent");
  const sup = await s.supervisor();
  const created = await s.api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills: setup.skills ?? ["presale"], maxConcurrent: setup.maxConcurrent ?? 3 } });
  if (created.status !== 201) throw new Error(`agent create failed: ${JSON.stringify(created.body)}`);
  if (setup.onDuty ?? true) await setDuty(id, true);
  const presence = setup.presence ?? "online";
  if (presence !== "offline") await s.api("PUT", `/agents/${id}/presence`, { as: sup, body: { status: presence } });
  return id;
}

/**
 * Puts the agent on duty (or off) directly. The window runs from an hour ago to 2100 unless given:
 * routing checks its clock against it to the instant, and tests pin request times years ahead.
 */
export async function setDuty(agentId: string, onDuty: boolean, window?: { from: Date; to: Date }): Promise<void> {
  const now = Date.now();
  // Imported lazily: function modules read their environment, which the local stack sets in beforeAll.
  const { mutateAgent } = await import("../../functions/agents/store.js");
  const from = (window?.from ?? new Date(now - 3_600_000)).toISOString();
  const to = (window?.to ?? new Date("2100-01-01T00:00:00.000Z")).toISOString();
  await mutateAgent(agentId, (a) => (a ? { after: { ...a, onDuty, shift: onDuty ? { shiftId: "test", from, to } : null } } : undefined));
}

export interface ConversationInput {
  conversationId?: string;
  customerId?: string;
  channel?: string;
  skill?: string;
  priority?: string;
  customerTier?: string;
  orderAmount?: number;
  eventId?: string;
  occurredAt?: string;
}

export async function sendConversation(s: TestStack, input: ConversationInput = {}) {
  const body = { conversationId: input.conversationId ?? s.uid("conv"), customerId: input.customerId ?? s.uid("cust"), channel: input.channel ?? "tmall", ...input };
  const res = await s.api("POST", "/webhooks/conversations", { body, signed: true });
  return { id: body.conversationId, res };
}

export async function conversation(s: TestStack, id: string) {
  return (await s.api("GET", `/conversations/${id}`, { as: await s.supervisor() })).body;
}

/** Waits until the conversation has left `queued` (routed or waiting) and returns it. */
export async function settled(s: TestStack, id: string) {
  return s.eventually(async () => {
    const c = await conversation(s, id);
    return c.status !== "queued" ? c : undefined;
  });
}

export async function agent(s: TestStack, id: string) {
  return (await s.api("GET", `/agents/${id}`, { as: await s.supervisor() })).body;
}

/** A platform event (`POST /webhooks/conversation-events`), signed; `at` pins the request clock. */
export function sendEvent(s: TestStack, body: { eventId: string; conversationId: string; type: "agent-replied" | "customer-left" | "closed"; occurredAt: string; agentId?: string }, at?: Date) {
  return s.api("POST", "/webhooks/conversation-events", { body, signed: true, ...(at ? { at } : {}) });
}

/** Runs `task` over `items` with at most `limit` in flight (real concurrency, bounded). */
export async function inParallel<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A small seeded PRNG (mulberry32): the same plan on every run, whatever the timing. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Hours of one year no other test writes in (metrics and arrivals are read by hour): a random
 * day, then a fresh 6-hour block per call.
 */
export function quietHours(year: number): () => number {
  const first = Date.UTC(year, 0, 1) + Math.floor(Math.random() * 300) * 86_400_000;
  let used = 0;
  return () => first + 6 * used++ * 3_600_000;
}

/** `m` minutes after the hour starting at `hour` (epoch ms), as an ISO timestamp. */
export const minutesInto = (hour: number, m: number) => new Date(hour + m * 60_000).toISOString();

/** A stored conversation as routing writes it, queued on `logistics` unless `extra` says otherwise. */
export function storedConversation(conversationId: string, arrivedAt: string, extra: Partial<Conversation> = {}): Conversation {
  return { conversationId, customerId: "c", channel: "jd", skill: "logistics", requestedSkill: "logistics", priority: "normal", status: "queued", arrivedAt, assignments: 0, history: [{ at: arrivedAt, action: "received", actor: "test" }], ...extra };
}
