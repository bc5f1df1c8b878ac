// The guest's own clock (its uptime counter) against the wall clock, from every counters
// sample, and from serial lines that carry `uptime_ms=N` (the bundled kernel's heartbeat,
// every 5 s of its time: a finer clock than the counters' once a wall second under the warp). Under the time warp the two part ways (an idle guest's uptime runs ~80x ahead),
// so the engine says which one each figure is on: the pacing of --rate, the goal of
// --uptime and the uptime a failure struck at go by this clock; QEMU's memory, a hang with
// no answer and the progress line's elapsed time go by the wall's.

/** one reading: the wall clock (ms since the epoch) when the answer came, the guest's uptime (ms) in it */
export interface ClockSample {
  at: number;
  uptimeMs: number;
}

/** samples the recent rate is taken over */
const RECENT = 5;
/** never run an estimate this far past the last sample: a guest that stopped answering has no clock */
const MAX_AHEAD_MS = 5000;

export class GuestClock {
  first?: ClockSample;
  last?: ClockSample;
  private readonly recent: ClockSample[] = [];

  /** A reading. One behind the last is dropped: the two sources arrive with delays of their own, and a
   * guest that rebooted is the counters' reset finding, not the clock's business. */
  add(at: number, uptimeMs: number | undefined): void {
    if (uptimeMs === undefined || !Number.isFinite(uptimeMs) || uptimeMs < 0) return;
    if (this.last && (uptimeMs < this.last.uptimeMs || at < this.last.at)) return;
    const s = { at, uptimeMs };
    this.first ??= s;
    this.last = s;
    this.recent.push(s);
    if (this.recent.length > RECENT) this.recent.shift();
  }

  /** guest ms per wall ms over the last few samples: 1 without the warp (about), far more with it */
  get rate(): number | undefined {
    return rateBetween(this.recent[0], this.recent.at(-1));
  }

  /** The guest's uptime at wall time `at` (ms), estimated: between samples in proportion, after the last at
   * the recent rate (for at most MAX_AHEAD_MS of wall time). Undefined before the first sample. */
  uptimeAt(at: number): number | undefined {
    const last = this.last;
    if (!last) return undefined;
    if (at >= last.at) return last.uptimeMs + Math.min(at - last.at, MAX_AHEAD_MS) * (this.rate ?? 1);
    const after = this.recent.findIndex((s) => s.at >= at);
    const [a, b] = [this.recent[after - 1], this.recent[after]];
    if (!a || !b || b.at === a.at) return (b ?? last).uptimeMs;
    return a.uptimeMs + ((at - a.at) * (b.uptimeMs - a.uptimeMs)) / (b.at - a.at);
  }
}

/** Guest ms per wall ms from reading `a` to `b`; undefined unless `b` is later. */
export function rateBetween(a: ClockSample | undefined, b: ClockSample | undefined): number | undefined {
  if (!a || !b || b.at <= a.at) return undefined;
  return (b.uptimeMs - a.uptimeMs) / (b.at - a.at);
}

/** The uptime a serial line states as `uptime_ms=N` (a heartbeat), if it does. */
export function serialUptimeMs(text: string): number | undefined {
  const m = /(?:^|\s)uptime_ms=(\d{1,15})(?=\s|$)/.exec(text);
  return m ? Number(m[1]) : undefined;
}
