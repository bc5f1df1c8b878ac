// compare's summary.md: the verdict, the table (metric, A, B, ratio, interval, verdict),
// a Mermaid chart of the rounds and each round's report. Every text that a kernel or a
// path could shape goes through mdText/mdCode.
import { mdCode, mdText } from "../report/guest-text.ts";
import { gateText, intervalText, num, ratioText, roundSeries } from "./format.ts";
import type { CompareResult } from "./result.ts";

const ICON: Record<string, string> = {
  "no change": "✅",
  "within threshold": "✅",
  improvement: "✅",
  regression: "❌",
  "round failed": "❌",
};

export function renderCompareSummary(r: CompareResult): string {
  const v = r.verdict;
  const side = (s: "A" | "B") => {
    const x = r.sides[s];
    const from = x.ref ? ` built from ${mdCode(x.ref)} (${mdCode((x.commit ?? "").slice(0, 12))})` : "";
    return `- **${s}** (${x.role}): ${mdCode(x.kernel)}${from}${x.append ? `, append ${mdCode(x.append)}` : ""}`;
  };
  const measured = r.rounds.filter((x) => !x.warmup);
  const out = [
    `# Compare: ${ICON[v.kind] ?? "⚠️"} ${v.kind}`,
    "",
    ...v.reasons.map((x) => `- ${mdText(x)}`),
    "",
    side("A"),
    side("B"),
    "",
    `${measured.filter((x) => x.side === "A").length} measured rounds of A and ${measured.filter((x) => x.side === "B").length} of B (after one warm-up each, in the order A B, then A B B A …), ${r.wallS} s.${r.stopped ? ` Stopped early: ${mdText(r.stopped)}.` : ""}`,
    "",
    "| metric | A (mean) | B (mean) | B / A (median pair) | 95% interval | verdict | gate |",
    "|---|---:|---:|---:|---|---|---|",
    ...r.metrics.map(
      (m) =>
        `| ${mdText(m.label)} (${mdText(m.unit)}, ${m.better} is better) | ${num(m.a.mean)} | ${num(m.b.mean)} | ${ratioText(m)} | ${intervalText(m)} | ${m.verdict} | ${gateText(m)} |`,
    ),
    "",
    `How: ${mdText(r.statistics.method)}. False alarms: ${mdText(r.statistics.falseAlarmBound)}.`,
    "",
    roundsChart(r),
    "",
    "| round | kernel | verdict | guest µs/request | report |",
    "|---:|---|---|---:|---|",
    ...r.rounds.map(
      (x) =>
        `| ${x.n}${x.warmup ? " (warm-up)" : ""} | ${x.side} | ${mdText(x.verdict)} | ${num(x.metrics.guest_us_per_request ?? NaN)} | ${mdCode(x.report)} |`,
    ),
    "",
  ];
  return out.join("\n");
}

/** Guest CPU per request of each side's measured rounds, one line each (Mermaid xychart). */
function roundsChart(r: CompareResult): string {
  const { a, b } = roundSeries(r);
  const n = Math.max(a.length, b.length);
  if (n === 0) return "";
  const ys = (v: number[]) => v.map((x) => Math.round(x * 100) / 100).join(", ");
  return [
    "Guest CPU per request, each side's measured rounds in order (first line A, second B):",
    "",
    "```mermaid",
    "xychart-beta",
    '  title "Guest CPU per request by round (µs)"',
    `  x-axis "round of each kernel" [${Array.from({ length: n }, (_, i) => i + 1).join(", ")}]`,
    '  y-axis "µs"',
    `  line [${ys(a)}]`,
    `  line [${ys(b)}]`,
    "```",
  ].join("\n");
}
