// The load in worker processes (soak/load/pool.ts) against a booted bundled kernel: the
// totals add up over 1 and 2 workers, the merged latency and the ticks are sane (and
// count every response, a load of a moment included), stop()
// gives a partial result, unanswered() numbers connections across workers, and a worker
// killed from outside fails the load naming it. No worker is left behind.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type HttpGuest, httpGet, startHttpGuest, stopHttpGuest } from "../../test/http-guest.ts";
import { childScript } from "../child-script.ts";
import { LoadPool, type PoolOptions, type PoolTick, STOP_GRACE_MS } from "../load/pool.ts";
import { DEFAULTS } from "../options.ts";
import { alive, waitFor } from "./cli-run.ts";

const elf = inject("kernelElf");
const CONNECTIONS = 8;
let guest: HttpGuest;
let etags: Map<string, string>;

beforeAll(async () => {
  guest = await startHttpGuest(elf, { loadPorts: 10, churnPorts: 2 });
  etags = new Map();
  for (const p of DEFAULTS.paths.filter((x) => x.revalidate))
    etags.set(p.path, (await httpGet(guest.port, p.path)).headers.etag);
});
afterAll(() => stopHttpGuest(guest));

/** the default mix over 10 keep-alive ports and 2 churn ports (the first two stay the probes') */
const options = (workers: number, requests: number, churn = 0.02): PoolOptions => ({
  workers,
  urls: guest.guest.loadUrls,
  requests,
  durationS: 120, // a bound: the test fails on the count, never hangs
  connections: CONNECTIONS,
  pipelining: 1,
  timeoutS: 10,
  paths: DEFAULTS.paths,
  etags,
  churn: { share: churn, urls: guest.guest.churnUrls },
});

const firstTick = (ticks: PoolTick[]) =>
  waitFor("the first tick with responses", async () => ticks.find((t) => t.count > 0), 20_000);

async function expectGone(pids: number[]): Promise<void> {
  for (const pid of pids)
    await waitFor(`worker ${pid} to be gone`, async () => ((await alive(pid)) ? undefined : true), 5000);
}

describe.each([1, 2])("%i load worker(s)", (workers) => {
  it("serve the requested count, churn included, with one merged tick a second and a sane p99", async () => {
    const ticks: PoolTick[] = [];
    const pool = new LoadPool(options(workers, 30_000), (t) => ticks.push(t));
    expect(pool.workers).toBe(workers);
    const pids = pool.pids;
    const r = await pool.done;
    expect({ errors: r.errors, timeouts: r.timeouts, unexpected: r.unexpectedStatuses, stopped: r.stopped }).toEqual({
      errors: 0,
      timeouts: 0,
      unexpected: 0,
      stopped: false,
    });
    expect(r.requests).toBe(30_000);
    expect(Object.values(r.statuses).reduce((a, b) => a + b, 0)).toBe(30_000);
    expect(r.churn?.requests).toBe(600);
    expect(r.churn?.connections).toBe(600);
    const l = r.latencyMs;
    expect(l.p50).toBeLessThanOrEqual(l.p90);
    expect(l.p90).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.max);
    expect(l.max).toBeLessThan(10_000);
    expect(l.mean).toBeGreaterThan(0);
    expect(ticks.length).toBeGreaterThan(0);
    // every response is in a tick, the last part of a second included
    expect(ticks.reduce((n, t) => n + t.count, 0)).toBe(30_000);
    for (const t of ticks) expect(t.p99Ms).toBeLessThanOrEqual(l.max);
    await expectGone(pids);
    console.log(`${workers} worker(s): ${r.rps.toFixed(0)} req/s, p99 ${l.p99} ms, ${ticks.length} ticks`);
  }, 60_000);

  it("a load of a moment still ticks, with every response, its rate and p99", async () => {
    const ticks: PoolTick[] = [];
    await new LoadPool(options(workers, 200, 0), (t) => ticks.push(t)).done;
    expect(ticks.reduce((n, t) => n + t.count, 0)).toBe(200);
    expect(Math.max(...ticks.map((t) => t.rps))).toBeGreaterThan(0);
    expect(Math.max(...ticks.map((t) => t.p99Ms))).toBeGreaterThan(0);
  }, 60_000);

  it("stop() gives a partial result; unanswered() numbers connections across workers", async () => {
    const ticks: PoolTick[] = [];
    const pool = new LoadPool(options(workers, 1_000_000), (t) => ticks.push(t));
    await firstTick(ticks);
    const unanswered = await pool.unanswered();
    pool.stop();
    const r = await pool.done;
    expect(r.stopped).toBe(true);
    expect(r.requests).toBeGreaterThan(0);
    expect(r.requests).toBeLessThan(1_000_000);
    const connections = unanswered.map((u) => u.connection);
    expect(unanswered.length).toBeGreaterThan(0);
    expect(new Set(connections).size).toBe(connections.length); // pipelining 1: one each at most
    for (const c of connections) expect(c).toBeLessThan(CONNECTIONS);
    const sentAt = unanswered.map((u) => u.sentAt);
    expect(sentAt).toEqual([...sentAt].sort((a, b) => a - b));
    // after the end: what each worker had unanswered when it stopped
    for (const u of await pool.unanswered()) expect(u.connection).toBeLessThan(CONNECTIONS);
    await expectGone(pool.pids);
  }, 60_000);
});

it("a worker killed from outside makes done reject, naming it; the other is stopped", async () => {
  const ticks: PoolTick[] = [];
  const pool = new LoadPool(options(2, 1_000_000), (t) => ticks.push(t));
  await firstTick(ticks);
  const [, second] = pool.pids;
  process.kill(second, "SIGKILL");
  await expect(pool.done).rejects.toThrow(
    new RegExp(`^load worker 2 of 2 \\(pid ${second}\\) was killed by SIGKILL before its result`),
  );
  await expectGone(pool.pids);
}, 60_000);

it("a worker that cannot read its stop is killed after the grace period, and done rejects saying so", async () => {
  const ticks: PoolTick[] = [];
  const pool = new LoadPool(options(2, 1_000_000), (t) => ticks.push(t));
  await firstTick(ticks);
  const [first] = pool.pids;
  process.kill(first, "SIGSTOP"); // stands in for a worker whose event loop never turns
  const asked = Date.now();
  pool.stop();
  await expect(pool.done).rejects.toThrow(
    new RegExp(
      `^load worker 1 of 2 \\(pid ${first}\\) did not stop within ${STOP_GRACE_MS / 1000} s of being asked, and was killed`,
    ),
  );
  expect(Date.now() - asked).toBeGreaterThanOrEqual(STOP_GRACE_MS - 100);
  await expectGone(pool.pids);
}, 60_000);

it("fewer workers than asked when the load has fewer connections and churn ports; `enter` runs them", async () => {
  // env stands in for the argv prefix that would run them in a network namespace
  const pool = new LoadPool({ ...options(8, 30, 0), connections: 3, enter: ["env", "UKS_TEST=1"] }, () => {});
  expect(pool.workers).toBe(3);
  const r = await pool.done;
  expect(r.requests).toBe(30);
});

it("a worker exits by itself when its IPC channel closes (the engine gone, whatever the parent-death signal does)", async () => {
  const [node, ...args] = childScript("load/load-worker", "load-worker");
  const child = spawn(node, args, { stdio: ["ignore", "ignore", "inherit", "ipc"], serialization: "advanced" });
  await new Promise((r) => child.once("spawn", r));
  const exited = new Promise((r) => child.once("exit", (code, signal) => r({ code, signal })));
  child.disconnect();
  expect(await exited).toEqual({ code: 0, signal: null });
});
