/**
 * One-off operator step before the release that drops `gsi3`: moves every conversation an earlier
 * release left in the legacy arrival index (gsi3, ALL) into the keys-only gsi4
 * (functions/routing/store/arrivals-migration.ts). Safe under traffic and safe to repeat; run it
 * until it reports `scanned 0` (docs/operations.md, "Key layout changes").
 *
 * @example
 * TABLE_NAME=ShiftQueue-Table AWS_REGION=ap-east-1 npx tsx scripts/migrate-arrivals-to-gsi4.ts --dry-run
 * TABLE_NAME=ShiftQueue-Table AWS_REGION=ap-east-1 npx tsx scripts/migrate-arrivals-to-gsi4.ts --segments 8
 * # against the local stack: DYNAMODB_ENDPOINT=http://127.0.0.1:8000 TABLE_NAME=… as `npm start` prints
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { "dry-run": { type: "boolean", default: false }, segments: { type: "string", default: "4" }, help: { type: "boolean", default: false } } });
const usage = "Usage: TABLE_NAME=<table> AWS_REGION=<region> [DYNAMODB_ENDPOINT=<url>] npx tsx scripts/migrate-arrivals-to-gsi4.ts [--dry-run] [--segments N]";
const segments = Number(values.segments);
if (values.help || !process.env.TABLE_NAME || !Number.isInteger(segments) || segments < 1 || segments > 64) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}

// The table client reads TABLE_NAME when first imported.
const { moveLegacyArrivals } = await import("../functions/routing/store/arrivals-migration.js");
const started = Date.now();
const result = await moveLegacyArrivals({
  segments,
  dryRun: values["dry-run"],
  onPage: (t) => process.stderr.write(`\r${t.pages} pages: ${t.scanned} scanned, ${t.moved} ${values["dry-run"] ? "to move" : "moved"}, ${t.skipped} skipped`),
});
process.stderr.write("\n");
console.log(JSON.stringify({ table: process.env.TABLE_NAME, dryRun: values["dry-run"], ...result, seconds: (Date.now() - started) / 1000 }));
if (result.conflicts.length > 0) {
  console.log(`Conflicts (in gsi3 and in gsi4 under another arrival; the entry matching the conversation's arrivedAt is right, remove the other pair by hand): ${result.conflicts.join(", ")}`);
}
console.log(result.scanned === 0 ? "gsi3 holds no conversation: the release that drops it may be deployed." : "Run again until it scans 0 (entries moved during this run may still show in the index for a moment).");
