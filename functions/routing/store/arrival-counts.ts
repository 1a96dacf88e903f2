/** Arrival counts per 15-minute slot and skill: the forecast's history (ArrivalCount in the registry). */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ArrivalCount, arrivalSlot, dynamo, queryAll, sentOnce, tableName } from "../../shared/table/index.js";

/** Two years and a bit: last year's same date stays readable as a forecast base. */
const retentionSeconds = 800 * 86_400;

/**
 * Counts one arrival in its slot. Called once per arrival whose transaction created (or
 * reopened) the conversation, so a replay, which never commits, never counts; and sent once
 * (`sentOnce`): a call that timed out may have counted, so the SDK does not send it again (it
 * used to, counting the arrival twice). Such a call fails with `AmbiguousWriteError`: at most
 * that one arrival is missing from the forecast's history, never counted twice.
 */
export async function countArrival(at: Date, skill: string, reopened: boolean): Promise<void> {
  const { day, slot } = arrivalSlot(at);
  await dynamo.send(
    sentOnce(new UpdateCommand({
      TableName: tableName,
      Key: ArrivalCount.key({ day, slot, skill }),
      UpdateExpression: `ADD arrivals :one${reopened ? ", reopened :one" : ""} SET #type = :type, slot = :slot, skill = :skill, expiresAtEpoch = if_not_exists(expiresAtEpoch, :exp)`,
      ExpressionAttributeNames: { "#type": "type" },
      ExpressionAttributeValues: { ":one": 1, ":type": ArrivalCount.type, ":slot": slot, ":skill": skill, ":exp": Math.floor(Date.parse(slot) / 1000) + retentionSeconds },
    })),
  );
}

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
