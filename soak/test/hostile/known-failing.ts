// What the hostile cases catch in the engine today, kept in one place so it is flipped in
// one place: when a fix lands, remove its entry (the named cases fail while a listed case
// passes, so this list cannot go stale).
import type { CaseOutcome } from "./run-case.ts";

/** a broken line's invariant: the text before its first ":" (invariants.ts) */
export const invariantOf = (line: string) => line.slice(0, line.indexOf(":"));

export interface KnownBug {
  name: string;
  /** matched against all of a case's broken lines */
  pattern: RegExp;
  /** the invariants it breaks (a missing report follows from an engine that died, for one) */
  breaks: string[];
}

export const KNOWN_BUGS: KnownBug[] = [
  {
    // StatsMonitor's poll calls parseStats on whatever came back: JSON.parse throws on a body that
    // is not JSON (and Object.entries on null), the rejection escapes the poller and ends the engine
    name: "stats that stop being a JSON object mid-soak kill the engine",
    pattern: /at parseStats /,
    breaks: ["no-throw", "report"],
  },
  {
    // Qmp.onData JSON.parses each line in a socket 'data' handler: a QMP line that is not JSON
    // (a hang's triage) is an uncaught exception
    name: "a QMP line that is not JSON kills the engine",
    pattern: /at Qmp\.onData /,
    breaks: ["no-throw", "report"],
  },
  {
    // the crash finding's message and title quote the serial line: the CLI prints them raw
    name: "a crash line's text is printed raw (workflow commands)",
    pattern:
      /no-command: printed a workflow command: "(unikernel-soak: crash: serial: | {2}crash: serial: |verdict: crash )/,
    breaks: ["no-command"],
  },
];

const STATS_DIE = ["no-throw", "report"];

/** named case → the invariants it breaks today */
export const KNOWN_FAILING: Record<string, string[]> = {
  "stats garbage mid-soak": STATS_DIE,
  "stats null": STATS_DIE,
  "stats empty": STATS_DIE,
  "counters NaN": STATS_DIE,
  "crash with commands and markup": ["no-command"],
  "QMP garbage during hang triage": ["no-throw", "report"],
};

/** The broken lines of `o` that no known bug explains. */
export function unexplained(o: CaseOutcome): string[] {
  const all = o.broken.join("\n");
  const explained = new Set(KNOWN_BUGS.filter((b) => b.pattern.test(all)).flatMap((b) => b.breaks));
  return o.broken.filter((line) => !explained.has(invariantOf(line)));
}
