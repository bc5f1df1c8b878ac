// The report folder's files, whatever happened before: the kernel, initrd and symbols it ran with, the timeline,
// summary.md, report.json and report.html.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SoakContext } from "../context.ts";
import { renderHtml } from "../report/html.ts";
import { keepInputs } from "../report/kept-files.ts";
import { writeReportFile } from "../report/report-file.ts";
import { sourceExcerpt } from "../report/source-excerpt.ts";
import { renderSummary } from "../report/summary.ts";
import { decide } from "../verdict.ts";

export async function writeReport(ctx: SoakContext): Promise<void> {
  const { report, out, timeline } = ctx;
  Object.assign(report.files, await keepInputs(out, ctx.kernel.elf, ctx.o));
  report.guest.first = ctx.stats.first;
  report.guest.last = ctx.stats.last;
  report.guest.overLimits = ctx.stats.overLimits;
  const rss = ctx.host?.rss;
  if (rss?.first) report.host.rssMiB = { first: rss.first, max: rss.max, last: rss.last };
  if (ctx.host?.last) report.host.cpuS = ctx.host.last.cpuS;
  if (ctx.trends) report.trends = ctx.trends.report();
  report.verdict = decide(ctx.findings.list);
  const finished = new Date();
  report.finishedAt = finished.toISOString();
  report.wallS = Math.round((finished.getTime() - Date.parse(report.startedAt)) / 100) / 10;
  await timeline.close();
  report.files["timeline.jsonl"] = "timeline.jsonl";
  report.files["summary.md"] = "summary.md";
  report.files["report.json"] = "report.json";
  report.files["report.html"] = "report.html";
  const entries = [...timeline.entries];
  const html = renderHtml(report, entries, await sourceExcerpt(report, ctx.kernel.sourceRoot), ctx.profile);
  await writeFile(join(out, "summary.md"), renderSummary(report, entries));
  await writeReportFile(out, report);
  await writeFile(join(out, "report.html"), html);
}
