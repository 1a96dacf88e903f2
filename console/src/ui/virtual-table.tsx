/**
 * A table that renders only the rows in view (plus a margin), so a wall of 1,000 agents costs
 * the DOM of a few dozen rows. Rows have one fixed height (CSS `--row-height`); spacer rows stand
 * in for the rest, so the scrollbar is true. `aria-rowcount`/`aria-rowindex` tell assistive
 * technology the real size.
 */
import type { ComponentChildren } from "preact";
import { useSignal } from "@preact/signals";

const overscan = 8;

export function VirtualTable<T>(props: {
  label: string;
  rows: readonly T[];
  rowHeight: number;
  /** Height of the scrolling area in pixels. */
  height: number;
  head: ComponentChildren;
  columns: number;
  keyOf: (row: T) => string;
  renderRow: (row: T, index: number) => ComponentChildren;
}) {
  const scrollTop = useSignal(0);
  const { rows, rowHeight, height } = props;
  const first = Math.max(0, Math.floor(scrollTop.value / rowHeight) - overscan);
  const last = Math.min(rows.length, Math.ceil((scrollTop.value + height) / rowHeight) + overscan);
  const visible = rows.slice(first, last);
  return (
    <div
      class="virtual-scroller"
      style={{ maxHeight: `${height}px`, "--row-height": `${rowHeight}px` }}
      tabIndex={0}
      role="region"
      aria-label={props.label}
      onScroll={(e) => (scrollTop.value = e.currentTarget.scrollTop)}
    >
      <table aria-rowcount={rows.length + 1}>
        <thead>{props.head}</thead>
        <tbody>
          {first > 0 && (
            <tr class="spacer" aria-hidden="true" style={{ height: `${first * rowHeight}px` }}>
              <td colSpan={props.columns} />
            </tr>
          )}
          {visible.map((row, i) => (
            <tr key={props.keyOf(row)} class="virtual-row" aria-rowindex={first + i + 2}>
              {props.renderRow(row, first + i)}
            </tr>
          ))}
          {last < rows.length && (
            <tr class="spacer" aria-hidden="true" style={{ height: `${(rows.length - last) * rowHeight}px` }}>
              <td colSpan={props.columns} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
