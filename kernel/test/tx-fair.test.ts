// Many connections share one TX ring fairly: with 500 keep-alive connections mixing the
// large asset into small requests, no connection with data and an open window goes a
// second without sending (tx_stalls stays 0; a LIFO send list once left a 300 KB
// response unsent for a second here), and every request is answered in time.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { engineLoad } from "../../test/default-mix.ts";
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
const CAP_S = 40;

let guest: HttpGuest;
beforeAll(async () => {
  // one load port per two connections, as the soak engine does
  guest = await startHttpGuest(elf, { loadPorts: CONNECTIONS / 2 });
});
afterAll(async () => {
  if (guest) expect(await crashLines(guest.vm)).toEqual([]);
  await stopHttpGuest(guest);
});

describe(`${CONNECTIONS} connections sharing the TX ring`, () => {
  it(`${REQUESTS} requests, one in ten for /large.txt: no TX stall, no error, every slot back`, {
    timeout: (CAP_S + 30) * 1000,
  }, async () => {
    const before = await getStats(guest.port);
    const small = ["/health", "/api/stats.json", "/style.css"].map((path) => ({ path, weight: 3, revalidate: false }));
    const result = await engineLoad(guest, {
      requests: REQUESTS,
      connections: CONNECTIONS,
      paths: [...small, { path: "/large.txt", weight: 1, revalidate: false }],
      capS: CAP_S,
    });
    console.log(`tx-fair: ${result.requests} requests in ${result.durationS.toFixed(1)} s`);
    expect({ errors: result.errors, timeouts: result.timeouts, unexpected: result.unexpectedStatuses }).toEqual({
      errors: 0,
      timeouts: 0,
      unexpected: 0,
    });
    expect(result.requests).toBeGreaterThanOrEqual(REQUESTS);
    const after = await pollUntil(
      () => getStats(guest.port),
      (s) => s.tcp_open === before.tcp_open,
      15_000,
      `tcp_open back to ${before.tcp_open}`,
    );
    expect(after.tx_stalls).toBe(0);
  });
});
