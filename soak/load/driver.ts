// The load: autocannon, driven programmatically, over a weighted mix of paths on
// keep-alive connections, and a share of the requests each on a new connection
// (churn.ts). Bounded by a request count and an optional time cap; stop() ends it at
// once (a watcher found a fault, or the user pressed Ctrl-C).
import autocannon from "autocannon";
import type { PathWeight } from "../options.ts";
import { type ChurnResult, ChurnRun } from "./churn.ts";
import { LatencyHistogram } from "./histogram.ts";

export interface LoadOptions {
  /** the same guest through several forwarded ports; connections are spread over them */
  urls: string[];
  requests: number;
  durationS: number;
  connections: number;
  pipelining: number;
  timeoutS: number;
  paths: PathWeight[];
  /** ETag per revalidated path, learned before the load */
  etags: Map<string, string>;
  /** headers sent with every request (e.g. Connection: close) */
  headers?: Record<string, string>;
  /** the share of the requests (0-1) each made on a new connection, one churn worker per port */
  churn?: { share: number; ports: number[] };
}

export interface LoadTick {
  /** responses in the last second */
  count: number;
  bytes: number;
  /** the 99th-percentile latency of those responses, ms */
  p99Ms: number;
}

export interface LoadResult {
  requests: number;
  durationS: number;
  rps: number;
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  unexpectedStatuses: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  bytes: number;
  /** true when stopped before the requested count was reached */
  stopped: boolean;
  /** the first request errors, with when they happened (ms since the epoch) */
  errorSamples: { at: number; message: string }[];
  /** the requests made on new connections (counted in the totals above too) */
  churn?: ChurnResult;
}

const ERROR_SAMPLES = 20;

/** The request cycle autocannon walks on every connection: each path repeated by its weight, interleaved. */
export function requestCycle(paths: PathWeight[], etags: Map<string, string>): autocannon.Request[] {
  const left = paths.map((p) => p.weight);
  const cycle: autocannon.Request[] = [];
  while (left.some((n) => n > 0)) {
    paths.forEach((p, i) => {
      if (left[i] === 0) return;
      left[i]--;
      const etag = p.revalidate ? etags.get(p.path) : undefined;
      cycle.push({ method: "GET", path: p.path, ...(etag ? { headers: { "if-none-match": etag } } : {}) });
    });
  }
  return cycle;
}

const expected = (code: string) => code.startsWith("2") || code === "304";

export class LoadRun {
  private instance?: autocannon.Instance;
  private churn?: ChurnRun;
  private capTimer?: NodeJS.Timeout;
  private tickTimer?: NodeJS.Timeout;
  private stoppedEarly = false;
  private readonly errorSamples: LoadResult["errorSamples"] = [];
  /** the keep-alive connections' responses so far */
  private readonly keepAlive = { responses: 0, bytes: 0, done: false };
  readonly done: Promise<LoadResult>;

  constructor(opts: LoadOptions, onTick: (t: LoadTick) => void) {
    const started = performance.now();
    const share = opts.churn?.share ?? 0;
    const churnRequests = Math.round(opts.requests * share);
    const window = new LatencyHistogram(opts.timeoutS * 1000);
    const keepAlive =
      opts.requests > churnRequests ? this.keepAliveLoad(opts, opts.requests - churnRequests, window) : undefined;
    if (!keepAlive) this.keepAlive.done = true;
    if (churnRequests > 0 && opts.churn) {
      const ahead = share / (1 - share);
      const workers = opts.churn.ports.length;
      this.churn = new ChurnRun({
        ports: opts.churn.ports,
        requests: churnRequests,
        timeoutS: opts.timeoutS,
        cycle: requestCycle(opts.paths, opts.etags).map((r) => ({ path: r.path ?? "/", headers: r.headers })),
        // keep to the share: at most one request per worker ahead of the keep-alive load
        mayStart: (n) => this.keepAlive.done || n < ahead * this.keepAlive.responses + workers,
        onResponse: (_status, _bytes, ms) => window.record(ms),
      });
    }
    let last = { count: 0, bytes: 0 };
    this.tickTimer = setInterval(() => {
      const now = {
        count: this.keepAlive.responses + (this.churn?.completed ?? 0),
        bytes: this.keepAlive.bytes + (this.churn?.bytes ?? 0),
      };
      onTick({ count: now.count - last.count, bytes: now.bytes - last.bytes, p99Ms: window.percentile(99) });
      last = now;
      window.reset();
    }, 1000);
    const finished = (r: LoadResult | undefined) => {
      this.keepAlive.done = true;
      return r;
    };
    this.done = Promise.all([
      keepAlive?.then(finished, (err) => {
        this.stop();
        throw err;
      }),
      this.churn?.done,
    ]).then(
      ([ka, churn]) => {
        this.clearTimers();
        return this.combine(ka, churn, (performance.now() - started) / 1000, opts.requests);
      },
      (err) => {
        this.clearTimers();
        throw err;
      },
    );
    if (opts.durationS > 0) this.capTimer = setTimeout(() => this.stop(), opts.durationS * 1000);
  }

  stop(): void {
    this.stoppedEarly = true;
    this.instance?.stop();
    this.churn?.stop();
  }

  private clearTimers(): void {
    clearTimeout(this.capTimer);
    clearInterval(this.tickTimer);
  }

  private keepAliveLoad(opts: LoadOptions, requests: number, window: LatencyHistogram): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      this.instance = autocannon(
        {
          // autocannon takes an array of URLs (and spreads the connections over them); its types say string.
          url: opts.urls as unknown as string,
          connections: Math.min(opts.connections, requests),
          pipelining: opts.pipelining,
          amount: requests,
          timeout: opts.timeoutS,
          requests: requestCycle(opts.paths, opts.etags),
          headers: opts.headers,
        },
        (err, result) => (err ? reject(err) : resolve(this.summarize(result, requests))),
      );
      // "response" (per response) is emitted but missing from @types/autocannon.
      const events = this.instance as unknown as NodeJS.EventEmitter;
      events.on("response", (_client: unknown, _status: number, bytes: number, ms: number) => {
        this.keepAlive.responses++;
        this.keepAlive.bytes += bytes;
        window.record(ms);
      });
      events.on("reqError", (err: Error) => {
        if (this.errorSamples.length < ERROR_SAMPLES) this.errorSamples.push({ at: Date.now(), message: err.message });
      });
    });
  }

  private summarize(r: autocannon.Result, asked: number): LoadResult {
    const statuses: Record<string, number> = {};
    let unexpected = 0;
    for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) {
      const count = (s as { count: number }).count;
      statuses[code] = count;
      if (!expected(code)) unexpected += count;
    }
    const requests = r.requests.total ?? 0;
    return {
      requests,
      durationS: r.duration,
      rps: r.duration > 0 ? requests / r.duration : 0,
      errors: r.errors,
      timeouts: r.timeouts,
      statuses,
      unexpectedStatuses: unexpected,
      latencyMs: {
        p50: r.latency.p50,
        p90: r.latency.p90,
        p99: r.latency.p99,
        max: r.latency.max,
        mean: r.latency.average,
      },
      bytes: r.throughput.total,
      stopped: this.stoppedEarly || requests < asked,
      errorSamples: this.errorSamples,
    };
  }

  /** The keep-alive result with the churn's added in (latency: the keep-alive's when there is one, as churn is reported on its own). */
  private combine(
    ka: LoadResult | undefined,
    churn: ChurnResult | undefined,
    wallS: number,
    asked: number,
  ): LoadResult {
    if (!churn) return ka as LoadResult;
    const statuses = { ...ka?.statuses };
    for (const [code, n] of Object.entries(churn.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
    const requests = (ka?.requests ?? 0) + churn.requests;
    const durationS = Math.round(wallS * 100) / 100;
    return {
      requests,
      durationS,
      rps: durationS > 0 ? requests / durationS : 0,
      errors: (ka?.errors ?? 0) + churn.errors,
      timeouts: (ka?.timeouts ?? 0) + churn.timeouts,
      statuses,
      unexpectedStatuses: Object.entries(statuses).reduce((n, [code, k]) => n + (expected(code) ? 0 : k), 0),
      latencyMs: ka?.latencyMs ?? churn.latencyMs,
      bytes: (ka?.bytes ?? 0) + churn.bytes,
      stopped: this.stoppedEarly || requests < asked,
      errorSamples: [...this.errorSamples, ...churn.errorSamples].slice(0, ERROR_SAMPLES),
      churn,
    };
  }
}
