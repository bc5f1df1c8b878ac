// The guest's counters once an interval, judged by StatsWatcher (guest-stats.ts).
import type { FindingSink } from "../findings.ts";
import type { StatsWatcher } from "./guest-stats.ts";
import { parseStats } from "./guest-stats.ts";
import type { HttpProbe } from "./http-probe.ts";
import { type Monitor, Poller } from "./monitor.ts";

export class StatsMonitor implements Monitor {
  private readonly poller: Poller;

  constructor(
    probe: HttpProbe,
    path: string,
    intervalMs: number,
    timeoutMs: number,
    watcher: StatsWatcher,
    sink: FindingSink,
  ) {
    this.poller = new Poller(intervalMs, async () => {
      let body: string;
      try {
        body = (await probe.get(path, timeoutMs)).body;
      } catch {
        return; // an unanswered poll is the health monitor's business
      }
      for (const f of watcher.check(parseStats(body), Date.now())) sink(f);
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }
}
