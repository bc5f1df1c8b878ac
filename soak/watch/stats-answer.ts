// The guest's answer to the stats path, read as counters it cannot use against the engine:
// a JSON object whose finite numbers are kept, at most MAX_COUNTERS of them, each named by
// at most MAX_NAME plain characters (the names the soak watches first); anything else is
// dropped and said once. An answer that is not such an object throws StatsAnswerError,
// naming the path, the status and the answer's first bytes.
import type { ProbeResult } from "./http-probe.ts";

/** the guest's counters, as kept: finite numbers by name */
export type GuestStats = Record<string, number>;

/** counters kept per sample: a guest's counters are a few dozen; the timeline keeps hundreds of samples */
export const MAX_COUNTERS = 256;
/** a counter name's longest; names are identifiers, never text to show */
export const MAX_NAME = 64;
const NAME = new RegExp(`^[A-Za-z0-9_.:-]{1,${MAX_NAME}}$`);
/** the most of a bad answer a message quotes */
const QUOTED = 48;

export class StatsAnswerError extends Error {}

export interface ReadStats {
  stats: GuestStats;
  /** what was dropped beyond the limits, when anything was */
  overLimits?: string;
}

/** The start of a guest's text, quoted with everything but printable ASCII escaped. */
export function quoteStart(text: string, max = QUOTED): string {
  const start = JSON.stringify(text.slice(0, max)).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return text.length > max ? `${start}…` : start;
}

/** The counters in `answer`; throws StatsAnswerError when it is not a 200 with a JSON object. */
export function readStats(answer: ProbeResult, path: string, watched: readonly string[] = []): ReadStats {
  const said = `${path} answered ${answer.status} (${answer.body.length} bytes: ${quoteStart(answer.body)})`;
  if (answer.status !== 200) throw new StatsAnswerError(`${said}: expected 200 with a JSON object of counters`);
  let raw: unknown;
  try {
    raw = JSON.parse(answer.body);
  } catch (err) {
    throw new StatsAnswerError(`${said}: not JSON (${(err as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new StatsAnswerError(`${said}: JSON, but not an object of counters`);
  return keepCounters(raw as Record<string, unknown>, watched);
}

/** The numbers of `raw` within the limits, the watched names first. */
export function keepCounters(raw: Record<string, unknown>, watched: readonly string[] = []): ReadStats {
  // no prototype: a counter named __proto__ or constructor is a counter like any other
  const stats: GuestStats = Object.create(null);
  let kept = 0;
  let badNames = 0;
  let beyond = 0;
  const take = (k: string) => {
    const v = raw[k];
    if (typeof v !== "number" || !Number.isFinite(v) || Object.hasOwn(stats, k)) return;
    if (!NAME.test(k)) badNames++;
    else if (kept >= MAX_COUNTERS) beyond++;
    else {
      stats[k] = v;
      kept++;
    }
  };
  for (const k of watched) if (Object.hasOwn(raw, k)) take(k);
  for (const k of Object.keys(raw)) take(k);
  const over = [
    beyond ? `${beyond} counters beyond the first ${MAX_COUNTERS}` : "",
    badNames ? `${badNames} counters whose names are not 1-${MAX_NAME} letters, digits or _ . : -` : "",
  ].filter(Boolean);
  return over.length ? { stats, overLimits: `dropped ${over.join(" and ")}` } : { stats };
}
