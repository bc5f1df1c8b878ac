// Trends over the steady phase (after the warm-up): the guest's pages in use, QEMU's
// resident memory and the p99 latency of each second, each fitted by Theil–Sen with a
// confidence bound (soak/trend.ts). A trend whose lower bound would use its growth budget
// within an hour is named at once, with its rate and where it leads, so a slow leak is
// caught in minutes rather than when the budget itself is used up (which guest-stats.ts
// and host-monitor.ts still judge). The series are bounded, so hours cost no more memory.
import type { SoakContext } from "../context.ts";
import type { FindingSink } from "../findings.ts";
import type { LoadCounter } from "../report/recorder.ts";
import type { TrendReport } from "../report/types.ts";
import { type Trend, TrendSeries } from "../trend.ts";
import type { Finding } from "../verdict.ts";
import { type Monitor, Poller } from "./monitor.ts";

/** judged only over this much steady load, and this many points: a few minutes' noise is not a trend */
export const MIN_SPAN_S = 120;
const MIN_POINTS = 30;

interface Watched {
  series: TrendSeries;
  unit: string;
  /** growth allowed per hour (0 = only recorded, not judged) */
  budget: number;
  kind: Finding["kind"];
  /** what the trend leads to, at its rate */
  outlook: (t: Trend) => string;
  last?: Trend;
  sent?: boolean;
  /** the clock its x is on: the guest's uptime counter, or the wall's */
  base?: "guest" | "wall";
}

export class TrendMonitor implements Monitor {
  private readonly watched: Record<string, Watched>;
  private readonly poller: Poller;
  private lastGuestAt?: number;

  constructor(
    ctx: SoakContext,
    load: LoadCounter,
    loadStarted: number,
    private readonly sink: FindingSink,
  ) {
    const o = ctx.o;
    const pages = o.counters.pagesUsed;
    this.watched = {
      [pages]: {
        series: new TrendSeries(),
        unit: "pages",
        budget: o.pageGrowth,
        kind: "leak",
        outlook: (t) => {
          const s = ctx.stats.last;
          const left = (s?.pmm_pages_total ?? Number.NaN) - (s?.[pages] ?? Number.NaN);
          return Number.isFinite(left) ? `all pages used in ~${duration(left / t.slope)}` : "";
        },
      },
      qemu_rss_mib: {
        series: new TrendSeries(),
        unit: "MiB",
        budget: o.rssGrowthMiB,
        kind: "leak",
        outlook: (t) => `+${o.rssGrowthMiB} MiB in ~${duration(o.rssGrowthMiB / t.slope)}`,
      },
      p99_ms: {
        series: new TrendSeries(),
        unit: "ms",
        budget: o.p99GrowthMs,
        kind: "latency",
        outlook: (t) => `+${o.p99GrowthMs} ms in ~${duration(o.p99GrowthMs / t.slope)}`,
      },
    };
    const steadyFrom = loadStarted + o.warmupS * 1000;
    const x = (at: number) => (at - loadStarted) / 1000;
    this.poller = new Poller(
      "trend monitor",
      o.intervalMs,
      async () => {
        const now = Date.now();
        if (now < steadyFrom) return;
        const s = ctx.stats;
        if (s.lastAt && s.lastAt !== this.lastGuestAt && s.lastAt >= steadyFrom && s.last?.[pages] !== undefined) {
          this.lastGuestAt = s.lastAt;
          // the guest's pages on the guest's own clock: a leak per hour of its uptime, warped or not
          const uptimeMs = s.last[o.counters.uptime];
          this.watched[pages].base = uptimeMs !== undefined ? "guest" : "wall";
          this.offer(pages, uptimeMs !== undefined ? uptimeMs / 1000 : x(s.lastAt), s.last[pages]);
        }
        if (ctx.host?.last) this.offer("qemu_rss_mib", x(now), ctx.host.last.rssMiB);
        if (load.p99Ms !== undefined && load.rps > 0) this.offer("p99_ms", x(now), load.p99Ms);
      },
      sink,
    );
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  /** Every series' trend so far, per minute, for the report. */
  report(): Record<string, TrendReport> {
    const out: Record<string, TrendReport> = {};
    for (const [name, w] of Object.entries(this.watched)) {
      const t = w.last ?? w.series.trend();
      if (!t) continue;
      const perMin = (v: number) => Math.round(v * 60 * 1000) / 1000;
      out[name] = {
        unit: w.unit,
        perMin: perMin(t.slope),
        lowerPerMin: perMin(t.lower),
        upperPerMin: perMin(t.upper),
        points: t.points,
        spanS: Math.round(t.spanS),
        budgetPerHour: w.budget,
        flagged: w.sent ?? false,
        base: w.base ?? "wall",
      };
    }
    return out;
  }

  private offer(name: string, x: number, y: number): void {
    const w = this.watched[name];
    const t = judge(w.series, x, y);
    if (!t) return;
    w.last = t;
    if (w.sent || !growing(t, w.budget)) return;
    w.sent = true;
    const rate = (v: number) => `${v >= 0 ? "+" : ""}${(v * 60).toFixed(v * 60 >= 10 ? 0 : 1)}`;
    this.sink({
      kind: w.kind,
      at: Date.now(),
      message: `${name} ${rate(t.slope)} ${w.unit}/min (at least ${rate(t.lower)} at 99.9% confidence) over ${duration(t.spanS)} of steady load${w.base === "guest" ? " by the guest's clock" : ""}: ${w.outlook(t)} (budget ${w.budget} ${w.unit} an hour)`,
      evidence: {
        perMin: t.slope * 60,
        lowerPerMin: t.lower * 60,
        upperPerMin: t.upper * 60,
        points: t.points,
        spanS: t.spanS,
      },
    });
  }
}

/** Adds a point; the series' trend when it was kept and there is enough steady load to judge. */
export function judge(series: TrendSeries, x: number, y: number): Trend | undefined {
  if (!series.add(x, y) || series.length < MIN_POINTS) return undefined;
  const t = series.trend();
  return t && t.spanS >= MIN_SPAN_S ? t : undefined;
}

/** Growing: even the trend's lower bound would use the budget within an hour. */
export const growing = (t: Trend, budgetPerHour: number) => budgetPerHour > 0 && t.lower * 3600 > budgetPerHour;

/** "~40 s", "~12 min", "~21 h", "~3 d" */
export function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "never";
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}
