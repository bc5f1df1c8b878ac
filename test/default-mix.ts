// A short soak with the engine's default request mix, through the engine's own load
// driver, against a guest a test booted: "a default soak passes on the same kernel".

import { expect } from "vitest";
import { type LoadResult, LoadRun } from "../soak/load/driver.ts";
import { DEFAULTS } from "../soak/options.ts";
import { crashLines, getStats, type HttpGuest, httpGet, pollUntil } from "./http-guest.ts";

/** `requests` of the default mix over `connections`, spread over the guest's ports but the first (the probes'). */
export async function defaultMixLoad(guest: HttpGuest, requests: number, connections: number): Promise<LoadResult> {
  const etags = new Map<string, string>();
  for (const p of DEFAULTS.paths.filter((x) => x.revalidate))
    etags.set(p.path, (await httpGet(guest.port, p.path)).headers.etag);
  const ports = guest.ports.length > 1 ? guest.ports.slice(1) : guest.ports;
  const run = new LoadRun(
    {
      urls: ports.map((p) => `http://127.0.0.1:${p}`),
      requests,
      durationS: 120, // a bound: the test fails on the count, never hangs
      connections,
      pipelining: 1,
      timeoutS: 10,
      paths: DEFAULTS.paths,
      etags,
    },
    () => {},
  );
  return run.done;
}

/** A short default-mix soak passes on `guest` as it is (after whatever the test did to it), and its slots come back. */
export async function expectDefaultMixSoakPasses(guest: HttpGuest, requests = 20_000, connections = 8): Promise<void> {
  const before = await getStats(guest.port);
  const r = await defaultMixLoad(guest, requests, connections);
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
