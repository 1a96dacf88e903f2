/**
 * The coverage chart: scheduled and required agents per interval as steps (uPlot on a canvas),
 * understaffed intervals shaded. Its own chunk, loaded by ./coverage.tsx on demand. The canvas is
 * an image to assistive technology (`role="img"` with a label summing it up); the figures are in
 * the tables beside it. Times on the axis are in the shop's zone (uPlot.tzDate).
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { consoleConfig } from "../api/client.js";
import { t } from "../i18n/index.js";
import type { CoverageChartProps } from "./coverage.js";

const colours = { scheduled: "#1d4ed8", required: "#b91c1c", short: "rgba(220, 38, 38, 0.16)" };

export function CoverageChart({ coverage, label }: CoverageChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const zone = consoleConfig().shopTimeZone;
    const hhmm = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    const intervals = coverage.intervals;
    // One point per interval start, and the day's end, so the last step is drawn whole.
    const last = intervals[intervals.length - 1];
    const xs = [...intervals.map((i) => Date.parse(i.from) / 1000), ...(last ? [Date.parse(last.to) / 1000] : [])];
    const scheduled = [...intervals.map((i) => i.scheduled), last?.scheduled ?? 0];
    const required = [...intervals.map((i) => i.requiredAgents), last?.requiredAgents ?? 0];
    const stepped = uPlot.paths.stepped?.({ align: 1 });
    const shade = (u: uPlot) => {
      const ctx = u.ctx;
      ctx.save();
      ctx.fillStyle = colours.short;
      for (const i of intervals) {
        if (!i.understaffed) continue;
        const left = u.valToPos(Date.parse(i.from) / 1000, "x", true);
        const right = u.valToPos(Date.parse(i.to) / 1000, "x", true);
        ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
      }
      ctx.restore();
    };
    const options: uPlot.Options = {
      width: Math.max(320, element.clientWidth),
      height: 300,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] } },
      // Clock times in the shop's zone, 24-hour (uPlot's default labels are 12-hour English).
      axes: [{ stroke: "#374151", grid: { stroke: "#e5e7eb" }, values: (_u, splits) => splits.map((ts) => hhmm.format(new Date(ts * 1000))) }, { stroke: "#374151", grid: { stroke: "#e5e7eb" }, label: t("coverage.agents") }],
      series: [
        {},
        { label: t("coverage.scheduled"), stroke: colours.scheduled, width: 2, ...(stepped ? { paths: stepped } : {}) },
        { label: t("coverage.required"), stroke: colours.required, width: 2, dash: [6, 4], ...(stepped ? { paths: stepped } : {}) },
      ],
      hooks: { drawClear: [shade] },
    };
    const chart = new uPlot(options, [xs, scheduled, required], element);
    let width = options.width;
    const resize = new ResizeObserver(() => {
      const next = Math.max(320, element.clientWidth);
      if (Math.abs(next - width) < 2) return;
      width = next;
      chart.setSize({ width, height: 300 });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [coverage]);
  return <div class="coverage-chart" ref={box} role="img" aria-label={label} data-testid="coverage-chart" />;
}
