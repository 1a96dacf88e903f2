/**
 * Renders docs/data-model.md from the registry, so the page cannot drift from the code:
 * `npm run docs:data-model` writes it, a unit test fails when it is stale.
 */
import { appTable } from "../../catalog/resources.js";
import type { AnyEntity, IndexDeclaration } from "./entity.js";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string) => `\`${text}\``;

const indexesOf = (e: AnyEntity): IndexDeclaration[] => Object.values<IndexDeclaration>(e.indexes ?? {});

export function renderDataModel(entities: readonly AnyEntity[]): string {
  const owners = [...new Set(entities.map((e) => e.owner))];
  const lines: string[] = [
    "# Data model",
    "",
    "<!-- Generated from functions/shared/table (the entity registry) by `npm run docs:data-model`; do not edit by hand. -->",
    "",
    `One DynamoDB table (\`<prefix>-${appTable.logicalName}\`, on-demand, PITR, TTL on \`${appTable.ttlAttribute}\`) with generic`,
    `keys \`${appTable.partitionKey}\`/\`${appTable.sortKey}\` and the global secondary indexes ${appTable.globalSecondaryIndexes.map((i) => `\`${i.indexName}\` (\`${i.partitionKey}\`/\`${i.sortKey}\`, ${i.projection.type})`).join(", ")}.`,
    "Every item carries `type`. Every key prefix belongs to one capability; other capabilities reach",
    "its items only through the entities declared in `functions/shared/table/`, and every item read is",
    "parsed by its entity's zod schema (a malformed item is a `MalformedItemError`, never a coerced value).",
    "Costs are AWS billing units: 1 WRU per 1 KB written (2 inside a transaction), 1 RRU per 4 KB read",
    "strongly consistent (0.5 eventually consistent, 2 inside a transaction); each index an item enters,",
    "leaves or moves in adds its own write (a move counts 2).",
    "",
    "## Key prefixes by capability",
    "",
    "| capability | partition keys | index partitions |",
    "|---|---|---|",
  ];
  for (const owner of owners) {
    const mine = entities.filter((e) => e.owner === owner);
    const partitions = [...new Set(mine.map((e) => code(e.pk)))].join(", ");
    const indexes = [...new Set(mine.flatMap((e) => indexesOf(e).map((i) => `${i.index} ${code(i.pk)}`)))].join(", ") || "—";
    lines.push(`| ${owner} | ${partitions} | ${indexes} |`);
  }
  lines.push("", "## Items", "", "| item | owner | pk | sk | indexes | what it is |", "|---|---|---|---|---|---|");
  for (const e of entities) {
    const indexes = indexesOf(e).map((i) => `${i.index} ${code(i.pk)} / ${code(i.sk)}`).join("<br>") || "—";
    const expiry = e.expires ? ` TTL: ${e.expires}.` : "";
    lines.push(`| ${e.type} | ${e.owner} | ${code(e.pk)} | ${code(e.sk)} | ${indexes} | ${cell(e.description)}.${expiry} |`);
  }
  lines.push("", "## Why each index entry exists", "", "| item | index | partition / sort | why |", "|---|---|---|---|");
  for (const e of entities) {
    for (const i of indexesOf(e)) lines.push(`| ${e.type} | ${i.index} | ${code(i.pk)} / ${code(i.sk)} | ${cell(i.why)} |`);
  }
  lines.push("", "## Access patterns", "", "| pattern | operation and key | cost per call |", "|---|---|---|");
  for (const e of entities) {
    for (const p of e.patterns) lines.push(`| ${code(p.name)} | ${cell(p.operation)} | ${cell(p.cost)} |`);
  }
  lines.push(
    "",
    "Design notes (why no hot items, consistency rules, cost figures) live in",
    "[architecture.md](architecture.md) and [performance.md](performance.md).",
    "",
  );
  return lines.join("\n");
}
