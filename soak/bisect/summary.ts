// <out>/summary.md of a bisect: the first bad commit and its report, then every step.
import { mdCode, mdText } from "../report/guest-text.ts";
import type { BisectResult } from "./plan.ts";

export function renderBisectSummary(r: BisectResult): string {
  const c = r.culprit;
  const out = [
    c ? `# Bisect: first bad commit ${c.commit.slice(0, 12)}` : "# Bisect: no first bad commit",
    "",
    c
      ? `**${mdText(c.commit)}** ${mdText(c.subject)}: ${mdText(c.title ?? c.verdict)}${c.report ? ` (report: ${mdCode(c.report)})` : ""}`
      : mdText(r.problem ?? "no culprit"),
    "",
    `${r.candidates} commits between good ${r.good.slice(0, 12)} and bad ${r.bad.slice(0, 12)}; ${r.steps.filter((s) => s.report).length} soaks, ${r.wallS} s.`,
    "",
    "| # | commit | subject | kernel | verdict | answer | seconds |",
    "|---:|---|---|---|---|---|---:|",
  ];
  r.steps.forEach((s, i) => {
    const answer = s.code === 0 ? "good" : s.code === 1 ? "bad" : "skip";
    out.push(
      `| ${i + 1} | ${mdCode(s.commit.slice(0, 12))} | ${mdText(s.subject)} | ${mdText(s.build)} | ${mdText(s.title ?? s.verdict)} | ${answer} | ${s.wallS} |`,
    );
  });
  out.push("");
  return out.join("\n");
}
