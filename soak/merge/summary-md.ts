// The merged summary.md: one verdict for all the legs, each leg's own, the first failure
// with where its triage is, and the legs' charts combined (summary.ts draws them).
import { downsampleEvenly, seriesOf } from "../report/series.ts";
import { chart, MAX_POINTS } from "../report/summary.ts";
import type { TimelineEntry } from "../report/types.ts";
import type { MergedReport } from "./legs.ts";

const en = (n: number) => n.toLocaleString("en-US");
const ICON: Record<string, string> = { pass: "✅", error: "⚠️" };

/** Where a leg's file is: inside its artifact (a URL), or in its folder. */
function place(link: string, file: string): string {
  return /^https?:/.test(link) ? `\`${file}\` in [the artifact](${link})` : `[${link}/${file}](${link}/${file})`;
}

export function renderMerged(m: MergedReport, timeline: TimelineEntry[], skipped = new Map<string, number>()): string {
  const failed = m.legs.filter((l) => l.verdict !== "pass").length;
  const v = m.verdict;
  const out = [`# Sharded soak ${ICON[v.kind] ?? "❌"} ${v.kind} — ${m.legs.length} legs, ${failed} failed`, ""];
  const f = m.firstFailure;
  if (f) {
    const where = f.triage ? place(f.link, f.triage) : place(f.link, "summary.md");
    out.push(
      `**First failure**: leg \`${f.leg}\` at ${new Date(f.reason.at).toISOString()}, ${f.reason.kind}: ${f.reason.message.replace(`${f.leg}: `, "")}`,
      "",
      `Triage: ${where}`,
      "",
    );
  }
  out.push("| | |", "|---|---|");
  out.push(`| verdict | \`${v.kind}\` (exit ${v.exitCode}) |`);
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
      `| [${l.name}](${l.link}) | ${ICON[l.verdict] ?? "❌"} \`${l.verdict}\` | ${en(l.requests)} | ${en(l.rps)} | ${l.p99Ms ?? ""} | ${l.durationS ?? ""} | ${(l.reason ?? "").replace(/\|/g, "\\|")} |`,
    );
  out.push("");
  const broken = m.legs.filter((l) => l.broken);
  if (broken.length) {
    out.push(
      `**${broken.length} leg(s) could not be read**, each counted as an error of its own; the others merged:`,
      "",
    );
    for (const l of broken) out.push(`- \`${l.name}\`: ${l.broken}`);
    out.push("");
  }
  for (const [leg, lines] of skipped)
    out.push(
      `Leg \`${leg}\`: ${lines} line(s) of its timeline.jsonl were not entries (cut short?) and were skipped.`,
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
