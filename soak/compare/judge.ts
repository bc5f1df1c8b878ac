// The comparison of the measured rounds, metric by metric, and the verdict a CI acts on.
// A regression (exit 1): the gated metric's whole interval is on the worse side of no
// change, and it reaches the threshold (a slowdown that large is not ruled out). So a real
// slowdown of the threshold is caught as often as the rounds allow (BENCHMARKS.md, "The
// compare gate"), no change fails only as often as the interval misses (at most 2.5%), and
// a slowdown shown to be smaller than the threshold is "within threshold", not a failure.
import { METRICS } from "./metrics.ts";
import { LEVEL, ratioInterval } from "./stats.ts";

export type MetricVerdict = "regression" | "improvement" | "within threshold" | "no change";

export interface MetricResult {
  key: string;
  label: string;
  unit: string;
  better: "lower" | "higher";
  /** the fraction worse that counts (0.05 = 5%); gated: the verdict follows this metric */
  threshold: number;
  gated: boolean;
  a: { mean: number; values: number[] };
  b: { mean: number; values: number[] };
  /** B / A (the median pair ratio), its interval and the p-value of no change (stats.ts); NaN ratio: not measurable */
  ratio: number;
  low: number;
  high: number;
  p: number;
  verdict: MetricVerdict;
}

export interface MeasuredRound {
  side: "A" | "B";
  metrics: Record<string, number>;
}

export const STATISTICS = {
  method:
    "B / A is the median of the ratios of every pair of rounds (Hodges–Lehmann), its interval the exact one of the Mann–Whitney rank-sum test (a permutation test on ranks)",
  level: LEVEL,
};

const mean = (v: number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN);

/** The interval [low, high] of B / A against no change (1) and the threshold t. */
export function verdictOf(better: "lower" | "higher", low: number, high: number, t: number): MetricVerdict {
  // as B / A of a metric where lower is better: the worse side is above 1
  const [lo, hi] = better === "lower" ? [low, high] : [1 / high, low > 0 ? 1 / low : Number.POSITIVE_INFINITY];
  if (lo > 1) return hi >= 1 + t ? "regression" : "within threshold";
  if (hi < 1) return lo <= 1 - t ? "improvement" : "within threshold";
  return "no change";
}

/** Each metric B against A; `thresholds` (fractions by key) are the gated metrics. */
export function judgeMetrics(rounds: MeasuredRound[], thresholds: Record<string, number>): MetricResult[] {
  return METRICS.map((m) => {
    const values = (side: "A" | "B") =>
      rounds.filter((r) => r.side === side && m.key in r.metrics).map((r) => r.metrics[m.key]);
    const [a, b] = [values("A"), values("B")];
    const gated = m.key in thresholds;
    const threshold = thresholds[m.key] ?? DEFAULT_THRESHOLD;
    const { ratio, low, high, p } = ratioInterval(a, b);
    return {
      key: m.key,
      label: m.label,
      unit: m.unit,
      better: m.better,
      threshold,
      gated,
      a: { mean: mean(a), values: a },
      b: { mean: mean(b), values: b },
      ratio,
      low,
      high,
      p,
      verdict: verdictOf(m.better, low, high, threshold),
    };
  });
}

export const DEFAULT_THRESHOLD = 0.05;

export type CompareKind = MetricVerdict | "round failed" | "error";

export interface CompareVerdict {
  kind: CompareKind;
  exitCode: 0 | 1 | 2;
  reasons: string[];
}

const pct = (x: number) => `${x >= 1 ? "+" : ""}${((x - 1) * 100).toFixed(1)}%`;

/** One line for a metric: its ratio as a change and the interval. */
export function changeText(r: MetricResult): string {
  if (Number.isNaN(r.ratio)) return `${r.label}: not measured in both kernels' rounds`;
  const interval = `${Number.isFinite(r.low) && r.low > 0 ? pct(r.low) : "−∞"} to ${Number.isFinite(r.high) ? pct(r.high) : "+∞"}`;
  return `${r.label}: ${pct(r.ratio)} (B vs A; ${LEVEL * 100}% interval ${interval})`;
}

/** The compare's verdict from the gated metrics. */
export function overall(results: MetricResult[]): CompareVerdict {
  const gated = results.filter((r) => r.gated);
  const unmeasured = gated.filter((r) => Number.isNaN(r.ratio));
  if (unmeasured.length)
    return {
      kind: "error",
      exitCode: 2,
      reasons: unmeasured.map(
        (r) =>
          `${r.label} was not measured in the rounds (for guest CPU: QEMU's vCPU thread was not found by name; a --qemu-arg -name without debug-threads=on?), so it cannot be judged`,
      ),
    };
  const worse = gated.filter((r) => r.verdict === "regression");
  if (worse.length)
    return {
      kind: "regression",
      exitCode: 1,
      reasons: worse.map(
        (r) => `${changeText(r)}: worse, and by ${(r.threshold * 100).toFixed(1)}% or more is not ruled out`,
      ),
    };
  const better = gated.filter((r) => r.verdict === "improvement");
  if (better.length)
    return { kind: "improvement", exitCode: 0, reasons: better.map((r) => `${changeText(r)}: better`) };
  const small = gated.filter((r) => r.verdict === "within threshold");
  if (small.length)
    return {
      kind: "within threshold",
      exitCode: 0,
      reasons: small.map((r) => `${changeText(r)}: a change, shown smaller than ${(r.threshold * 100).toFixed(1)}%`),
    };
  return { kind: "no change", exitCode: 0, reasons: gated.map((r) => `${changeText(r)}: no change shown`) };
}
