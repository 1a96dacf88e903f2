/**
 * DynamoDB adapter for routing: conversations and known agents (entities in
 * functions/shared/table/entities/routing.ts), plus the agents' items routing reads or writes
 * inside its transactions (pool seats, profiles, assignment records) through the agents'
 * entities. Every item read is parsed by its entity; conditional failures become `false` /
 * `undefined` or stay typed (`TransactionCancelledError`) for the use cases to decide.
 *
 * A conversation's index entries follow its status: `waiting` only while waiting (the fair
 * queue), `queued` only while queued and listed by the sweeper (its re-drive list: see
 * arrival-scan.ts), `awaitingReply` only while assigned without a first response (the re-offer
 * list); `arrived` always (metrics, and the sweeper's arrival scan).
 */
export * from "./agents.js";
export * from "./aggregates.js";
export * from "./arrival-counts.js";
export * from "./arrival-scan.js";
export * from "./conversations.js";
export * from "./events.js";
export * from "./known-agents.js";
export * from "./metrics.js";
export * from "./queues.js";
export * from "./transactions.js";
