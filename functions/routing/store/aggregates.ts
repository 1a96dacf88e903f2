/**
 * Writes a window's aggregates (routing/aggregates.ts): one UpdateItem per item, outside any
 * transaction, ADDing the window's sums and setting the shard's mark, conditional on the mark
 * being older. A final invocation that Lambda retries (its first try failed after some items were
 * written) is refused by exactly the items it already reached, so each window part counts once.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ArrivalCount, RoutingHour, dynamo, isConditionalCheckFailed, tableName } from "../../shared/table/index.js";
import type { WindowState } from "../aggregates.js";

/** Two years and a bit: last year's same date stays readable as a forecast base. */
const arrivalRetentionSeconds = 800 * 86_400;

/** Items written at once: the SDK's 50 sockets stay free for the rest of the invocation. */
const inFlight = 16;

type Item = WindowState["items"][number];

function updateOf(item: Item, markAttribute: string, mark: string): UpdateCommand {
  const names: Record<string, string> = { "#type": "type", "#w": markAttribute };
  const values: Record<string, unknown> = { ":mark": mark };
  const adds = Object.entries(item.counters).map(([name, n], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = n;
    return `#c${i} :c${i}`;
  });
  const { target } = item;
  const identity: { key: Record<string, string>; set: string; names: Record<string, string>; values: Record<string, unknown> } =
    target.entity === "RoutingHour"
      ? { key: RoutingHour.key(target), set: "#type = :type, #hour = :hour, #owner = :owner", names: { "#hour": "hour", "#owner": "owner" }, values: { ":type": RoutingHour.type, ":hour": target.hour, ":owner": target.owner } }
      : {
          key: ArrivalCount.key(target),
          set: "#type = :type, slot = :slot, skill = :skill, expiresAtEpoch = if_not_exists(expiresAtEpoch, :exp)",
          names: {},
          values: { ":type": ArrivalCount.type, ":slot": target.slot, ":skill": target.skill, ":exp": Math.floor(Date.parse(target.slot) / 1000) + arrivalRetentionSeconds },
        };
  return new UpdateCommand({
    TableName: tableName,
    Key: identity.key,
    UpdateExpression: `ADD ${adds.join(", ")} SET ${identity.set}, #w = :mark`,
    ConditionExpression: "attribute_not_exists(#w) OR #w < :mark",
    ExpressionAttributeNames: { ...names, ...identity.names },
    ExpressionAttributeValues: { ...values, ...identity.values },
  });
}

/**
 * Writes `items` with the shard's `mark`; returns how many were written and how many already had
 * it (a retried final invocation). Any other failure throws: the invocation fails and Lambda
 * retries it with the same state.
 */
export async function writeAggregates(items: readonly Item[], markAttribute: string, mark: string): Promise<{ written: number; alreadyWritten: number }> {
  let written = 0;
  let alreadyWritten = 0;
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      try {
        await dynamo.send(updateOf(item, markAttribute, mark));
        written++;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        alreadyWritten++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, queue.length) }, worker));
  return { written, alreadyWritten };
}
