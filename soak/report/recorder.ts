// The timeline: once an interval, what every monitor last saw, in one entry; and the
// progress line the front doors print from the same numbers.
import type { SoakContext } from "../context.ts";
import type { HealthMonitor } from "../watch/health-monitor.ts";
import { type Monitor, Poller } from "../watch/monitor.ts";
import type { TimelineEntry } from "./types.ts";

export interface LoadCounter {
  requests: number;
  /** responses per second over the load's last window (a second, or the part of one before it ended) */
  rps: number;
  /** their 99th-percentile latency, ms */
  p99Ms?: number;
}

export class TimelineRecorder implements Monitor {
  private readonly poller: Poller;

  constructor(
    private readonly ctx: SoakContext,
    private readonly health: HealthMonitor,
    private readonly load: LoadCounter,
    private readonly loadStarted: number,
  ) {
    this.poller = new Poller("timeline recorder", ctx.o.intervalMs, async () => this.record(), ctx.findings.add);
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  /** One entry now (the poller's, and the load's last when it ends between two). */
  record(): void {
    const { ctx, health, load } = this;
    const o = ctx.o;
    const host = ctx.host?.last;
    const stats = ctx.stats;
    const elapsedS = (Date.now() - this.loadStarted) / 1000;
    const entry: TimelineEntry = {
      t: Math.round(elapsedS * 10) / 10,
      at: new Date().toISOString(),
      rps: Math.round(load.rps),
      health: { ok: health.failures === 0, ms: health.lastMs },
      guest: stats.last,
      guestAt: stats.lastAt ? new Date(stats.lastAt).toISOString() : undefined,
      host: host && { rssMiB: Math.round(host.rssMiB * 10) / 10, cpuPercent: Math.round(host.cpuPercent) },
      p99Ms: load.rps > 0 ? load.p99Ms : undefined,
      warp: stats.clock.rate !== undefined ? Math.round(stats.clock.rate * 10) / 10 : undefined,
    };
    ctx.timeline.add(entry);
    ctx.hooks.progress({
      elapsedS,
      requests: load.requests,
      asked: o.requests,
      rps: load.rps,
      capS: o.durationS || undefined,
      p99Ms: load.p99Ms,
      healthMs: health.lastMs,
      txStalls: stats.last?.[o.counters.txStalls],
      rssMiB: host?.rssMiB,
      uptimeS: stats.clock.last && stats.clock.last.uptimeMs / 1000,
      uptimeGoalS: o.uptimeS || undefined,
      warp: stats.clock.rate,
    });
  }
}
