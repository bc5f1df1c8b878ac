// The trend estimator (soak/trend.ts) and the monitor's rule (watch/trend-monitor.ts) on
// recorded timelines: a clean 5-minute soak at 100% connection churn (the noisiest pages
// series: each connection in its handshake holds pages) is not flagged; the same recording
// with a leak of 3 pages a minute added is named, with its rate, within minutes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../options.ts";
import { Thinned } from "../thinned.ts";
import { type Trend, TrendSeries, theilSen } from "../trend.ts";
import { growing, judge } from "../watch/trend-monitor.ts";

interface Row {
  t: number;
  pages: number;
  rss: number;
  p99: number;
}

/** fixtures/timelines/*.jsonl: timeline.jsonl of a real soak, cut to the series judged */
const recorded = (name: string): Row[] =>
  readFileSync(join(import.meta.dirname, "fixtures/timelines", name), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Row);

/** Replays a series through the monitor's rule after the warm-up; the first trend flagged, if any. */
function firstFlagged(rows: Row[], value: (r: Row) => number, budgetPerHour: number) {
  const series = new TrendSeries();
  for (const r of rows.filter((x) => x.t >= DEFAULTS.warmupS)) {
    const t = judge(series, r.t, value(r));
    if (t && growing(t, budgetPerHour)) return { at: r.t, trend: t };
  }
  return undefined;
}

const perMin = (t: Trend) => t.slope * 60;

describe("Theil–Sen", () => {
  it("finds a line's slope exactly, and an outlier does not move it", () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const ys = xs.map((x) => 5 + 0.5 * x);
    expect(theilSen(xs, ys)?.slope).toBe(0.5);
    ys[20] = 1000;
    const t = theilSen(xs, ys) as Trend;
    expect(t.slope).toBe(0.5);
    expect(t.lower).toBeLessThanOrEqual(0.5);
    expect(t.upper).toBeGreaterThanOrEqual(0.5);
  });

  it("gives an interval that holds zero for noise around a flat line", () => {
    let seed = 7;
    const noise = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed / 2 ** 31 - 0.5) * 40;
    };
    const xs = Array.from({ length: 200 }, (_, i) => i);
    const t = theilSen(
      xs,
      xs.map(() => 400 + noise()),
    ) as Trend;
    expect(t.lower).toBeLessThan(0);
    expect(t.upper).toBeGreaterThan(0);
  });

  it("keeps a bounded, evenly spread sample of a series of any length", () => {
    const kept = new Thinned<number>(240);
    for (let i = 0; i < 100_000; i++) kept.add(i);
    expect(kept.items.length).toBeLessThan(240);
    expect(kept.items.length).toBeGreaterThan(100);
    const gaps = new Set(kept.items.slice(1).map((v, i) => v - kept.items[i]));
    expect(gaps.size).toBe(1);
  });
});

describe("on a recorded clean soak (5 min, every request on a new connection)", () => {
  const rows = recorded("churn-100-clean.jsonl");

  it("is a real recording of several minutes with noisy pages", () => {
    expect(rows.at(-1)?.t).toBeGreaterThan(240);
    const pages = rows.map((r) => r.pages);
    expect(Math.max(...pages) - Math.min(...pages)).toBeGreaterThan(40);
  });

  // (p99 is judged only when asked, --p99-growth: on a shared machine it follows the machine's load)
  it("flags no trend in pages or QEMU RSS", () => {
    expect(firstFlagged(rows, (r) => r.pages, DEFAULTS.pageGrowth)).toBeUndefined();
    const rss = firstFlagged(rows, (r) => r.rss, DEFAULTS.rssGrowthMiB);
    expect(rss, JSON.stringify(rss)).toBeUndefined();
  });

  it("names a leak of 3 pages a minute within 4 minutes, at about that rate", () => {
    const found = firstFlagged(rows, (r) => r.pages + (3 * r.t) / 60, DEFAULTS.pageGrowth);
    expect(found).toBeDefined();
    const f = found as { at: number; trend: Trend };
    console.log(
      `leak of 3 pages/min named after ${Math.round(f.at - DEFAULTS.warmupS)} s of steady load: ${perMin(f.trend).toFixed(2)}/min (${(f.trend.lower * 60).toFixed(2)}..${(f.trend.upper * 60).toFixed(2)})`,
    );
    expect(f.at - DEFAULTS.warmupS).toBeLessThanOrEqual(240);
    expect(perMin(f.trend)).toBeGreaterThan(1.5);
    expect(perMin(f.trend)).toBeLessThan(4.5);
  });
});
