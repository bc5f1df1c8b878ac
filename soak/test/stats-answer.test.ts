// Counters the guest controls (issue 23): whatever a stats path answers, the engine keeps
// going. The answer is read within limits (watch/stats-answer.ts); a stats path that breaks
// mid-soak is a `stats` finding naming what came back (watch/stats-monitor.ts), measured
// against a small HTTP server on 127.0.0.1 that plays the guest; a monitor whose sample
// throws is the engine's error, never an unhandled rejection (watch/monitor.ts).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULTS } from "../options.ts";
import type { Finding } from "../verdict.ts";
import { StatsWatcher } from "../watch/guest-stats.ts";
import { HttpProbe } from "../watch/http-probe.ts";
import { Poller } from "../watch/monitor.ts";
import { keepCounters, MAX_COUNTERS, quoteStart, readStats, StatsAnswerError } from "../watch/stats-answer.ts";
import { StatsMonitor } from "../watch/stats-monitor.ts";

const answer = (status: number, body: string) => ({ status, body, ms: 1, headers: {} });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("reading a stats answer", () => {
  it("keeps finite numbers with plain names, the watched ones first, and says once what it dropped", () => {
    const raw: Record<string, unknown> = {
      text: "x",
      nested: { a: 1 },
      "<b>x</b>": 1,
      ["n".repeat(65)]: 2,
    };
    for (let i = 0; i < 2 * MAX_COUNTERS; i++) raw[`c${i}`] = i;
    raw.tx_stalls = 3;
    // a counter named __proto__ is a counter like any other, never the object's prototype
    const r = keepCounters(JSON.parse(`{"__proto__": 4, "big": 1e400, ${JSON.stringify(raw).slice(1)}`), ["tx_stalls"]);
    expect(Object.keys(r.stats)).toHaveLength(MAX_COUNTERS);
    expect(r.stats.tx_stalls).toBe(3);
    expect(Object.getOwnPropertyDescriptor(r.stats, "__proto__")?.value).toBe(4);
    expect(r.stats.big).toBeUndefined(); // 1e400 parses as Infinity
    expect(r.stats.text).toBeUndefined();
    // 2 * MAX_COUNTERS + 2 plain names, MAX_COUNTERS kept
    expect(r.overLimits).toBe(
      `dropped ${MAX_COUNTERS + 2} counters beyond the first ${MAX_COUNTERS} and 2 counters whose names are not 1-64 letters, digits or _ . : -`,
    );
    expect(keepCounters({ a: 1 }).overLimits).toBeUndefined();
  });

  it.each([
    [answer(404, "not found\n"), /^\/s answered 404 \(10 bytes: "not found\\n"\): expected 200/],
    [answer(200, "<!doctype html>\u0007\u2028"), /^\/s answered 200 .*"<!doctype html>\\u0007\\u2028"\): not JSON/],
    [answer(200, "[1,2]"), /JSON, but not an object of counters/],
    [answer(200, "null"), /JSON, but not an object of counters/],
    [answer(200, "x".repeat(100)), /"x{48}"…\): not JSON/],
  ])("refuses %j, naming the path, the status and the first bytes", (a, message) => {
    expect(() => readStats(a, "/s")).toThrow(StatsAnswerError);
    expect(() => readStats(a, "/s")).toThrow(message);
  });

  it("quotes a guest's text as printable ASCII only", () => {
    expect(quoteStart("::error::x\r\n`|")).toBe('"::error::x\\r\\n`|"');
  });
});

/** A stand-in for the guest's stats path: answers whatever `body()` gives, counting polls. */
async function statsServer(body: () => { status: number; text: string }) {
  let polls = 0;
  const server: Server = createServer((_req, res) => {
    polls++;
    const b = body();
    res.writeHead(b.status, { "content-type": "application/json" }).end(b.text);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const probe = new HttpProbe({ host: "127.0.0.1", port: (server.address() as AddressInfo).port });
  return {
    probe,
    polls: () => polls,
    close: async () => {
      probe.close();
      await new Promise((r) => server.close(r));
    },
  };
}

describe("the stats monitor", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("names a stats path that answered and then broke as a finding of its own, not the engine's crash", async () => {
    let broken = false;
    const guest = await statsServer(() =>
      broken ? { status: 500, text: "<html>oops</html>" } : { status: 200, text: '{"boot_id": 1, "tx_stalls": 0}' },
    );
    cleanups.push(guest.close);
    const findings: Finding[] = [];
    const watcher = new StatsWatcher(DEFAULTS);
    const o = { path: "/api/stats.json", intervalMs: 50, timeoutMs: 1000, failures: 2 };
    const monitor = new StatsMonitor(guest.probe, o, watcher, (f) => findings.push(f));
    cleanups.push(() => monitor.stop());
    monitor.start();
    while (!watcher.last) await sleep(20);
    broken = true;
    while (findings.length === 0 && guest.polls() < 100) await sleep(20);
    expect(findings).toHaveLength(1);
    expect(findings[0].kind).toBe("stats");
    expect(findings[0].message).toMatch(
      /^the guest's counters broke mid-soak: \/api\/stats\.json answered 500 \(17 bytes: "<html>oops<\/html>"\): expected 200 .*\(2 times in a row/,
    );
    expect(monitor.bad).toBe(2);
  });

  it("keeps at most MAX_COUNTERS numbers a sample from a guest answering 1 MiB objects, and says so once", async () => {
    const huge: Record<string, number> = {};
    for (let i = 0; i < 60_000; i++) huge[`counter_${i}`] = i;
    const text = JSON.stringify(huge).slice(0, 1 << 20);
    const body = `${text.slice(0, text.lastIndexOf(","))}}`;
    expect(body.length).toBeGreaterThan(900_000);
    const guest = await statsServer(() => ({ status: 200, text: body }));
    cleanups.push(guest.close);
    const findings: Finding[] = [];
    const watcher = new StatsWatcher(DEFAULTS);
    const o = { path: "/api/stats.json", intervalMs: 20, timeoutMs: 5000, failures: 2 };
    const monitor = new StatsMonitor(guest.probe, o, watcher, (f) => findings.push(f));
    cleanups.push(() => monitor.stop());
    const kept = new Set<object>();
    monitor.start();
    while (guest.polls() < 20) {
      if (watcher.last) kept.add(watcher.last);
      await sleep(10);
    }
    monitor.stop();
    expect(findings).toEqual([]);
    expect(kept.size).toBeGreaterThan(5);
    // what a timeline entry would hold of each sample: a few KiB, not the guest's MiB
    for (const s of kept) expect(JSON.stringify(s).length).toBeLessThan(MAX_COUNTERS * 40);
    expect(watcher.overLimits).toMatch(/^dropped \d+ counters beyond the first 256$/);
  });
});

describe("a poller whose sample throws", () => {
  it("gives an error finding naming the monitor, once, and stops; nothing unhandled", async () => {
    const findings: Finding[] = [];
    let calls = 0;
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    const poller = new Poller(
      "test monitor",
      10,
      async () => {
        calls++;
        throw new TypeError("cannot read x of undefined");
      },
      (f) => findings.push(f),
    );
    poller.start();
    await sleep(150);
    poller.stop();
    process.off("unhandledRejection", onUnhandled);
    expect(calls).toBe(1);
    expect(unhandled).toEqual([]);
    expect(findings.map((f) => [f.kind, f.message])).toEqual([
      [
        "error",
        "the engine's test monitor failed (cannot read x of undefined); not the kernel's doing: please report it with this report",
      ],
    ]);
  });
});
