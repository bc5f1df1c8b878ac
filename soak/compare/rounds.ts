// The rounds: short soaks of A and B in turn on the same machine, each a real soak
// (runSoak) of the same scenario into rounds/NN-S/. One warm-up round of each first
// (discarded), then A B B A A B B A …, so a machine that gets busier or quieter over
// the run weighs on both alike. Stops after `perSide` measured rounds of each, when the
// time budget would be overrun (only ever between pairs, so both have as many), at the
// first round that fails its soak, or on cancel.
import { join } from "node:path";
import { reproduceCommand } from "../argv.ts";
import type { KernelUnderTest } from "../kernel-under-test.ts";
import type { SoakOptions } from "../options.ts";
import { runSoak, VERSION } from "../run.ts";
import type { MeasuredRound } from "./judge.ts";
import { roundMetrics } from "./metrics.ts";

export type SideName = "A" | "B";

export interface Side {
  name: SideName;
  /** base or head, for the reader */
  role: string;
  kernel: KernelUnderTest;
  /** added to the scenario's --append for this side */
  append: string;
}

export interface RoundRecord extends MeasuredRound {
  n: number;
  warmup: boolean;
  /** the round's report folder, relative to the compare's */
  report: string;
  verdict: string;
  exitCode: number;
  /** the soak's first reason, when it did not pass */
  reason?: string;
  wallS: number;
}

export interface RoundsPlan {
  options: SoakOptions;
  sides: Record<SideName, Side>;
  /** measured rounds of each side */
  perSide: number;
  /** seconds for all the rounds (0 = no limit) */
  budgetS: number;
  out: string;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface RoundsResult {
  rounds: RoundRecord[];
  /** why fewer rounds ran than planned */
  stopped?: string;
  /** the round whose soak did not pass */
  failed?: RoundRecord;
}

/** Warm-up A and B, then ABBA blocks up to `perSide` measured rounds of each. */
export function roundOrder(perSide: number): SideName[] {
  const measured = Array.from({ length: 2 * perSide }, (_, i): SideName => "ABBA"[i % 4] as SideName);
  return ["A", "B", ...measured];
}

/** The scenario's options for one round of `side` into `out`; no profile unless asked for
 * (its pauses would be part of what the rounds measure). */
export function roundOptions(o: SoakOptions, side: Side, out: string): SoakOptions {
  const append = [o.append, side.append].filter(Boolean).join(" ");
  return { ...o, kernel: side.kernel.elf, append, out, profileHz: o.profileHz === "auto" ? 0 : o.profileHz };
}

export async function runRounds(p: RoundsPlan): Promise<RoundsResult> {
  const started = Date.now();
  const rounds: RoundRecord[] = [];
  let longestS = 0;
  const order = roundOrder(p.perSide);
  for (const [i, name] of order.entries()) {
    const n = i + 1;
    if (p.signal?.aborted) return { rounds, stopped: "cancelled" };
    // a pair of rounds must fit in what is left of the budget (pairs keep both sides equal)
    const pairStart = i >= 2 && i % 2 === 0;
    if (pairStart && p.budgetS > 0 && (Date.now() - started) / 1000 + 2 * longestS > p.budgetS)
      return { rounds, stopped: `the --budget of ${p.budgetS} s would be overrun by another pair of rounds` };
    const side = p.sides[name];
    const report = join("rounds", `${String(n).padStart(2, "0")}-${name}`);
    const o = roundOptions(p.options, side, join(p.out, report));
    const say = (line: string) => p.log(`[round ${n}/${order.length} ${name}] ${line}`);
    const t0 = Date.now();
    const r = await runSoak(o, side.kernel, {
      command: reproduceCommand(o, side.kernel.elf, VERSION),
      log: say,
      progress: () => {},
      signal: p.signal,
    });
    const wallS = Math.round((Date.now() - t0) / 100) / 10;
    longestS = Math.max(longestS, wallS);
    const record: RoundRecord = {
      n,
      side: name,
      warmup: i < 2,
      report,
      verdict: r.verdict.kind,
      exitCode: r.verdict.exitCode,
      reason: r.verdict.reasons[0]?.message,
      metrics: roundMetrics(r),
      wallS,
    };
    rounds.push(record);
    say(`${record.verdict}${record.warmup ? " (warm-up, not counted)" : ""}, ${wallS} s`);
    if (r.verdict.exitCode !== 0) return { rounds, failed: record };
  }
  return { rounds };
}
