// Minimisation by delta debugging: each reduction of the scenario (fewer connections,
// less pipelining, fewer paths, no revalidation, fewer requests) is kept only when a
// fresh boot under it still fails the same way within the attempt's time cap, and only
// while the budget lasts. Paths go by ddmin (Zeller and Hildebrandt); the numbers by
// trying the least first, then bisecting.
import { pathSpec } from "../argv.ts";
import type { SoakOptions } from "../options.ts";
import type { Attempts } from "./attempt.ts";
import type { Budget } from "./budget.ts";

export interface Reduction {
  what: string;
  kept: boolean;
  /** why a reduction that reproduced was not kept */
  note?: string;
}

export interface Minimised {
  options: SoakOptions;
  reductions: Reduction[];
  /** the request count cut: the least that reproduced, and the most that did not */
  strikesAt?: { reproduces: number; passes?: number };
  /** minimisation stopped early, and why */
  stopped?: string;
}

/** "reproduces with 2012 requests, not with 1988" */
export const strikesText = (s: NonNullable<Minimised["strikesAt"]>) =>
  `reproduces with ${s.reproduces} requests${s.passes !== undefined ? `, not with ${s.passes}` : ""}`;

/** How the failure came under the starting scenario (the confirmation's medians). */
export interface Baseline {
  requests: number;
  seconds: number;
}

export async function minimise(
  attempts: Attempts,
  start: SoakOptions,
  baseline: Baseline,
  budget: Budget,
): Promise<Minimised> {
  // a reduction that fails far more slowly than the original is no simplification
  const slowestS = Math.max(2 * baseline.seconds, baseline.seconds + 5);
  let cur = start;
  /** requests to failure in the last attempt that reproduced */
  let lastHit = baseline.requests;
  const reductions: Reduction[] = [];
  let stopped: string | undefined;

  // ddmin can come back to a candidate it has tried: its answer is kept
  const tried = new Map<string, boolean>();
  const test = async (what: string, o: SoakOptions): Promise<boolean> => {
    const key = JSON.stringify([o.requests, o.connections, o.pipelining, o.paths]);
    const known = tried.get(key);
    if (known !== undefined) return known;
    if (stopped) return false;
    const a = await budget.next(attempts, what, o);
    if (typeof a === "string") {
      stopped = a;
      return false;
    }
    const kept = a.reproduced && a.seconds <= slowestS;
    const note = a.reproduced && !kept ? `took ${a.seconds.toFixed(1)} s, over ${slowestS.toFixed(1)} s` : undefined;
    reductions.push({ what, kept, ...(note && { note }) });
    tried.set(key, kept);
    if (kept) [cur, lastHit] = [o, a.requests];
    return kept;
  };

  // a coarse cut of the request count first, so that reductions that do not reproduce end
  // soon instead of running the whole original count
  const coarseCut = () => {
    const above = Math.min(cur.requests, Math.ceil(lastHit * 1.5) + cur.connections);
    return lastHit > 0 && above < cur.requests ? test(`requests ${above}`, { ...cur, requests: above }) : false;
  };
  await coarseCut();
  await smallest(1, cur.connections, 0, (n) => test(`connections ${n}`, { ...cur, connections: n }));
  await smallest(1, cur.pipelining, 0, (n) => test(`pipelining ${n}`, { ...cur, pipelining: n }));
  if (cur.paths.length > 1)
    await ddmin(cur.paths, (paths) => {
      const only = paths.length === 1 ? [{ ...paths[0], weight: 1 }] : paths;
      return test(`paths ${pathSpec(only)}`, { ...cur, paths: only });
    });
  for (const p of cur.paths.filter((x) => x.revalidate)) {
    const paths = cur.paths.map((x) => (x === p ? { ...x, revalidate: false } : x));
    await test(`no revalidation of ${p.path}`, { ...cur, paths });
  }
  let strikesAt: Minimised["strikesAt"];
  if (lastHit > 0) {
    // the reductions may have made the failure come sooner: cut again, then find the least
    // count that still reproduces, to within 2%
    await coarseCut();
    let passes: number | undefined;
    // (fewer requests than connections is not a scenario: the search starts below that)
    const least = await smallest(cur.connections - 1, cur.requests, 0.02, async (n) => {
      const ok = await test(`requests ${n}`, { ...cur, requests: n });
      if (!ok && !stopped) passes = Math.max(passes ?? 0, n);
      return ok;
    });
    strikesAt = { reproduces: least, passes };
    // the guest counts the watchers' polls too, which vary from run to run: leave a margin
    cur = { ...cur, requests: Math.min(start.requests, Math.ceil(least * 1.1)) };
  }
  return { options: cur, reductions, strikesAt, stopped };
}

/**
 * The least n in [lo, hi] for which ok(n), given ok(hi): lo itself first (the usual answer
 * for connections and pipelining), then bisection until the answer is known to within
 * `tolerance` of itself. With tolerance > 0, lo is taken as failing, not tried.
 */
async function smallest(lo: number, hi: number, tolerance: number, ok: (n: number) => Promise<boolean>) {
  if (hi <= lo) return hi;
  if (tolerance === 0 && (await ok(lo))) return lo;
  let [bad, good] = [lo, hi];
  while (good - bad > Math.max(1, Math.floor(good * tolerance))) {
    const mid = Math.floor((bad + good) / 2);
    if (await ok(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

/** ddmin: a 1-minimal subset of `items` for which ok() holds, given that it holds for all of them. */
async function ddmin<T>(all: T[], ok: (subset: T[]) => Promise<boolean>): Promise<T[]> {
  let items = all;
  let n = 2;
  while (items.length >= 2) {
    const size = Math.ceil(items.length / n);
    const chunks = Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
      items.slice(i * size, (i + 1) * size),
    );
    let reduced = false;
    for (const c of chunks)
      if (await ok(c)) {
        [items, n, reduced] = [c, 2, true];
        break;
      }
    if (!reduced && chunks.length > 2)
      for (const c of chunks) {
        const rest = items.filter((x) => !c.includes(x));
        if (await ok(rest)) {
          [items, n, reduced] = [rest, Math.max(n - 1, 2), true];
          break;
        }
      }
    if (reduced) continue;
    if (n >= items.length) break;
    n = Math.min(items.length, n * 2);
  }
  return items;
}
