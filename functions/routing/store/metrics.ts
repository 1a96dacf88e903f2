/**
 * The hourly routing aggregates (`RoutingHour`): the reads of whole hours for `GET
 * /metrics/routing`. They are written by the change stream's consumer (store/aggregates.ts).
 */
import { RoutingHour, queryAll } from "../../shared/table/index.js";
import type { Counters } from "../metrics.js";

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
