// The engine's own load (soak/load/pool.ts: one load worker, keep-alive connections over
// the guest's load ports) against a guest a test booted, and a short soak with the
// engine's default request mix: "a default soak passes on the same kernel".

import { expect } from "vitest";
import { DEFAULTS, LoadPool, type MixedResult, type PathWeight } from "../soak/index.ts";
import { crashLines, getStats, type HttpGuest, httpGet, pollUntil } from "./http-guest.ts";

export interface TestLoad {
  requests: number;
  connections: number;
  paths: PathWeight[];
  /** a bound: the test fails on the count, never hangs */
  capS?: number;
}

/** `requests` of `paths` over `connections` keep-alive connections, spread over the guest's load
 * ports (all its ports when it has none); the revalidated paths' ETags are read first. */
export async function engineLoad(guest: HttpGuest, l: TestLoad): Promise<MixedResult> {
  const etags = new Map<string, string>();
  for (const p of l.paths.filter((x) => x.revalidate)) {
    const etag = (await httpGet(guest.port, p.path)).headers.etag;
    expect(etag, `${p.path} has an ETag`).toMatch(/^"[^"]+"$/);
    etags.set(p.path, etag);
  }
  const urls = guest.guest.loadUrls.length ? guest.guest.loadUrls : guest.ports.map((p) => `http://127.0.0.1:${p}`);
  const pool = new LoadPool(
    {
      workers: 1,
      urls,
      requests: l.requests,
      durationS: l.capS ?? 120,
      connections: l.connections,
      pipelining: 1,
      timeoutS: 10,
      paths: l.paths,
      etags,
      churn: { share: 0, urls: [] },
    },
    () => {},
  );
  return pool.done;
}

/** A short default-mix soak passes on `guest` as it is (after whatever the test did to it), and its slots come back. */
export async function expectDefaultMixSoakPasses(guest: HttpGuest, requests = 20_000, connections = 8): Promise<void> {
  const before = await getStats(guest.port);
  const r = await engineLoad(guest, { requests, connections, paths: DEFAULTS.paths });
  expect({ errors: r.errors, timeouts: r.timeouts, unexpected: r.unexpectedStatuses }).toEqual({
    errors: 0,
    timeouts: 0,
    unexpected: 0,
  });
  expect(r.requests).toBeGreaterThanOrEqual(requests);
  const after = await pollUntil(
    () => getStats(guest.port),
    (s) => s.tcp_open <= before.tcp_open,
    15_000,
    `tcp_open back to ${before.tcp_open}`,
  );
  expect(after.tx_stalls).toBe(before.tx_stalls);
  expect(await crashLines(guest.vm)).toEqual([]);
}
