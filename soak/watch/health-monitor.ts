// /health on a connection of its own, once an interval: N failures in a row are a hang.
import type { FindingSink } from "../findings.ts";
import type { HttpProbe } from "./http-probe.ts";
import { type Monitor, Poller } from "./monitor.ts";

export interface HealthOptions {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** consecutive failures that mean a hang */
  failures: number;
}

export class HealthMonitor implements Monitor {
  failures = 0;
  /** the last answer's latency; undefined after a failure */
  lastMs?: number;
  private readonly poller: Poller;

  constructor(probe: HttpProbe, o: HealthOptions, sink: FindingSink) {
    this.poller = new Poller(
      `${o.path} monitor`,
      o.intervalMs,
      async () => {
        const at = Date.now();
        try {
          const r = await probe.get(o.path, o.timeoutMs);
          if (r.status !== 200) throw new Error(`status ${r.status}`);
          this.failures = 0;
          this.lastMs = Math.round(r.ms);
        } catch (err) {
          this.failures++;
          this.lastMs = undefined;
          if (this.failures === o.failures)
            sink({
              kind: "hang",
              at,
              message: `${o.path} failed ${this.failures} times in a row (last: ${(err as Error).message}, ${new Date(at).toISOString()})`,
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
