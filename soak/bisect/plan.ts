// What every bisect step needs, written once by `bisect` to <out>/plan.json and read by
// each step that `git bisect run` starts; the steps append what they found to steps.jsonl.
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface BisectPlan {
  /** the user's repository (its top level) */
  repo: string;
  /** the scratch worktree the commits are checked out in */
  worktree: string;
  buildCommand: string;
  /** the ELF the build command makes, relative to the worktree */
  kernel: string;
  /** what the kernel is built from, relative to the worktree (empty = the whole tree) */
  buildPaths: string[];
  /** the soak's flags (the scenario's included), without --kernel and --out */
  soakArgv: string[];
  /** the bisect's own folder */
  out: string;
}

export interface StepRecord {
  commit: string;
  subject: string;
  /** the exit code for git bisect run: 0 good, 1 bad, 125 skip */
  code: 0 | 1 | 125;
  verdict: string;
  title?: string;
  /** the step's soak report, relative to the bisect folder */
  report?: string;
  build: "built" | "cached" | "failed";
  wallS: number;
}

export const writePlan = (p: BisectPlan) => writeFile(join(p.out, "plan.json"), `${JSON.stringify(p, null, 2)}\n`);
export const readPlan = async (file: string) => JSON.parse(await readFile(file, "utf8")) as BisectPlan;

export const appendStep = (out: string, s: StepRecord) =>
  appendFile(join(out, "steps.jsonl"), `${JSON.stringify(s)}\n`);

export async function readSteps(out: string): Promise<StepRecord[]> {
  const text = await readFile(join(out, "steps.jsonl"), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as StepRecord);
}

/** What a bisect found: the first bad commit, or why there is none. */
export interface BisectResult {
  good: string;
  bad: string;
  /** commits in good..bad */
  candidates: number;
  culprit?: StepRecord;
  /** why there is no culprit */
  problem?: string;
  steps: StepRecord[];
  wallS: number;
}
