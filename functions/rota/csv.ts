/**
 * Rota CSV import rules (columns `agent`, `date`, `shift`), pure. Parsing is csv-parse's
 * (quoted fields, embedded commas and newlines, BOM, CRLF); this module checks every row and
 * returns every problem at once, named `row <line>, <column>`, so the supervisor fixes the
 * file in one pass. Any problem rejects the whole file.
 */
import { parse } from "csv-parse/sync";
import * as z from "zod/mini";
import { agentIdSchema } from "../agents/domain.js";
import type { FieldError } from "../shared/errors.js";
import { OFF, maxRangeDays } from "./domain.js";
import { parseDate } from "./time.js";

export const csvColumns = ["agent", "date", "shift"] as const;
export const maxCsvRows = 10_000;

export interface CsvRow {
  /** Row number as a spreadsheet shows it: the header is row 1, a multi-line quoted cell is one row. */
  line: number;
  agent: string;
  date: string;
  shift: string;
}

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

export interface ImportPlan {
  fromDate: string;
  toDate: string;
  /** agentId → date → shiftId (or "off"). */
  byAgent: Map<string, Map<string, string>>;
}

/**
 * Checks every row against the known agents and shifts; returns the plan only when no row is
 * bad. Duplicates (same agent and date twice) are errors even when they agree.
 */
export function checkImportRows(rows: readonly CsvRow[], agentExists: (id: string) => boolean, shiftExists: (id: string) => boolean): { plan?: ImportPlan; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const firstLine = new Map<string, number>();
  const byAgent = new Map<string, Map<string, string>>();
  let fromDate: string | undefined;
  let toDate: string | undefined;
  for (const row of rows) {
    let ok = true;
    const bad = (column: string, message: string) => {
      ok = false;
      errors.push({ field: `row ${row.line}, ${column}`, message });
    };
    if (row.agent === "") bad("agent", "missing");
    else if (!agentIdSchema.safeParse(row.agent).success) bad("agent", `"${row.agent}" is not a valid agent id`);
    else if (!agentExists(row.agent)) bad("agent", `unknown agent "${row.agent}"`);
    if (parseDate(row.date) === undefined) bad("date", row.date === "" ? "missing" : `"${row.date}" is not a calendar date YYYY-MM-DD`);
    if (row.shift === "") bad("shift", `missing (use a shift id or "${OFF}")`);
    else if (row.shift !== OFF && !shiftExists(row.shift)) bad("shift", `unknown shift "${row.shift}"`);
    if (row.agent !== "" && parseDate(row.date) !== undefined) {
      const key = `${row.agent}|${row.date}`;
      const earlier = firstLine.get(key);
      if (earlier !== undefined) bad("date", `duplicate: ${row.agent} on ${row.date} is already on row ${earlier}`);
      else firstLine.set(key, row.line);
    }
    if (!ok) continue;
    let dates = byAgent.get(row.agent);
    if (!dates) byAgent.set(row.agent, (dates = new Map()));
    dates.set(row.date, row.shift);
    if (fromDate === undefined || row.date < fromDate) fromDate = row.date;
    if (toDate === undefined || row.date > toDate) toDate = row.date;
  }
  if (errors.length > 0 || fromDate === undefined || toDate === undefined) return { errors };
  const span = (parseDate(toDate) ?? 0) - (parseDate(fromDate) ?? 0);
  if (span >= maxRangeDays) return { errors: [{ field: "date", message: `one file may cover at most ${maxRangeDays} days; this one covers ${fromDate}…${toDate}` }] };
  return { plan: { fromDate, toDate, byAgent }, errors };
}
