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

export const KNOWN_BUGS: KnownBug[] = [];

/** named case → the invariants it breaks today */
export const KNOWN_FAILING: Record<string, string[]> = {};

/** The broken lines of `o` that no known bug explains. */
export function unexplained(o: CaseOutcome): string[] {
  const all = o.broken.join("\n");
  const explained = new Set(KNOWN_BUGS.filter((b) => b.pattern.test(all)).flatMap((b) => b.breaks));
  return o.broken.filter((line) => !explained.has(invariantOf(line)));
}
