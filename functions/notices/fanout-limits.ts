/**
 * How much one NoticeFanout invocation has in flight. Its records (a whole notice, or a part of
 * 1,000 agents) run `fanoutRecordsAtOnce` at a time (fanout.queue.ts); each writes inbox entries
 * `inboxWriteLanes` BatchWriteItem calls at a time (store/inbox.ts) and pushes `pushConcurrency`
 * agents at a time (use-cases/push.ts). Together they stay within the SDK's socket pool:
 * 2 × (4 + 21) = 50.
 *
 * Pushes were 50 per record, 108 requests per invocation: on AWS the rest waited for a socket; on
 * the local stack, with two pollers, ~200 requests at once to DynamoDB Local timed out connecting
 * and whole parts were redelivered (docs/performance.md, "Scale"). A part's 1,000 pushes take
 * ~1.5 s at this width on AWS (~25 ms each), far inside its 50 s.
 */

/** The SDK's socket pool per client (NodeHttpHandler's default `maxSockets`): a request beyond it waits for a socket. */
export const sdkSockets = 50;

/** Fan-out records one invocation works at once, and its SQS batch size: one round per invocation, so its time is one part's. */
export const fanoutRecordsAtOnce = 2;

/** BatchWriteItem calls of 25 inbox entries in flight per record. */
export const inboxWriteLanes = 4;

/** Pushes in flight per record (each a connections query plus one call per open connection). */
export const pushConcurrency = Math.floor(sdkSockets / fanoutRecordsAtOnce) - inboxWriteLanes;
