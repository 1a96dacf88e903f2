/**
 * `RoutingAggregates`: the table's change stream, conversation items only, in tumbling windows
 * (functions.ts). Each invocation adds its records' metrics differences and arrivals to the
 * window's state and returns it; the window's final invocation writes the sums, one ADD per
 * aggregate item, marked under the shard with the last sequence it took (routing/aggregates.ts),
 * so a retried final invocation counts nothing twice. A state grown past `maxStateBytes` is
 * written early and the window goes on with an empty one.
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from "aws-lambda";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { atInvocationEnd } from "../shared/invocation.js";
import { logger } from "../shared/logger.js";
import { Conversation as ConversationItem } from "../shared/table/index.js";
import { addChanges, decodeState, emptyWindowState, encodeState, markOf, maxStateBytes, shardMarkAttribute, stateKey, type ConversationChange, type WindowState } from "./aggregates.js";
import type { Conversation } from "./conversation.js";
import { writeAggregates } from "./store/index.js";

/** A DynamoDB stream batch in a tumbling window, as Lambda invokes the function. */
export interface StreamWindowEvent {
  Records: DynamoDBRecord[];
  window: { start: string; end: string };
  state?: Record<string, unknown>;
  shardId?: string;
  eventSourceARN?: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

export interface StreamWindowResponse {
  state: Record<string, string>;
}

/**
 * A conversation image, or undefined for none. A malformed one is logged and read as none: a
 * record that can never be parsed must not hold the shard's every later record back.
 */
function conversationOf(image: Record<string, LambdaAttributeValue> | undefined, sequence: string): Conversation | undefined {
  if (!image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item.type !== ConversationItem.type) return undefined;
  try {
    return ConversationItem.parse(item);
  } catch (error) {
    logger.error("Malformed conversation in the change stream; its change is not aggregated", { sequence, error: error as Error });
    return undefined;
  }
}

function changeOf(record: DynamoDBRecord): ConversationChange | undefined {
  const sequence = record.dynamodb?.SequenceNumber;
  if (!sequence) return undefined;
  const before = conversationOf(record.dynamodb?.OldImage, sequence);
  const after = conversationOf(record.dynamodb?.NewImage, sequence);
  return before || after ? { sequence, before, after } : undefined;
}

/** Writes the state's items; the state goes on empty, with its last sequence (still deduplicating). */
async function flush(state: WindowState, event: StreamWindowEvent): Promise<WindowState> {
  const mark = markOf(state);
  if (mark === undefined || state.items.length === 0) return state;
  const shard = event.shardId ?? event.eventSourceARN ?? "local";
  const result = await writeAggregates(state.items, shardMarkAttribute(shard), mark);
  logger.info("Aggregates written", { window: event.window.start, items: state.items.length, ...result });
  return { ...emptyWindowState(), lastSequence: mark };
}

async function run(event: StreamWindowEvent): Promise<StreamWindowResponse> {
  const changes = event.Records.map(changeOf).filter((c): c is ConversationChange => c !== undefined);
  const state = addChanges(decodeState(event.state), changes);
  const ends = event.isFinalInvokeForWindow || event.isWindowTerminatedEarly;
  const encoded = encodeState(state);
  if (!ends && Buffer.byteLength(encoded[stateKey] ?? "") <= maxStateBytes) return { state: encoded };
  const rest = await flush(state, event);
  // A window's end drops the state; within it, the next part goes on from here.
  return { state: ends ? {} : encodeState(rest) };
}

export const handler = middy<StreamWindowEvent, StreamWindowResponse>().use(injectLambdaContext(logger, { resetKeys: true })).use(atInvocationEnd()).handler(run);
