// The checked readers of the report folder's files: a real report.json (a 20,000-request
// soak of the bundled kernel) reads back; the same file broken in each way a hand edit, a
// torn upload or another tool could break it is refused with the field named; a torn or
// edited timeline.jsonl is read around its bad lines.
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseReport, ReportFileError, readReportFile } from "../report/report-file.ts";
import { readTimeline } from "../report/timeline.ts";

const text = readFileSync(join(import.meta.dirname, "fixtures/reports/pass-20k.json"), "utf8");
// biome-ignore lint/suspicious/noExplicitAny: a report edited field by field, as a person would
const edited = (edit: (r: any) => void) => {
  const r = JSON.parse(text);
  edit(r);
  return JSON.stringify(r);
};
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
const folder = async () => {
  const d = await mkdtemp(join(tmpdir(), "report-file-"));
  dirs.push(d);
  return d;
};

describe("report.json", () => {
  it("reads a real report back", () => {
    const r = parseReport(text, "report.json");
    expect(r.verdict.kind).toBe("pass");
    expect(r.load?.requests).toBe(20000);
  });

  const broken: [string, string, RegExp][] = [
    ["not JSON", text.slice(0, 200), /not JSON/],
    ["empty object", "{}", /schemaVersion is not a whole number/],
    ["an array", "[]", /the report is not an object/],
    ["a newer schema", edited((r) => (r.schemaVersion = 99)), /schemaVersion 99, this unikernel-soak reads 1 to 1/],
    ["another tool's", edited((r) => (r.tool.name = "other")), /not a report of this tool/],
    ["no verdict", edited((r) => delete r.verdict), /verdict is not an object/],
    ["an unknown verdict", edited((r) => (r.verdict.kind = "fine")), /verdict.kind is "fine", not one of/],
    ["an exit code out of range", edited((r) => (r.verdict.exitCode = 7)), /verdict.exitCode/],
    ["reasons not a list", edited((r) => (r.verdict.reasons = "x")), /verdict.reasons is not a list/],
    [
      "a reason without a time",
      edited((r) => r.verdict.reasons.push({ kind: "crash", message: "m" })),
      /reasons\[0\].at/,
    ],
    [
      "a file out of the folder",
      edited((r) => (r.files.kernel = "../../etc/passwd")),
      /files.kernel is not a plain file name/,
    ],
    ["requests as text", edited((r) => (r.load.requests = "many")), /load.requests is not a number/],
    ["a latency as text", edited((r) => (r.load.latencyMs.p99 = "slow")), /load.latencyMs.p99 is not a number/],
    ["QEMU's version as a list", edited((r) => (r.host.qemu = ["7.2"])), /host.qemu is not a string/],
    ["QEMU's memory as text", edited((r) => (r.host.rssMiB = { first: "lots" })), /host.rssMiB.first is not a number/],
    ["a crash without a title", edited((r) => (r.crash = { kind: "page-fault" })), /crash.title is not a string/],
  ];
  for (const [what, body, message] of broken)
    it(`refuses ${what}, naming what is wrong`, () => {
      expect(() => parseReport(body, "x/report.json")).toThrow(ReportFileError);
      expect(() => parseReport(body, "x/report.json")).toThrow(message);
    });

  it("says so when a folder holds no report.json", async () => {
    const d = await folder();
    await expect(readReportFile(d)).rejects.toThrow(`${d}/report.json: cannot read it (there is none)`);
  });
});

describe("timeline.jsonl", () => {
  it("skips a torn last line and edited lines, and counts them", async () => {
    const d = await folder();
    const path = join(d, "timeline.jsonl");
    const good = (t: number) => JSON.stringify({ t, at: new Date(t * 1000).toISOString(), rps: 100 * t });
    await writeFile(
      path,
      [good(1), "garbage", good(2), "{}", '{"t":"3","rps":1}', "", good(4), '{"t":5,"rp'].join("\n"),
    );
    const seen: number[] = [];
    const read = await readTimeline(path, (e) => seen.push(e.t));
    expect(seen).toEqual([1, 2, 4]);
    expect(read).toEqual({ entries: 3, skipped: 4, missing: false });
  });

  it("reads a missing file as empty", async () => {
    const read = await readTimeline(join(await folder(), "timeline.jsonl"), () => {});
    expect(read).toEqual({ entries: 0, skipped: 0, missing: true });
  });
});
