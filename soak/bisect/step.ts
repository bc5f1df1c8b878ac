// One bisect step at the commit checked out in the worktree: build (or reuse) the kernel,
// soak it, and answer git bisect run: 0 good (pass), 1 bad (the kernel failed), 125 skip
// (the build failed, or the soak ended in an error: exit 2).
import { join } from "node:path";
import { reproduceCommand } from "../argv.ts";
import { parseCli } from "../cli-options.ts";
import type { SoakOptions } from "../options.ts";
import { runSoak, VERSION } from "../run.ts";
import { buildAt } from "./build.ts";
import { git } from "./git.ts";
import { appendStep, type BisectPlan, readSteps, type StepRecord } from "./plan.ts";

export async function bisectStep(
  p: BisectPlan,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<StepRecord> {
  const started = Date.now();
  const commit = await git(p.worktree, "rev-parse", "HEAD");
  const subject = await git(p.worktree, "log", "-1", "--format=%s", "HEAD");
  const n = (await readSteps(p.out)).length + 1;
  const say = (line: string) => log(`[${commit.slice(0, 10)}] ${line}`);
  say(`step ${n}: ${subject}`);
  const built = await buildAt(p, say, signal);
  const record = (r: Omit<StepRecord, "commit" | "subject" | "wallS" | "build">): StepRecord => ({
    commit,
    subject,
    ...r,
    build: built.how,
    wallS: Math.round((Date.now() - started) / 100) / 10,
  });
  let step: StepRecord;
  if (!built.elf) {
    say(`skip: ${built.error}`);
    step = record({ code: 125, verdict: "build failed" });
  } else {
    const report = join("steps", `${String(n).padStart(2, "0")}-${commit.slice(0, 10)}`);
    const o = parseCli([...p.soakArgv, "--kernel", built.elf, "--out", join(p.out, report)]) as SoakOptions;
    const result = await runSoak(
      o,
      { elf: built.elf, sourceRoot: p.worktree, bundled: false },
      {
        command: reproduceCommand(o, built.elf, VERSION),
        log: say,
        progress: () => {},
        signal,
      },
    );
    const v = result.verdict;
    const code = v.exitCode === 0 ? 0 : v.exitCode === 1 ? 1 : 125;
    say(`${["good", "bad"][code] ?? "skip"}: ${v.kind}${result.crash ? ` — ${result.crash.title}` : ""}`);
    step = record({ code, verdict: v.kind, title: result.crash?.title, report });
  }
  await appendStep(p.out, step);
  return step;
}
