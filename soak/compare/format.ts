// Numbers and intervals as compare's summary.md and report.html show them.

import type { MetricResult } from "./judge.ts";
import { GATE_METRIC } from "./metrics.ts";
import type { CompareResult } from "./result.ts";

/** Three significant figures, at most two decimals. */
export const num = (v: number) =>
  Number.isFinite(v) ? Number(v.toPrecision(3)).toLocaleString("en-US", { maximumFractionDigits: 2 }) : "–";

const change = (x: number) => `${x >= 1 ? "+" : "−"}${Math.abs((x - 1) * 100).toFixed(1)}%`;

export const ratioText = (m: MetricResult) => (Number.isNaN(m.ratio) ? "–" : `${num(m.ratio)} (${change(m.ratio)})`);

export const intervalText = (m: MetricResult) =>
  Number.isNaN(m.ratio)
    ? "–"
    : `${m.low > 0 ? change(m.low) : "−∞"} … ${Number.isFinite(m.high) ? change(m.high) : "+∞"}`;

export const gateText = (m: MetricResult) =>
  m.gated ? `gated at ${(m.threshold * 100).toFixed(1)}% worse` : "reported";

/** The chart's series: each side's measured rounds of the gate metric, in order. */
export function roundSeries(r: CompareResult, key = GATE_METRIC): { a: number[]; b: number[] } {
  const of = (side: "A" | "B") =>
    r.rounds.filter((x) => !x.warmup && x.side === side && key in x.metrics).map((x) => x.metrics[key]);
  return { a: of("A"), b: of("B") };
}
