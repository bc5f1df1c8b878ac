// report.html's size for a real report folder, and for its timeline carried on to 30
// minutes and 6 hours (the recorded entries over and over, one a second): the charts
// are downsampled, so the page stops growing once a chart holds its most points.
// Usage: npx tsx bench/report-html-size.ts REPORT_FOLDER
import { join } from "node:path";
import { readReportFile, readTimelineEntries, renderHtml, type TimelineEntry } from "../soak/index.ts";

const dir = process.argv[2];
if (!dir) throw new Error("usage: npx tsx bench/report-html-size.ts REPORT_FOLDER (a folder a soak wrote)");
const report = await readReportFile(dir);
const recorded = await readTimelineEntries(join(dir, "timeline.jsonl"));
const startMs = Date.parse(recorded[0].at) - recorded[0].t * 1000;

const carriedOn = (seconds: number): TimelineEntry[] =>
  Array.from({ length: seconds }, (_, i) => ({
    ...recorded[i % recorded.length],
    t: i + 1,
    at: new Date(startMs + (i + 1) * 1000).toISOString(),
  }));

const kb = (html: string) => `${(Buffer.byteLength(html) / 1024).toFixed(1)} KiB`;
console.log(`${recorded.length} entries as recorded: ${kb(renderHtml(report, recorded))}`);
for (const [name, s] of [
  ["30 minutes", 1800],
  ["6 hours", 6 * 3600],
] as const)
  console.log(`${name} (${s} entries, synthesised): ${kb(renderHtml(report, carriedOn(s)))}`);
