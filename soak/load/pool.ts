// The load in child processes ("load workers", load-worker.ts), so it can use more than
// one core and run where this process cannot (a network namespace, through `enter`).
// Each worker is a MixedLoad with its part of the load (split.ts); the pool merges their
// ticks (counts and latency histograms) into one a second (and one for the last part of a
// second when the load ends), and their results into one.
// Workers never outlive the engine: a parent-death signal and their exit when the IPC
// channel closes. One that dies before its result makes `done` reject, naming it.
import { type ChildProcess, spawn } from "node:child_process";
import { childScript } from "../child-script.ts";
import { LatencyHistogram } from "./histogram.ts";
import type { SentRequest } from "./in-flight.ts";
import type { MixedOptions, MixedResult, MixedTick } from "./mixed.ts";
import { poolResult } from "./pool-result.ts";
import { splitLoad, usableWorkers, type WorkerPart } from "./split.ts";
import type { FromWorker, ToWorker } from "./worker-messages.ts";

export interface PoolOptions extends MixedOptions {
  /** processes to spread the load over (>= 1) */
  workers: number;
  /** argv prefix that runs each worker elsewhere (e.g. inside a network namespace); none: as this process */
  enter?: string[];
}

type Done = Extract<FromWorker, { type: "done" }>;

/** The pool's tick: the workers' windows added up, and their rate (each worker's count over its window's length). */
export interface PoolTick extends MixedTick {
  /** responses per second */
  rps: number;
}

interface Worker {
  child: ChildProcess;
  part: WorkerPart;
  /** its result, once sent */
  result?: Done;
  /** killed for not answering stop() (STOP_GRACE_MS) */
  unresponsive?: boolean;
  readonly done: Promise<Done>;
  readonly exited: Promise<void>;
}

const STDERR_TAIL = 2000;
const ASK_TIMEOUT_MS = 2000;
const EXIT_GRACE_MS = 2000;
/** a worker that has not sent its result this long after stop() is killed: a worker too busy to
 * read its channel (a client reconnecting in a tight loop) must not hold the soak forever */
export const STOP_GRACE_MS = 10_000;

export class LoadPool {
  readonly done: Promise<MixedResult>;
  /** how many processes the load runs in (the option, reduced to what the load can use) */
  readonly workers: number;
  private readonly procs: Worker[];
  private stopped = false;
  private readonly asks = new Map<number, (r: SentRequest[]) => void>();
  private nextAsk = 0;
  private readonly window: LatencyHistogram;
  private windowCount = 0;
  /** per worker: responses and seconds of the windows it sent since the pool's last tick */
  private readonly windows = new Map<number, { count: number; seconds: number }>();
  private ticker?: NodeJS.Timeout;
  private readonly onTick: (t: PoolTick) => void;
  private stopDeadline?: NodeJS.Timeout;

  constructor(o: PoolOptions, onTick: (t: PoolTick) => void) {
    const { workers, enter, ...mixed } = o;
    this.onTick = onTick;
    this.workers = usableWorkers(mixed, workers);
    this.window = new LatencyHistogram(o.timeoutS * 1000);
    const parts = splitLoad(mixed, this.workers);
    this.procs = parts.map((part, i) => this.start(part, i, enter ?? []));
    const churnRequests = Math.round(o.requests * o.churn.share);
    this.done = this.collect({
      asked: o.requests,
      keepAlive: o.requests > churnRequests,
      capMs: o.timeoutS * 1000,
    });
  }

  /** the workers' process ids (for CPU figures, and tests) */
  get pids(): number[] {
    return this.procs.flatMap((w) => (w.child.pid ? [w.child.pid] : []));
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.procs) send(w.child, { type: "stop" });
    this.stopDeadline ??= setTimeout(() => {
      for (const w of this.procs)
        if (!w.result) {
          w.unresponsive = true;
          w.child.kill("SIGKILL");
        }
    }, STOP_GRACE_MS);
  }

  /** Paced (--rate): `total` requests may have started in all; each worker gets its part's share of them. */
  grant(total: number): void {
    const all = this.procs.reduce((n, w) => n + w.part.options.requests, 0);
    for (const w of this.procs)
      send(w.child, { type: "grant", upTo: Math.floor((total * w.part.options.requests) / all) });
  }

  /** what the keep-alive connections of all workers sent and have not had answered */
  async unanswered(): Promise<SentRequest[]> {
    const lists = await Promise.all(
      this.procs.map(async (w) => {
        const requests = w.result ? w.result.unanswered : await this.ask(w);
        // each worker numbers its connections from 0: number them across the pool
        return requests.map((r) => ({ ...r, connection: r.connection + w.part.firstConnection }));
      }),
    );
    return lists.flat().sort((a, b) => a.sentAt - b.sentAt);
  }

  private ask(w: Worker): Promise<SentRequest[]> {
    if (!w.child.connected) return Promise.resolve([]);
    const id = ++this.nextAsk;
    return new Promise((resolve) => {
      const answer = (r: SentRequest[]) => {
        clearTimeout(timer);
        this.asks.delete(id);
        resolve(r);
      };
      const timer = setTimeout(() => answer([]), ASK_TIMEOUT_MS);
      this.asks.set(id, answer);
      w.exited.then(() => answer([]));
      send(w.child, { type: "unanswered", id });
    });
  }

  private start(part: WorkerPart, i: number, enter: string[]): Worker {
    const name = `load worker ${i + 1} of ${this.workers}`;
    // setpriv last, right before node: a wrapper in `enter` that forks or is set-user-ID would lose the signal
    const argv = [...enter, "setpriv", "--pdeathsig", "KILL", "--", ...childScript("load/load-worker", "load-worker")];
    // a process group of its own: a terminal's Ctrl-C is the engine's to handle
    // the IPC channel on fd 0: sudo (in `enter`) closes every descriptor above 2
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ["ipc", "ignore", "pipe"],
      serialization: "advanced",
      detached: true,
    });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr = (stderr + d).slice(-STDERR_TAIL);
    });
    const w: Worker = {
      child,
      part,
      exited: new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.once("error", () => resolve());
      }),
      done: new Promise<Done>((resolve, reject) => {
        child.on("message", (m: FromWorker) => {
          if (m.type === "tick") this.tick(m, i);
          else if (m.type === "unanswered") this.asks.get(m.id)?.(m.requests);
          else if (m.type === "done") {
            w.result = m;
            resolve(m);
          } else if (m.type === "failed") reject(new Error(`${name} failed: ${m.message}`));
        });
        child.once("error", (err) => reject(new Error(`${name}: cannot start ${argv[0]} (${err.message})`)));
        child.once("close", (code, signal) => {
          const how = w.unresponsive
            ? `did not stop within ${STOP_GRACE_MS / 1000} s of being asked, and was killed`
            : signal
              ? `was killed by ${signal}`
              : `exited with code ${code}`;
          const tail = stderr.trim() ? `; its stderr ended:\n${stderr.trim()}` : " (nothing on its stderr)";
          reject(new Error(`${name} (pid ${child.pid}) ${how} before its result${tail}`));
        });
      }),
    };
    send(child, { type: "start", options: part.options });
    return w;
  }

  /** Adds a worker's window to the pool's; the pool's own clock ticks half a second after the workers' first. */
  private tick(m: Extract<FromWorker, { type: "tick" }>, worker: number): void {
    this.windowCount += m.count;
    this.window.merge(m.latency);
    const w = this.windows.get(worker) ?? { count: 0, seconds: 0 };
    this.windows.set(worker, { count: w.count + m.count, seconds: w.seconds + m.seconds });
    if (this.ticker) return;
    this.ticker = setTimeout(() => {
      this.emit();
      this.ticker = setInterval(() => this.emit(), 1000);
    }, 500);
  }

  private emit(): void {
    let rps = 0;
    for (const w of this.windows.values()) if (w.seconds > 0) rps += w.count / w.seconds;
    this.onTick({ count: this.windowCount, p99Ms: this.window.percentile(99), rps });
    this.windowCount = 0;
    this.windows.clear();
    this.window.reset();
  }

  private async collect(run: { asked: number; keepAlive: boolean; capMs: number }): Promise<MixedResult> {
    try {
      const dones = await Promise.all(this.procs.map((w) => w.done));
      // what came since the last tick: every worker sent its last window before its result
      clearInterval(this.ticker);
      if (this.windows.size) this.emit();
      const wallS = (Math.max(...dones.map((d) => d.endedAt)) - Math.min(...dones.map((d) => d.startedAt))) / 1000;
      return poolResult(dones, { ...run, stopped: this.stopped, wallS });
    } finally {
      clearTimeout(this.ticker);
      clearTimeout(this.stopDeadline);
      clearInterval(this.ticker);
      // a worker exits when its channel closes; one that does not is killed
      for (const w of this.procs) if (w.child.connected) w.child.disconnect();
      await Promise.all(this.procs.map((w) => gone(w)));
    }
  }
}

function send(child: ChildProcess, m: ToWorker): void {
  if (child.connected) child.send(m, () => {}); // a worker that has gone is the exit handler's to report
}

async function gone(w: Worker): Promise<void> {
  const timer = setTimeout(() => w.child.kill("SIGKILL"), EXIT_GRACE_MS);
  await w.exited;
  clearTimeout(timer);
}
