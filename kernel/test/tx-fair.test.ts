// Many connections share one TX ring fairly: with 500 keep-alive connections mixing the
// large asset into small requests, no connection with data and an open window goes a
// second without sending (tx_stalls stays 0; a LIFO send list once left a 300 KB
// response unsent for a second here), and every request is answered in time.
import autocannon from "autocannon";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  crashLines,
  getStats,
  type HttpGuest,
  pollUntil,
  startHttpGuest,
  stopHttpGuest,
} from "../../test/http-guest.ts";

const elf = inject("kernelElf");
const CONNECTIONS = 500;
const REQUESTS = 6_000;
const CAP_MS = 40_000;

let guest: HttpGuest;
beforeAll(async () => {
  // One port for the stats reads, one per two load connections (as the soak engine does).
  guest = await startHttpGuest(elf, 1 + CONNECTIONS / 2);
});
afterAll(async () => {
  if (guest) expect(await crashLines(guest.vm)).toEqual([]);
  await stopHttpGuest(guest);
});

/** Runs autocannon, stopped after `capMs` whatever it has left to do. */
function load(options: autocannon.Options, capMs: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (err, result: autocannon.Result) => {
      clearTimeout(cap);
      if (err) reject(err);
      else resolve(result);
    });
    const cap = setTimeout(() => instance.stop(), capMs);
  });
}

describe(`${CONNECTIONS} connections sharing the TX ring`, () => {
  it(`${REQUESTS} requests, one in ten for /large.txt: no TX stall, no error, every slot back`, {
    timeout: CAP_MS + 30_000,
  }, async () => {
    const before = await getStats(guest.port);
    const [, ...loadPorts] = guest.ports;
    const small = [{ path: "/health" }, { path: "/api/stats.json" }, { path: "/style.css" }];
    const result = await load(
      {
        url: loadPorts.map((p) => `http://127.0.0.1:${p}`) as unknown as string,
        connections: CONNECTIONS,
        amount: REQUESTS,
        timeout: 10,
        requests: [...Array.from({ length: 9 }, (_, i) => small[i % 3]), { path: "/large.txt" }].map((r) => ({
          method: "GET",
          ...r,
        })),
      },
      CAP_MS,
    );
    console.log(`tx-fair: ${result.requests.total} requests in ${result.duration.toFixed(1)} s`);
    expect({ errors: result.errors, timeouts: result.timeouts }).toEqual({ errors: 0, timeouts: 0 });
    expect(result.requests.total).toBeGreaterThanOrEqual(REQUESTS);
    const after = await pollUntil(
      () => getStats(guest.port),
      (s) => s.tcp_open === before.tcp_open,
      15_000,
      `tcp_open back to ${before.tcp_open}`,
    );
    expect(after.tx_stalls).toBe(0);
  });
});
