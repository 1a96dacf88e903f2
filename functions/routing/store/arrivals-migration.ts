/**
 * One-off, for operators (scripts/migrate-arrivals-to-gsi4.ts): moves the conversations that
 * releases before the keys-only arrival index wrote into the legacy `gsi3` (projecting ALL) into
 * `gsi4` (keys only), so a later release can drop gsi3 and its reader (docs/operations.md, "Key
 * layout changes"). Both indexes take the same key values (the arrival hour, then arrival and
 * conversation id: entities/routing.ts), so a move copies them and removes the legacy pair in one
 * UpdateItem: at every instant the conversation is in exactly one of the two, and the metrics
 * reader, which reads both, counts it once during the migration too.
 *
 * Safe to run while the stack serves traffic and to run again: each move is conditional on the
 * legacy keys it was scanned with, and on the conversation having no gsi4 entry or the same one
 * (then only the legacy pair goes). A conversation that changed meanwhile (a reopen moves it
 * itself) is skipped, never overwritten; one whose gsi4 entry names another arrival (an old and a
 * new release both wrote it during the deploy) is left in both and reported as a conflict, for
 * an operator to look at. A run that scans nothing is the proof that gsi3 is empty.
 */
import { ScanCommand, UpdateCommand, type ScanCommandOutput } from "@aws-sdk/lib-dynamodb";
import { Conversation as ConversationItem, dynamo, isConditionalCheckFailed, tableName } from "../../shared/table/index.js";
import { inLanes } from "../../shared/lanes.js";
import { arrived, arrivedLegacy } from "./indexes.js";

export interface LegacyArrivalsMove {
  /** Entries the scan found in gsi3. */
  scanned: number;
  /** Conversations moved into gsi4 (or, in a dry run, that would be). */
  moved: number;
  /** Changed since the scan read them (no longer in gsi3 as read): left as they are. */
  skipped: number;
  /** Conversations whose gsi4 entry names another arrival than their gsi3 entry: left in both (at most 100 listed). */
  conflicts: string[];
  pages: number;
}

const maxListedConflicts = 100;

export interface LegacyArrivalsOptions {
  /** Parallel scan segments (default 4). */
  segments?: number;
  /** Moves in flight per segment (default 8). */
  lanes?: number;
  /** Entries per scan page (default 200). */
  pageSize?: number;
  /** Count only; write nothing. */
  dryRun?: boolean;
  /** Called after each page with the running totals. */
  onPage?: (totals: LegacyArrivalsMove) => void;
}

/** Moves every conversation still in gsi3 into gsi4; returns what it did. */
export async function moveLegacyArrivals(options: LegacyArrivalsOptions = {}): Promise<LegacyArrivalsMove> {
  const segments = options.segments ?? 4;
  const totals: LegacyArrivalsMove = { scanned: 0, moved: 0, skipped: 0, conflicts: [], pages: 0 };
  const legacy = arrivedLegacy.attributeNames;
  const target = arrived.attributeNames;
  const moveOne = async (entry: Record<string, unknown>): Promise<void> => {
    if (options.dryRun) {
      totals.moved++;
      return;
    }
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: ConversationItem.key({ conversationId: String(entry.conversationId) }),
          UpdateExpression: "SET #ap = :p, #as = :s REMOVE #lp, #ls",
          ConditionExpression: "#lp = :p AND #ls = :s AND (attribute_not_exists(#ap) OR (#ap = :p AND #as = :s))",
          ExpressionAttributeNames: { "#lp": legacy.pk, "#ls": legacy.sk, "#ap": target.pk, "#as": target.sk },
          ExpressionAttributeValues: { ":p": entry[legacy.pk], ":s": entry[legacy.sk] },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      totals.moved++;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // Still in gsi3 as scanned: then its gsi4 entry is another arrival's.
      const old = (error as { Item?: Record<string, { S?: string }> }).Item;
      if (old?.[legacy.pk]?.S === entry[legacy.pk] && old?.[legacy.sk]?.S === entry[legacy.sk]) {
        if (totals.conflicts.length < maxListedConflicts) totals.conflicts.push(String(entry.conversationId));
      } else totals.skipped++;
    }
  };
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let cursor: ScanCommandOutput["LastEvaluatedKey"];
      do {
        const page: ScanCommandOutput = await dynamo.send(
          new ScanCommand({
            TableName: tableName,
            IndexName: arrivedLegacy.index,
            Segment: segment,
            TotalSegments: segments,
            // gsi3 holds conversations only (entities/routing.ts): their id and legacy keys are all a move needs.
            ProjectionExpression: "conversationId, #lp, #ls",
            ExpressionAttributeNames: { "#lp": legacy.pk, "#ls": legacy.sk },
            Limit: options.pageSize ?? 200,
            ...(cursor ? { ExclusiveStartKey: cursor } : {}),
          }),
        );
        const entries = page.Items ?? [];
        totals.scanned += entries.length;
        await inLanes(entries, options.lanes ?? 8, moveOne);
        totals.pages++;
        options.onPage?.({ ...totals });
        cursor = page.LastEvaluatedKey;
      } while (cursor);
    }),
  );
  return totals;
}
