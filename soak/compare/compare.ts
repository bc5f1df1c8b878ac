// `unikernel-soak compare`: did B make the kernel slower than A? Claims the report folder,
// resolves both kernels, runs the rounds, judges the metrics and writes compare.json,
// summary.md and report.html. Exit 0 no change or an improvement, 1 a regression (or B
// failed its soak), 2 an error (A failed its soak, too few rounds, cancelled, the input).
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { KernelUnderTest } from "../kernel-under-test.ts";
import type { SoakOptions } from "../options.ts";
import { claimFolder } from "../out-dir.ts";
import { VERSION } from "../run.ts";
import { renderCompareHtml } from "./html.ts";
import { type CompareVerdict, judgeMetrics, type MetricResult, overall, STATISTICS } from "./judge.ts";
import { type KernelSpec, resolveKernel } from "./kernels.ts";
import type { CompareResult } from "./result.ts";
import { runRounds } from "./rounds.ts";
import { renderCompareSummary } from "./summary-md.ts";

export const COMPARE_FILES = ["compare.json", "summary.md", "report.html", "rounds", "builds"];
/** Below this many measured rounds a side, no arrangement of the ranks is rarer than 2.5%: no bound. */
export const MIN_ROUNDS = 4;

export type { CompareResult };

export interface CompareInput {
  base: KernelSpec & { append: string };
  head: KernelSpec & { append: string };
  /** the scenario every round runs (its out is ignored) */
  options: SoakOptions;
  /** measured rounds of each kernel */
  rounds: number;
  budgetS: number;
  /** gated metrics: the fraction worse that is a regression, by key */
  thresholds: Record<string, number>;
  out: string;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** the front door's bundled kernel (kernel/bundled.ts), for a side given no kernel */
  bundled?: () => Promise<KernelUnderTest>;
}

export async function compare(c: CompareInput): Promise<CompareResult> {
  const out = resolve(c.out);
  const startedAt = new Date();
  const claim = await claimFolder(c.out, COMPARE_FILES);
  try {
    const a = await resolveKernel(c.base, "--base", out, c.log, c.signal, c.bundled);
    const b = await resolveKernel(c.head, "--head", out, c.log, c.signal, c.bundled);
    const sides = {
      A: { name: "A", role: "base", kernel: a, append: c.base.append },
      B: { name: "B", role: "head", kernel: b, append: c.head.append },
    } as const;
    const run = await runRounds({
      options: c.options,
      sides,
      perSide: c.rounds,
      budgetS: c.budgetS,
      out,
      log: c.log,
      signal: c.signal,
    });
    const measured = run.rounds.filter((r) => !r.warmup);
    const metrics = judgeMetrics(measured, c.thresholds);
    const perSide = Math.min(...(["A", "B"] as const).map((s) => measured.filter((r) => r.side === s).length));
    const result: CompareResult = {
      schemaVersion: 1,
      tool: { name: "unikernel-soak", version: VERSION },
      startedAt: startedAt.toISOString(),
      wallS: 0,
      sides: {
        A: { role: "base", kernel: a.elf, append: c.base.append, ref: c.base.build?.ref, commit: a.commit },
        B: { role: "head", kernel: b.elf, append: c.head.append, ref: c.head.build?.ref, commit: b.commit },
      },
      verdict: verdictOf(run, metrics, perSide),
      metrics,
      rounds: run.rounds,
      statistics: {
        ...STATISTICS,
        falseAlarmBound: `with no real change, a gated metric's interval lies wholly on its worse side with a chance of at most ${(((1 - STATISTICS.level) / 2) * 100).toFixed(1)}%; at most that times the number of gated metrics in all`,
      },
      stopped: run.stopped,
    };
    result.wallS = Math.round((Date.now() - startedAt.getTime()) / 100) / 10;
    await writeFile(join(out, "compare.json"), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(join(out, "summary.md"), renderCompareSummary(result));
    await writeFile(join(out, "report.html"), renderCompareHtml(result));
    return result;
  } finally {
    await claim.release();
  }
}

function verdictOf(
  run: Awaited<ReturnType<typeof runRounds>>,
  metrics: MetricResult[],
  perSide: number,
): CompareVerdict {
  const f = run.failed;
  if (f) {
    const whose = f.side === "B" ? "the head kernel (B)" : "the base kernel (A)";
    const what = `round ${f.n} (${f.side}) did not pass its soak: ${f.verdict}${f.reason ? ` — ${f.reason}` : ""}; see ${f.report}`;
    // the head failing is the pull request's doing; the base failing, or an error, is not a verdict on it
    return f.side === "B" && f.exitCode === 1
      ? { kind: "round failed", exitCode: 1, reasons: [`${whose} failed: ${what}`] }
      : { kind: "error", exitCode: 2, reasons: [`${whose}: ${what}; the comparison cannot be made`] };
  }
  if (run.stopped === "cancelled") return { kind: "error", exitCode: 2, reasons: ["cancelled (SIGINT/SIGTERM)"] };
  if (perSide < MIN_ROUNDS)
    return {
      kind: "error",
      exitCode: 2,
      reasons: [
        `only ${perSide} measured round${perSide === 1 ? "" : "s"} of each kernel${run.stopped ? ` (${run.stopped})` : ""}; at least ${MIN_ROUNDS} are needed for a 95% interval: give a larger --budget, more --rounds or shorter rounds (--requests)`,
      ],
    };
  return overall(metrics);
}
