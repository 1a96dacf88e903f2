/**
 * A hand-written SVG chart of a simulated day, three panels sharing the time axis (local time):
 * 1. the waiting line per minute (maximum as a band, time-average as a line);
 * 2. mean and p90 wait per interval of arrival, with the 20 s and 3 min marks;
 * 3. chat slots on duty (the rota) against busy slots and what Erlang C asks for.
 * No dependency; any browser opens it.
 */
import { DateTime } from "luxon";
import type { DayReport } from "./report.js";

const width = 1100;
const left = 70;
const right = 170;
const plotWidth = width - left - right;
const panelHeight = 200;
const firstTop = 90;
const panelGap = 75;
const panels = 3;
const height = firstTop + panels * panelHeight + (panels - 1) * panelGap + 55;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const num = (n: number) => (Math.round(n * 10) / 10).toString();

/** A "nice" upper bound and tick step for a maximum (1, 2, 2.5, 5 × 10^k). */
export function niceScale(max: number, ticks = 5): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.2 };
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  return { top: Math.ceil(max / step - 1e-9) * step, step };
}

interface Panel {
  title: string;
  yLabel: string;
  scale: { top: number; step: number };
  format?: (v: number) => string;
  body: (y: (v: number) => number) => string;
  legend: { label: string; swatch: string }[];
}

export function renderSvg(report: DayReport, dayStart: number, dayEnd: number): string {
  const zone = report.timeZone;
  const x = (t: number) => left + ((Math.min(dayEnd, Math.max(dayStart, t)) - dayStart) / (dayEnd - dayStart)) * plotWidth;
  const minuteMs = 60_000;
  const minutes = report.byMinute.filter((m) => Date.parse(m.at) < dayEnd);
  const rows = report.intervals;
  const rowEnd = (i: number) => (i + 1 < rows.length ? Date.parse(rows[i + 1]?.from ?? "") : dayEnd);

  /** A step line over the report intervals. */
  const steps = (y: (v: number) => number, value: (r: (typeof rows)[number]) => number) =>
    rows.map((r, i) => `${i === 0 ? "M" : "L"}${num(x(Date.parse(r.from)))},${num(y(value(r)))} L${num(x(rowEnd(i)))},${num(y(value(r)))}`).join(" ");
  /** A per-minute series as a step area or line. */
  const minuteArea = (y: (v: number) => number, value: (m: (typeof minutes)[number]) => number) =>
    minutes.length === 0
      ? ""
      : `M${num(x(dayStart))},${num(y(0))} ` +
        minutes.map((m) => `L${num(x(Date.parse(m.at)))},${num(y(value(m)))} L${num(x(Date.parse(m.at) + minuteMs))},${num(y(value(m)))}`).join(" ") +
        ` L${num(x(dayEnd))},${num(y(0))} Z`;
  const minuteLine = (y: (v: number) => number, value: (m: (typeof minutes)[number]) => number) =>
    minutes.map((m, i) => `${i === 0 ? "M" : "L"}${num(x(Date.parse(m.at) + minuteMs / 2))},${num(y(value(m)))}`).join(" ");

  const waitScale = niceScale(Math.max(30, ...rows.map((r) => r.p90WaitSeconds)));
  const inMinutes = waitScale.top >= 600;
  const slotScale = niceScale(Math.max(1, ...minutes.map((m) => m.staffedSlots), ...rows.map((r) => r.erlangSlots)));

  const list: Panel[] = [
    {
      title: "Waiting conversations (queue length)",
      yLabel: "conversations waiting",
      scale: niceScale(Math.max(1, ...minutes.map((m) => m.queueMax))),
      body: (y) => `<path d="${minuteArea(y, (m) => m.queueMax)}" class="band"/>\n<path d="${minuteLine(y, (m) => m.queueMean)}" class="qmean"/>`,
      legend: [
        { label: "max in the minute", swatch: `<rect x="0" y="-6" width="22" height="12" class="band"/>` },
        { label: "average", swatch: `<line x1="0" x2="22" y1="0" y2="0" class="qmean"/>` },
      ],
    },
    {
      title: `Wait until an agent is assigned, by ${report.intervalMinutes}-minute interval of arrival`,
      yLabel: inMinutes ? "wait (minutes)" : "wait (seconds)",
      scale: waitScale,
      format: (v) => (inMinutes ? num(v / 60) : num(v)),
      body: (y) =>
        [20, 180]
          .filter((s) => s <= waitScale.top)
          .map(
            (s) =>
              `<line x1="${left}" x2="${left + plotWidth}" y1="${num(y(s))}" y2="${num(y(s))}" class="mark"/><text x="${left + plotWidth - 4}" y="${num(y(s) - 4)}" text-anchor="end" class="marklabel">${s === 20 ? "20 s" : "3 min"}</text>`,
          )
          .concat([`<path d="${steps(y, (r) => r.p90WaitSeconds)}" class="wp90"/>`, `<path d="${steps(y, (r) => r.meanWaitSeconds)}" class="wmean"/>`])
          .join("\n"),
      legend: [
        { label: "p90 wait", swatch: `<line x1="0" x2="22" y1="0" y2="0" class="wp90"/>` },
        { label: "mean wait", swatch: `<line x1="0" x2="22" y1="0" y2="0" class="wmean"/>` },
        { label: "20 s and 3 min", swatch: `<line x1="0" x2="22" y1="0" y2="0" class="mark"/>` },
      ],
    },
    {
      title: "Chat slots: the rota against the load",
      yLabel: "chat slots",
      scale: slotScale,
      body: (y) =>
        [
          `<path d="${minuteArea(y, (m) => m.busySlots)}" class="busy"/>`,
          `<path d="${minuteLine(y, (m) => m.staffedSlots)}" class="staffed"/>`,
          `<path d="${steps(y, (r) => r.erlangSlots)}" class="erlang"/>`,
        ].join("\n"),
      legend: [
        { label: "on duty (rota)", swatch: `<line x1="0" x2="22" y1="0" y2="0" class="staffed"/>` },
        { label: "busy", swatch: `<rect x="0" y="-6" width="22" height="12" class="busy"/>` },
        { label: `Erlang C need`, swatch: `<line x1="0" x2="22" y1="0" y2="0" class="erlang"/>` },
        { label: `(${Math.round(report.target.serviceLevel * 100)}% in ${report.target.answerSeconds} s)`, swatch: "" },
      ],
    },
  ];

  const drawn = list.map((panel, index) => {
    const top = firstTop + index * (panelHeight + panelGap);
    const y = (v: number) => top + panelHeight - (Math.min(v, panel.scale.top) / panel.scale.top) * panelHeight;
    const parts: string[] = [`<text x="${left}" y="${top - 10}" class="panel">${esc(panel.title)}</text>`];
    for (let v = 0; v <= panel.scale.top + panel.scale.step / 1000; v += panel.scale.step) {
      parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${num(y(v))}" y2="${num(y(v))}" class="grid"/>`);
      parts.push(`<text x="${left - 8}" y="${num(y(v) + 4)}" text-anchor="end" class="tick">${esc((panel.format ?? num)(v))}</text>`);
    }
    parts.push(`<text transform="translate(${left - 50} ${top + panelHeight / 2}) rotate(-90)" text-anchor="middle" class="axis">${esc(panel.yLabel)}</text>`);
    for (let h = 0; h <= 24; h += 2) {
      const t = DateTime.fromMillis(dayStart, { zone }).plus({ hours: h }).toMillis();
      if (t > dayEnd) break;
      parts.push(`<line x1="${num(x(t))}" x2="${num(x(t))}" y1="${top}" y2="${top + panelHeight}" class="vgrid"/>`);
      parts.push(`<text x="${num(x(t))}" y="${top + panelHeight + 16}" text-anchor="middle" class="tick">${DateTime.fromMillis(t, { zone }).toFormat("HH:mm")}</text>`);
    }
    parts.push(panel.body(y));
    parts.push(`<rect x="${left}" y="${top}" width="${plotWidth}" height="${panelHeight}" class="frame"/>`);
    panel.legend.forEach((item, i) => {
      parts.push(`<g transform="translate(${left + plotWidth + 14} ${top + 12 + i * 20})">${item.swatch}<text x="30" y="4" class="legend">${esc(item.label)}</text></g>`);
    });
    return parts.join("\n");
  });

  const t = report.totals;
  const subtitle = `${report.date} (${zone}), seed ${report.seed}: ${t.arrivals} conversations, ${(t.within20s * 100).toFixed(0)}% answered within 20 s, ${(t.within3min * 100).toFixed(0)}% within 3 min, p90 wait ${t.p90WaitSeconds.toFixed(0)} s; ${report.shortfalls.length} of ${rows.length} intervals below target`;

  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, 'Noto Sans CJK SC', 'PingFang SC', sans-serif">
<style>
  .title { font-size: 18px; font-weight: bold; fill: #222; }
  .subtitle { font-size: 12px; fill: #555; }
  .panel { font-size: 14px; font-weight: bold; fill: #333; }
  .tick { font-size: 11px; fill: #555; }
  .axis { font-size: 12px; fill: #333; }
  .legend { font-size: 12px; fill: #333; }
  .grid { stroke: #e4e4e4; stroke-width: 1; }
  .vgrid { stroke: #f0f0f0; stroke-width: 1; }
  .frame { fill: none; stroke: #999; stroke-width: 1; }
  .band { fill: #9ecae1; fill-opacity: 0.6; stroke: none; }
  .qmean { fill: none; stroke: #08519c; stroke-width: 1.4; }
  .wmean { fill: none; stroke: #31a354; stroke-width: 2; }
  .wp90 { fill: none; stroke: #de2d26; stroke-width: 2; }
  .mark { stroke: #777; stroke-width: 1; stroke-dasharray: 5 4; }
  .marklabel { font-size: 11px; fill: #555; }
  .busy { fill: #fdae6b; fill-opacity: 0.6; stroke: none; }
  .staffed { fill: none; stroke: #3f007d; stroke-width: 2; }
  .erlang { fill: none; stroke: #e6550d; stroke-width: 1.6; stroke-dasharray: 6 3; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="${left}" y="28" class="title">${esc(`Simulated day: ${report.scenario}`)}</text>
<text x="${left}" y="48" class="subtitle">${esc(subtitle)}</text>
${drawn.join("\n\n")}
<text x="${left + plotWidth / 2}" y="${height - 14}" text-anchor="middle" class="axis">${esc(`local time (${zone})`)}</text>
</svg>
`;
}
