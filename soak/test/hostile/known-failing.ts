// What the hostile cases catch in the engine today, kept in one place so it is flipped in
// one place: when a fix lands, remove its entry (the named cases fail while a listed case
// passes, so this list cannot go stale).
import type { CaseOutcome } from "./run-case.ts";

/** a broken line's invariant: the text before its first ":" (invariants.ts) */
export const invariantOf = (line: string) => line.slice(0, line.indexOf(":"));

export interface KnownBug {
  name: string;
  /** the bug is there when this matches one of a case's broken lines */
  cause: RegExp;
  /** the broken lines it explains (a missing report follows from an engine that died, for one) */
  explains: RegExp;
}

export const KNOWN_BUGS: KnownBug[] = [
  {
    // StatsMonitor's poll calls parseStats on whatever came back: JSON.parse throws on a body that
    // is not JSON (and Object.entries on null), the rejection escapes the poller and ends the engine
    name: "stats that stop being a JSON object mid-soak kill the engine",
    cause: /at parseStats /,
    // node's report of the escaped exception quotes the body, commands and all
    explains: /^(no-throw|report): |^no-command: printed a workflow command: "(SyntaxError|TypeError): /,
  },
];

const STATS_DIE = ["no-throw", "report"];

/** named case → the invariants it breaks today */
export const KNOWN_FAILING: Record<string, string[]> = {
  "stats garbage mid-soak": STATS_DIE,
  "stats null": STATS_DIE,
  "stats empty": STATS_DIE,
  "counters NaN": STATS_DIE,
};

/** The broken lines of `o` that no known bug explains. */
export function unexplained(o: CaseOutcome): string[] {
  const bugs = knownBugsIn(o);
  return o.broken.filter((line) => !bugs.some((b) => b.explains.test(line)));
}

/** The known bugs `o` ran into. */
export const knownBugsIn = (o: CaseOutcome) => KNOWN_BUGS.filter((b) => o.broken.some((line) => b.cause.test(line)));
