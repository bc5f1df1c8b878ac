// A short soak with the engine's default request mix, through the engine's own load
// driver, against a guest a test booted: "a default soak passes on the same kernel".

import { type LoadResult, LoadRun } from "../soak/load/driver.ts";
import { DEFAULTS } from "../soak/options.ts";
import { type HttpGuest, httpGet } from "./http-guest.ts";

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
