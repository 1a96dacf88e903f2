/**
 * Stateful resources shared by both runtimes: the application table and the queues.
 * CDK creates them from these definitions; the local stack creates the same ones in
 * DynamoDB Local and fauxqs.
 */

/** Single-table design with generic key attributes; see docs/data-model.md. */
export const appTable = {
  logicalName: "AppTable",
  partitionKey: "pk",
  sortKey: "sk",
  /** TTL attribute (epoch seconds) used by expiring items (idempotency records, holds). */
  ttlAttribute: "expiresAtEpoch",
  /** Its change stream, read by the functions with a `stream` trigger: both images, so a consumer sees what each write changed. */
  stream: "NEW_AND_OLD_IMAGES",
  /**
   * `projection`: what an index entry carries. ALL copies the item, so every write that changes
   * any attribute of an indexed item also rewrites its entry (1 WRU per KB); KEYS_ONLY carries the
   * keys, so an entry is written only when the item enters, leaves or moves in the index.
   */
  globalSecondaryIndexes: [
    { indexName: "gsi1", partitionKey: "gsi1pk", sortKey: "gsi1sk", projection: { type: "ALL" } },
    { indexName: "gsi2", partitionKey: "gsi2pk", sortKey: "gsi2sk", projection: { type: "ALL" } },
    /** Arrivals before the keys-only gsi4 (legacy: read for ranges reaching back before that release; docs/operations.md). */
    { indexName: "gsi3", partitionKey: "gsi3pk", sortKey: "gsi3sk", projection: { type: "ALL" } },
    { indexName: "gsi4", partitionKey: "gsi4pk", sortKey: "gsi4sk", projection: { type: "KEYS_ONLY" } },
  ],
} as const;

export type IndexName = (typeof appTable.globalSecondaryIndexes)[number]["indexName"];

export interface QueueDefinition {
  /** Physical name suffix; FIFO queues end in `.fifo` automatically. */
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the queue's dead-letter queue. */
  maxReceiveCount: number;
  description: string;
}

export const queues = {
  /**
   * Accepted conversations waiting for a routing decision. Standard queue: see docs/architecture.md.
   * Visibility is 6× the router's timeout (AWS's advice for Lambda consumers), so a slow batch is
   * not redelivered while still running. Failed records come back sooner: the consumer chain backs
   * them off (10 s, 20 s, … ≤ 120 s) with ChangeMessageVisibility, and the local runner retries them
   * after LOCAL_RETRY_DELAY_SECONDS so tests see retries and DLQ moves fast.
   */
  conversations: {
    fifo: false,
    visibilityTimeoutSeconds: 150,
    maxReceiveCount: 5,
    description: "Accepted conversations to route (webhook -> router)",
  },
  /** Notice fan-out jobs (one message per notice, or per page of agents). */
  notices: {
    fifo: false,
    visibilityTimeoutSeconds: 300,
    maxReceiveCount: 5,
    description: "Notice broadcast jobs (publish -> fan-out)",
  },
  /**
   * Assignment callbacks to the chat platform (one message per move; docs/integration.md). The
   * deliverer's timeout (5 s per POST) is far below the visibility; a failed POST comes back after
   * the consumer chain's back-off (10 s, 20 s, 40 s, 80 s, then 120 s), and after the 8th try the
   * message moves to the DLQ and the delivery is recorded as failed.
   */
  callbacks: {
    fifo: false,
    visibilityTimeoutSeconds: 120,
    maxReceiveCount: 8,
    description: "Assignment callbacks to the chat platform (routing -> deliverer)",
  },
  /**
   * SKUs whose page stock may have changed (stock writers -> StockPublisher). Standard queue: each
   * message is sent with a 1 s delay, so the changes of a burst that follow it ride on it
   * (functions/stock/publisher.ts); order does not matter, the publisher reads the counters.
   */
  stockChanges: {
    fifo: false,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    description: "SKUs whose page stock may have changed (stock writers -> StockPublisher)",
  },
  /**
   * Large rota CSV imports accepted with 202 (one message per job; docs/rota.md "Large imports").
   * Visibility (400 s) above the job's lease (360 s), itself above the consumer's 300 s timeout:
   * a dead consumer's message comes back when its job can be taken over.
   */
  rotaImports: {
    fifo: false,
    visibilityTimeoutSeconds: 400,
    maxReceiveCount: 5,
    description: "Accepted rota CSV import jobs (RotaImportApi -> RotaImportJobs)",
  },
  /**
   * Parts of a large shift boundary (RotaDutyClock -> RotaDutyParts; docs/rota.md "Large
   * boundaries"): one message per ~400 agents whose duty changes. Visibility 6× the consumer's
   * 50 s timeout, as for the router. A part that keeps failing reaches the DLQ after 5 tries (~2.5
   * min with the consumer chain's back-off); meanwhile every tick re-sends what still differs.
   */
  dutyParts: {
    fifo: false,
    visibilityTimeoutSeconds: 300,
    maxReceiveCount: 5,
    description: "Parts of a large shift boundary (RotaDutyClock -> RotaDutyParts)",
  },
  /** Page-stock changes for the storefront connector, per-SKU ordered. */
  storefront: {
    fifo: true,
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 5,
    description: "Page-stock changes for the storefront connector (FIFO, group = SKU)",
  },
} as const satisfies Record<string, QueueDefinition>;

export type QueueName = keyof typeof queues;
export const queueNames = Object.keys(queues) as QueueName[];

/** Environment variable that carries a queue's URL to the functions. */
export function queueUrlEnvName(queue: QueueName): string {
  return `QUEUE_URL_${queue.toUpperCase()}`;
}

/** Physical queue name for a stage (local stack or a test run). */
export function physicalQueueName(prefix: string, queue: QueueName, dlq = false): string {
  const base = `${prefix}-${queue}${dlq ? "-dlq" : ""}`;
  return queues[queue].fifo ? `${base}.fifo` : base;
}
