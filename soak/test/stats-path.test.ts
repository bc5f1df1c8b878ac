// The stats path against the real kernel (issue 23): a path that serves something other
// than counters stops the soak before the load with an error (exit 2) naming the path, the
// status, the first bytes and the way out, with the report written; --stats-path none soaks
// a kernel on /health, serial and QEMU alone and says so at the top of the report; and a
// soak of two seconds (pf-chunker's crash) draws the throughput and p99 it had.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { buildKernel } from "../../kernel/build.ts";
import { mdText } from "../report/guest-text.ts";
import type { TimelineEntry } from "../report/types.ts";
import { cli, readReport, soakArgs, tempDir } from "./cli-run.ts";

let elf: string;
beforeAll(() => {
  elf = inject("kernelElf");
});

async function soak(kernel: string, requests: number, ...more: string[]) {
  const out = await tempDir("soak-stats-");
  const { code, stdout } = await cli(soakArgs(kernel, out, requests, "--warmup", "1", ...more)).done;
  const read = (f: string) => readFile(join(out, f), "utf8");
  return {
    code,
    stdout,
    out,
    report: await readReport(out),
    summary: await read("summary.md"),
    html: await read("report.html"),
  };
}

describe("a stats path that does not serve counters", () => {
  it.each([
    ["/health", /before the load, \/health answered 200 \(3 bytes: "ok\\n"\): not JSON/],
    ["/no-such", /before the load, \/no-such answered 404 \(10 bytes: "not found\\n"\): expected 200/],
  ])(
    "--stats-path %s: an error before the load naming what came back and the way out, report written",
    async (path, said) => {
      const r = await soak(elf, 2000, "--stats-path", path);
      expect(r.code).toBe(2);
      expect(r.report.verdict.kind).toBe("error");
      const message = r.report.verdict.reasons[0].message;
      expect(message).toMatch(said);
      expect(message).toMatch(/--stats-path none \(action input stats-path: none\) to soak without counters/);
      expect(r.summary).toContain(mdText(message)); // guest text, escaped in Markdown
      expect(r.html).toContain("--stats-path none");
      expect(r.report.load).toBeUndefined();
    },
  );
});

describe("--stats-path none", () => {
  it("soaks on /health, serial and QEMU alone, and says at the top that counters were off", async () => {
    const r = await soak(elf, 6000, "--stats-path", "none");
    expect(r.report.verdict.reasons).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.report.load?.requests).toBe(6000);
    expect(r.report.guest).toEqual({});
    const note =
      /Counters off \(--stats-path none\): tx\\?_stalls, the guest(&#39;|')s pages, resets seen by its boot id/;
    expect(r.summary.split("\n").slice(0, 4).join("\n")).toMatch(note);
    const top = r.html.slice(0, r.html.indexOf("<section>"));
    expect(top).toMatch(note);
    const timeline = (await readFile(join(r.out, "timeline.jsonl"), "utf8")).trim().split("\n");
    expect(timeline.length).toBeGreaterThan(0);
    for (const line of timeline) expect((JSON.parse(line) as TimelineEntry).guest).toBeUndefined();
  });
});

describe("a soak of a second or two", () => {
  let chunker: string;
  beforeAll(async () => {
    chunker = (await buildKernel({ fault: "pf-chunker" })).elf;
  }, 300_000);

  /** report.html's figure for one metric: its caption's max, and whether it drew a line */
  const figure = (html: string, metric: string) => {
    const f = html.split("<figure>").find((x) => x.includes(`data-metric="${metric}"`)) ?? "";
    const max = /max ([\d,]+)/.exec(f)?.[1];
    return { max: max === undefined ? undefined : Number(max.replaceAll(",", "")), line: f.includes('class="line"') };
  };

  it("a clean soak of 1,000 requests (about a second): report.html charts them", async () => {
    const r = await soak(elf, 1000);
    expect(r.report.verdict.reasons).toEqual([]);
    const rps = figure(r.html, "rps");
    console.log(`clean: 1000 requests in ${r.report.load?.durationS} s; chart max ${rps.max} req/s`);
    expect(rps.max).toBeGreaterThan(0);
    expect(figure(r.html, "p99").line).toBe(true);
  });

  it("pf-chunker's crash: report.html charts the throughput and p99 the load had", async () => {
    // the bug strikes after 3,000 requests: under a second into the load, before its first whole second
    const r = await soak(chunker, 200_000, "--append", "fault_after_requests=3000");
    expect(r.report.verdict.kind).toBe("crash");
    const served = r.report.load?.requests ?? 0;
    expect(served).toBeGreaterThan(0);
    const rps = figure(r.html, "rps");
    const p99 = figure(r.html, "p99");
    console.log(
      `pf-chunker: ${served} requests in ${r.report.load?.durationS} s; chart max ${rps.max} req/s, p99 max ${p99.max} ms`,
    );
    expect(rps.max).toBeGreaterThan(0);
    expect(rps.line).toBe(true);
    expect(p99.max).toBeGreaterThan(0);
    expect(p99.line).toBe(true);
  });
});
