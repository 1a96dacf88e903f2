import type { FunctionSpec } from "../catalog/types.js";
import { fanoutRecordsAtOnce } from "./fanout-limits.js";

const supervisor = { kind: "jwt", roles: ["supervisor"] } as const;
const agent = { kind: "jwt", roles: ["agent"] } as const;

export const noticesApi: FunctionSpec = {
  name: "NoticesApi",
  entry: "functions/notices/notices.http.ts",
  handler: "handler",
  description: "Campaigns, notices (lists with receipt counts), agent inbox/ack and receipts",
  triggers: [
    { kind: "http", method: "GET", path: "/campaigns", auth: supervisor },
    { kind: "http", method: "PUT", path: "/campaigns/{campaignId}", auth: supervisor },
    { kind: "http", method: "GET", path: "/campaigns/{campaignId}", auth: supervisor },
    { kind: "http", method: "GET", path: "/notices", auth: supervisor },
    { kind: "http", method: "POST", path: "/notices", auth: supervisor },
    { kind: "http", method: "GET", path: "/notices/{noticeId}/receipts", auth: supervisor },
    { kind: "http", method: "GET", path: "/notices/inbox", auth: agent },
    { kind: "http", method: "POST", path: "/notices/{noticeId}/ack", auth: agent },
  ],
  // Pushes acknowledgements to supervisors (receipts live on the console; shared/supervisor-push.ts).
  access: { table: "write", sends: ["notices"], pushesToAgents: true },
};

/**
 * One message per notice (an audience over 1,000 agents is split into part messages, each written
 * by its own invocation, so an invocation takes seconds whatever the team's size) or per agent arrival (the agents capability's `agent-arrived` event: late-joiner delivery).
 */
export const noticeFanout: FunctionSpec = {
  name: "NoticeFanout",
  entry: "functions/notices/fanout.queue.ts",
  handler: "handler",
  description: "Fans a notice out to on-duty agents (inbox entries + WebSocket nudges); delivers late joiners' notices on arrival",
  // One round of records per invocation (fanout-limits.ts): a part of 1,000 agents is seconds of
  // work, and ten of them in one invocation, two at a time, came to the 50 s timeout on a slow store.
  triggers: [{ kind: "queue", queue: "notices", batchSize: fanoutRecordsAtOnce, reportBatchItemFailures: true, localConcurrency: 2 }],
  // Sends a large audience's part messages to its own queue (fanOutPart).
  access: { table: "write", sends: ["notices"], pushesToAgents: true },
  memoryMb: 512,
  timeoutSeconds: 50,
};

export const noticeReminders: FunctionSpec = {
  name: "NoticeReminders",
  entry: "functions/notices/reminders.schedule.ts",
  handler: "handler",
  description: "Re-pushes unacknowledged urgent notices; re-enqueues unfinished fan-outs",
  triggers: [{ kind: "schedule", everyMinutes: 1 }],
  access: { table: "write", sends: ["notices"], pushesToAgents: true },
  timeoutSeconds: 50,
};

export const noticeFunctions: FunctionSpec[] = [noticesApi, noticeFanout, noticeReminders];
