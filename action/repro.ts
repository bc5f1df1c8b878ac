// repro-budget: after a kernel failure, `unikernel-soak repro` on the report folder within
// the budget, before the artifact is uploaded (so repro/ goes with it); its summary line
// joins the job summary. A repro that cannot run warns; the step's verdict stays the soak's.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as core from "@actions/core";
import { confirmationLine, logLine, mdFence, type Report, repro } from "../soak/index.ts";
import { guestLogGroup } from "./guest-log.ts";

/** Markdown for the job summary, or undefined when repro did not run. */
export async function reproAfterFailure(
  report: Report,
  budgetS: number,
  outDir: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (budgetS === 0 || report.verdict.exitCode !== 1 || signal.aborted) return undefined;
  try {
    const { verdict } = await guestLogGroup("Repro", (log) =>
      // the report this step just wrote, with the workflow's own QEMU arguments
      repro({ reportDir: outDir, attempts: 3, budgetS, log, signal, allowQemuArgs: true }),
    );
    const m = verdict.minimised;
    const lines = [`## Repro (budget ${budgetS} s, ${verdict.wallS} s used)`, ""];
    lines.push(`- original scenario: ${confirmationLine(verdict.original)}`);
    if (m) {
      lines.push(`- minimised scenario: ${confirmationLine(m.confirmation)}`, "");
      lines.push(...mdFence((await readFile(join(outDir, "repro", "scenario.json"), "utf8")).trimEnd(), "json"));
      lines.push("", "`repro/repro.sh` in the artifact reproduces it with QEMU and curl alone.");
    }
    return `${lines.join("\n")}\n`;
  } catch (err) {
    core.warning(`repro could not run: ${logLine((err as Error).message)}`, { title: "unikernel-soak repro" });
    return undefined;
  }
}
