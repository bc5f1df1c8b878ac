// QEMU's own footprint once an interval: resident memory growth after the warm-up is a
// leak on the host side (QEMU's, or the guest's through a device).
import type { FindingSink } from "../findings.ts";
import { type HostSample, sampleProcess } from "./host.ts";
import { type Monitor, Poller } from "./monitor.ts";

export interface HostOptions {
  intervalMs: number;
  warmupS: number;
  rssGrowthMiB: number;
}

export class HostMonitor implements Monitor {
  rss = { first: 0, max: 0, last: 0, warm: 0 };
  last?: HostSample & { cpuPercent: number };
  private readonly poller: Poller;
  private leakSent = false;
  private prevAt: number;

  constructor(pid: number, o: HostOptions, sink: FindingSink, startedAt = Date.now()) {
    this.prevAt = startedAt;
    this.poller = new Poller(
      "QEMU footprint monitor",
      o.intervalMs,
      async () => {
        const h = await sampleProcess(pid);
        if (!h) return;
        const now = Date.now();
        const rss = this.rss;
        rss.first ||= h.rssMiB;
        rss.max = Math.max(rss.max, h.rssMiB);
        rss.last = h.rssMiB;
        const prev = this.last;
        const cpuPercent = prev ? ((h.cpuS - prev.cpuS) / ((now - this.prevAt) / 1000)) * 100 : 0;
        this.prevAt = now;
        this.last = { ...h, cpuPercent };
        if ((now - startedAt) / 1000 < o.warmupS) return;
        rss.warm ||= h.rssMiB;
        if (h.rssMiB - rss.warm > o.rssGrowthMiB && !this.leakSent) {
          this.leakSent = true;
          sink({
            kind: "leak",
            at: now,
            message: `QEMU's resident memory grew ${(h.rssMiB - rss.warm).toFixed(1)} MiB after warm-up (${rss.warm.toFixed(1)} -> ${h.rssMiB.toFixed(1)} MiB; budget ${o.rssGrowthMiB} MiB)`,
          });
        }
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
}
