// <out>/summary.md of a bisect: the first bad commit and its report, then every step.
import type { BisectResult } from "./bisect.ts";

export function renderBisectSummary(r: BisectResult): string {
  const c = r.culprit;
  const out = [
    c ? `# Bisect: first bad commit ${c.commit.slice(0, 12)}` : "# Bisect: no first bad commit",
    "",
    c
      ? `**${c.commit}** ${c.subject}: ${c.title ?? c.verdict}${c.report ? ` (report: \`${c.report}\`)` : ""}`
      : `${r.problem ?? "no culprit"}`,
    "",
    `${r.candidates} commits between good ${r.good.slice(0, 12)} and bad ${r.bad.slice(0, 12)}; ${r.steps.filter((s) => s.report).length} soaks, ${r.wallS} s.`,
    "",
    "| # | commit | subject | kernel | verdict | answer | seconds |",
    "|---:|---|---|---|---|---|---:|",
  ];
  r.steps.forEach((s, i) => {
    const answer = s.code === 0 ? "good" : s.code === 1 ? "bad" : "skip";
    out.push(
      `| ${i + 1} | \`${s.commit.slice(0, 12)}\` | ${s.subject.replace(/\|/g, "\\|")} | ${s.build} | ${s.title ?? s.verdict} | ${answer} | ${s.wallS} |`,
    );
  });
  out.push("");
  return out.join("\n");
}
