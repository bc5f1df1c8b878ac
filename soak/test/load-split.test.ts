// Splitting one load over workers (soak/load/split.ts): nothing lost, nothing shared.
import { describe, expect, it } from "vitest";
import type { MixedOptions } from "../load/mixed.ts";
import { splitLoad, usableWorkers } from "../load/split.ts";
import { DEFAULTS, loadWorkerCount } from "../options.ts";

const urls = (n: number, from: number) => Array.from({ length: n }, (_, i) => `http://127.0.0.1:${from + i}`);
const load = (requests: number, connections: number, share: number, ka = 25, churn = 2): MixedOptions => ({
  urls: urls(ka, 1000),
  requests,
  durationS: 0,
  connections,
  pipelining: 1,
  timeoutS: 10,
  paths: [{ path: "/", weight: 1, revalidate: false }],
  etags: new Map(),
  churn: { share, urls: urls(churn, 2000) },
});

describe("splitLoad", () => {
  it.each([
    [600_000, 50, 0.01, 2],
    [600_000, 50, 0.01, 8],
    [1_000_003, 7, 0.3, 3],
    [200, 10, 1, 4],
    [12, 50, 0, 5],
  ])("%i requests, %i connections, churn %f over %i workers", (requests, connections, share, asked) => {
    const o = load(requests, connections, share, 25, share >= 1 ? 10 : 2);
    const n = usableWorkers(o, asked);
    const parts = splitLoad(o, n);
    const sum = (f: (p: MixedOptions) => number) => parts.reduce((a, p) => a + f(p.options), 0);
    const churnOf = (p: MixedOptions) => Math.round(p.requests * p.churn.share);
    expect(sum((p) => p.requests)).toBe(requests);
    expect(sum(churnOf)).toBe(Math.round(requests * share));
    const keepAlive = requests - Math.round(requests * share);
    expect(sum((p) => (p.requests > churnOf(p) ? p.connections : 0))).toBe(Math.min(connections, keepAlive));
    for (const p of parts) expect(p.options.requests).toBeGreaterThan(0);
    const all = parts.flatMap((p) => [...p.options.urls, ...p.options.churn.urls]);
    if (o.urls.length >= n) expect(new Set(all).size).toBe(all.length); // no URL in two workers
    expect(parts.map((p) => p.firstConnection)).toEqual(
      parts.map((_, i) => parts.slice(0, i).reduce((a, p) => a + p.options.connections, 0)),
    );
  });

  it("reduces the workers to the keep-alive connections or churn URLs there are", () => {
    expect(usableWorkers(load(1000, 3, 0), 8)).toBe(3);
    expect(usableWorkers(load(1000, 50, 1, 25, 6), 8)).toBe(6);
    expect(usableWorkers(load(2, 50, 0), 8)).toBe(2);
    expect(usableWorkers(load(1000, 50, 0.01), 0)).toBe(1);
  });
});

describe("--load-workers auto", () => {
  it("uses the cores QEMU leaves spare (it takes about two), at least 1, at most 8", () => {
    const auto = { ...DEFAULTS, loadWorkers: "auto" as const };
    expect([1, 2, 3, 4, 6, 10, 64].map((cores) => loadWorkerCount(auto, cores))).toEqual([1, 1, 1, 2, 4, 8, 8]);
    expect(loadWorkerCount({ ...DEFAULTS, loadWorkers: 3 }, 2)).toBe(3);
  });
});
