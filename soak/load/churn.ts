// Connection churn: requests each on a TCP connection of its own, as the seed's
// `xargs -P 50 curl` made them, so the guest's accept and close paths are soaked.
// autocannon keeps its connections alive, so this is a small client on node:net: one
// worker per URL, a forwarded port (QEMU accepts on each port with a backlog of one, so one
// connect at a time per port loses no SYN) or the guest's own address, each connecting, asking with `Connection:
// close`, reading the response and waiting for the guest's close, in turn. The guest
// closes first (its FIN, TIME_WAIT, and a SYN on a tuple in TIME_WAIT when the host reuses
// the source port): when the host closes first, QEMU 7.2's user networking holds each
// connection in TIME_WAIT and its resident memory grew 85 -> 549 MiB in 60 s (96,000
// connections; BENCHMARKS.md), which would judge QEMU, not the kernel. A guest that keeps
// the connection open anyway (RFC 9112 §9.6 says it must close) gets CLOSE_GRACE_MS after
// the whole response, then a reset from us (no TIME_WAIT anywhere): without it each such
// request would wait out the request timeout; once it has kept KEPT_OPEN_RUN in a row
// open, the client stops waiting for it. Bounded by a request count, a per-request
// timeout and stop().
import { connect, type Socket } from "node:net";
import { LatencyHistogram } from "./histogram.ts";
import { ERROR_SAMPLES } from "./tally.ts";

export interface ChurnRequest {
  path: string;
  headers?: Record<string, string | string[] | undefined>;
}

export interface ChurnOptions {
  /** `http://host:port`, one worker each */
  urls: string[];
  requests: number;
  timeoutS: number;
  /** the mix, walked in turn by each worker */
  cycle: ChurnRequest[];
  /** may another request start now, `started` having started so far? (keeps churn to its share beside the keep-alive load) */
  mayStart: (started: number) => boolean;
  /** every response, with its latency */
  onResponse: (status: number, bytes: number, ms: number) => void;
}

export interface ChurnResult {
  requests: number;
  connections: number;
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  bytes: number;
  errorSamples: { at: number; message: string }[];
  /** connections the guest had not closed CLOSE_GRACE_MS after a whole response: the client reset them */
  keptOpen: number;
}

const PACE_MS = 5;
/** how long a complete response's connection waits for the guest's close */
export const CLOSE_GRACE_MS = 250;
/** connections kept open in a row after which the guest is taken at its habit: no more grace */
const KEPT_OPEN_RUN = 3;
const MAX_HEAD = 65536;

class Timeout extends Error {}

export class ChurnRun {
  /** responses so far */
  completed = 0;
  private started = 0;
  private stopped = false;
  /** the latest connections the guest kept open after a whole response, in a row */
  private keptOpenRun = 0;
  /** every response's latency, for a result merged with other processes' (pool.ts) */
  readonly latency: LatencyHistogram;
  private readonly result: Omit<ChurnResult, "latencyMs" | "requests" | "connections">;
  private readonly open = new Set<Socket>();
  readonly done: Promise<ChurnResult>;

  constructor(private readonly o: ChurnOptions) {
    this.latency = new LatencyHistogram(o.timeoutS * 1000);
    this.result = { errors: 0, timeouts: 0, statuses: {}, bytes: 0, errorSamples: [], keptOpen: 0 };
    this.done = Promise.all(o.urls.map((u, i) => this.worker(target(u), i))).then(() => ({
      ...this.result,
      requests: this.completed,
      connections: this.started,
      latencyMs: this.latency.summary(),
    }));
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.open) s.destroy();
  }

  private async worker(to: Target, index: number): Promise<void> {
    let turn = index; // workers start at different places in the mix
    while (!this.stopped && this.started < this.o.requests) {
      if (!this.o.mayStart(this.started)) {
        await new Promise((r) => setTimeout(r, PACE_MS));
        continue;
      }
      this.started++;
      const req = this.o.cycle[turn % this.o.cycle.length];
      turn++;
      const t0 = performance.now();
      try {
        const { status, bytes, completeAt } = await this.once(to, req);
        const ms = completeAt - t0;
        this.completed++;
        this.latency.record(ms);
        this.result.statuses[status] = (this.result.statuses[status] ?? 0) + 1;
        this.result.bytes += bytes;
        this.o.onResponse(status, bytes, ms);
      } catch (err) {
        if (this.stopped) return;
        this.result.errors++;
        if (err instanceof Timeout) this.result.timeouts++;
        if (this.result.errorSamples.length < ERROR_SAMPLES)
          this.result.errorSamples.push({ at: Date.now(), message: `new connection: ${(err as Error).message}` });
      }
    }
  }

  /** One connection, one request, one response, closed by the guest (or by us, CLOSE_GRACE_MS after it). */
  private once(to: Target, req: ChurnRequest): Promise<{ status: number; bytes: number; completeAt: number }> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: to.host, port: to.port, noDelay: true });
      this.open.add(socket);
      let head = Buffer.alloc(0);
      let want: { status: number; bytes: number } | undefined;
      let got = 0;
      let completeAt = 0;
      let timer = setTimeout(
        () => finish(new Timeout(`no response within ${this.o.timeoutS} s`)),
        this.o.timeoutS * 1000,
      );
      let finished = false;
      const finish = (err?: Error, keptOpen = false) => {
        if (finished) return; // 'end', 'close' and 'error' may all follow one another
        finished = true;
        clearTimeout(timer);
        this.open.delete(socket);
        if (keptOpen) socket.resetAndDestroy();
        else socket.destroy();
        if (completeAt) this.keptOpenRun = keptOpen ? this.keptOpenRun + 1 : 0;
        if (err) reject(err);
        else if (want && completeAt) resolve({ ...want, completeAt });
        // a body without a length ends with the guest's close
        else if (want?.bytes === Infinity) resolve({ ...want, bytes: got, completeAt: performance.now() });
        else reject(new Error("the guest closed the connection before a whole response"));
      };
      const headers = { ...req.headers, connection: "close" };
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${String(v)}\r\n`);
      socket.write(`GET ${req.path} HTTP/1.1\r\nhost: ${to.header}\r\n${lines.join("")}\r\n`);
      socket.on("data", (d: Buffer) => {
        got += d.length;
        if (!want) {
          head = Buffer.concat([head, d]);
          want = responseSize(head);
          if (!want && head.length > MAX_HEAD)
            return finish(new Error(`no end of the response head in ${MAX_HEAD} bytes`));
        }
        if (want && got >= want.bytes && !completeAt) {
          completeAt = performance.now();
          clearTimeout(timer);
          timer = setTimeout(
            () => {
              this.result.keptOpen++;
              finish(undefined, true);
            },
            this.keptOpenRun >= KEPT_OPEN_RUN ? 0 : CLOSE_GRACE_MS,
          );
        }
      });
      socket.on("end", () => finish());
      socket.on("close", () => finish());
      socket.on("error", (err) => finish(err));
    });
  }
}

interface Target {
  host: string;
  port: number;
  /** the Host header: the URL's host and port */
  header: string;
}

/** `http://host:port` → where to connect */
function target(url: string): Target {
  const u = new URL(url);
  if (u.protocol !== "http:") throw new Error(`churn: ${url} is not an http:// URL`);
  return { host: u.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(u.port || 80), header: u.host };
}

/** Once the head is in: the status and the whole response's size (head + Content-Length; no body for a
 * 1xx, 204 or 304); Infinity when the body ends with the close (no length, or chunked) */
function responseSize(buf: Buffer): { status: number; bytes: number } | undefined {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const head = buf.subarray(0, end).toString("latin1");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  if (status < 200 || status === 204 || status === 304) return { status, bytes: end + 4 };
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
  const chunked = /\r\ntransfer-encoding:[^\r]*chunked/i.test(head);
  return { status, bytes: length !== undefined && !chunked ? end + 4 + Number(length) : Infinity };
}
