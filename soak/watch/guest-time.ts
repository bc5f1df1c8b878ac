// What goes by the guest's own clock during the load (watch/guest-clock.ts): the pace of
// --rate (requests granted to the load workers as the guest's uptime advances, so "3 a
// second" means 3 a second of the guest's time, warped or not) and the goal of --uptime
// (the load stops when the guest's uptime counter reaches it). Both need a clock that
// advances: a guest that answers its counters with an uptime that has stood still for
// STUCK_MS of wall time is a finding (`stats`), since neither could ever be met.
import type { FindingSink } from "../findings.ts";
import type { GuestClock } from "./guest-clock.ts";
import type { Monitor } from "./monitor.ts";

/** how often the grant is worked out: requests start within this of their time */
const TICK_MS = 50;
/** wall time an answering guest's uptime may stand still */
export const STUCK_MS = 60_000;

export interface GuestTimeOptions {
  /** requests per second of the guest's time (0 = not paced) */
  rate: number;
  /** the uptime (s) that ends the load (0 = none) */
  uptimeS: number;
  /** the uptime counter's name, for messages */
  counter: string;
}

export class GuestTime implements Monitor {
  /** resolves when the guest's uptime counter has reached the goal (never without one) */
  readonly reached: Promise<void>;
  private reach!: () => void;
  private isReached = false;
  private timer?: NodeJS.Timeout;
  private startUptimeMs?: number;
  private advancedAt = Date.now();
  private lastUptimeMs?: number;
  private stuckSent = false;
  /** paced: the requests the guest's clock has asked for so far */
  granted = 0;

  constructor(
    private readonly clock: GuestClock,
    private readonly o: GuestTimeOptions,
    /** paced: requests that may have started in all (LoadPool.grant) */
    private readonly grant: (total: number) => void,
    private readonly sink: FindingSink,
  ) {
    this.reached = new Promise((r) => {
      this.reach = r;
    });
  }

  get done(): boolean {
    return this.isReached;
  }

  start(): void {
    this.startUptimeMs = this.clock.last?.uptimeMs;
    this.tick();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const last = this.clock.last;
    if (!last) return;
    const now = Date.now();
    if (this.lastUptimeMs === undefined || last.uptimeMs > this.lastUptimeMs) {
      this.lastUptimeMs = last.uptimeMs;
      this.advancedAt = now;
    } else if (now - this.advancedAt > STUCK_MS && now - last.at < STUCK_MS / 2 && !this.stuckSent) {
      this.stuckSent = true;
      this.sink({
        kind: "stats",
        at: now,
        message: `the guest's ${this.o.counter} has stood at ${last.uptimeMs} for ${STUCK_MS / 1000} s of wall time while the guest answers: --uptime and --rate go by it`,
        evidence: { uptimeMs: last.uptimeMs },
      });
    }
    if (this.o.uptimeS > 0 && !this.isReached && last.uptimeMs >= this.o.uptimeS * 1000) {
      this.isReached = true;
      this.reach();
    }
    if (this.o.rate > 0) {
      // a guest that rebooted starts its clock again: pace from where it stands then
      if (this.startUptimeMs === undefined || last.uptimeMs < this.startUptimeMs) this.startUptimeMs = last.uptimeMs;
      const elapsedMs = (this.clock.uptimeAt(now) ?? last.uptimeMs) - this.startUptimeMs;
      const total = Math.floor((this.o.rate * Math.max(0, elapsedMs)) / 1000);
      if (total > this.granted || this.granted === 0) this.grant(total);
      this.granted = Math.max(this.granted, total);
    }
  }
}
