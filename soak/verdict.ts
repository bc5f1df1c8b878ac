// Verdicts: what the soak concluded, with the evidence for it, and the exit code.

export const VERDICT_KINDS = [
  "pass",
  "crash",
  "hang",
  "reset",
  "tx-stall",
  "stats",
  "leak",
  "latency",
  "load",
  "error",
] as const;
export type VerdictKind = (typeof VERDICT_KINDS)[number];

/** One piece of evidence from a watcher (or the engine itself). */
export interface Finding {
  kind: Exclude<VerdictKind, "pass">;
  message: string;
  /** ms since the epoch */
  at: number;
  evidence?: Record<string, unknown>;
}

export interface Verdict {
  kind: VerdictKind;
  exitCode: 0 | 1 | 2;
  reasons: Finding[];
}

/** Which finding names the verdict when several arrive: the most specific first. */
const PRECEDENCE: Finding["kind"][] = [
  "error",
  "crash",
  "reset",
  "tx-stall",
  "hang",
  "stats",
  "leak",
  "latency",
  "load",
];

export function decide(findings: Finding[]): Verdict {
  if (findings.length === 0) return { kind: "pass", exitCode: 0, reasons: [] };
  const kind = PRECEDENCE.find((k) => findings.some((f) => f.kind === k)) as Finding["kind"];
  const reasons = [...findings].sort((a, b) => PRECEDENCE.indexOf(a.kind) - PRECEDENCE.indexOf(b.kind) || a.at - b.at);
  return { kind, exitCode: kind === "error" ? 2 : 1, reasons };
}
