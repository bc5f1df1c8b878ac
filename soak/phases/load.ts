// The load, with every watcher running: the counters' baseline (unless --stats-path none),
// the ETags to revalidate, then the request count (or the time cap), stopped early by the
// first finding; the timeline's last entry when the load ends.
import type { SoakContext } from "../context.ts";
import { guestBehaviourNotes } from "../load/guest-behaviour.ts";
import { LoadPool, type PoolTick } from "../load/pool.ts";
import { countersOff, keepAliveConnections, loadWorkerCount } from "../options.ts";
import { clock as clockText } from "../progress.ts";
import { type LoadCounter, TimelineRecorder } from "../report/recorder.ts";
import type { InFlight } from "../report/types.ts";
import type { Guest } from "../vm/guest.ts";
import { GuestTime } from "../watch/guest-time.ts";
import { HealthMonitor } from "../watch/health-monitor.ts";
import { HostMonitor } from "../watch/host-monitor.ts";
import { StatsAnswerError } from "../watch/stats-answer.ts";
import { StatsMonitor } from "../watch/stats-monitor.ts";
import { guestCpuSeconds } from "../watch/threads.ts";
import { TrendMonitor } from "../watch/trend-monitor.ts";
import { guestTimeLine, holdUntilUptime, paceNote } from "./by-guest-clock.ts";

const describePorts = (g: Guest) =>
  `${[
    g.loadUrls.length ? `keep-alive connections over ${g.loadUrls.length} ports` : "",
    g.churnUrls.length ? `new connections over ${g.churnUrls.length}` : "",
  ]
    .filter(Boolean)
    .join(", ")} (${g.path})`;

export async function load(ctx: SoakContext, guest: Guest): Promise<void> {
  const o = ctx.o;
  ctx.hooks.log(
    `guest answered ${o.healthPath} ${ctx.report.boot.readyMs} ms after QEMU started (${ctx.report.accel.used}); loading ${describePorts(guest)}`,
  );
  if (!countersOff(o) && !(await baseline(ctx, guest))) return;
  const etags = new Map<string, string>();
  for (const p of o.paths.filter((x) => x.revalidate)) {
    const etag = (await guest.health.get(p.path, 5000)).headers.etag;
    if (typeof etag !== "string")
      throw new Error(`--paths: inm:${p.path} needs an ETag, but ${p.path} answered without one`);
    etags.set(p.path, etag);
  }

  const started = Date.now();
  const sink = ctx.findings.add;
  ctx.stats.startLoad(started);
  const health = ctx.attach(
    new HealthMonitor(
      guest.health,
      { path: o.healthPath, intervalMs: o.intervalMs, timeoutMs: o.healthTimeoutMs, failures: o.healthFailures },
      sink,
    ),
  );
  if (!countersOff(o))
    ctx.attach(
      new StatsMonitor(
        guest.stats,
        { path: o.statsPath, intervalMs: o.intervalMs, timeoutMs: o.healthTimeoutMs, failures: o.healthFailures },
        ctx.stats,
        sink,
      ),
    );
  ctx.host = ctx.attach(new HostMonitor(guest.vm.pid, o, sink, started));
  const counter: LoadCounter = { requests: 0, rps: 0 };
  const recorder = ctx.attach(new TimelineRecorder(ctx, health, counter, started));
  ctx.trends = ctx.attach(new TrendMonitor(ctx, counter, started, sink));

  const run = new LoadPool(
    {
      workers: loadWorkerCount(o),
      enter: guest.enter,
      urls: guest.loadUrls,
      requests: o.requests,
      durationS: o.durationS,
      connections: keepAliveConnections(o),
      churn: { share: o.churnPercent / 100, urls: guest.churnUrls },
      pipelining: o.pipelining,
      timeoutS: o.requestTimeoutS,
      paths: o.paths,
      etags,
      paced: o.rate > 0,
    },
    (t: PoolTick) => {
      counter.requests += t.count;
      counter.rps = t.rps;
      counter.p99Ms = t.p99Ms;
    },
  );
  ctx.hooks.log(`the load runs in ${run.workers} worker process${run.workers > 1 ? "es" : ""}`);
  const guestTime = ctx.attach(
    new GuestTime(
      ctx.stats.clock,
      { rate: o.rate, uptimeS: o.uptimeS, counter: o.counters.uptime },
      (n) => run.grant(n),
      sink,
    ),
  );
  if (o.rate > 0 || o.uptimeS > 0) ctx.hooks.log(guestTimeLine(o.rate, o.uptimeS, o.timeWarp));
  guestTime.reached.then(() => {
    ctx.hooks.log(`the guest's uptime reached ${clockText(o.uptimeS)}: the load stops`);
    run.stop();
  });
  const vcpuBefore = await guestCpuSeconds(guest.vm.pid);
  let loadOver = false;
  let inFlight: Promise<InFlight> | undefined;
  const stoppedByFinding = await Promise.race([
    run.done.then(() => {
      loadOver = true;
      return false;
    }),
    ctx.findings.first.then(() => {
      // what was on the wire when the watcher fired; a finding after the load has none
      // asked before the stop: each worker answers in the order it is told
      if (!loadOver) inFlight = inFlightNow(ctx, run);
      return true;
    }),
  ]);
  if (stoppedByFinding) run.stop();
  if (inFlight) ctx.report.inFlight = await inFlight;
  const result = await run.done;
  const vcpuS = vcpuBetween(vcpuBefore, await guestCpuSeconds(guest.vm.pid));
  // the load's last window, then no load: the timeline must not repeat its last rate
  recorder.record();
  counter.rps = 0;
  counter.p99Ms = undefined;
  const notes = [...guestBehaviourNotes(result), ...paceNote(o.rate, guestTime.granted, result.requests)];
  for (const note of notes) ctx.hooks.log(note);
  ctx.report.load = {
    ...result,
    asked: o.requests,
    workers: run.workers,
    ...(vcpuS !== undefined ? { vcpuS } : {}),
    ...(notes.length ? { notes } : {}),
  };
  if (stoppedByFinding) return;
  if (o.uptimeS > 0 && !guestTime.done) await holdUntilUptime(ctx, guestTime, started);
  const capped = (o.durationS > 0 && result.durationS >= o.durationS - 1) || guestTime.done;
  const problems = [
    result.errors > 0 ? `${result.errors} errors (${result.timeouts} timeouts)` : "",
    result.unexpectedStatuses > 0
      ? `${result.unexpectedStatuses} responses with unexpected statuses (${JSON.stringify(result.statuses)})`
      : "",
    !capped && result.requests < o.requests ? `only ${result.requests} of ${o.requests} requests completed` : "",
  ].filter(Boolean);
  if (problems.length) sink({ kind: "load", at: Date.now(), message: problems.join("; "), evidence: { ...result } });
}

/** The guest's vCPU seconds over the load window, to the microsecond. */
const vcpuBetween = (before?: number, after?: number) =>
  before === undefined || after === undefined ? undefined : Math.round((after - before) * 1e6) / 1e6;

/**
 * The counters before the load. A stats path that does not answer them is the run's setting,
 * not the kernel's failing: an error (exit 2) that says what came back and the ways out.
 * False when a watcher's finding (a crash, QEMU's exit) came first.
 */
async function baseline(ctx: SoakContext, guest: Guest): Promise<boolean> {
  const path = ctx.o.statsPath;
  const wayOut = `pass the path your kernel serves its counters at, or --stats-path none (action input stats-path: none) to soak without counters (tx_stalls, pages and resets by boot id then go unwatched)`;
  try {
    const answer = await guest.stats.get(path, 5000);
    ctx.stats.check(ctx.stats.read(answer), Date.now());
    return true;
  } catch (err) {
    if (ctx.findings.any) return false;
    if (err instanceof StatsAnswerError)
      throw new Error(
        `--stats-path: before the load, ${err.message}; the kernel contract asks for a flat JSON object of counters there: ${wayOut}`,
      );
    throw new Error(`--stats-path: ${path} did not answer before the load (${(err as Error).message}): ${wayOut}`);
  }
}

/** The requests on the wire now, with the guest's request counter as last polled. */
async function inFlightNow(ctx: SoakContext, run: LoadPool): Promise<InFlight> {
  const { last, lastAt } = ctx.stats;
  const requests = await run.unanswered();
  const now = Date.now();
  return {
    at: new Date(now).toISOString(),
    guestRequests: last?.requests,
    guestAt: lastAt ? new Date(lastAt).toISOString() : undefined,
    requests: requests.map(({ answered: _, sentAt, ...r }) => ({
      ...r,
      sentAt: new Date(sentAt).toISOString(),
      ageMs: now - sentAt,
    })),
  };
}
