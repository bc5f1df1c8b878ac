// The charts' data, over a recorded timeline (a real 2,000,000-request soak) and a
// synthetic 6-hour one made from it: downsampling keeps the extremes and the failure
// moment, the page stays small, summary.md's Mermaid charts stay legible.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "../load/histogram.ts";
import { HTML_CHART_POINTS, renderHtml } from "../report/html.ts";
import { downsample, failureAt, type Metric, metricsFor, type Point, seriesOf } from "../report/series.ts";
import { renderSummary } from "../report/summary.ts";
import type { Report, TimelineEntry } from "../report/types.ts";
import { decide } from "../verdict.ts";

const recorded: TimelineEntry[] = readFileSync(join(import.meta.dirname, "fixtures/timeline-2m.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l));
const loadStarted = Date.parse(recorded[0].at) - recorded[0].t * 1000;

/** `hours` of soak: the recorded timeline over and over, one entry a second, its clock carried on. */
function synthetic(hours: number): TimelineEntry[] {
  return Array.from({ length: hours * 3600 }, (_, i) => {
    const e = recorded[i % recorded.length];
    return { ...e, t: i + 1, at: new Date(loadStarted + (i + 1) * 1000).toISOString() };
  });
}

function report(over: Partial<Report> = {}): Report {
  return {
    schemaVersion: 1,
    tool: { name: "unikernel-soak", version: "0.0.0" },
    startedAt: new Date(loadStarted).toISOString(),
    finishedAt: "",
    wallS: 0,
    command: "npx unikernel-soak@0.0.0 --kernel kernel.elf",
    kernel: { built: false },
    accel: { mode: "tcg", used: "tcg" },
    boot: {},
    options: {},
    verdict: decide([]),
    guest: {},
    host: {},
    files: {},
    ...over,
  };
}

const crashAt = (tS: number) =>
  decide([{ kind: "crash", at: loadStarted + tS * 1000, message: "serial: PF at 0xffffffffffffff88" }]);
const values = (ps: Point[]) => ps.map((p) => p.v).filter((v): v is number => v !== null);
/** The points of every chart's line in a page, by metric. */
const pathPoints = (html: string) =>
  [...html.matchAll(/data-metric="(\w+)"[^>]*>.*?<path class="line" d="([^"]*)"/g)].map(
    ([, key, d]) => [key, d.split(/[ML]/).filter(Boolean).length] as const,
  );

describe("downsampling", () => {
  it("keeps the first, the last, each metric's extremes and the two samples around the failure", () => {
    const failure = recorded[40].t + 0.4;
    for (const m of metricsFor(report())) {
      const all = seriesOf(recorded, m);
      const some = downsample(all, 30, [failure]);
      expect(some.length, m.key).toBeLessThanOrEqual(30);
      expect(some[0]).toBe(all[0]);
      expect(some.at(-1)).toBe(all.at(-1));
      expect(some).toContain(all[40]);
      expect(some).toContain(all[41]);
      if (values(all).length) {
        expect(Math.max(...values(some)), m.key).toBe(Math.max(...values(all)));
        expect(Math.min(...values(some)), m.key).toBe(Math.min(...values(all)));
      }
    }
  });

  it("keeps a gap (a failed probe) inside a bucket", () => {
    const points = Array.from({ length: 1000 }, (_, i): Point => ({ t: i, v: i === 500 ? null : 5 }));
    expect(downsample(points, 40).some((p) => p.v === null)).toBe(true);
  });

  it("leaves a short timeline as it is", () => {
    const all = seriesOf(recorded, metricsFor(report())[0]);
    expect(downsample(all, all.length)).toEqual(all);
  });
});

describe("the failure moment", () => {
  it("is the first reason's time on the timeline's clock", () => {
    expect(failureAt(report({ verdict: crashAt(42.3) }), recorded)).toBe(42.3);
    expect(failureAt(report(), recorded)).toBeUndefined();
    expect(failureAt(report({ verdict: crashAt(1) }), [])).toBeUndefined();
  });
});

describe("a 6-hour soak", () => {
  const timeline = synthetic(6);
  // QEMU's memory up for one second three hours in, then the crash at 5 h
  const spike = timeline[3 * 3600];
  timeline[3 * 3600] = { ...spike, host: { rssMiB: 999, cpuPercent: 0 } };
  const html = renderHtml(report({ verdict: crashAt(5 * 3600 + 0.5) }), timeline);

  it("draws every chart in at most HTML_CHART_POINTS points and stays small", () => {
    const charts = pathPoints(html);
    expect(charts.map(([k]) => k)).toEqual(["rps", "p99", "health", "rss", "pages", "txStalls"]);
    for (const [key, n] of charts) {
      expect(n, key).toBeGreaterThan(HTML_CHART_POINTS / 3);
      expect(n, key).toBeLessThanOrEqual(HTML_CHART_POINTS);
    }
    console.log(`report.html of a synthetic 6-hour soak: ${Buffer.byteLength(html)} bytes`);
    expect(Buffer.byteLength(html)).toBeLessThan(150_000);
  });

  it("keeps the one-second spike and marks the crash on every chart, in hours", () => {
    const rss = metricsFor(report()).find((m) => m.key === "rss") as Metric;
    expect(downsample(seriesOf(timeline, rss), HTML_CHART_POINTS)).toContainEqual({ t: spike.t, v: 999 });
    expect(html).toContain("max 999 · last");
    expect(html.match(/class="failure-label"[^>]*>crash at 5 h 0 min</g)).toHaveLength(6);
    expect(html).toContain("h since the load started");
  });

  it("gives summary.md Mermaid charts of 60 evenly spaced, distinct x labels that keep the spike", () => {
    const md = renderSummary(report({ verdict: crashAt(5 * 3600 + 0.5) }), timeline);
    const axes = [...md.matchAll(/x-axis "seconds of wall time" \[([^\]]*)\]/g)].map((m) => m[1].split(", "));
    expect(axes).toHaveLength(4); // throughput, p99, health, QEMU memory
    for (const xs of axes) {
      expect(xs.length).toBe(60);
      expect(new Set(xs).size).toBe(xs.length);
      // evenly spaced on Mermaid's category axis: each label within one bucket (6 min) of its place
      for (const [i, x] of xs.entries()) expect(Math.abs(Number(x) - i * 360)).toBeLessThanOrEqual(720);
    }
    expect(md).toContain(", 999,"); // the spike, in the memory chart
  });
});

describe("report.html", () => {
  it("escapes what the guest printed", () => {
    const verdict = decide([{ kind: "crash", at: loadStarted, message: '<script>alert("x")</script>' }]);
    const html = renderHtml(report({ verdict }), recorded);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });
});

describe("the p99 of a window", () => {
  it("is the exact p99 to the millisecond, and the window empties on reset", () => {
    const w = new LatencyHistogram(10_000);
    for (let i = 1; i <= 10_000; i++) w.record(i / 100); // 0.01 .. 100 ms
    expect(w.percentile(99)).toBe(99);
    w.reset();
    expect(w.count).toBe(0);
  });
});

describe("the guest's clock in the report", () => {
  const warped = (): Report =>
    report({
      options: { timeWarp: true, uptimeS: 5040, counters: { uptime: "uptime_ms" } },
      verdict: crashAt(90),
      clock: { timeWarp: true, uptimeS: { first: 5.2, last: 5027.8 }, warp: 53.9 },
      struck: { guestUptimeS: 5041.2, sinceBootS: 94.7, guestRequests: 15341 },
    });
  const timeline = recorded.map((e, i) => ({ ...e, guest: { ...e.guest, uptime_ms: i * 54_000 }, warp: 54 }));

  it("says the uptime on the guest's clock beside the wall's, and when the failure came on each", () => {
    const md = renderSummary(warped(), timeline);
    expect(md).toContain(
      "| guest uptime | 5s → 1:23:48 by its counter (time warp); 53.9 guest seconds a wall second |",
    );
    expect(md).toContain(
      "| failure came at | uptime about 1:24:01 (between counter reads), 94.7 s of wall time after QEMU started, 15,341 requests served by the last read |",
    );
    expect(md).toMatch(/title "Guest uptime"\n {2}x-axis "seconds of wall time"/);
    const html = renderHtml(warped(), timeline, undefined);
    expect(html).toContain("<th>guest uptime</th>");
    expect(pathPoints(html).map(([key]) => key)).toEqual(expect.arrayContaining(["uptime", "warp"]));
  });

  it("charts no clock for a soak that did not go by it", () => {
    expect(pathPoints(renderHtml(report(), recorded, undefined)).map(([key]) => key)).not.toContain("uptime");
  });
});
