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
  /** keep-alive connections the guest ended with "Connection: close" after keeping them open (a
   * server's limit of requests a connection, as nginx's keepalive_requests): the load went on over new ones */
  endedByGuest?: number;
}

/** The parts of an autocannon client (lib/httpClient.js, 8.x) that a close by the guest needs. */
interface ClientInternals {
  _doRequest(): void;
  _resetConnection(): void;
  reqsMade: number;
  responseMax?: number;
  pipelinedRequests: { size(): number };
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
  private endedByGuest = 0;
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
   * latencies that grow without end. So a close is handled here. When the guest's first
   * expected answer says it will close (no earlier one having kept its connection), it closes
   * after every response: the run ends here, uncounted; every connection is dropped at once
   * (stop() takes up to a second), and onGuestCloses carries on. A close after keeping the
   * connection open (a server's limit of requests a connection) only moves that client to a
   * new connection, as autocannon's own reconnectRate does.
   */
  private watchClose(client: autocannon.Client, onGuestCloses: (() => void) | undefined): void {
    this.clients.push(client);
    let closing = false;
    (client as unknown as NodeJS.EventEmitter).on("headers", (head: ResponseHead) => {
      const expected = isExpected(String(head.statusCode));
      if (this.closedByGuest) return;
      if (head.shouldKeepAlive) this.keptAlive ||= expected;
      else if (this.keptAlive)
        closing = true; // whatever the status: the socket is closing
      else if (expected && onGuestCloses) {
        this.closedByGuest = true;
        for (const c of this.clients) (c as unknown as { destroy(): void }).destroy();
        this.instance?.stop();
        onGuestCloses();
      }
    });
    // after a close, the next request goes on a new connection, with those written after the
    // closing one (never to be answered there) made again
    const c = client as unknown as ClientInternals;
    const next = c._doRequest.bind(c);
    const sentAll = () => c.responseMax !== undefined && c.reqsMade >= c.responseMax;
    c._doRequest = () => {
      // autocannon ends a client once it has sent its share, dropping the pipelined answers
      // still on their way (--pipelining 4 lost 3 a connection): it ends once they are in
      if (sentAll() && c.pipelinedRequests.size() > 0) return;
      if (!closing) return next();
      closing = false;
      this.endedByGuest++;
      c.reqsMade -= c.pipelinedRequests.size();
      if (sentAll()) return next(); // its last answer: next() ends the client
      c._resetConnection();
    };
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
      ...(this.endedByGuest ? { endedByGuest: this.endedByGuest } : {}),
    };
  }
}
