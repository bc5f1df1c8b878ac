// The load: autocannon, driven programmatically, over a weighted mix of paths on
// keep-alive connections. Bounded by a request count and an optional time cap;
// stop() ends it at once (a watcher found a fault, or the user pressed Ctrl-C).
import autocannon from "autocannon";
import type { PathWeight } from "../options.ts";
import { InFlightLog } from "./in-flight.ts";
import { ERROR_SAMPLES, isExpected, unexpectedCount } from "./tally.ts";

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
  /** every response, with its latency (load/mixed.ts counts them) */
  onResponse?: (ms: number, bytes: number) => void;
  /** called once, when the guest's first answer with an expected status says it closes the connection
   * after it: autocannon cannot carry on then (below), so the run has ended and load/mixed.ts takes over */
  onGuestCloses?: () => void;
}

/** What autocannon's client emits as "headers" (http-parser-js's parsed head) */
interface ResponseHead {
  statusCode: number;
  shouldKeepAlive: boolean;
}

export interface LoadTick {
  /** responses in the last second */
  count: number;
  bytes: number;
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
}

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

export class LoadRun {
  private instance?: autocannon.Instance;
  private capTimer?: NodeJS.Timeout;
  private stoppedEarly = false;
  private readonly errorSamples: LoadResult["errorSamples"] = [];
  private readonly clients: autocannon.Client[] = [];
  private keptAlive = false;
  private closedByGuest = false;
  /** each connection's last requests, answered or not */
  readonly sent = new InFlightLog();
  readonly done: Promise<LoadResult>;

  constructor(opts: LoadOptions, onTick: (t: LoadTick) => void) {
    this.done = new Promise((resolve, reject) => {
      this.instance = autocannon(
        {
          // autocannon takes an array of URLs (and spreads the connections over them); its types say string.
          url: opts.urls as unknown as string,
          connections: opts.connections,
          pipelining: opts.pipelining,
          amount: opts.requests,
          timeout: opts.timeoutS,
          requests: requestCycle(opts.paths, opts.etags),
          headers: opts.headers,
          setupClient: (client) => {
            this.sent.track(client);
            this.watchClose(client, opts.onGuestCloses);
          },
        },
        (err, result) => {
          clearTimeout(this.capTimer);
          if (err) return reject(err);
          resolve(this.summarize(result, opts.requests));
        },
      );
      // "tick" (once a second) is emitted but missing from @types/autocannon.
      const events = this.instance as unknown as NodeJS.EventEmitter;
      events.on("tick", (t: { counter: number; bytes: number }) => onTick({ count: t.counter, bytes: t.bytes }));
      const onResponse = opts.onResponse;
      if (onResponse)
        events.on("response", (_c: unknown, _s: number, bytes: number, ms: number) => onResponse(ms, bytes));
      events.on("reqError", (err: Error) => {
        if (this.errorSamples.length < ERROR_SAMPLES) this.errorSamples.push({ at: Date.now(), message: err.message });
      });
    });
    if (opts.durationS > 0) this.capTimer = setTimeout(() => this.stop(), opts.durationS * 1000);
  }

  stop(): void {
    this.stoppedEarly = true;
    this.instance?.stop();
  }

  /**
   * autocannon writes its next request on a connection the guest is closing and, on the
   * reconnect, matches each response to the request before it: half the requests counted,
   * latencies that grow without end. So the first expected answer that says the guest will
   * close (no earlier one having kept its connection) ends the run here, uncounted: every
   * connection is dropped at once (stop() takes up to a second), and onGuestCloses carries on.
   */
  private watchClose(client: autocannon.Client, onGuestCloses: (() => void) | undefined): void {
    this.clients.push(client);
    if (!onGuestCloses) return;
    (client as unknown as NodeJS.EventEmitter).on("headers", (head: ResponseHead) => {
      if (this.keptAlive || this.closedByGuest || !isExpected(String(head.statusCode))) return;
      if (head.shouldKeepAlive) {
        this.keptAlive = true;
        return;
      }
      this.closedByGuest = true;
      for (const c of this.clients) (c as unknown as { destroy(): void }).destroy();
      this.instance?.stop();
      onGuestCloses();
    });
  }

  private summarize(r: autocannon.Result, asked: number): LoadResult {
    const statuses: Record<string, number> = {};
    for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statuses[code] = (s as { count: number }).count;
    const requests = r.requests.total ?? 0;
    return {
      requests,
      durationS: r.duration,
      rps: r.duration > 0 ? requests / r.duration : 0,
      errors: r.errors,
      timeouts: r.timeouts,
      statuses,
      unexpectedStatuses: unexpectedCount(statuses),
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
}
