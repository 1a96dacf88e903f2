/**
 * Write units per partition, table and index, as the functions' own calls make them: the scale
 * bench's check against DynamoDB's per-partition ceiling (1,000 WCU per second, table or index
 * partition alike). A middleware on the functions' shared document client, like the billing
 * recorder; it reads nothing, only the requests.
 *
 * Approximate by design, stated: a Put bills ceil(item KB) in the table partition and in each
 * index partition its index attributes name; an Update or Delete bills 1 in its key's partition
 * and 1 in each index partition an `SET gsiNpk = :v` names (the item's size and the index it
 * leaves are not in the request); inside TransactWriteItems every table unit counts twice (an
 * index entry is written once, after the commit, as AWS bills it).
 */
import { appTable } from "../../functions/catalog/resources.js";
import { itemBytes, toItem, writeUnits } from "./aws-billing.js";

type Doc = Record<string, unknown>;

interface Stack {
  add(middleware: unknown, options: { step: "initialize"; name: string; priority?: "high" | "normal" | "low" }): void;
  remove(name: string): boolean;
}

const name = "benchPartitionMeter";
const indexes = appTable.globalSecondaryIndexes;

export class PartitionMeter {
  active = false;
  /** Only calls made inside this function's scope count (background functions of the stack are left out). */
  only: string | readonly string[] | undefined;
  /** WRU by partition: `table <pk>` or `gsiN <pk>`. */
  readonly units = new Map<string, number>();
  /** Largest item written (bytes). */
  largestItemBytes = 0;

  constructor(private readonly client: { middlewareStack: unknown }, private readonly functionName: () => string | undefined = () => undefined) {
    (client.middlewareStack as Stack).add(
      (next: (args: { input: Doc }) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: Doc }) => {
        if (this.active && (this.only === undefined || (typeof this.only === "string" ? this.functionName() === this.only : this.only.includes(this.functionName() ?? "")))) this.record((context.commandName ?? "").replace(/Command$/, ""), args.input);
        return next(args);
      },
      { step: "initialize", name, priority: "high" },
    );
  }

  uninstall(): void {
    (this.client.middlewareStack as Stack).remove(name);
  }

  reset(): void {
    this.units.clear();
    this.largestItemBytes = 0;
  }

  /** The partition that took the most write units. */
  hottest(): { partition: string; wru: number } | undefined {
    let best: { partition: string; wru: number } | undefined;
    for (const [partition, wru] of this.units) if (!best || wru > best.wru) best = { partition, wru };
    return best;
  }

  private add(partition: string, units: number): void {
    this.units.set(partition, (this.units.get(partition) ?? 0) + units);
  }

  private put(item: Doc, factor: number): void {
    const bytes = itemBytes(toItem(item));
    this.largestItemBytes = Math.max(this.largestItemBytes, bytes);
    const units = writeUnits(bytes);
    this.add(`table ${String(item.pk)}`, units * factor);
    for (const { indexName, partitionKey, projection } of indexes) {
      const pk = item[partitionKey];
      // A keys-only entry is its keys: one unit whatever the item's size.
      if (typeof pk === "string") this.add(`${indexName} ${pk}`, projection.type === "KEYS_ONLY" ? 1 : units);
    }
  }

  private keyed(key: Doc | undefined, update: string | undefined, values: Doc | undefined, factor: number): void {
    if (key) this.add(`table ${String(key.pk)}`, factor);
    if (!update || !values) return;
    for (const { indexName, partitionKey } of indexes) {
      const match = new RegExp(`${partitionKey}\\s*=\\s*(:\\w+)`).exec(update);
      const value = match?.[1] ? values[match[1]] : undefined;
      if (typeof value === "string") this.add(`${indexName} ${value}`, 1);
    }
  }

  private record(operation: string, input: Doc): void {
    if (operation === "PutItem") this.put(input.Item as Doc, 1);
    else if (operation === "UpdateItem" || operation === "DeleteItem") this.keyed(input.Key as Doc, input.UpdateExpression as string | undefined, input.ExpressionAttributeValues as Doc | undefined, 1);
    else if (operation === "BatchWriteItem") {
      for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, Doc[]>)) {
        for (const r of requests) {
          if (r.PutRequest) this.put((r.PutRequest as Doc).Item as Doc, 1);
          else if (r.DeleteRequest) this.keyed((r.DeleteRequest as Doc).Key as Doc, undefined, undefined, 1);
        }
      }
    } else if (operation === "TransactWriteItems") {
      for (const t of (input.TransactItems ?? []) as Doc[]) {
        if (t.Put) this.put((t.Put as Doc).Item as Doc, 2);
        const u = (t.Update ?? t.Delete ?? t.ConditionCheck) as Doc | undefined;
        if (u) this.keyed(u.Key as Doc, u.UpdateExpression as string | undefined, u.ExpressionAttributeValues as Doc | undefined, 2);
      }
    }
  }
}
