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
import type { Report } from "../report/types.ts";
import { decide } from "../verdict.ts";
import { rateBetween } from "../watch/guest-clock.ts";

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
  report.clock = clockReport(ctx);
  report.struck = struckAt(ctx);
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

const round1 = (x: number) => Math.round(x * 10) / 10;

function clockReport(ctx: SoakContext): Report["clock"] {
  const { clock, first: baseline, firstAt } = ctx.stats;
  const last = clock.last;
  // from the counters' baseline (the load's start) when there is one: the boot's idle time, which the
  // warp skips hundreds of times faster, is not the load's
  const uptimeMs = baseline?.[ctx.o.counters.uptime];
  const first = uptimeMs !== undefined && firstAt !== undefined ? { at: firstAt, uptimeMs } : clock.first;
  if (!first || !last) return ctx.o.timeWarp ? { timeWarp: true } : undefined;
  const warp = rateBetween(first, last);
  return {
    timeWarp: ctx.o.timeWarp,
    uptimeS: { first: round1(first.uptimeMs / 1000), last: round1(last.uptimeMs / 1000) },
    ...(warp !== undefined ? { warp: round1(warp) } : {}),
  };
}

/** When the first reason of a failing verdict came, on the guest's clock and the wall's. */
function struckAt(ctx: SoakContext): Report["struck"] {
  const first = ctx.report.verdict.reasons[0];
  if (ctx.report.verdict.kind === "pass" || !first) return undefined;
  const uptimeMs = ctx.stats.clock.uptimeAt(first.at);
  const before = ctx.stats.lastAt !== undefined && ctx.stats.lastAt <= first.at ? ctx.stats.last : undefined;
  const requests = before?.requests;
  return {
    ...(uptimeMs !== undefined ? { guestUptimeS: round1(uptimeMs / 1000) } : {}),
    ...(ctx.bootAt !== undefined ? { sinceBootS: round1((first.at - ctx.bootAt) / 1000) } : {}),
    ...(typeof requests === "number" ? { guestRequests: requests } : {}),
  };
}
