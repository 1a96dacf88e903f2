/**
 * The hourly routing aggregates (`RoutingHour`): the ADDs a conversation write carries in its own
 * transaction, and the reads of whole hours for `GET /metrics/routing`.
 */
import { RoutingHour, queryAll, tableName, type TransactItem } from "../../shared/table/index.js";
import type { Conversation } from "../conversation.js";
import { metricsDelta, type Counters } from "../metrics.js";

/**
 * The aggregate updates of a conversation write from `before` to `after` (none while it stays
 * queued or waiting): one ADD per (arrival hour, owner) whose counters change, to commit in the
 * same transaction as the write, after its other items (their indexes stay as they were).
 */
export function metricsOps(before: Conversation | undefined, after: Conversation | undefined): TransactItem[] {
  return metricsDelta(before, after).map(({ hour, owner, counters }) => {
    const names: Record<string, string> = { "#type": "type", "#hour": "hour", "#owner": "owner" };
    const values: Record<string, unknown> = { ":type": RoutingHour.type, ":hour": hour, ":owner": owner };
    const adds = Object.entries(counters).map(([name, n], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = n;
      return `#c${i} :c${i}`;
    });
    return {
      Update: {
        TableName: tableName,
        Key: RoutingHour.key({ hour, owner }),
        UpdateExpression: `ADD ${adds.join(", ")} SET #type = :type, #hour = :hour, #owner = :owner`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  });
}

const counterPrefixes = ["s.", "a."];

/** The aggregates of one arrival hour (`2026-11-11T00`), per owner. */
export async function routingHour(hour: string): Promise<Map<string, Counters>> {
  const items = await queryAll({ KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": RoutingHour.partition({ hour }) } });
  const out = new Map<string, Counters>();
  for (const item of items) {
    const { owner } = RoutingHour.parse(item);
    const counters: Counters = {};
    for (const [name, value] of Object.entries(item)) if (typeof value === "number" && counterPrefixes.some((p) => name.startsWith(p))) counters[name] = value;
    out.set(owner, counters);
  }
  return out;
}
