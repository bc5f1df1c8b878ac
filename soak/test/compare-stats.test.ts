// compare's statistics and verdict without a VM: the interval covers no change and finds a
// clear one, is reproducible, has no bound from too few rounds, and under no change its
// lower bound passes 1 about as often as its level says (and the 5% threshold never).
import { describe, expect, it } from "vitest";
import { judgeMetrics, type MeasuredRound, overall } from "../compare/judge.ts";
import { GATE_METRIC } from "../compare/metrics.ts";
import { roundOrder } from "../compare/rounds.ts";
import { ratioInterval, seededRandom } from "../compare/stats.ts";

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

  it("gives the same interval for the same rounds (seeded)", () => {
    const [a, b] = [
      [20, 21, 19.5, 22, 20.4],
      [21, 23, 20.1, 22.5, 21],
    ];
    expect(ratioInterval(a, b)).toEqual(ratioInterval(a, b));
  });

  it("has no bound from 3 rounds a side (no arrangement is rarer than 2.5%) and none from zeros", () => {
    const r = ratioInterval([20, 20.5, 19.8], [30, 31, 29]);
    expect(r).toMatchObject({ low: 0, high: Number.POSITIVE_INFINITY });
    expect(Number.isNaN(ratioInterval([0, 0, 0, 0], [1, 2, 1, 2]).ratio)).toBe(true);
  });

  it("under no change, the lower bound passes 1 in about 2.5% of comparisons and 1.05 in none", () => {
    const random = seededRandom(11);
    let [past1, pastThreshold] = [0, 0];
    const trials = 200;
    for (let i = 0; i < trials; i++) {
      const r = ratioInterval(sample(random, 5, 20), sample(random, 5, 20), i);
      if (r.low > 1) past1++;
      if (r.low > 1.05) pastThreshold++;
    }
    expect(past1 / trials).toBeLessThan(0.05);
    expect(pastThreshold).toBe(0);
  });
});

describe("the verdict", () => {
  const rounds = (a: number[], b: number[]): MeasuredRound[] => [
    ...a.map((v) => ({ side: "A" as const, metrics: { [GATE_METRIC]: v, rps: 1000 } })),
    ...b.map((v) => ({ side: "B" as const, metrics: { [GATE_METRIC]: v, rps: 1000 } })),
  ];
  const gate = { [GATE_METRIC]: 0.05 };

  it("is a regression (exit 1) only when the gated metric's interval is beyond the threshold", () => {
    const slower = overall(judgeMetrics(rounds([20, 20.2, 19.9, 20.1, 20], [24, 24.3, 23.8, 24.1, 24]), gate));
    expect(slower).toMatchObject({ kind: "regression", exitCode: 1 });
    expect(slower.reasons[0]).toMatch(/guest CPU per request: \+20\.\d% .*worse by more than 5\.0%/);
    // 3% worse, however steady, is within a 5% threshold
    const slight = overall(judgeMetrics(rounds([20, 20.1, 19.9, 20, 20], [20.6, 20.7, 20.5, 20.6, 20.6]), gate));
    expect(slight).toMatchObject({ kind: "no change", exitCode: 0 });
    const faster = overall(judgeMetrics(rounds([20, 20.2, 19.9, 20.1, 20], [15, 15.2, 14.9, 15.1, 15]), gate));
    expect(faster).toMatchObject({ kind: "improvement", exitCode: 0 });
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
