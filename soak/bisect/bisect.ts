// unikernel-soak bisect --good REF --bad REF: the first bad commit, by `git bisect run` in a
// scratch worktree with the soak as the test (see step.ts). The bad end is soaked first,
// so a bisect never starts from a commit that does not fail; at most ⌈log₂ N⌉ more
// soaks follow for N commits in good..bad.
import { spawn } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { optionsToArgv } from "../argv.ts";
import { parseCli } from "../cli-options.ts";
import { DEFAULTS, UsageError } from "../options.ts";
import { git } from "./git.ts";
import { type BisectPlan, type BisectResult, readSteps, writePlan } from "./plan.ts";
import { bisectStep } from "./step.ts";
import { renderBisectSummary } from "./summary.ts";
import { ScratchWorktree } from "./worktree.ts";

export interface BisectOptions {
  repo: string;
  good: string;
  bad: string;
  buildCommand: string;
  kernel: string;
  buildPaths: string[];
  soakArgv: string[];
  out: string;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** How `git bisect run` starts a step: this same program, however it was started (tsx or the bundle). */
const stepCommand = (planFile: string) => [
  process.execPath,
  ...process.execArgv,
  process.argv[1],
  "bisect-step",
  planFile,
];

export async function bisect(b: BisectOptions): Promise<{ code: 0 | 1 | 2; result: BisectResult }> {
  const started = Date.now();
  const repo = await git(resolve(b.repo), "rev-parse", "--show-toplevel").catch((err: Error) => {
    throw new UsageError(`bisect: ${b.repo} is not in a git repository (${err.message})`);
  });
  const commit = (ref: string, flag: string) =>
    git(repo, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`).catch(() => {
      throw new UsageError(`bisect ${flag} ${ref}: no such commit in ${repo}`);
    });
  const [good, bad] = [await commit(b.good, "--good"), await commit(b.bad, "--bad")];
  const ancestor = await git(repo, "merge-base", "--is-ancestor", good, bad).then(
    () => true,
    () => false,
  );
  if (!ancestor) throw new UsageError(`bisect: --good ${b.good} is not an ancestor of --bad ${b.bad}`);
  const candidates = Number(await git(repo, "rev-list", "--count", `${good}..${bad}`));
  if (candidates === 0) throw new UsageError("bisect: --good and --bad are the same commit");
  // the soak's options, checked before anything is built, its files made absolute: each step
  // starts in the scratch worktree, where a relative path would name nothing
  const soakArgv = absoluteSoakArgv(b.soakArgv);
  const out = resolve(b.out);
  await claimBisectDir(out);

  const result: BisectResult = { good, bad, candidates, steps: [], wallS: 0 };
  const wt = await ScratchWorktree.add(repo, bad);
  try {
    const { buildCommand, kernel, buildPaths } = b;
    const plan: BisectPlan = { repo, worktree: wt.path, buildCommand, kernel, buildPaths, soakArgv, out };
    await writePlan(plan);
    b.log(`bisecting ${candidates} commits (${good.slice(0, 10)}..${bad.slice(0, 10)}) in ${wt.path}`);
    const first = await bisectStep(plan, b.log, b.signal);
    result.steps.push(first);
    if (first.code !== 1) {
      result.problem = `the --bad commit does not fail the soak (${first.verdict}): nothing to bisect`;
    } else if (candidates === 1) {
      result.culprit = first;
    } else {
      await git(wt.path, "bisect", "start", bad, good);
      const output = await runBisect(wt.path, join(out, "plan.json"), b.log, b.signal);
      await writeFile(join(out, "bisect.log"), await git(wt.path, "bisect", "log"));
      await git(wt.path, "bisect", "reset");
      result.steps = await readSteps(out);
      const culprit = /^([0-9a-f]{40}) is the first bad commit/m.exec(output)?.[1];
      result.culprit = result.steps.find((s) => s.commit === culprit);
      if (!result.culprit)
        result.problem = b.signal?.aborted
          ? "cancelled"
          : `git bisect run named no first bad commit:\n${output.split("\n").slice(-8).join("\n")}`;
    }
  } finally {
    await wt.remove();
  }
  result.wallS = Math.round((Date.now() - started) / 100) / 10;
  await writeFile(join(out, "bisect.json"), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(out, "summary.md"), renderBisectSummary(result));
  return { code: b.signal?.aborted ? 2 : result.culprit ? 0 : 1, result };
}

/** The soak's flags as the steps get them: parsed (a scenario file read in), checked, and
 * written back with the initrd, the symbols and a QEMU given by a path made absolute. */
function absoluteSoakArgv(argv: string[]): string[] {
  const o = parseCli(argv);
  if (o === "help") throw new UsageError("bisect: soak options, not --help (see bisect --help)");
  const abs = (f: string | undefined) => f && resolve(f);
  const qemu = o.qemu?.includes("/") ? resolve(o.qemu) : o.qemu;
  return optionsToArgv({ ...o, initrd: abs(o.initrd), symbols: abs(o.symbols), qemu, out: DEFAULTS.out });
}

/** A `git bisect run` still running when the process exits (a second Ctrl-C) goes with it. */
const running = new Set<number>();
process.on("exit", () => {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
});

/** `git bisect run`, its output relayed line by line; resolves with all of it. */
function runBisect(
  worktree: string,
  planFile: string,
  log: (l: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    // a process group of its own, so a cancel reaches the step and its soak too
    const child = spawn("git", ["bisect", "run", ...stepCommand(planFile)], { cwd: worktree, detached: true });
    let all = "";
    let partial = "";
    const take = (d: Buffer) => {
      all += d;
      const lines = (partial + d).split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) if (l.trim()) log(l);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    const abort = () => process.kill(-(child.pid ?? 0), "SIGTERM");
    signal?.addEventListener("abort", abort, { once: true });
    if (child.pid) running.add(child.pid);
    child.on("error", reject);
    child.on("close", () => {
      running.delete(child.pid ?? 0);
      signal?.removeEventListener("abort", abort);
      resolvePromise(all);
    });
  });
}

async function claimBisectDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => []);
  if (entries.length)
    throw new UsageError(
      `bisect --out ${dir}: not empty (${entries.slice(0, 3).join(", ")}); it is left untouched: choose a new folder`,
    );
  await mkdir(join(dir, "steps"), { recursive: true });
}
