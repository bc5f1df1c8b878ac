// The `bisect` subcommand's command line, and `bisect-step`, the test `git bisect run`
// starts at each commit (internal: it takes the plan bisect wrote).

import { cancelOnSignals } from "../cancel.ts";
import { UsageError } from "../options.ts";
import { printLine } from "../report/guest-text.ts";
import { bisect } from "./bisect.ts";
import { readPlan } from "./plan.ts";
import { bisectStep } from "./step.ts";

export const BISECT_USAGE = `usage: unikernel-soak bisect --good REF --bad REF --build-command CMD --kernel PATH [options] [soak options]

Finds the first commit in good..bad whose kernel fails the soak: git bisect run in a
scratch worktree of the repository (your working tree and branches are not touched),
the soak as the test (pass = good, a kernel failure = bad, an error or a failed build =
skip). The bad commit is soaked first; then at most ⌈log₂ N⌉ soaks for N commits. With
--scenario from a repro, each soak takes seconds.

  --good REF            a commit that passes
  --bad REF             a later commit that fails
  --build-command CMD   builds the kernel, run by sh in the worktree at each commit
                        ($UNIKERNEL_SOAK_REPO is your repository, e.g. to link its node_modules)
  --kernel PATH         the ELF the build makes, relative to the repository's top
  --build-paths LIST    what the kernel is built from, comma-separated (default: everything);
                        a commit that changes none of them reuses the previous build
  --repo DIR            the repository (default: the current folder)
  --out DIR             where steps/, builds/, bisect.json and summary.md go (default bisect-report;
                        must be new or empty)
  soak options          any of unikernel-soak --help (--scenario FILE, --requests, ...)
Exit 0 = the first bad commit was named, 1 = none (the bad commit passes, or only skips), 2 = error.`;

const OWN = ["good", "bad", "build-command", "kernel", "build-paths", "repo", "out"] as const;

export async function bisectCommand(argv: string[], log: (line: string) => void): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(BISECT_USAGE);
    return 0;
  }
  const own: Partial<Record<(typeof OWN)[number], string>> = {};
  const soakArgv: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(argv[i]);
    const name = OWN.find((n) => n === m?.[1]);
    if (!name) {
      soakArgv.push(argv[i]);
      continue;
    }
    const value = m?.[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`bisect --${name}: needs a value`);
    own[name] = value;
  }
  for (const name of ["good", "bad", "build-command", "kernel"] as const)
    if (!own[name]) throw new UsageError(`bisect: --${name} is required (see bisect --help)`);
  // the first signal ends the bisect with its summary (the scratch worktree and the step
  // running in it go as the process exits: worktree.ts, bisect.ts)
  const signal = cancelOnSignals(log, "a summary");
  const { code, result } = await bisect({
    repo: own.repo ?? ".",
    good: own.good as string,
    bad: own.bad as string,
    buildCommand: own["build-command"] as string,
    kernel: own.kernel as string,
    buildPaths: (own["build-paths"] ?? "").split(",").filter(Boolean),
    soakArgv,
    out: own.out ?? "bisect-report",
    log,
    signal,
  });
  const c = result.culprit;
  printLine(c ? `first bad commit: ${c.commit} ${c.subject}` : `no first bad commit: ${result.problem}`);
  if (c) printLine(`  ${c.title ?? c.verdict}; report: ${own.out ?? "bisect-report"}/${c.report}`);
  printLine(
    `soaks: ${result.steps.filter((s) => s.report).length} for ${result.candidates} commits, ${result.wallS} s`,
  );
  return code;
}

/** One step, as git bisect run starts it: exit 0 good, 1 bad, 125 skip. Anything that goes
 * wrong in the step itself (a plan it cannot read, a flag, a missing file, the machine) is
 * a skip: git bisect run counts any other failing exit as bad and would blame the commit. */
export async function bisectStepCommand(argv: string[], log: (line: string) => void): Promise<number> {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  process.once("SIGTERM", () => controller.abort());
  try {
    if (argv.length !== 1) throw new UsageError("bisect-step: expected the plan file bisect wrote");
    const step = await bisectStep(await readPlan(argv[0]), log, controller.signal);
    return controller.signal.aborted ? 128 : step.code;
  } catch (err) {
    if (controller.signal.aborted) return 128;
    log(`skip: the step could not run: ${(err as Error).message}`);
    return 125;
  }
}
