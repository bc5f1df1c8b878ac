// Keep-alive requests at a pace the engine sets (--rate: requests per second of the guest's
// own time, load/pace.ts): autocannon cannot be held back request by request, so a paced
// load's keep-alive share is this small client on node:http, one socket per connection,
// each request sent only when `mayStart` allows it. The guest may close a connection that
// sat idle (its own idle timer, which runs fast under the time warp): a request that meets
// that close on a reused socket before any answer is sent again once on a new connection
// (RFC 9112 §9.3.1 allows it for a GET), so the guest is not blamed for the client's timing.
// Bounded by a request count, a per-request timeout and stop().
import { Agent, type IncomingMessage, request } from "node:http";
import type { LoadOptions, LoadResult } from "./driver.ts";
import { requestCycle } from "./driver.ts";
import { LatencyHistogram } from "./histogram.ts";
import { InFlightLog } from "./in-flight.ts";
import { ERROR_SAMPLES, unexpectedCount } from "./tally.ts";

export interface PacedOptions extends Omit<LoadOptions, "onGuestCloses" | "durationS"> {
  /** may another request start now, `started` having started so far? */
  mayStart: (started: number) => boolean;
}

const WAIT_MS = 5;

class Timeout extends Error {}

export class PacedRun {
  private started = 0;
  private completed = 0;
  private stopped = false;
  private readonly began = performance.now();
  private readonly agents: Agent[] = [];
  private readonly latency: LatencyHistogram;
  private readonly result = {
    errors: 0,
    timeouts: 0,
    statuses: {} as Record<string, number>,
    bytes: 0,
    errorSamples: [] as LoadResult["errorSamples"],
  };
  /** nothing is tracked on the wire here: each connection has at most one request out */
  readonly sent = new InFlightLog();
  readonly done: Promise<LoadResult>;

  constructor(private readonly o: PacedOptions) {
    this.latency = new LatencyHistogram(o.timeoutS * 1000);
    const cycle = requestCycle(o.paths, o.etags);
    const loops = Array.from({ length: o.connections }, (_, i) => this.connection(i, cycle));
    this.done = Promise.all(loops).then(() => this.summary());
  }

  stop(): void {
    this.stopped = true;
    for (const a of this.agents) a.destroy();
  }

  private async connection(index: number, cycle: ReturnType<typeof requestCycle>): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    this.agents.push(agent);
    const url = new URL(this.o.urls[index % this.o.urls.length]);
    let turn = index;
    try {
      while (!this.stopped && this.started < this.o.requests) {
        if (!this.o.mayStart(this.started)) {
          await new Promise((r) => setTimeout(r, WAIT_MS));
          continue;
        }
        this.started++;
        const req = cycle[turn++ % cycle.length];
        const t0 = performance.now();
        try {
          const headers = (req.headers ?? {}) as Record<string, string>;
          const { status, bytes } = await this.once(agent, url, req.path ?? "/", headers, true);
          const ms = performance.now() - t0;
          this.completed++;
          this.latency.record(ms);
          this.result.statuses[status] = (this.result.statuses[status] ?? 0) + 1;
          this.result.bytes += bytes;
          this.o.onResponse?.(ms, bytes);
        } catch (err) {
          if (this.stopped) return;
          this.result.errors++;
          if (err instanceof Timeout) this.result.timeouts++;
          if (this.result.errorSamples.length < ERROR_SAMPLES)
            this.result.errorSamples.push({ at: Date.now(), message: (err as Error).message });
        }
      }
    } finally {
      agent.destroy();
    }
  }

  private once(
    agent: Agent,
    url: URL,
    path: string,
    headers: Record<string, string>,
    retry: boolean,
  ): Promise<{ status: number; bytes: number }> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = request(
        { host: url.hostname, port: url.port || 80, path, headers, agent, timeout: this.o.timeoutS * 1000 },
        (res: IncomingMessage) => {
          answered = true;
          let bytes = 0;
          res.on("data", (d: Buffer) => {
            bytes += d.length;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Timeout(`no response within ${this.o.timeoutS} s`)));
      req.on("error", (err: NodeJS.ErrnoException) => {
        const closedIdle = req.reusedSocket && !answered && (err.code === "ECONNRESET" || err.code === "EPIPE");
        if (closedIdle && retry && !this.stopped) this.once(agent, url, path, headers, false).then(resolve, reject);
        else reject(err);
      });
      req.end();
    });
  }

  private summary(): LoadResult {
    const durationS = Math.round((performance.now() - this.began) / 10) / 100;
    const requests = this.completed;
    return {
      requests,
      durationS,
      rps: durationS > 0 ? requests / durationS : 0,
      errors: this.result.errors,
      timeouts: this.result.timeouts,
      statuses: this.result.statuses,
      unexpectedStatuses: unexpectedCount(this.result.statuses),
      latencyMs: this.latency.summary(),
      bytes: this.result.bytes,
      stopped: this.stopped || requests < this.o.requests,
      errorSamples: this.result.errorSamples,
    };
  }
}
