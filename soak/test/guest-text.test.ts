// Guest text on its way out (issue 23): no workflow command, terminal escape, Markdown
// structure or HTML comes of what a guest says, in any log line, summary or triage file.
import { describe, expect, it } from "vitest";
import { obeyedCommands } from "../../action/test/runner-commands.ts";
import { renderBisectSummary } from "../bisect/summary.ts";
import { renderMerged } from "../merge/summary-md.ts";
import { logLine, logLines, mdCode, mdFence, mdLink, mdText, visibleControls } from "../report/guest-text.ts";
import { renderHtml } from "../report/html.ts";
import { renderSummary } from "../report/summary.ts";
import { renderTriage } from "../report/triage-md.ts";
import { renderReproSummary } from "../repro/summary.ts";
import { decide } from "../verdict.ts";
import { COUNTER, hostileReport, PAYLOADS } from "./hostile.ts";
import { brokenTables, cells, fencedBlocks, prose } from "./markdown-shape.ts";

/** Not a control, a lone surrogate, or a character that hides or reorders text (tab aside). */
const UNSEEN = /(?!\t)[\p{Cc}\p{Cs}\p{Cf}\p{Zl}\p{Zp}]/u;

describe("a log line", () => {
  it("carries no workflow command, control or escape, on one line", () => {
    for (const p of [...PAYLOADS, COUNTER]) {
      const line = logLine(p);
      expect(line).not.toMatch(UNSEEN);
      expect(line).not.toContain("##[");
      expect(obeyedCommands(line), JSON.stringify(p)).toEqual([]);
    }
    expect(obeyedCommands(logLines(PAYLOADS.join("\n")))).toEqual([]);
  });

  it("spells out what it neutralised, so a reader still sees what the guest said", () => {
    expect(logLine("junk\r::stop-commands::tok")).toBe("junk\\r::stop-commands::tok");
    expect(logLine("  ::add-mask::secret")).toBe("  : :add-mask::secret");
    expect(logLine("\x1b[31mred nul\0 \x9b")).toBe("\\e[31mred nul\\0 \\x9b");
    expect(logLine("x ##[set-output name=verdict;]pass")).toBe("x ## [set-output name=verdict;]pass");
    expect(logLine("###[a]")).not.toContain("##[");
    expect(visibleControls("lone \ud800 bidi \u202e tab\t")).toBe("lone \ufffd bidi \\u{202e} tab\t");
  });

  it("is what the runner would have obeyed without it (the rule the tests check by)", () => {
    expect(obeyedCommands("junk\r::stop-commands::tok\n::error::x").map((c) => c.command)).toEqual(["stop-commands"]);
    expect(obeyedCommands("PANIC: x ##[set-output name=verdict;]pass")[0]?.command).toBe("set-output");
  });
});

describe("inline Markdown", () => {
  it("renders as the text itself: no HTML, link, heading, emphasis or cell boundary", () => {
    const md = mdText(COUNTER);
    expect(md).not.toMatch(/<img|\n/);
    expect(md).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(md).toContain("\\[l\\](http://x)");
    expect(cells(`| ${md} | 1 |`)).toBe(2);
    expect(mdText("a *b* _c_ $x$ `d` ~e~ \\")).toBe("a \\*b\\* \\_c\\_ \\$x\\$ \\`d\\` \\~e\\~ \\\\");
  });

  it("code spans and fences no backtick inside can close", () => {
    expect(mdCode("a``b|c")).toBe("```a``b\\|c```");
    expect(mdCode("`x")).toBe("`` `x ``");
    expect(mdFence(["```", "````"], "sh")).toEqual(["`````sh", "```", "````", "`````"]);
    expect(fencedBlocks(mdFence(PAYLOADS).join("\n"))).toEqual([PAYLOADS.map(visibleControls)]);
  });

  it("links whose target cannot break out", () => {
    expect(mdLink("x", "https://h/a b) <img>|")).toBe("[x](https://h/a%20b%29%20%3Cimg%3E%7C)");
  });
});

describe("the report's files with a hostile guest", () => {
  const r = hostileReport();

  it("summary.md: tables keep their cells, no HTML, no heading of the guest's, the fence holds", () => {
    const md = renderSummary(r, []);
    expect(brokenTables(md)).toEqual([]);
    expect(prose(md)).not.toMatch(/<img|^## Injected/m);
    expect(md).toContain(`| ${mdText(COUNTER)} | 1 | 2 |`);
    expect(
      md
        .split("\n")
        .filter((l) => l.startsWith("#"))
        .every((l) => !/Injected/.test(l)),
    ).toBe(true);
    expect(fencedBlocks(md).at(-1)).toEqual([r.command]);
  });

  it("triage.md: every serial line inside one fence, the title on one line", () => {
    const md = renderTriage(r.crash as NonNullable<typeof r.crash>);
    const blocks = fencedBlocks(md);
    expect(blocks[0]).toEqual(PAYLOADS.map(visibleControls));
    expect(blocks[1]).toEqual(PAYLOADS.map(visibleControls)); // the disassembly
    expect(blocks).toHaveLength(3);
    expect(md.split("\n")[0]).toBe(`# ${mdText(r.crash?.title ?? "")}`);
    expect(brokenTables(md)).toEqual([]);
    expect(prose(md)).not.toMatch(/<img|^## Injected/m);
    for (const line of md.split("\n")) expect(line).not.toMatch(UNSEEN);
  });

  it("merge, repro and bisect summaries: tables keep their cells, no HTML", () => {
    const reason = { kind: "crash" as const, at: Number.NaN, message: COUNTER };
    const leg = { name: COUNTER, link: "legs/a b)", verdict: "crash" as const, requests: 1, rps: 1, reason: COUNTER };
    const merged = renderMerged(
      {
        legs: [leg],
        verdict: decide([reason]),
        requests: 1,
        rps: 1,
        firstFailure: { leg: COUNTER, link: "x", triage: COUNTER, reason },
      },
      [],
    );
    const attempt = { n: 1, label: COUNTER, signature: { kind: "crash", title: COUNTER }, reproduced: true };
    const repro = renderReproSummary({
      failure: COUNTER,
      report: COUNTER,
      original: { reproduced: 1, attempts: 1 },
      attempts: [{ ...attempt, requests: 1, seconds: 1, wallS: 1, dir: COUNTER }],
      stopped: COUNTER,
      wallS: 1,
    } as Parameters<typeof renderReproSummary>[0]);
    const step = { commit: "c".repeat(40), subject: COUNTER, build: "built", title: COUNTER, code: 1, wallS: 1 };
    const bisect = renderBisectSummary({
      good: "a",
      bad: "b",
      candidates: 1,
      culprit: { ...step, report: COUNTER },
      steps: [step],
      wallS: 1,
    } as Parameters<typeof renderBisectSummary>[0]);
    for (const md of [merged, repro, bisect]) {
      expect(brokenTables(md)).toEqual([]);
      expect(prose(md)).not.toMatch(/<img|^## Injected/m);
    }
  });

  it("report.html: every guest-derived field escaped, counter names and crash fields included", () => {
    const html = renderHtml(r, [], { file: COUNTER, line: 3, name: COUNTER, first: 1, text: [COUNTER] });
    expect(html).not.toMatch(/<img/);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    // the run's notes and QEMU's version are there too, as text
    expect(html).toMatch(/<h3>Notes<\/h3><ul><li>[^<]*&lt;img src=x onerror=alert\(1\)&gt;/);
    expect(html).toMatch(/<th>QEMU<\/th><td>[^<]*&lt;img/);
  });
});
