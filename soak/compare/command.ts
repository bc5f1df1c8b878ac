// The `compare` subcommand's command line: its own flags first (parsed here), then any
// soak flags, which every round runs with.

import { cancelOnSignals } from "../cancel.ts";
import { parseCli } from "../cli-options.ts";
import type { KernelUnderTest } from "../kernel-under-test.ts";
import { UsageError } from "../options.ts";
import { printLine } from "../report/guest-text.ts";
import { type CompareInput, compare, MIN_ROUNDS } from "./compare.ts";
import { changeText, DEFAULT_THRESHOLD } from "./judge.ts";
import { GATE_METRIC, METRICS } from "./metrics.ts";

export const COMPARE_USAGE = `usage: unikernel-soak compare --base A --head B [options] [soak options]
       unikernel-soak compare --base-ref REF --build-command CMD --kernel PATH [--head B] [options] [soak options]

Did B make the kernel slower than A? Runs short soaks of A and B in turn on this machine
(one warm-up round of each, not counted, then A B B A A B B A …), each a whole soak with
the same soak options, and compares what each round measured: the guest's own CPU time
per request (its vCPU thread's), req/s, p50 and p99, boot to ready, pages in use after the
load, QEMU's RSS. For each: B / A (the median of every B/A pair of rounds) with its exact
95% interval from the Mann–Whitney rank-sum test (a permutation test on ranks).
Exit 1 (regression) only when a gated metric's whole interval is on the worse side of no
change and reaches its threshold (a slowdown that large is not ruled out); 0 for no
change, a change shown smaller than the threshold, or an improvement; a round that fails
its soak is exit 1 if it is B's (the head failed), else 2; 2 for any error.

  --base PATH            kernel A (a PVH ELF or a bzImage)
  --base-ref REF         or build A from this git commit, as bisect builds one: in a scratch
                         worktree, with --build-command, the ELF at --kernel
  --build-command CMD    run by sh in the worktree ($UNIKERNEL_SOAK_REPO is your repository)
  --kernel PATH          the ELF the build makes, relative to the repository's top
  --repo DIR             the repository (default: the current folder)
  --head PATH            kernel B (default: with --kernel, that ELF in your working tree;
                         else the bundled kernel)
  --base-append TEXT     added to A's kernel command line (after the soak's --append)
  --head-append TEXT     added to B's, e.g. slow_request_ns=2000 to see the gate catch it
  --rounds N             measured rounds of each kernel (default 6; at least ${MIN_ROUNDS})
  --budget S             seconds for all the rounds; stops early between pairs (default: none)
  --threshold [METRIC=]PCT
                         the slowdown of PCT percent a regression must not rule out (default
                         ${GATE_METRIC}=${DEFAULT_THRESHOLD * 100}); METRIC=PCT gates another metric too
                         (${METRICS.map((m) => m.key).join(", ")})
  --out DIR              compare.json, summary.md, report.html, rounds/ (default compare-report)
  soak options           any of unikernel-soak --help but --kernel, --fault and --out
                         (default for the rounds: --requests 50000)
  -h, --help             this text`;

const OWN = [
  "base",
  "head",
  "base-ref",
  "build-command",
  "kernel",
  "repo",
  "base-append",
  "head-append",
  "rounds",
  "budget",
  "threshold",
  "out",
] as const;
type Own = (typeof OWN)[number];

/** Splits compare's own flags (the last of each; --threshold repeats) from the soak's. */
export function splitArgv(argv: string[]): { own: Partial<Record<Own, string>>; thresholds: string[]; soak: string[] } {
  const own: Partial<Record<Own, string>> = {};
  const thresholds: string[] = [];
  const soak: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(argv[i]);
    const name = OWN.find((n) => n === m?.[1]);
    if (!name) {
      soak.push(argv[i]);
      continue;
    }
    const value = m?.[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`compare --${name}: needs a value`);
    if (name === "threshold") thresholds.push(value);
    else own[name] = value;
  }
  return { own, thresholds, soak };
}

function whole(name: string, v: string | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new UsageError(`compare --${name}: expected a whole number ≥ ${min}, got "${v}"`);
  return Number(v);
}

/** --threshold values → the gated metrics' fractions; the gate metric always gated. */
export function parseThresholds(values: string[]): Record<string, number> {
  const out: Record<string, number> = { [GATE_METRIC]: DEFAULT_THRESHOLD };
  for (const v of values) {
    const m = /^(?:([a-z0-9_]+)=)?(\d+(?:\.\d+)?)$/.exec(v.trim());
    const key = m?.[1] ?? GATE_METRIC;
    if (!m || !METRICS.some((x) => x.key === key) || !(Number(m[2]) < 100))
      throw new UsageError(
        `compare --threshold: expected PCT or METRIC=PCT (PCT from 0 to 100, METRIC one of ${METRICS.map((x) => x.key).join(", ")}), got "${v}"`,
      );
    out[key] = Number(m[2]) / 100;
  }
  return out;
}

/** The compare's input from its command line; `out` defaults to compare-report. */
export function parseCompare(argv: string[], log: (line: string) => void, signal?: AbortSignal): CompareInput {
  const { own, thresholds, soak } = splitArgv(argv);
  for (const flag of ["--fault", "--out"])
    if (soak.some((a) => a === flag || a.startsWith(`${flag}=`)))
      throw new UsageError(
        `compare: ${flag} is not a round's option (see compare --help)${flag === "--fault" ? "; build the fault kernel and pass it as --head" : ""}`,
      );
  if (!own.base === !own["base-ref"])
    throw new UsageError("compare: give --base PATH or --base-ref REF (see compare --help)");
  if (own["base-ref"] && (!own["build-command"] || !own.kernel))
    throw new UsageError("compare --base-ref: needs --build-command and --kernel (see compare --help)");
  const sized = soak.some((a) => /^--(requests|duration|scenario)(=|$)/.test(a));
  const options = parseCli(sized ? soak : ["--requests", "50000", ...soak]);
  if (options === "help") throw new UsageError("compare: soak options, not --help (see compare --help)");
  const repo = own.repo ?? ".";
  const build = own["base-ref"]
    ? { ref: own["base-ref"], buildCommand: own["build-command"] as string, kernel: own.kernel as string, repo }
    : undefined;
  const headPath = own.head ?? (own.kernel ? `${repo}/${own.kernel}` : undefined);
  return {
    base: { path: own.base, build, append: own["base-append"] ?? "" },
    head: { path: headPath, append: own["head-append"] ?? "" },
    options,
    rounds: whole("rounds", own.rounds, 6, MIN_ROUNDS),
    budgetS: whole("budget", own.budget, 0, 1),
    thresholds: parseThresholds(thresholds),
    out: own.out ?? "compare-report",
    log,
    signal,
  };
}

/** `bundled`: the front door's bundled kernel, for a side given no kernel. */
export async function compareCommand(
  argv: string[],
  log: (line: string) => void,
  bundled?: () => Promise<KernelUnderTest>,
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(COMPARE_USAGE);
    return 0;
  }
  // the first signal ends the compare after the round running (its report written)
  const input = parseCompare(argv, log, cancelOnSignals(log, "a report"));
  const r = await compare({ ...input, bundled });
  printLine(`verdict: ${r.verdict.kind}`);
  for (const reason of r.verdict.reasons) printLine(`  ${reason}`);
  for (const m of r.metrics.filter((x) => !x.gated)) printLine(`  (reported) ${changeText(m)}`);
  printLine(`report: ${input.out}/summary.md, ${input.out}/report.html, ${input.out}/compare.json`);
  return r.verdict.exitCode;
}
