// Trends: is a series going up, and how fast? Theil–Sen: the median of the slopes between
// every pair of points, which a burst or an outlier barely moves; its confidence interval
// is Sen's, from the ranks of those pairwise slopes (the variance of Kendall's S). A series
// keeps a bounded number of points, spread over the whole run (thinned.ts).
import { Thinned } from "./thinned.ts";

export interface Trend {
  /** units per second: the median pairwise slope */
  slope: number;
  /** the confidence interval's bounds, units per second */
  lower: number;
  upper: number;
  points: number;
  /** seconds between the first point and the last */
  spanS: number;
}

/** z for a two-sided 99.9% interval: a series is judged again at every new point, so each test must be strict. */
export const Z_999 = 3.29;

export function theilSen(xs: number[], ys: number[], z = Z_999): Trend | undefined {
  const n = xs.length;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) if (xs[j] !== xs[i]) slopes.push((ys[j] - ys[i]) / (xs[j] - xs[i]));
  if (slopes.length < 2) return undefined;
  slopes.sort((a, b) => a - b);
  const m = slopes.length;
  const at = (rank: number) => slopes[Math.min(m - 1, Math.max(0, rank))];
  const median = m % 2 ? slopes[(m - 1) / 2] : (slopes[m / 2 - 1] + slopes[m / 2]) / 2;
  // Sen (1968): the interval runs from rank (N - C)/2 to rank (N + C)/2 + 1 of the N ordered
  // slopes, C = z·sqrt(Var S), Var S = n(n-1)(2n+5)/18 (ties make the true variance smaller:
  // the interval is then a little wider than it needs to be, never narrower).
  const c = z * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  return {
    slope: median,
    lower: at(Math.floor((m - c) / 2) - 1),
    upper: at(Math.ceil((m + c) / 2)),
    points: n,
    spanS: xs[n - 1] - xs[0],
  };
}

/** A bounded, evenly thinned series of (seconds, value) points. */
export class TrendSeries {
  private readonly points = new Thinned<[number, number]>(240);

  /** Offers a point; true when it was kept. */
  add(x: number, y: number): boolean {
    return this.points.add([x, y]);
  }

  get length(): number {
    return this.points.items.length;
  }

  trend(z = Z_999): Trend | undefined {
    const p = this.points.items;
    return theilSen(
      p.map(([x]) => x),
      p.map(([, y]) => y),
      z,
    );
  }
}
