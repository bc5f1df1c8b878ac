// The timeline as chart series, for summary.md's Mermaid charts and report.html's SVG
// alike: which metrics, their values over time, the moment the soak failed, and
// downsampling that keeps every span's extremes (and for the SVG the failure moment), so
// a 6-hour soak draws as well as a 90-second one.
import type { Report, TimelineEntry } from "./types.ts";

/** A value at `t` seconds since the load started; null where there is none (a failed probe, no responses). */
export interface Point {
  t: number;
  v: number | null;
}

export interface Metric {
  key: string;
  title: string;
  unit: string;
  value: (e: TimelineEntry) => number | null;
}

interface Counters {
  txStalls: string;
  pagesUsed: string;
  uptime: string;
}

/** Every metric report.html charts; counter names and the health path as the run was configured. */
export function metricsFor(report: Pick<Report, "options">): Metric[] {
  const o = report.options as {
    counters?: Counters;
    healthPath?: string;
    timeWarp?: boolean;
    uptimeS?: number;
    rate?: number;
  };
  const pages = o.counters?.pagesUsed ?? "pmm_pages_used";
  const stalls = o.counters?.txStalls ?? "tx_stalls";
  const counter = (name: string) => (e: TimelineEntry) => e.guest?.[name] ?? null;
  const uptime = o.counters?.uptime ?? "uptime_ms";
  // the guest's clock against the wall's, for the soaks that go by it
  const byGuestClock = o.timeWarp || (o.uptimeS ?? 0) > 0 || (o.rate ?? 0) > 0;
  const clockMetrics: Metric[] = [
    {
      key: "uptime",
      title: `Guest uptime (${uptime})`,
      unit: "h",
      value: (e) => (e.guest?.[uptime] !== undefined ? Math.round(e.guest[uptime] / 36_000) / 100 : null),
    },
    { key: "warp", title: "Guest seconds per wall second", unit: "x", value: (e) => e.warp ?? null },
  ];
  return [
    ...(byGuestClock ? clockMetrics : []),
    { key: "rps", title: "Throughput", unit: "requests/s", value: (e) => e.rps },
    { key: "p99", title: "p99 latency per window", unit: "ms", value: (e) => e.p99Ms ?? null },
    {
      key: "health",
      title: `${o.healthPath ?? "/health"} latency`,
      unit: "ms",
      value: (e) => (e.health?.ok ? (e.health.ms ?? null) : null),
    },
    { key: "rss", title: "QEMU resident memory", unit: "MiB", value: (e) => e.host?.rssMiB ?? null },
    { key: "pages", title: `Guest pages used (${pages})`, unit: "pages", value: counter(pages) },
    { key: "txStalls", title: stalls, unit: "count", value: counter(stalls) },
  ];
}

export const seriesOf = (timeline: TimelineEntry[], m: Metric): Point[] =>
  timeline.map((e) => ({ t: e.t, v: m.value(e) }));

/** Turns a time (ms since the epoch) into seconds since the load started, the timeline's clock. */
export function loadClock(timeline: TimelineEntry[]): ((atMs: number) => number) | undefined {
  const first = timeline[0];
  if (!first) return undefined;
  const loadStarted = Date.parse(first.at) - first.t * 1000;
  return (atMs) => Math.round((atMs - loadStarted) / 100) / 10;
}

/** When the first reason for a failed verdict struck, on the timeline's clock. */
export function failureAt(report: Pick<Report, "verdict">, timeline: TimelineEntry[]): number | undefined {
  const reason = report.verdict.reasons[0];
  const clock = loadClock(timeline);
  return report.verdict.kind === "pass" || !reason || !clock ? undefined : clock(reason.at);
}

/**
 * At most `max` points: the first and the last, the two around each time in `keep`, and
 * in equal buckets between them each bucket's lowest and highest value and its first
 * gap, in time order.
 */
export function downsample(points: Point[], max: number, keep: number[] = []): Point[] {
  if (points.length <= max) return points;
  const picked = new Set<number>([0, points.length - 1]);
  for (const t of keep) {
    const after = points.findIndex((p) => p.t >= t);
    if (after < 0) picked.add(points.length - 1);
    else {
      picked.add(after);
      if (after > 0) picked.add(after - 1);
    }
  }
  const perBucket = points.some((p) => p.v === null) ? 3 : 2;
  const buckets = Math.max(1, Math.floor((max - picked.size) / perBucket));
  const size = points.length / buckets;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(points.length, Math.floor((b + 1) * size));
    let lo = -1;
    let hi = -1;
    let gap = -1;
    for (let i = from; i < to; i++) {
      const v = points[i].v;
      if (v === null) {
        if (gap < 0) gap = i;
      } else {
        if (lo < 0 || v < (points[lo].v as number)) lo = i;
        if (hi < 0 || v > (points[hi].v as number)) hi = i;
      }
    }
    for (const i of [lo, hi, gap]) if (i >= 0) picked.add(i);
  }
  return [...picked].sort((a, b) => a - b).map((i) => points[i]);
}

/**
 * For a category axis (Mermaid's), which spaces points evenly whatever their time: `max / 2`
 * equal buckets, each giving two points, its lowest and highest (a gap counts as 0) in time
 * order, so the spacing stays even and each bucket's extremes stay.
 */
export function downsampleEvenly(points: Point[], max: number): Point[] {
  if (points.length <= max) return points;
  const buckets = Math.floor(max / 2);
  const size = points.length / buckets;
  const out: Point[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.floor((b + 1) * size);
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      const v = points[i].v ?? 0;
      if (v < (points[lo].v ?? 0)) lo = i;
      if (v > (points[hi].v ?? 0)) hi = i;
    }
    if (lo === hi) hi = lo + 1; // a bucket holds at least two points
    out.push(points[Math.min(lo, hi)], points[Math.max(lo, hi)]);
  }
  return out;
}

/** Seconds as people read them: "42.3 s", "12 min 3 s", "5 h 0 min". */
export function humanDuration(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
