// The engine's load (LoadPool, as the load phase drives it) against servers that do not
// keep to what it asks: busybox httpd, which closes the connection after every response,
// and a server that keeps connections open after `Connection: close` (no packaged server
// does that by default: a few lines of node:net here). Every request is counted, the
// latencies are ones that happened, the load takes seconds, and the report names the
// server's behaviour once, as a note. No server, worker or folder is left behind.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { get } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChurnRun, CLOSE_GRACE_MS } from "../load/churn.ts";
import { guestBehaviourNotes } from "../load/guest-behaviour.ts";
import { LoadPool, type PoolOptions } from "../load/pool.ts";
import { parsePaths } from "../options.ts";
import { freeLoopbackPort } from "../vm/ports.ts";
import { waitFor } from "./cli-run.ts";

const PATHS = parsePaths("/health=2,/index.html=1,/large.txt=1");

const load = (url: string, requests: number, share: number, workers = 1): PoolOptions => ({
  workers,
  // as the engine hands them out: a keep-alive URL per two connections, a churn URL per churn worker
  urls: [url, url],
  requests,
  durationS: 120, // a bound: the test fails on the count, never hangs
  connections: 4,
  pipelining: 1,
  timeoutS: 10,
  paths: PATHS,
  etags: new Map(),
  churn: { share, urls: [url, url] },
});

/** The time one request takes on a connection of its own, sequentially: the median of 50, ms. */
async function medianNewConnectionMs(port: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) =>
      get({ host: "127.0.0.1", port, path: "/health", agent: false }, (res) => {
        res.resume();
        res.on("end", resolve);
      }).on("error", reject),
    );
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[25];
}

describe("busybox httpd: the connection closed after every response", () => {
  let dir: string;
  let httpd: ChildProcess;
  let url: string;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "soak-busybox-"));
    await writeFile(join(dir, "health"), "ok\n");
    await writeFile(join(dir, "index.html"), "<!doctype html><title>soak</title>\n");
    await writeFile(join(dir, "large.txt"), "x".repeat(64 * 1024));
    port = await freeLoopbackPort();
    httpd = spawn("busybox", ["httpd", "-f", "-p", `127.0.0.1:${port}`, "-h", dir], { stdio: "inherit" });
    url = `http://127.0.0.1:${port}`;
    await waitFor("busybox httpd to answer", () => medianNewConnectionMs(port).catch(() => undefined), 10_000);
  });
  afterAll(async () => {
    httpd?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([1, 2])(
    "%i worker(s): every keep-alive request counted, carried over new connections, p50 as measured",
    async (workers) => {
      const requests = 5000;
      const pool = new LoadPool(load(url, requests, 0, workers), () => {});
      const r = await pool.done;
      expect({ errors: r.errors, timeouts: r.timeouts, stopped: r.stopped, statuses: r.statuses }).toEqual({
        errors: 0,
        timeouts: 0,
        stopped: false,
        statuses: { 200: requests },
      });
      expect(r.requests).toBe(requests);
      // at most the answers before the guest's first "Connection: close" went over keep-alive
      expect(r.closedAfterEach).toBeGreaterThan(requests - 10);
      const alone = await medianNewConnectionMs(port);
      // two connections at once, each as fast as one alone, give or take a busy machine
      expect(r.latencyMs.p50).toBeLessThanOrEqual(Math.max(20, 10 * alone));
      expect(r.latencyMs.max).toBeLessThan(10_000);
      const notes = guestBehaviourNotes(r);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(
        /^the guest closed the connection after every response .*carried on over new connections/,
      );
      console.log(
        `busybox httpd, ${workers} worker(s): ${r.rps.toFixed(0)} req/s, p50 ${r.latencyMs.p50} ms (one request alone: ${alone.toFixed(1)} ms)`,
      );
    },
    120_000,
  );

  it("its churn share: the guest closes, so no connection is left for the client to close", async () => {
    const r = await new LoadPool(load(url, 1000, 0.2), () => {}).done;
    expect(r.requests).toBe(1000);
    expect(r.errors).toBe(0);
    expect(r.churn?.requests).toBe(200);
    expect(r.churn?.keptOpen).toBe(0);
  }, 60_000);
});

describe("a server that keeps the connection open after `Connection: close`", () => {
  let server: Server;
  let url: string;
  const open = new Set<Socket>();
  let closedByClient = 0;

  beforeAll(async () => {
    // answers every request in full and never closes: the client must
    server = createServer((socket) => {
      open.add(socket);
      let pending = "";
      socket.on("data", (d) => {
        pending += d.toString("latin1");
        for (let end = pending.indexOf("\r\n\r\n"); end >= 0; end = pending.indexOf("\r\n\r\n")) {
          pending = pending.slice(end + 4);
          socket.write("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 3\r\n\r\nok\n");
        }
      });
      socket.on("error", () => {}); // the client's reset
      socket.on("close", () => {
        open.delete(socket);
        closedByClient++;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("the client closes each new connection itself shortly after the whole response, and says so", async () => {
    const started = performance.now();
    const r = await new LoadPool(load(url, 400, 0.1), () => {}).done;
    const wallMs = performance.now() - started;
    expect({ requests: r.requests, errors: r.errors, timeouts: r.timeouts, stopped: r.stopped }).toEqual({
      requests: 400,
      errors: 0,
      timeouts: 0,
      stopped: false,
    });
    expect(r.churn?.requests).toBe(40);
    expect(r.churn?.keptOpen).toBe(40);
    expect(r.closedAfterEach).toBeUndefined(); // its keep-alive connections stayed up
    // not the 10 s request timeout each (the pool's own start-up is in this figure)
    expect(wallMs).toBeLessThan(20 * CLOSE_GRACE_MS + 5000);
    // the latency is the response's, not the wait for a close that never came
    expect(r.churn?.latencyMs.p50).toBeLessThan(CLOSE_GRACE_MS);
    const notes = guestBehaviourNotes(r);
    expect(notes).toEqual([
      `the guest kept 40 of 40 new connections open after answering a request that said "Connection: close" (RFC 9112 §9.6: it must close): the client closed them itself once the response was complete (after ${CLOSE_GRACE_MS} ms at first, then at once)`,
    ]);
    // the keep-alive connections end with the workers; the churn ones were reset one by one
    await waitFor("every connection closed", async () => (open.size === 0 ? true : undefined), 5000);
    expect(closedByClient).toBeGreaterThanOrEqual(40);
  }, 60_000);

  it("waits the grace only until the guest has kept a few connections open in a row", async () => {
    const started = performance.now();
    const run = new ChurnRun({
      urls: [url, url],
      requests: 40,
      timeoutS: 10,
      cycle: [{ path: "/health" }],
      mayStart: () => true,
      onResponse: () => {},
    });
    const r = await run.done;
    expect({ requests: r.requests, keptOpen: r.keptOpen, errors: r.errors }).toEqual({
      requests: 40,
      keptOpen: 40,
      errors: 0,
    });
    // the grace each time would be 20 turns of each worker, 5 s
    expect(performance.now() - started).toBeLessThan(8 * CLOSE_GRACE_MS);
  });
});

describe("a server that ends a keep-alive connection after 100 requests (Apache's MaxKeepAliveRequests, nginx's keepalive_requests)", () => {
  let server: Server;
  let url: string;
  const LIMIT = 100;

  beforeAll(async () => {
    // the 100th answer on a connection says "Connection: close" and ends it; a request written
    // after that is read and dropped, as nginx's lingering close does
    server = createServer((socket) => {
      let [pending, answered] = ["", 0];
      socket.on("data", (d) => {
        if (answered === LIMIT) return;
        pending += d.toString("latin1");
        for (let end = pending.indexOf("\r\n\r\n"); end >= 0 && answered < LIMIT; end = pending.indexOf("\r\n\r\n")) {
          pending = pending.slice(end + 4);
          const last = ++answered === LIMIT;
          const head = `HTTP/1.1 200 OK\r\ncontent-length: 3\r\n${last ? "connection: close\r\n" : ""}\r\n`;
          socket.write(`${head}ok\n`);
          if (last) socket.end();
        }
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([1, 4])(
    "pipelining %i: every request answered on new connections, none an error, and said once",
    async (pipelining) => {
      const r = await new LoadPool({ ...load(url, 2000, 0), pipelining }, () => {}).done;
      expect({ requests: r.requests, errors: r.errors, timeouts: r.timeouts, stopped: r.stopped }).toEqual({
        requests: 2000,
        errors: 0,
        timeouts: 0,
        stopped: false,
      });
      expect(r.errorSamples).toEqual([]);
      // 2,000 answers at 100 a connection: about 20 ended (the last of each client's may not be reached)
      expect(r.endedByGuest).toBeGreaterThanOrEqual(16);
      expect(r.endedByGuest).toBeLessThanOrEqual(20);
      expect(r.closedAfterEach).toBeUndefined();
      expect(r.latencyMs.max).toBeLessThan(1000);
      expect(guestBehaviourNotes(r)).toEqual([
        `the guest ended ${r.endedByGuest} keep-alive connections with "Connection: close" after keeping them open (a limit of requests a connection, as nginx's keepalive_requests): the load went on over new ones`,
      ]);
    },
    60_000,
  );
});
