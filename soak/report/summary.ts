// summary.md, what a person reads first: plain GitHub-flavoured Markdown; the charts
// are Mermaid, which GitHub renders.

import { UNCAPPED_REQUESTS } from "../options.ts";
import { accelLine, clockRows, networkLine, readerNotes, runNotes } from "./facts.ts";
import { mdCode, mdFence, mdText } from "./guest-text.ts";
import { inFlightSection } from "./in-flight-md.ts";
import { downsampleEvenly, metricsFor, type Point, seriesOf } from "./series.ts";
import { trendTable } from "./trends-md.ts";
import type { Report, TimelineEntry } from "./types.ts";

/** Points per Mermaid chart: its x labels must stay legible. */
export const MAX_POINTS = 60;
/** The charts summary.md draws, of the metrics report.html draws. */
const SUMMARY_CHARTS: Record<string, string> = {
  uptime: "Guest uptime",
  rps: "Throughput",
  p99: "p99 latency of each second",
  health: "Health probe latency",
  rss: "QEMU resident memory",
};

/** x labels with as many decimals as it takes to tell the points apart (short runs sample under a second apart). */
export function xLabels(ts: number[]): string[] {
  for (let digits = 0; digits < 3; digits++) {
    const labels = ts.map((t) => t.toFixed(digits));
    if (new Set(labels).size === labels.length) return labels;
  }
  return ts.map((t) => t.toFixed(3));
}

export function chart(title: string, unit: string, points: Point[]): string {
  const xs = xLabels(points.map((p) => p.t));
  const ys = points.map((p) => Math.round((p.v ?? 0) * 10) / 10);
  return [
    "```mermaid",
    "xychart-beta",
    `  title "${title}"`,
    `  x-axis "seconds of wall time" [${xs.join(", ")}]`,
    `  y-axis "${unit}"`,
    `  line [${ys.join(", ")}]`,
    "```",
  ].join("\n");
}

const VERDICT_ICON: Record<string, string> = { pass: "✅", error: "⚠️" };

export function renderSummary(r: Report, timeline: TimelineEntry[]): string {
  const v = r.verdict;
  const out = [`# Soak ${VERDICT_ICON[v.kind] ?? "❌"} ${v.kind}`, ""];
  for (const note of readerNotes(r)) out.push(`> **Note:** ${mdText(note)}`, "");
  if (r.crash) {
    const at = r.crash.asSource ? `${r.crash.asSource.file}:${r.crash.asSource.line}` : r.crash.source;
    out.push(`**${mdText(r.crash.title)}**${at ? ` at ${mdCode(at)}` : ""}`, "");
  }
  for (const reason of v.reasons) out.push(`- **${mdText(reason.kind)}**: ${mdText(reason.message)}`);
  if (v.reasons.length) out.push("");
  const l = r.load;
  out.push("| | |", "|---|---|");
  out.push(`| verdict | ${mdCode(v.kind)} (exit ${v.exitCode}) |`);
  if (l) {
    const asked = l.asked >= UNCAPPED_REQUESTS ? "no cap (bounded by time)" : l.asked.toLocaleString("en-US");
    out.push(`| requests | ${l.requests.toLocaleString("en-US")} of ${asked} |`);
    if (l.churn)
      out.push(
        `| on new connections | ${l.churn.requests.toLocaleString("en-US")} (${((100 * l.churn.requests) / Math.max(1, l.requests)).toFixed(1)}%), p99 ${l.churn.latencyMs.p99} ms, ${l.churn.errors} errors |`,
      );
    const workers = l.workers ? ` (${l.workers} load worker${l.workers > 1 ? "s" : ""})` : "";
    out.push(`| rate | ${Math.round(l.rps).toLocaleString("en-US")} req/s over ${l.durationS} s${workers} |`);
    out.push(
      `| latency | p50 ${l.latencyMs.p50} ms · p90 ${l.latencyMs.p90} ms · p99 ${l.latencyMs.p99} ms · max ${l.latencyMs.max} ms |`,
    );
    out.push(`| errors / timeouts / unexpected statuses | ${l.errors} / ${l.timeouts} / ${l.unexpectedStatuses} |`);
    out.push(
      `| statuses | ${Object.entries(l.statuses)
        .map(([k, n]) => `${mdText(k)}: ${mdText(String(n))}`)
        .join(", ")} |`,
    );
  }
  out.push(`| accelerator | ${accelLine(r)} |`);
  if (r.network) out.push(`| network | ${networkLine(r.network)} |`);
  if (r.boot.readyMs !== undefined) out.push(`| boot to ready | ${r.boot.readyMs} ms |`);
  out.push(...clockRows(r).map(([k, v]) => `| ${k} | ${mdText(v)} |`));
  if (r.host.qemu) out.push(`| QEMU | ${mdText(r.host.qemu)} |`);
  if (r.host.rssMiB)
    out.push(
      `| QEMU RSS | first ${r.host.rssMiB.first.toFixed(1)} MiB · max ${r.host.rssMiB.max.toFixed(1)} MiB · last ${r.host.rssMiB.last.toFixed(1)} MiB |`,
    );
  out.push(
    `| kernel | ${mdCode(r.kernel.path ?? "?")}${r.kernel.buildId ? ` build-id ${mdText(r.kernel.buildId)}` : ""} |`,
    "",
  );
  const notes = runNotes(r);
  if (notes.length) out.push("## Notes", "", ...notes.map((note) => `- ${mdText(note)}`), "");

  const { first, last } = r.guest;
  if (first && last) {
    out.push("## Guest counters", "", "| counter | first | last |", "|---|---:|---:|");
    const cell = (n: unknown) => mdText(String(n ?? ""));
    for (const k of Object.keys(last)) out.push(`| ${mdText(k)} | ${cell(first[k])} | ${cell(last[k])} |`);
    out.push("");
  }
  out.push(...inFlightSection(r));
  if (r.trends) out.push(...trendTable(r.trends));
  if (timeline.length >= 2) {
    out.push("## Over time", "");
    for (const m of metricsFor(r).filter((x) => x.key in SUMMARY_CHARTS))
      out.push(chart(SUMMARY_CHARTS[m.key], m.unit, downsampleEvenly(seriesOf(timeline, m), MAX_POINTS)), "");
  }
  out.push("## Reproduce", "", ...mdFence(r.command, "sh"), "");
  return out.join("\n");
}
