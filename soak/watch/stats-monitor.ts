// The guest's counters once an interval, judged by StatsWatcher (guest-stats.ts). A stats
// path that answered before the load and then answers something else (another status,
// not a JSON object) `failures` times in a row is a finding of its own, `stats`: the
// guest broke its side of the contract; the soak goes on being the engine's to finish.
import type { FindingSink } from "../findings.ts";
import type { StatsWatcher } from "./guest-stats.ts";
import type { HttpProbe, ProbeResult } from "./http-probe.ts";
import { type Monitor, Poller } from "./monitor.ts";
import { StatsAnswerError } from "./stats-answer.ts";

export interface StatsMonitorOptions {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** bad answers in a row that make the finding */
  failures: number;
}

export class StatsMonitor implements Monitor {
  /** bad answers in a row */
  bad = 0;
  private readonly poller: Poller;
  private sent = false;

  constructor(probe: HttpProbe, o: StatsMonitorOptions, watcher: StatsWatcher, sink: FindingSink) {
    this.poller = new Poller(
      "counters monitor",
      o.intervalMs,
      async () => {
        let answer: ProbeResult;
        try {
          answer = await probe.get(o.path, o.timeoutMs);
        } catch {
          return; // an unanswered poll is the health monitor's business
        }
        const at = Date.now();
        try {
          const findings = watcher.check(watcher.read(answer), at);
          this.bad = 0;
          for (const f of findings) sink(f);
        } catch (err) {
          if (!(err instanceof StatsAnswerError)) throw err;
          if (++this.bad < o.failures || this.sent) return;
          this.sent = true;
          sink({
            kind: "stats",
            at,
            message: `the guest's counters broke mid-soak: ${err.message} (${this.bad} times in a row; it answered a JSON object before the load)`,
            evidence: { path: o.path, status: answer.status, bytes: answer.body.length },
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
