/**
 * Arrival counts per 15-minute slot and skill: the forecast's history (ArrivalCount in the
 * registry). Written by the change stream's consumer (store/aggregates.ts), read here.
 */
import { ArrivalCount, queryAll } from "../../shared/table/index.js";

export interface SlotCount {
  slot: string;
  skill: string;
  arrivals: number;
}

/** Every slot count of one UTC date (one query; ≤ 96 slots × skills). */
export async function arrivalCountsOn(day: string): Promise<SlotCount[]> {
  const items = await queryAll({ KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": ArrivalCount.partition({ day }) } });
  return items.map((item) => {
    const { slot, skill, arrivals } = ArrivalCount.parse(item);
    return { slot, skill, arrivals };
  });
}
