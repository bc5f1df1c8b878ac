// One line chart as inline SVG (no script, no fonts to fetch): y from zero to a round
// number, x in seconds, minutes or hours since the load started, gaps where a value is
// missing, and a red line where the soak failed.
import { escapeHtml } from "./html-escape.ts";
import type { Point } from "./series.ts";

const W = 560;
const H = 190;
const PAD = { left: 52, right: 12, top: 12, bottom: 34 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

export interface ChartInput {
  key: string;
  points: Point[];
  /** the x axis runs from 0 to here (s) */
  endS: number;
  failure?: { t: number; label: string };
  /** times of failed probes, ticked in red under the line */
  misses?: number[];
}

/** 1, 2 or 5 times a power of ten: the smallest such step that splits `max` into at most `ticks` parts. */
export function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * pow >= raw) as number) * pow;
}

/** The x axis in the unit that keeps its labels short. */
function timeUnit(endS: number): { div: number; name: string } {
  if (endS > 3 * 3600) return { div: 3600, name: "h" };
  if (endS > 5 * 60) return { div: 60, name: "min" };
  return { div: 1, name: "s" };
}

const num = (v: number) => (Math.round(v * 100) / 100).toLocaleString("en-US");
const f1 = (v: number) => v.toFixed(1);

export function svgChart(c: ChartInput): string {
  const values = c.points.map((p) => p.v).filter((v): v is number => v !== null);
  const yMax = Math.max(...values, 0);
  const yStep = yMax > 0 ? niceStep(yMax, 4) : 1;
  const yTop = Math.max(yStep, Math.ceil(yMax / yStep) * yStep);
  const end = Math.max(c.endS, c.failure?.t ?? 0, 1);
  const x = (t: number) => PAD.left + (t / end) * PLOT_W;
  const y = (v: number) => PAD.top + PLOT_H - (v / yTop) * PLOT_H;

  const parts: string[] = [];
  for (let v = 0; v <= yTop + yStep / 2; v += yStep) {
    parts.push(`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${f1(y(v))}" y2="${f1(y(v))}"/>`);
    parts.push(`<text class="ylabel" x="${PAD.left - 6}" y="${f1(y(v) + 4)}">${num(v)}</text>`);
  }
  const u = timeUnit(end);
  const xStep = niceStep(end / u.div, 6);
  for (let t = 0; t <= end / u.div + 1e-9; t += xStep) {
    parts.push(`<text class="xlabel" x="${f1(x(t * u.div))}" y="${H - PAD.bottom + 16}">${num(t)}</text>`);
  }
  parts.push(`<text class="axis" x="${W - PAD.right}" y="${H - 4}">${u.name} since the load started</text>`);

  // a point alone between gaps gets a tiny stroke, which the round cap draws as a dot
  let d = "";
  let run = 0;
  const endRun = () => {
    if (run === 1) d += "l0.1,0";
    run = 0;
  };
  for (const p of c.points) {
    if (p.v === null) {
      endRun();
      continue;
    }
    d += `${run ? "L" : "M"}${f1(x(p.t))},${f1(y(p.v))}`;
    run++;
  }
  endRun();
  if (d) parts.push(`<path class="line" d="${d}"/>`);
  else parts.push(`<text class="nodata" x="${W / 2}" y="${H / 2}">no values recorded</text>`);

  let lastTick = Number.NEGATIVE_INFINITY;
  for (const t of c.misses ?? []) {
    if (x(t) - lastTick < 2) continue; // one tick per two pixels, however long the soak
    lastTick = x(t);
    const bottom = H - PAD.bottom;
    parts.push(`<line class="miss" x1="${f1(x(t))}" x2="${f1(x(t))}" y1="${bottom - 8}" y2="${bottom}"/>`);
  }
  if (c.misses?.length)
    parts.push(`<text class="miss-label" x="${PAD.left + 4}" y="${H - PAD.bottom - 11}">red ticks: no answer</text>`);
  if (c.failure) {
    const fx = f1(x(c.failure.t));
    parts.push(`<line class="failure" x1="${fx}" x2="${fx}" y1="${PAD.top}" y2="${H - PAD.bottom}"/>`);
    const anchor = x(c.failure.t) > W * 0.7 ? "end" : "start";
    const tx = f1(x(c.failure.t) + (anchor === "end" ? -4 : 4));
    parts.push(
      `<text class="failure-label" x="${tx}" y="${PAD.top + 12}" text-anchor="${anchor}">${escapeHtml(c.failure.label)}</text>`,
    );
  }
  return `<svg class="chart" data-metric="${escapeHtml(c.key)}" viewBox="0 0 ${W} ${H}" role="img">${parts.join("")}</svg>`;
}
