/**
 * Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned.
 * Pure, unit-tested (tests/unit/bench-lib.test.ts).
 */

export interface Column {
  header: string;
  align?: "left" | "right";
}

export type Cell = string | number | undefined;

/** Formats a number for a table cell: `-` when absent, thousands separators, fixed decimals. */
export function num(value: number | undefined, decimals = 0): string {
  if (value === undefined || !Number.isFinite(value)) return "-";
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/**
 * Renders rows under a header and a rule. Cells may be strings, numbers (rendered with `num`)
 * or undefined (`-`). A row shorter than the header is padded with empty cells.
 *
 * @example
 * formatTable([{ header: "name" }, { header: "ms", align: "right" }], [["a", 1], ["bb", 22]])
 */
export function formatTable(columns: readonly Column[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => columns.map((_, i) => cellText(row[i])));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...text.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => ((columns[i]?.align ?? "left") === "right" ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), widths.map((w) => "-".repeat(w)).join("  "), ...text.map(line)].join("\n");
}

function cellText(cell: Cell): string {
  if (cell === undefined) return "-";
  if (typeof cell === "number") return num(cell, Number.isInteger(cell) ? 0 : 2);
  return cell;
}
