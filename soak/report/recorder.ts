// The timeline: once an interval, what every monitor last saw, in one entry; and the
// progress line the front doors print from the same numbers.
import type { SoakContext } from "../context.ts";
import type { HealthMonitor } from "../watch/health-monitor.ts";
import { type Monitor, Poller } from "../watch/monitor.ts";
import type { TimelineEntry } from "./types.ts";

export interface LoadCounter {
  requests: number;
  /** responses in the last second */
  rps: number;
  /** their 99th-percentile latency, ms */
  p99Ms?: number;
}

export class TimelineRecorder implements Monitor {
  private readonly poller: Poller;

  constructor(ctx: SoakContext, health: HealthMonitor, load: LoadCounter, loadStarted: number) {
    const o = ctx.o;
    this.poller = new Poller(o.intervalMs, async () => {
      const host = ctx.host?.last;
      const stats = ctx.stats;
      const elapsedS = (Date.now() - loadStarted) / 1000;
      const entry: TimelineEntry = {
        t: Math.round(elapsedS * 10) / 10,
        at: new Date().toISOString(),
        rps: load.rps,
        health: { ok: health.failures === 0, ms: health.lastMs },
        guest: stats.last,
        guestAt: stats.lastAt ? new Date(stats.lastAt).toISOString() : undefined,
        host: host && { rssMiB: Math.round(host.rssMiB * 10) / 10, cpuPercent: Math.round(host.cpuPercent) },
        p99Ms: load.rps > 0 ? load.p99Ms : undefined,
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
      });
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }
}
