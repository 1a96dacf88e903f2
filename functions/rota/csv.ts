/**
 * Rota CSV import rules (columns `agent`, `date`, `shift`), pure. Parsing is csv-parse's
 * (quoted fields, embedded commas and newlines, BOM, CRLF); this module checks every row and
 * returns every problem at once, named `row <line>, <column>`, so the supervisor fixes the
 * file in one pass. Any problem rejects the whole file.
 */
import { parse } from "csv-parse/sync";
import * as z from "zod/mini";
import type { FieldError } from "../shared/errors.js";
import type { CsvRow } from "./csv-rows.js";

export { checkImportRows, type CsvRow, type ImportPlan } from "./csv-rows.js";

export const csvColumns = ["agent", "date", "shift"] as const;
/** Rows per file: a 500-agent month (15,500) fits; above 1,000 a file is applied as a job (use-cases/import.ts). */
export const maxCsvRows = 20_000;

const parsedSchema = z.array(z.array(z.string()));

/** Splits the file into rows; structural problems (bad quoting, missing columns) are errors. */
export function parseRotaCsv(text: string): { rows: CsvRow[]; errors: FieldError[] } {
  let parsed: z.infer<typeof parsedSchema>;
  try {
    parsed = parsedSchema.parse(parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }));
  } catch (error) {
    const line = error instanceof Error && "lines" in error ? Number((error as Error & { lines: unknown }).lines) : undefined;
    return { rows: [], errors: [{ field: line ? `row ${line}` : "(body)", message: `not valid CSV: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  const [header, ...records] = parsed;
  if (!header) return { rows: [], errors: [{ field: "(body)", message: `empty file; expected a header row ${csvColumns.join(",")}` }] };
  const names = header.map((h) => h.trim().toLowerCase());
  const index = Object.fromEntries(csvColumns.map((c) => [c, names.indexOf(c)])) as Record<(typeof csvColumns)[number], number>;
  const missing = csvColumns.filter((c) => index[c] < 0);
  if (missing.length > 0) {
    return { rows: [], errors: missing.map((c) => ({ field: `row 1, ${c}`, message: `header has no "${c}" column (found: ${names.join(", ") || "nothing"})` })) };
  }
  if (records.length === 0) return { rows: [], errors: [{ field: "(body)", message: "the file has a header but no rows" }] };
  if (records.length > maxCsvRows) return { rows: [], errors: [{ field: "(body)", message: `at most ${maxCsvRows} rows per file, got ${records.length}` }] };
  return {
    rows: records.map((record, i) => ({
      line: i + 2,
      agent: record[index.agent] ?? "",
      date: record[index.date] ?? "",
      shift: record[index.shift] ?? "",
    })),
    errors: [],
  };
}

