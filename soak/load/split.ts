// One load split over several processes (pool.ts): each worker a MixedLoad of its own with
// its part of the keep-alive connections, of the requests (keep-alive and churn in the
// same proportions as the whole) and its own URLs and churn URLs, none shared, so each
// port still sees the connects it saw from one process.
import type { MixedOptions } from "./mixed.ts";

export interface WorkerPart {
  options: MixedOptions;
  /** the global index of this worker's first keep-alive connection (in-flight.ts numbers them from 0 in each) */
  firstConnection: number;
}

/** `total` shared by `weights` (whole numbers adding up to `total`; the remainder to the first). */
function shareOut(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  let left = total - parts.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % parts.length)
    if (weights[i] > 0) {
      parts[i]++;
      left--;
    }
  return parts;
}

/** `list` in `n` contiguous chunks; with fewer items than chunks, chunk i has item i mod length. */
function chunks<T>(list: T[], n: number): T[][] {
  if (list.length === 0) return Array.from({ length: n }, () => []);
  if (list.length < n) return Array.from({ length: n }, (_, i) => [list[i % list.length]]);
  const sizes = shareOut(list.length, Array(n).fill(1));
  return sizes.map((k, i) => {
    const at = sizes.slice(0, i).reduce((a, b) => a + b, 0);
    return list.slice(at, at + k);
  });
}

/** How many workers the load can use: no more than it has keep-alive connections or churn URLs. */
export function usableWorkers(o: MixedOptions, asked: number): number {
  const churnRequests = Math.round(o.requests * o.churn.share);
  const keepAlive = o.requests - churnRequests;
  const connections = keepAlive > 0 ? Math.min(o.connections, keepAlive) : 0;
  const churnUrls = churnRequests > 0 ? o.churn.urls.length : 0;
  return Math.max(1, Math.min(asked, Math.max(connections, churnUrls)));
}

/** The load of `o` split over `n` workers (n from usableWorkers). */
export function splitLoad(o: MixedOptions, n: number): WorkerPart[] {
  if (n === 1) return [{ options: o, firstConnection: 0 }];
  const churnTotal = Math.round(o.requests * o.churn.share);
  const keepAliveTotal = o.requests - churnTotal;
  const connections = shareOut(keepAliveTotal > 0 ? Math.min(o.connections, keepAliveTotal) : 0, Array(n).fill(1));
  const keepAlive = shareOut(keepAliveTotal, connections);
  // churn URLs go to workers in turn; the churn requests follow them
  const churnUrls = churnTotal > 0 ? chunks(o.churn.urls, Math.min(n, o.churn.urls.length)) : [];
  const churnUrlsOf = (i: number) => churnUrls[i] ?? [];
  const churn = shareOut(
    churnTotal,
    connections.map((_, i) => churnUrlsOf(i).length),
  );
  // keep-alive URLs only for the workers with keep-alive connections
  const withConnections = connections.filter((c) => c > 0).length;
  const urls = chunks(o.urls, withConnections);
  let first = 0;
  return connections.map((c, i) => {
    const requests = keepAlive[i] + churn[i];
    const part: WorkerPart = {
      firstConnection: first,
      options: {
        ...o,
        urls: c > 0 ? urls[i] : [],
        requests,
        connections: c,
        churn: { share: requests > 0 ? churn[i] / requests : 0, urls: churnUrlsOf(i) },
      },
    };
    first += c;
    return part;
  });
}
