// The job summary: the engine's summary.md (verdict table, charts, triage headline,
// reproduce command) plus the source link, the artifact link and how to reproduce
// from it, cut to fit GitHub's 1 MiB step limit. A run that stops before the soak
// (a failing build-command, say) gets a short summary of its own.
import { mdCode, mdLink, mdText, type Report } from "../soak/index.ts";

export const SUMMARY_LIMIT = 1024 * 1024;
const MARGIN = 4096;

export interface SummaryExtras {
  artifact?: { name: string; url?: string };
  /** the crash's source line in the action's repository, when not in the workspace */
  sourceLink?: string;
  /** repro-budget's section */
  repro?: string;
}

export function jobSummary(report: Report, summaryMd: string, extras: SummaryExtras = {}): string {
  const parts = [summaryMd.trim(), ""];
  if (report.accel.refused) parts.unshift(`> [!WARNING]\n> Ran under TCG, not KVM: ${report.accel.refused}\n`);
  if (extras.sourceLink && report.crash?.asSource) {
    const { file, line } = report.crash.asSource;
    parts.push(`Source of the faulting function: ${mdLink(`${file}:${line}`, extras.sourceLink)}`, "");
  }
  if (extras.repro) parts.push(extras.repro);
  const { artifact } = extras;
  if (artifact)
    parts.push(
      `Artifact: ${artifact.url ? mdLink(artifact.name, artifact.url) : mdCode(artifact.name)} (report.html to open in a browser, report.json, serial.log, triage, the kernel)`,
      "",
    );
  parts.push(
    "The Reproduce command runs in the report folder (the unpacked artifact): it boots the ELF kept there with the same options.",
    "",
  );
  return fitToLimit(parts.join("\n"));
}

/** The summary of a run that stopped before the soak: what failed, and what to do. */
export function stoppedSummary(stage: string, message: string, hint: string): string {
  return fitToLimit(
    ["# Soak ⚠️ error (exit 2)", "", `Stopped while ${stage}, before any load: ${mdText(message)}`, "", hint, ""].join(
      "\n",
    ),
  );
}

export function fitToLimit(input: string): string {
  let text = input;
  const bytes = Buffer.byteLength(text);
  if (bytes > SUMMARY_LIMIT - MARGIN) {
    const note = `\n\n… cut to fit GitHub's summary limit (${bytes} bytes); the whole summary.md is in the artifact.\n`;
    text =
      Buffer.from(text)
        .subarray(0, SUMMARY_LIMIT - MARGIN - note.length)
        .toString("utf8")
        .replace(/\uFFFD$/, "") + note;
  }
  return text;
}
