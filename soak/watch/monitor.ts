// A monitor is an object attached to a running guest: started once, sampled on its own
// clock, stopped once; what it finds goes to the soak's findings, what it last saw
// stays readable on the monitor (for the timeline and the report).

export interface Monitor {
  start(): void;
  stop(): void;
}

/** Calls `sample` every `intervalMs`, never two at once, until stopped. */
export class Poller implements Monitor {
  private timer?: NodeJS.Timeout;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly sample: () => Promise<void>,
  ) {}

  start(): void {
    this.timer = setInterval(async () => {
      if (this.busy || this.stopped) return;
      this.busy = true;
      try {
        await this.sample();
      } finally {
        this.busy = false;
      }
    }, this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }
}
