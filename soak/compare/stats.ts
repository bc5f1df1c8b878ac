// B against A for one metric, with no assumption about its distribution: the ratio of the
// means and its interval by inverting a permutation test of the scale model B ~ r·A (for
// each r, are the a's and the b/r's exchangeable?). Seeded, so the same rounds always give
// the same interval. Under no change, the interval's lower bound exceeds 1 with a chance of
// at most (1 - level) / 2, whatever the metric's spread: that is the gate's false-alarm bound.

export interface RatioInterval {
  /** mean(B) / mean(A); NaN when A's mean is 0 */
  ratio: number;
  /** the interval at `level` (0 or Infinity: too few rounds to bound it that side) */
  low: number;
  high: number;
  /** two-sided p-value of "no change" (r = 1) */
  p: number;
}

export const LEVEL = 0.95;
export const PERMUTATIONS = 4000;
export const SEED = 0x5eed;

/** mulberry32: a small seeded generator, [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

/**
 * For each permutation of the pooled rounds into groups of A's and B's sizes, its
 * difference of means with the b's divided by r is alpha + beta/r; the observed one is
 * -mean(a) + mean(b)/r. Their gap grows with r (beta <= mean(b) for values >= 0), so the
 * one-sided p-values are monotone in r and the bounds are found by bisection.
 */
export function ratioInterval(a: number[], b: number[], seed = SEED, level = LEVEL): RatioInterval {
  const [n, m] = [a.length, b.length];
  const [ma, mb] = [mean(a), mean(b)];
  const ratio = mb / ma;
  if (!(n > 0 && m > 0 && ma > 0 && mb > 0 && Number.isFinite(ratio)))
    return { ratio: NaN, low: 0, high: Infinity, p: 1 };
  const pooled = [...a.map((v) => ({ v, isB: false })), ...b.map((v) => ({ v, isB: true }))];
  const random = seededRandom(seed);
  const perms: { alpha: number; beta: number }[] = [];
  for (let k = 0; k < PERMUTATIONS; k++) {
    const order = pooled.map((x) => ({ x, key: random() })).sort((p, q) => p.key - q.key);
    let [alpha, beta] = [0, 0];
    order.forEach(({ x }, i) => {
      const w = i < m ? 1 / m : -1 / n; // the first m go to the "B" group
      if (x.isB) beta += w * x.v;
      else alpha += w * x.v;
    });
    perms.push({ alpha, beta });
  }
  /** one-sided p-values at r: of "the ratio is above r" and of "below r" */
  const pAt = (r: number) => {
    let [above, below] = [0, 0];
    for (const { alpha, beta } of perms) {
      const gap = alpha + ma + (beta - mb) / r;
      if (gap >= -1e-12 * ma) above++;
      if (gap <= 1e-12 * ma) below++;
    }
    return { above: (1 + above) / (1 + PERMUTATIONS), below: (1 + below) / (1 + PERMUTATIONS) };
  };
  const tail = (1 - level) / 2;
  const wide = 1e3;
  const low = edge((r) => pAt(r).above > tail, ratio, ratio / wide);
  const high = edge((r) => pAt(r).below > tail, ratio, ratio * wide);
  const at1 = pAt(1);
  return {
    ratio,
    low: low === undefined ? 0 : low,
    high: high === undefined ? Infinity : high,
    p: Math.min(1, 2 * Math.min(at1.above, at1.below)),
  };
}

/** The last r from `inside` towards `outside` (on a log scale) where `ok` holds, `ok` being
 * monotone along the way; undefined when it still holds at `outside` (no bound there). */
function edge(ok: (r: number) => boolean, inside: number, outside: number): number | undefined {
  if (ok(outside)) return undefined;
  let [yes, no] = [Math.log(inside), Math.log(outside)];
  for (let i = 0; i < 40; i++) {
    const mid = (yes + no) / 2;
    if (ok(Math.exp(mid))) yes = mid;
    else no = mid;
  }
  return Math.exp(yes);
}
