// B against A for one metric, with no assumption about its distribution: the Hodges–Lehmann
// estimate of the ratio (the median of every B/A pair of rounds) and its exact interval from
// the Mann–Whitney (Wilcoxon rank-sum) test, a permutation test on ranks: for each ratio r,
// are the a's and the b/r's exchangeable? Exact, so the same rounds always give the same
// answer; on ranks, so one round the shared machine disturbed moves it little. Under no
// change, the interval's lower bound exceeds 1 with a chance of at most (1 - level) / 2,
// whatever the metric's spread: that is the gate's false-alarm bound.

export interface RatioInterval {
  /** the median of the B/A pairs; NaN when A has no value above 0 */
  ratio: number;
  /** the interval at `level` (0 or Infinity: too few rounds to bound it that side) */
  low: number;
  high: number;
  /** two-sided p-value of "no change" (r = 1) */
  p: number;
}

export const LEVEL = 0.95;

/** The Mann–Whitney U's null distribution for groups of n and m: P(U <= u) for each u. */
export function mannWhitneyCdf(n: number, m: number): number[] {
  // ways[i][j][u]: arrangements of i a's and j b's with u (a, b) pairs where b is the larger
  let ways: number[][] = Array.from({ length: m + 1 }, () => [1]);
  for (let i = 1; i <= n; i++) {
    const next: number[][] = [[1]];
    for (let j = 1; j <= m; j++) {
      // the largest value is an a (adds no pair) or a b (adds i pairs)
      const [noB, withB] = [ways[j], next[j - 1]];
      const row: number[] = [];
      for (let u = 0; u <= i * j; u++) row.push((noB[u] ?? 0) + (withB[u - i] ?? 0));
      next.push(row);
    }
    ways = next;
  }
  const counts = ways[m];
  const total = counts.reduce((a, c) => a + c, 0);
  const cdf: number[] = [];
  for (const c of counts) cdf.push((cdf.length ? cdf[cdf.length - 1] : 0) + c / total);
  return cdf;
}

const pairRatio = (b: number, a: number) => (a === 0 ? (b === 0 ? 1 : Number.POSITIVE_INFINITY) : b / a);
const median = (sorted: number[]) => {
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[Math.floor(mid)];
};

export function ratioInterval(a: number[], b: number[], level = LEVEL): RatioInterval {
  const [n, m] = [a.length, b.length];
  if (!(n > 0 && m > 0 && a.some((v) => v > 0))) return { ratio: Number.NaN, low: 0, high: Infinity, p: 1 };
  const pairs = a.flatMap((x) => b.map((y) => pairRatio(y, x))).sort((p, q) => p - q);
  const cdf = mannWhitneyCdf(n, m);
  // k pairs cut from each end: the largest k with P(U <= k - 1) <= the tail
  const tail = (1 - level) / 2;
  let k = 0;
  while (k < cdf.length && cdf[k] <= tail) k++;
  // U at r = 1: pairs where b is larger, ties counted half
  const u = pairs.reduce((s, r) => s + (r > 1 ? 1 : r === 1 ? 0.5 : 0), 0);
  const below = cdf[Math.floor(u)] ?? 1;
  const above = cdf[Math.max(0, Math.ceil(n * m - u))] ?? 1;
  return {
    ratio: median(pairs),
    low: k > 0 ? pairs[k - 1] : 0,
    high: k > 0 ? pairs[n * m - k] : Number.POSITIVE_INFINITY,
    p: Math.min(1, 2 * Math.min(below, above)),
  };
}
