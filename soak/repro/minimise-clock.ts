// Minimisation of a failure that follows the clock (timing.ts): not the request count, which
// only says how many requests fit before the strike, but the uptime and the load. The scenario
// runs until just past the strike on the guest's clock (--uptime); the load goes if the failure
// comes without it, else it gets the lowest rate that still fails; then the time warp, when the
// report did not ask for KVM and an attempt under the warp still fails. Each step is kept only
// when a fresh boot under it fails the same way, and only while the budget lasts.
import { WARP_RATE } from "../flags/load-flags.ts";
import { countersOff, type SoakOptions, UNCAPPED_REQUESTS } from "../options.ts";
import type { Attempt, Attempts } from "./attempt.ts";
import type { Budget } from "./budget.ts";
import type { Minimised, Reduction } from "./minimise.ts";
import { loadRate, type Timing, tolerance } from "./timing.ts";

/** rates tried below the load's own pace: a tenth each step */
const RATE_STEP = 10;

export async function minimiseByClock(
  attempts: Attempts,
  start: SoakOptions,
  timing: Timing,
  hits: Attempt[],
  budget: Budget,
): Promise<Minimised> {
  const reductions: Reduction[] = [];
  let stopped: string | undefined;
  let cur = start;
  const test = async (what: string, o: SoakOptions): Promise<boolean> => {
    if (stopped) return false;
    const a = await budget.next(attempts, what, o);
    if (typeof a === "string") {
      stopped = a;
      return false;
    }
    reductions.push({ what, kept: a.reproduced });
    if (a.reproduced) cur = o;
    return a.reproduced;
  };

  const past = Math.ceil(timing.atS.max + tolerance(timing.atS.median));
  if (countersOff(start)) {
    // without the counters (--stats-path none) neither --uptime nor --rate can go by the guest's
    // clock (options.ts refuses them): the load runs until just past the strike on the wall's
    const loadS = Math.ceil(Math.max(...hits.map((a) => a.seconds)) + tolerance(timing.atS.median));
    await test(`duration ${loadS} s`, { ...cur, durationS: loadS, requests: UNCAPPED_REQUESTS });
    return { options: cur, reductions, stopped };
  }
  // the request count is no trigger: no cap, the guest's uptime ends the soak; a wall-time cap
  // stays, in case the guest's clock never gets there, with room for a slow machine (short of
  // the uptime, the engine calls it its own error); no load at all first, the usual answer
  const durationS = Math.max(start.durationS, 2 * past + 30);
  const base: SoakOptions = { ...cur, uptimeS: past, requests: UNCAPPED_REQUESTS, durationS };
  const idle = { ...base, connections: 1, pipelining: 1, requests: 1 };
  if (!(await test(`uptime ${past} s, no load`, idle)) && (await test(`uptime ${past} s`, base)))
    for (let rate = Math.floor(loadRate(hits) / RATE_STEP); rate >= 1; rate = Math.floor(rate / RATE_STEP))
      if (!(await test(`rate ${rate}`, { ...cur, rate }))) break;
  // the warp is QEMU's instruction counter, which KVM has not: a report that asked for KVM keeps it
  // (at the warp's own pace unless a rate was kept: a load as fast as the guest answers would have
  // the guest see the host's delays tens of times longer, load-flags.ts)
  if (start.accel !== "kvm" && !cur.timeWarp)
    await test("time warp", { ...cur, timeWarp: true, rate: cur.rate || WARP_RATE });
  return { options: cur, reductions, stopped };
}
