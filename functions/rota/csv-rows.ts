/**
 * Rota CSV import row checks (columns `agent`, `date`, `shift`), pure and free of csv-parse (so
 * the RotaImportJobs consumer, which re-checks stored rows, does not bundle the parser): every
 * problem at once, named `row <line>, <column>`. Any problem rejects the whole file.
 */
import { agentIdSchema } from "../agents/domain.js";
import type { FieldError } from "../shared/errors.js";
import { OFF, maxRangeDays } from "./domain.js";
import { parseDate } from "./time.js";

export interface CsvRow {
  /** Row number as a spreadsheet shows it: the header is row 1, a multi-line quoted cell is one row. */
  line: number;
  agent: string;
  date: string;
  shift: string;
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
