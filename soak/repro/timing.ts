// Does the failure follow the clock or the load? A failure that strikes at about the same
// uptime whatever the request count (within max(2 s, 10% of the median), with counts 2x or
// more apart) is time-dependent: a request count is then no trigger, and minimising it only
// finds how many requests fit before the clock strikes. The confirmation's attempts all run
// one scenario, so a probe at a far lower load makes the counts differ on purpose.
import { countersOff, type SoakOptions } from "../options.ts";
import type { Attempt, Attempts } from "./attempt.ts";
import type { Budget } from "./budget.ts";
import { type Spread, spread } from "./confirm.ts";

export type TimingClock = "guest uptime" | "wall time since boot";

export interface Timing {
  /** uptime: the clock is the trigger; load: it is not (the probe struck later at a similar count, or
   * got past the strike on the clock without it); unclear: neither was shown */
  trigger: "uptime" | "load" | "unclear";
  /** the clock the strikes are compared on: the guest's uptime counter, else the wall's since QEMU started */
  clock: TimingClock;
  /** when the attempts that reproduced struck, on `clock` (s) */
  atS: Spread;
  /** their request counts (the load's) */
  requests: Spread;
  /** the attempts compared, by number */
  attempts: number[];
  /** the probe at a lower load, by number, when one ran */
  probe?: number;
}

/** how close strikes must be to count as the same moment */
export const tolerance = (medianS: number) => Math.max(2, 0.1 * medianS);
/** how far apart request counts must be to count as different */
const COUNT_RATIO = 2;

// the load's own count when the failure stopped it: the guest's counter at its last read before
// the strike (report.struck) lags by up to a read interval, all of it for a failure in the first
// second of load (pf-chunker's strikes read 4 to 297 requests for about 1,000)
const requestsOf = (a: Attempt) => a.requests;
const timeOn = (clock: TimingClock, a: Attempt) =>
  clock === "guest uptime" ? a.struck?.uptimeS : a.struck?.sinceBootS;

/** The clock every attempt that reproduced has a strike time on, if any. */
function clockOf(hits: Attempt[]): TimingClock | undefined {
  if (hits.length && hits.every((a) => a.struck?.uptimeS !== undefined)) return "guest uptime";
  if (hits.length && hits.every((a) => a.struck?.sinceBootS !== undefined)) return "wall time since boot";
  return undefined;
}

/** The rule over the attempts that reproduced (the probe's among them when it did); undefined when
 * there are not two strikes to compare, nor a probe that passed. */
export function judgeTiming(confirmed: Attempt[], probe?: Attempt): Timing | undefined {
  const base = confirmed.filter((a) => a.reproduced);
  const hits = probe?.reproduced ? [...base, probe] : base;
  const clock = clockOf(hits);
  if (!clock || !base.length || (hits.length < 2 && !probe)) return undefined;
  const at = (a: Attempt) => timeOn(clock, a) as number;
  const atS = spread(hits.map(at)) as Spread;
  const requests = spread(hits.map(requestsOf)) as Spread;
  const sameMoment = atS.max - atS.min <= tolerance(atS.median);
  const countsDiffer = requests.max > 0 && requests.max >= COUNT_RATIO * requests.min;
  // a failure at a fixed uptime strikes at the same moment every time: strikes apart on the clock
  // clear it, and so does the same count (within 1%) at moments a second or more apart, beyond
  // what estimating the uptime between reads blurs (tx-wrap-hang: 52,888-52,926 over 1.2 s)
  const sameCount = requests.max - requests.min <= 0.01 * requests.median && atS.max - atS.min >= 1;
  let trigger: Timing["trigger"] =
    hits.length < 2 ? "unclear" : !sameMoment || sameCount ? "load" : countsDiffer ? "uptime" : "unclear";
  if (trigger === "unclear" && probe) {
    const was = { at: spread(base.map(at)) as Spread, requests: spread(base.map(requestsOf)) as Spread };
    const past = was.at.max + tolerance(was.at.median);
    if (probe.reproduced) {
      // later on the clock, at about the count the others struck at: the requests are the trigger
      const n = requestsOf(probe);
      if (at(probe) > past && n * COUNT_RATIO > was.requests.min && n < COUNT_RATIO * was.requests.max)
        trigger = "load";
      // got past the strike on the guest's clock without failing: the clock is not the trigger
    } else if (clock === "guest uptime" && (probe.lastUptimeS ?? 0) > past) trigger = "load";
  }
  return { trigger, clock, atS, requests, attempts: hits.map((a) => a.n), ...(probe && { probe: probe.n }) };
}

/** "strikes at ~25 s of uptime, not after a request count" */
export function timingText(t: Timing): string {
  const s = Math.round(t.atS.median);
  return t.clock === "guest uptime"
    ? `strikes at ~${s} s of uptime, not after a request count`
    : `strikes at ~${s} s after boot (wall time: the kernel has no uptime counter), not after a request count`;
}

/** "attempts 1, 2 and 4 struck at 8.1-8.6 s of uptime with 7,349-17,519 requests" */
export function timingEvidence(t: Timing): string {
  const ns = t.attempts.join(", ").replace(/, (\d+)$/, " and $1");
  const range = (s: Spread, f: (x: number) => string) => (s.min === s.max ? f(s.min) : `${f(s.min)}-${f(s.max)}`);
  const on = t.clock === "guest uptime" ? "of uptime" : "after boot";
  const count = (x: number) => Math.round(x).toLocaleString("en-US");
  return `attempts ${ns} struck at ${range(t.atS, (x) => x.toFixed(1))} s ${on} with ${range(t.requests, count)} requests`;
}

/**
 * After the confirmation: judged as it stands when it already tells, else after one
 * probe attempt at a tenth of its load (one connection, no pipelining, a tenth of its rate on the
 * guest's clock), run until just past the strike, if the budget allows it.
 */
export async function probeTiming(
  attempts: Attempts,
  start: SoakOptions,
  confirmed: Attempt[],
  budget: Budget,
): Promise<Timing | undefined> {
  const hits = confirmed.filter((a) => a.reproduced);
  const clock = clockOf(hits);
  const known = judgeTiming(confirmed);
  if (!clock || (known && known.trigger !== "unclear")) return known;
  if (attempts.cancelled || !budget.allowsAnother) return judgeTiming(confirmed);
  const probe = await attempts.run("probe at a tenth of the load", probeOptions(start, hits, clock));
  budget.spent(probe.wallS);
  return judgeTiming(confirmed, probe);
}

/** the load's pace in the attempts that reproduced: requests per second of load (median) */
export const loadRate = (hits: Attempt[]) =>
  spread(hits.map((a) => requestsOf(a) / Math.max(0.1, a.seconds)))?.median ?? 0;

function probeOptions(start: SoakOptions, hits: Attempt[], clock: TimingClock): SoakOptions {
  const at = spread(hits.map((a) => timeOn(clock, a) as number)) as Spread;
  const loadS = spread(hits.map((a) => a.seconds)) as Spread;
  const margin = tolerance(at.median);
  const o: SoakOptions = {
    ...start,
    connections: 1,
    pipelining: 1,
    // long enough to pass the strike, not much longer: a failure the load triggers is not waited for
    durationS: Math.min(start.durationS, Math.ceil(loadS.max + margin + 5)),
  };
  // --uptime and --rate go by the counters (a clock from heartbeat lines alone does not serve them):
  // without them the probe's one connection is a new one for every request, a fraction of the pace
  // whatever the machine (one keep-alive connection still made half the requests of 50 on a busy one)
  if (clock !== "guest uptime" || countersOff(start)) return { ...o, churnPercent: 100 };
  return { ...o, rate: Math.max(1, Math.floor(loadRate(hits) / 10)), uptimeS: Math.ceil(at.max + margin) };
}
