// A monitor is an object attached to a running guest: started once, sampled on its own
// clock, stopped once; what it finds goes to the soak's findings, what it last saw
// stays readable on the monitor (for the timeline and the report).
import type { FindingSink } from "../findings.ts";

export interface Monitor {
  start(): void;
  stop(): void;
}

/**
 * Calls `sample` every `intervalMs`, never two at once, until stopped. A sample that throws
 * is the engine's own failure, never the kernel's: it becomes an `error` finding naming
 * the monitor, and this poller stops (the soak ends with its report).
 */
export class Poller implements Monitor {
  private timer?: NodeJS.Timeout;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly sample: () => Promise<void>,
    private readonly sink: FindingSink,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      await this.sample();
    } catch (err) {
      this.stop();
      this.sink({
        kind: "error",
        at: Date.now(),
        message: `the engine's ${this.name} failed (${(err as Error)?.message ?? err}); not the kernel's doing: please report it with this report`,
      });
    } finally {
      this.busy = false;
    }
  }
}
