// compare's summary.md and report.html with hostile text where a kernel, a path or a
// soak's finding could put it: no table broken, no markup, no script.
import { describe, expect, it } from "vitest";
import type { CompareResult } from "../compare/compare.ts";
import { renderCompareHtml } from "../compare/html.ts";
import { judgeMetrics, STATISTICS } from "../compare/judge.ts";
import { GATE_METRIC } from "../compare/metrics.ts";
import { renderCompareSummary } from "../compare/summary-md.ts";
import { brokenTables } from "./markdown-shape.ts";

const HOSTILE = "x|y <script>alert(1)</script> `a` [l](http://e) ::error::z\n# h";

function result(): CompareResult {
  const rounds = ["A", "B", "A", "B", "B", "A", "A", "B", "B", "A"].map((side, i) => ({
    n: i + 1,
    side: side as "A" | "B",
    warmup: i < 2,
    report: `rounds/${HOSTILE}`,
    verdict: i === 9 ? HOSTILE : "pass",
    exitCode: 0,
    metrics: { [GATE_METRIC]: 20 + i / 10, rps: 1000 },
    wallS: 5,
  }));
  return {
    schemaVersion: 1,
    tool: { name: "unikernel-soak", version: "0" },
    startedAt: "2026-01-01T00:00:00Z",
    wallS: 60,
    sides: {
      A: { role: "base", kernel: `/k/${HOSTILE}`, append: HOSTILE, ref: HOSTILE, commit: "abc" },
      B: { role: "head", kernel: `/k/${HOSTILE}`, append: "" },
    },
    verdict: { kind: "round failed", exitCode: 1, reasons: [HOSTILE] },
    metrics: judgeMetrics(
      rounds.filter((r) => !r.warmup),
      { [GATE_METRIC]: 0.05 },
    ),
    rounds,
    statistics: { ...STATISTICS, falseAlarmBound: "at most 2.5%" },
    stopped: HOSTILE,
  };
}

describe("compare's report", () => {
  it("summary.md keeps every table whole and shows guest text as text", () => {
    const md = renderCompareSummary(result());
    expect(brokenTables(md)).toEqual([]);
    // markup only inside code spans, which show it as text
    expect(md.replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, "")).not.toContain("<script>");
    expect(md).not.toMatch(/^::error::/m);
    expect(md).not.toMatch(/^# h/m);
    expect(md).toContain("xychart-beta");
  });

  it("report.html escapes it and has no script", () => {
    const html = renderCompareHtml(result());
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toMatch(/<svg class="chart"/);
  });
});
