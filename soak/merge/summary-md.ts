// The merged summary.md: one verdict for all the legs, each leg's own, the first failure
// with where its triage is, and the legs' charts combined (summary.ts draws them).
import { mdCode, mdLink, mdText } from "../report/guest-text.ts";
import { downsampleEvenly, seriesOf } from "../report/series.ts";
import { chart, MAX_POINTS } from "../report/summary.ts";
import type { TimelineEntry } from "../report/types.ts";
import type { MergedReport } from "./legs.ts";

// a leg's report.json may hold anything: numbers go through Number, dates through when()
const en = (n: number) => mdText(Number(n).toLocaleString("en-US"));
const when = (at: number) => {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? "an unknown time" : d.toISOString();
};
const ICON: Record<string, string> = { pass: "✅", error: "⚠️" };

/** Where a leg's file is: inside its artifact (a URL), or in its folder. */
function place(link: string, file: string): string {
  return /^https?:/.test(link)
    ? `${mdCode(file)} in ${mdLink("the artifact", link)}`
    : mdLink(`${link}/${file}`, `${link}/${file}`);
}

export function renderMerged(m: MergedReport, timeline: TimelineEntry[], skipped = new Map<string, number>()): string {
  const failed = m.legs.filter((l) => l.verdict !== "pass").length;
  const v = m.verdict;
  const out = [`# Sharded soak ${ICON[v.kind] ?? "❌"} ${v.kind} — ${m.legs.length} legs, ${failed} failed`, ""];
  const f = m.firstFailure;
  if (f) {
    const where = f.triage ? place(f.link, f.triage) : place(f.link, "summary.md");
    out.push(
      `**First failure**: leg ${mdCode(f.leg)} at ${when(f.reason.at)}, ${mdText(f.reason.kind)}: ${mdText(f.reason.message.replace(`${f.leg}: `, ""))}`,
      "",
      `Triage: ${where}`,
      "",
    );
  }
  out.push("| | |", "|---|---|");
  out.push(`| verdict | ${mdCode(v.kind)} (exit ${v.exitCode}) |`);
  out.push(`| requests | ${en(m.requests)} over ${m.legs.length} legs |`);
  out.push(`| rate | ${en(m.rps)} req/s, the legs together |`, "");
  out.push(
    "## Legs",
    "",
    "| leg | verdict | requests | req/s | p99 ms | load s | first reason |",
    "|---|---|---:|---:|---:|---:|---|",
  );
  for (const l of m.legs)
    out.push(
      `| ${mdLink(l.name, l.link)} | ${ICON[l.verdict] ?? "❌"} ${mdCode(l.verdict)} | ${en(l.requests)} | ${en(l.rps)} | ${mdText(String(l.p99Ms ?? ""))} | ${mdText(String(l.durationS ?? ""))} | ${mdText(l.reason ?? "")} |`,
    );
  out.push("");
  const broken = m.legs.filter((l) => l.broken);
  if (broken.length) {
    out.push(
      `**${broken.length} leg(s) could not be read**, each counted as an error of its own; the others merged:`,
      "",
    );
    for (const l of broken) out.push(`- ${mdCode(l.name)}: ${mdText(l.broken ?? "")}`);
    out.push("");
  }
  for (const [leg, lines] of skipped)
    out.push(
      `Leg ${mdCode(leg)}: ${lines} line(s) of its timeline.jsonl were not entries (cut short?) and were skipped.`,
      "",
    );
  if (timeline.length >= 2) {
    out.push("## Over time, all legs", "");
    const charts: [string, string, (e: TimelineEntry) => number | null][] = [
      ["Throughput, the legs added up", "requests/s", (e) => e.rps],
      ["Worst p99 latency of any leg, each second", "ms", (e) => e.p99Ms ?? null],
      ["Largest QEMU resident memory of any leg", "MiB", (e) => e.host?.rssMiB ?? null],
    ];
    for (const [title, unit, value] of charts) {
      const points = downsampleEvenly(seriesOf(timeline, { key: title, title, unit, value }), MAX_POINTS);
      out.push(chart(title, unit, points), "");
    }
  }
  return out.join("\n");
}
