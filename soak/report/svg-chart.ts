// One line chart as inline SVG (no script, no fonts to fetch): y from zero to a round
// number, x in seconds, minutes or hours since the load started, gaps where a value is
// missing, and a red line where the soak failed.
import { escapeHtml } from "./html-escape.ts";
import type { Point } from "./series.ts";

const CHART_W = 560;
const CHART_H = 190;
const CHART_PAD = { left: 52, right: 12, top: 12, bottom: 34 };
const PLOT_WIDTH = CHART_W - CHART_PAD.left - CHART_PAD.right;
const PLOT_HEIGHT = CHART_H - CHART_PAD.top - CHART_PAD.bottom;

export interface ChartInput {
  key: string;
  points: Point[];
  /** the x axis runs from 0 to here (s) */
  endS: number;
  failure?: { t: number; label: string };
  /** times of failed probes, ticked in red under the line */
  misses?: number[];
  /** a second line, drawn dashed (compare's B against A) */
  also?: Point[];
  /** the x axis's label, its values drawn as they are; default: time since the load started */
  xAxis?: string;
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

const tickLabel = (v: number) => (Math.round(v * 100) / 100).toLocaleString("en-US");
const oneDecimal = (v: number) => v.toFixed(1);

/** The path of `points`, broken where a value is missing; a point alone between gaps gets a
 * tiny stroke, which the round cap draws as a dot. */
function linePath(points: Point[], x: (t: number) => number, y: (v: number) => number): string {
  let d = "";
  let run = 0;
  const endRun = () => {
    if (run === 1) d += "l0.1,0";
    run = 0;
  };
  for (const p of points) {
    if (p.v === null) {
      endRun();
      continue;
    }
    d += `${run ? "L" : "M"}${oneDecimal(x(p.t))},${oneDecimal(y(p.v))}`;
    run++;
  }
  endRun();
  return d;
}

export function svgChart(c: ChartInput): string {
  const values = [...c.points, ...(c.also ?? [])].map((p) => p.v).filter((v): v is number => v !== null);
  const yMax = Math.max(...values, 0);
  const yStep = yMax > 0 ? niceStep(yMax, 4) : 1;
  const yTop = Math.max(yStep, Math.ceil(yMax / yStep) * yStep);
  const end = Math.max(c.endS, c.failure?.t ?? 0, 1);
  const x = (t: number) => CHART_PAD.left + (t / end) * PLOT_WIDTH;
  const y = (v: number) => CHART_PAD.top + PLOT_HEIGHT - (v / yTop) * PLOT_HEIGHT;

  const parts: string[] = [];
  for (let v = 0; v <= yTop + yStep / 2; v += yStep) {
    parts.push(
      `<line class="grid" x1="${CHART_PAD.left}" x2="${CHART_W - CHART_PAD.right}" y1="${oneDecimal(y(v))}" y2="${oneDecimal(y(v))}"/>`,
    );
    parts.push(`<text class="ylabel" x="${CHART_PAD.left - 6}" y="${oneDecimal(y(v) + 4)}">${tickLabel(v)}</text>`);
  }
  const u = c.xAxis ? { div: 1, name: c.xAxis } : timeUnit(end);
  const xStep = niceStep(end / u.div, 6);
  for (let t = 0; t <= end / u.div + 1e-9; t += xStep) {
    parts.push(
      `<text class="xlabel" x="${oneDecimal(x(t * u.div))}" y="${CHART_H - CHART_PAD.bottom + 16}">${tickLabel(t)}</text>`,
    );
  }
  parts.push(
    `<text class="axis" x="${CHART_W - CHART_PAD.right}" y="${CHART_H - 4}">${escapeHtml(c.xAxis ?? `${u.name} since the load started`)}</text>`,
  );

  const d = linePath(c.points, x, y);
  if (d) parts.push(`<path class="line" d="${d}"/>`);
  else parts.push(`<text class="nodata" x="${CHART_W / 2}" y="${CHART_H / 2}">no values recorded</text>`);
  const also = c.also && linePath(c.also, x, y);
  if (also) parts.push(`<path class="line also" d="${also}"/>`);

  let lastTick = Number.NEGATIVE_INFINITY;
  for (const t of c.misses ?? []) {
    if (x(t) - lastTick < 2) continue; // one tick per two pixels, however long the soak
    lastTick = x(t);
    const bottom = CHART_H - CHART_PAD.bottom;
    parts.push(
      `<line class="miss" x1="${oneDecimal(x(t))}" x2="${oneDecimal(x(t))}" y1="${bottom - 8}" y2="${bottom}"/>`,
    );
  }
  if (c.misses?.length)
    parts.push(
      `<text class="miss-label" x="${CHART_PAD.left + 4}" y="${CHART_H - CHART_PAD.bottom - 11}">red ticks: no answer</text>`,
    );
  if (c.failure) {
    const fx = oneDecimal(x(c.failure.t));
    parts.push(
      `<line class="failure" x1="${fx}" x2="${fx}" y1="${CHART_PAD.top}" y2="${CHART_H - CHART_PAD.bottom}"/>`,
    );
    const anchor = x(c.failure.t) > CHART_W * 0.7 ? "end" : "start";
    const tx = oneDecimal(x(c.failure.t) + (anchor === "end" ? -4 : 4));
    parts.push(
      `<text class="failure-label" x="${tx}" y="${CHART_PAD.top + 12}" text-anchor="${anchor}">${escapeHtml(c.failure.label)}</text>`,
    );
  }
  return `<svg class="chart" data-metric="${escapeHtml(c.key)}" viewBox="0 0 ${CHART_W} ${CHART_H}" role="img">${parts.join("")}</svg>`;
}
