// The job summary: the engine's summary.md (verdict table, charts, triage headline,
// reproduce command) plus the artifact link, cut to fit GitHub's 1 MiB step limit.
import type { Report } from "../soak/report/types.ts";

export const SUMMARY_LIMIT = 1024 * 1024;
const MARGIN = 4096;

export function jobSummary(report: Report, summaryMd: string, artifact?: { name: string; url?: string }): string {
  const parts = [summaryMd.trim(), ""];
  if (report.accel.refused) parts.unshift(`> [!WARNING]\n> Ran under TCG, not KVM: ${report.accel.refused}\n`);
  if (artifact)
    parts.push(
      `Artifact: ${artifact.url ? `[${artifact.name}](${artifact.url})` : `\`${artifact.name}\``} (report.json, serial.log, triage, the kernel)`,
      "",
    );
  let text = parts.join("\n");
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
