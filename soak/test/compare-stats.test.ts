// compare's statistics and verdict without a VM: the interval covers no change and finds a
// clear one, shrugs off one disturbed round, has no bound from too few rounds, and under no
// change its lower bound passes 1 no more often than its level says (the 5% threshold rarely).
import { describe, expect, it } from "vitest";
import { judgeMetrics, type MeasuredRound, overall, verdictOf } from "../compare/judge.ts";
import { GATE_METRIC } from "../compare/metrics.ts";
import { roundOrder } from "../compare/rounds.ts";
import { mannWhitneyCdf, ratioInterval } from "../compare/stats.ts";

/** mulberry32: a small seeded generator, [0, 1), so the test's samples are the same every run. */
function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` values around `centre`, spread ±`spread` (a fraction), from a seeded generator. */
const sample = (random: () => number, n: number, centre: number, spread = 0.1) =>
  Array.from({ length: n }, () => centre * (1 + (random() - 0.5) * 2 * spread));

describe("ratioInterval", () => {
  it("covers 1 for the same kernel, and lies beyond 5% for a kernel 20% slower", () => {
    const random = seededRandom(7);
    const same = ratioInterval(sample(random, 6, 20), sample(random, 6, 20));
    expect(same.low).toBeLessThan(1);
    expect(same.high).toBeGreaterThan(1);
    const slower = ratioInterval(sample(random, 6, 20, 0.05), sample(random, 6, 24, 0.05));
    expect(slower.ratio).toBeCloseTo(1.2, 1);
    expect(slower.low).toBeGreaterThan(1.05);
    expect(slower.p).toBeLessThan(0.05);
  });

  it("takes its bounds from the exact rank-sum distribution (n = m = 6: the 6th pair from each end)", () => {
    // the textbook table: for 6 and 6 at 5% two-sided, U <= 5 is the critical region
    const cdf = mannWhitneyCdf(6, 6);
    expect(cdf[5]).toBeLessThanOrEqual(0.025);
    expect(cdf[6]).toBeGreaterThan(0.025);
    const a = [10, 10, 10, 10, 10, 10];
    const b = [11, 12, 13, 14, 15, 16];
    // pairs b/a: each b six times; the 6th smallest is 1.1, the 6th largest 1.6
    expect(ratioInterval(a, b)).toMatchObject({ low: 1.1, high: 1.6, ratio: 1.35 });
  });

  it("barely moves for one round the machine disturbed", () => {
    const a = [30, 31, 29.5, 30.5, 30.2, 29.8];
    const b = [36, 37, 36.5, 35.8, 36.2, 80];
    const r = ratioInterval(a, b);
    expect(r.ratio).toBeCloseTo(1.2, 1);
    expect(r.low).toBeGreaterThan(1.1);
  });

  it("has no bound from 3 rounds a side (no arrangement is rarer than 2.5%) and none from zeros", () => {
    const r = ratioInterval([20, 20.5, 19.8], [30, 31, 29]);
    expect(r).toMatchObject({ low: 0, high: Number.POSITIVE_INFINITY });
    expect(Number.isNaN(ratioInterval([0, 0, 0, 0], [1, 2, 1, 2]).ratio)).toBe(true);
    // a zero among A's rounds (p50 of 0 ms under KVM, say) is a pair ratio of infinity, not an error
    expect(ratioInterval([0, 1, 1, 1], [1, 1, 1, 1]).ratio).toBe(1);
  });

  it("under no change (±10% noise), the lower bound passes 1 in at most 2.5% of comparisons, 1.05 in far fewer", () => {
    const random = seededRandom(11);
    let [past1, pastThreshold] = [0, 0];
    const trials = 1000;
    for (let i = 0; i < trials; i++) {
      const r = ratioInterval(sample(random, 5, 20), sample(random, 5, 20));
      if (r.low > 1) past1++;
      if (r.low > 1.05) pastThreshold++;
    }
    expect(past1 / trials).toBeLessThanOrEqual(0.03);
    expect(pastThreshold / trials).toBeLessThan(0.005);
  });

  it("catches a true 5% slowdown 9 times in 10 when 6 rounds a side move ±3%, and not when they move ±10%", () => {
    const random = seededRandom(13);
    const caught = (spread: number) => {
      let n = 0;
      for (let i = 0; i < 500; i++) {
        const r = ratioInterval(sample(random, 6, 20, spread), sample(random, 6, 21, spread));
        if (verdictOf("lower", r.low, r.high, 0.05) === "regression") n++;
      }
      return n / 500;
    };
    expect(caught(0.03)).toBeGreaterThanOrEqual(0.9);
    expect(caught(0.1)).toBeLessThan(0.5);
  });
});

describe("the verdict", () => {
  const rounds = (a: number[], b: number[]): MeasuredRound[] => [
    ...a.map((v) => ({ side: "A" as const, metrics: { [GATE_METRIC]: v, rps: 1000 } })),
    ...b.map((v) => ({ side: "B" as const, metrics: { [GATE_METRIC]: v, rps: 1000 } })),
  ];
  const gate = { [GATE_METRIC]: 0.05 };

  it("is a regression (exit 1) when the interval is wholly worse and reaches the threshold", () => {
    const slower = overall(judgeMetrics(rounds([20, 20.2, 19.9, 20.1, 20], [24, 24.3, 23.8, 24.1, 24]), gate));
    expect(slower).toMatchObject({ kind: "regression", exitCode: 1 });
    expect(slower.reasons[0]).toMatch(
      /guest CPU per request: \+20\.\d% .*worse, and by 5\.0% or more is not ruled out/,
    );
    // a true 5% whose interval straddles the threshold is caught: a slowdown that large is not ruled out
    const atThreshold = overall(judgeMetrics(rounds([20, 20.3, 19.7, 20.1, 19.9], [21, 20.8, 21.3, 20.9, 21.1]), gate));
    expect(atThreshold).toMatchObject({ kind: "regression", exitCode: 1 });
    const faster = overall(judgeMetrics(rounds([20, 20.2, 19.9, 20.1, 20], [15, 15.2, 14.9, 15.1, 15]), gate));
    expect(faster).toMatchObject({ kind: "improvement", exitCode: 0 });
  });

  it("passes a change shown smaller than the threshold, and no change", () => {
    // 3% worse, so steady that more than 5% is ruled out
    const slight = overall(judgeMetrics(rounds([20, 20.01, 19.99, 20, 20], [20.6, 20.61, 20.59, 20.6, 20.6]), gate));
    expect(slight).toMatchObject({ kind: "within threshold", exitCode: 0 });
    expect(slight.reasons[0]).toMatch(/shown smaller than 5\.0%/);
    const same = overall(judgeMetrics(rounds([20, 20.2, 19.9, 20.1, 20], [20.1, 19.8, 20.2, 20, 19.9]), gate));
    expect(same).toMatchObject({ kind: "no change", exitCode: 0 });
  });

  it("reads a metric where higher is better the other way round", () => {
    expect(verdictOf("higher", 0.8, 0.9, 0.05)).toBe("regression");
    expect(verdictOf("higher", 0.97, 0.99, 0.05)).toBe("within threshold");
    expect(verdictOf("higher", 1.1, 1.2, 0.05)).toBe("improvement");
    expect(verdictOf("lower", 0.9, 1.1, 0.05)).toBe("no change");
  });

  it("is an error, not a silent no change, when the gated metric was not measured", () => {
    const unmeasured = rounds([20, 20, 20, 20], [20, 20, 20, 20]).map((r) => ({ ...r, metrics: { rps: 1000 } }));
    expect(overall(judgeMetrics(unmeasured, gate))).toMatchObject({ kind: "error", exitCode: 2 });
  });
});

describe("roundOrder", () => {
  it("warms up A and B, then alternates A B B A so each side's rounds sit evenly in time", () => {
    expect(roundOrder(4).join("")).toBe("AB" + "ABBAABBA");
    const measured = roundOrder(6).slice(2);
    const meanPosition = (s: string) =>
      measured.flatMap((x, i) => (x === s ? [i] : [])).reduce((a, i, _, all) => a + i / all.length, 0);
    expect(Math.abs(meanPosition("A") - meanPosition("B"))).toBeLessThanOrEqual(0.5);
  });
});
