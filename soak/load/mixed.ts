// The soak's load: autocannon's keep-alive connections (driver.ts) and a share of the
// requests each on a new connection (churn.ts), paced to that share, run as one: a tick a
// second with the responses and their p99, one result with both added up. Bounded by the
// request count (split by the share), the time cap and stop(). A guest that closes the
// connection after every response cannot be loaded over keep-alive connections: the rest of
// the keep-alive requests go on new connections (churn.ts, one at a time per URL), every one counted.
import { type ChurnResult, ChurnRun } from "./churn.ts";
import { type LoadOptions, type LoadResult, LoadRun, requestCycle } from "./driver.ts";
import { type HistogramSnapshot, LatencyHistogram } from "./histogram.ts";
import type { SentRequest } from "./in-flight.ts";
import { PacedRun } from "./paced.ts";
import { addStatuses, ERROR_SAMPLES, unexpectedCount } from "./tally.ts";

export interface MixedOptions extends Omit<LoadOptions, "onResponse"> {
  /** the share of the requests (0-1) each made on a new connection, one churn worker per `http://host:port` */
  churn: { share: number; urls: string[] };
  /** requests start only as the engine grants them (grant(), load/pace.ts: --rate); the keep-alive share then
   * goes through PacedRun, which autocannon cannot be held back for */
  paced?: boolean;
}

export interface MixedTick {
  /** responses in the window: the last second, or what the load did of one before it ended */
  count: number;
  /** their 99th-percentile latency, ms */
  p99Ms: number;
}

/** A tick with the window's latencies and length, for merging with other processes' (pool.ts) */
export interface MixedWindow extends MixedTick {
  latency: HistogramSnapshot;
  /** the window's length, s: about 1, less for the last one */
  seconds: number;
}

export interface MixedResult extends LoadResult {
  /** the requests made on new connections (counted in the totals too) */
  churn?: ChurnResult;
  /** the guest closed the connection after every response: this many of the keep-alive requests
   * were made on new connections instead (counted in the totals and keep-alive latencies too) */
  closedAfterEach?: number;
}

export class MixedLoad {
  private readonly keepAlive?: LoadRun | PacedRun;
  private readonly churn?: ChurnRun;
  /** the keep-alive requests' rest, on new connections, once the guest has closed after a response */
  private carried?: ChurnRun;
  private guestCloses = false;
  private keepAliveResponses = 0;
  private keepAliveDone = false;
  /** every keep-alive response's latency (autocannon's own histogram cannot be merged across processes) */
  private readonly keepAliveLatency: LatencyHistogram;
  private stopped = false;
  /** paced: requests the engine has granted so far, and those started */
  private granted = 0;
  private taken = 0;
  private readonly paced: boolean;
  readonly done: Promise<MixedResult>;

  constructor(opts: MixedOptions, onTick: (t: MixedWindow) => void) {
    const started = performance.now();
    this.paced = opts.paced === true;
    const { share, urls } = opts.churn;
    const churnRequests = Math.round(opts.requests * share);
    const window = new LatencyHistogram(opts.timeoutS * 1000);
    this.keepAliveLatency = new LatencyHistogram(opts.timeoutS * 1000);
    if (opts.requests > churnRequests) {
      const requests = opts.requests - churnRequests;
      const keepAlive = {
        ...opts,
        requests,
        connections: Math.min(opts.connections, requests),
        onResponse: (ms: number) => {
          this.keepAliveResponses++;
          window.record(ms);
          this.keepAliveLatency.record(ms);
        },
      };
      this.keepAlive = this.paced
        ? new PacedRun({ ...keepAlive, mayStart: () => this.take() })
        : new LoadRun(
            {
              ...keepAlive,
              durationS: 0, // the cap is ours, for both
              onGuestCloses: () => {
                this.guestCloses = true;
              },
            },
            () => {},
          );
    } else this.keepAliveDone = true;
    if (churnRequests > 0) {
      const ahead = share / (1 - share);
      this.churn = new ChurnRun({
        urls,
        requests: churnRequests,
        timeoutS: opts.timeoutS,
        cycle: requestCycle(opts.paths, opts.etags).map((r) => ({ path: r.path ?? "/", headers: r.headers })),
        // keep to the share: at most one request per worker ahead of the keep-alive load
        mayStart: (n) => (this.keepAliveDone || n < ahead * this.keepAliveResponses + urls.length) && this.take(),
        onResponse: (_status, _bytes, ms) => window.record(ms),
      });
    }
    let last = 0;
    let lastAt = started;
    const emit = () => {
      const now = this.keepAliveResponses + (this.churn?.completed ?? 0);
      const at = performance.now();
      onTick({
        count: now - last,
        p99Ms: window.percentile(99),
        latency: window.snapshot(),
        seconds: (at - lastAt) / 1000,
      });
      last = now;
      lastAt = at;
      window.reset();
    };
    const tick = setInterval(emit, 1000);
    const cap = opts.durationS > 0 ? setTimeout(() => this.stop(), opts.durationS * 1000) : undefined;
    const keepAliveDone = this.keepAlive?.done.then(
      async (r) => {
        const all = this.guestCloses && !this.stopped ? await this.carryOn(r, opts, window) : r;
        this.keepAliveDone = true;
        return all;
      },
      (err) => {
        this.stop();
        throw err;
      },
    );
    this.done = Promise.all([keepAliveDone, this.churn?.done])
      .then(([ka, churn]) => this.combine(ka, churn, (performance.now() - started) / 1000, opts.requests))
      .finally(() => {
        clearInterval(tick);
        clearTimeout(cap);
        emit(); // the last window, however short: a soak of seconds has little else
      });
  }

  /** what the keep-alive connections sent and have not had answered (in-flight.ts) */
  unanswered(): SentRequest[] {
    return this.keepAlive?.sent.unanswered() ?? [];
  }

  /** the whole run's latencies so far: keep-alive and churn apart, as the result reports them */
  latencies(): { keepAlive: HistogramSnapshot; churn: HistogramSnapshot } {
    return { keepAlive: this.keepAliveLatency.snapshot(), churn: this.churn?.latency.snapshot() ?? [] };
  }

  /** paced: the engine allows `upTo` requests in all so far (load/pace.ts) */
  grant(upTo: number): void {
    this.granted = Math.max(this.granted, upTo);
  }

  /** may a request start (and it is counted as started)? Always, unless paced and not granted yet. */
  private take(): boolean {
    if (!this.paced) return true;
    if (this.taken >= this.granted) return false;
    this.taken++;
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.keepAlive?.stop();
    this.carried?.stop();
    this.churn?.stop();
  }

  /** The keep-alive requests autocannon did not make, each on a new connection; the result is both. */
  private async carryOn(ka: LoadResult, opts: MixedOptions, window: LatencyHistogram): Promise<MixedResult> {
    const asked = opts.requests - Math.round(opts.requests * opts.churn.share);
    const started = performance.now();
    this.carried = new ChurnRun({
      urls: opts.urls,
      requests: asked - ka.requests,
      timeoutS: opts.timeoutS,
      cycle: requestCycle(opts.paths, opts.etags).map((r) => ({ path: r.path ?? "/", headers: r.headers })),
      mayStart: () => this.take(),
      onResponse: (_status, _bytes, ms) => {
        this.keepAliveResponses++;
        window.record(ms);
        this.keepAliveLatency.record(ms);
      },
    });
    const c = await this.carried.done;
    const statuses = addStatuses({ ...ka.statuses }, c.statuses);
    const requests = ka.requests + c.requests;
    const durationS = Math.round((ka.durationS + (performance.now() - started) / 1000) * 100) / 100;
    return {
      ...ka,
      requests,
      durationS,
      rps: durationS > 0 ? requests / durationS : 0,
      errors: ka.errors + c.errors,
      timeouts: ka.timeouts + c.timeouts,
      statuses,
      unexpectedStatuses: unexpectedCount(statuses),
      latencyMs: this.keepAliveLatency.summary(),
      bytes: ka.bytes + c.bytes,
      stopped: this.stopped || requests < asked,
      errorSamples: [...ka.errorSamples, ...c.errorSamples].slice(0, ERROR_SAMPLES),
      closedAfterEach: c.connections,
    };
  }

  /** The keep-alive result with the churn's added in; latency: the keep-alive's when there is one (churn has its own). */
  private combine(
    ka: MixedResult | undefined,
    churn: ChurnResult | undefined,
    wallS: number,
    asked: number,
  ): MixedResult {
    if (ka && !churn) return ka;
    const c = churn as ChurnResult;
    const statuses = addStatuses({ ...ka?.statuses }, c.statuses);
    const requests = (ka?.requests ?? 0) + c.requests;
    const durationS = Math.round(wallS * 100) / 100;
    return {
      requests,
      durationS,
      rps: durationS > 0 ? requests / durationS : 0,
      errors: (ka?.errors ?? 0) + c.errors,
      timeouts: (ka?.timeouts ?? 0) + c.timeouts,
      statuses,
      unexpectedStatuses: unexpectedCount(statuses),
      latencyMs: ka?.latencyMs ?? c.latencyMs,
      bytes: (ka?.bytes ?? 0) + c.bytes,
      stopped: this.stopped || requests < asked,
      errorSamples: [...(ka?.errorSamples ?? []), ...c.errorSamples].slice(0, ERROR_SAMPLES),
      churn: c,
      ...(ka?.closedAfterEach !== undefined ? { closedAfterEach: ka.closedAfterEach } : {}),
      ...(ka?.endedByGuest ? { endedByGuest: ka.endedByGuest } : {}),
    };
  }
}
