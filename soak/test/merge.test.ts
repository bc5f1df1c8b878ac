// `unikernel-soak merge` over the report folders of three real legs, one of which failed:
// one verdict (the failed leg's), a summary naming that leg and where its triage is, and
// the exit code of a failed soak.
import { appendFile, cp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { MergedReport } from "../merge/legs.ts";
import { cli, tempDir } from "./cli-run.ts";
import { soakLegs } from "./legs.ts";

const elf = inject("kernelElf");
let legs: string[];
beforeAll(async () => {
  legs = await soakLegs(elf);
}, 300_000);

describe("merge", () => {
  it("gives the failed leg's verdict, names that leg and its triage, adds up the requests", async () => {
    const out = join(await tempDir("soak-merged-"), "merged");
    const { code, stdout } = await cli(["merge", ...legs, "--out", out]).done;
    expect(code, stdout).toBe(1);
    expect(stdout).toMatch(/^verdict: crash \(3 legs/m);
    const merged = JSON.parse(await readFile(join(out, "merged.json"), "utf8")) as MergedReport;
    expect(merged.legs.map((l) => [l.name, l.verdict])).toEqual([
      ["leg-a", "pass"],
      ["leg-b-fault", "crash"],
      ["leg-c-churn", "pass"],
    ]);
    expect(merged.firstFailure?.leg).toBe("leg-b-fault");
    expect(merged.requests).toBe(merged.legs.reduce((n, l) => n + l.requests, 0));
    expect(merged.requests).toBeGreaterThanOrEqual(40_000);
    const summary = await readFile(join(out, "summary.md"), "utf8");
    expect(summary).toMatch(/^# Sharded soak ❌ crash — 3 legs, 1 failed/);
    expect(summary).toContain("**First failure**: leg `leg-b-fault`");
    expect(summary).toMatch(/Triage: \[[^\]]*leg-b-fault\/triage\.md\]/);
    expect(summary).toContain('title "Throughput, the legs added up"');
  });

  it("passes when every leg passed, and refuses to merge into a leg", async () => {
    const out = join(await tempDir("soak-merged-"), "merged");
    const pass = await cli(["merge", legs[0], legs[2], "--out", out]).done;
    expect(pass.code, pass.stdout).toBe(0);
    expect(pass.stdout).toMatch(/^verdict: pass/m);
    const over = await cli(["merge", legs[0], legs[2], "--out", legs[0]]).done;
    expect(over.code).toBe(2);
    expect(over.stderr).toContain("is inside the leg");
  });

  it("merges the legs it can read; a leg without a report, with {} or with a torn timeline is marked, not fatal", async () => {
    const root = await tempDir("soak-broken-legs-");
    // a leg cancelled before its report (the action's -partial upload): the folder without report.json
    const partial = join(root, "leg-partial");
    await cp(legs[0], partial, { recursive: true });
    await rm(join(partial, "report.json"));
    // a leg whose report.json is {}
    const empty = join(root, "leg-empty");
    await cp(legs[0], empty, { recursive: true });
    await writeFile(join(empty, "report.json"), "{}");
    // a leg killed while writing its timeline: the last line cut short
    const torn = join(root, "leg-torn");
    await cp(legs[2], torn, { recursive: true });
    await appendFile(join(torn, "timeline.jsonl"), '{"t":99,"at":"2026-');
    const out = join(root, "merged");
    const { code, stdout, stderr } = await cli(["merge", legs[0], partial, empty, torn, "--out", out]).done;
    expect(code, stderr).toBe(2);
    expect(stderr).not.toMatch(/Error|at .*\.ts:/);
    const merged = JSON.parse(await readFile(join(out, "merged.json"), "utf8")) as MergedReport;
    expect(merged.verdict.kind).toBe("error");
    expect(merged.legs.map((l) => [l.name, l.verdict, Boolean(l.broken)])).toEqual([
      ["leg-a", "pass", false],
      ["leg-partial", "error", true],
      ["leg-empty", "error", true],
      ["leg-torn", "pass", false],
    ]);
    const readable = merged.legs.filter((l) => !l.broken);
    expect(merged.requests).toBe(readable.reduce((n, l) => n + l.requests, 0));
    expect(merged.requests).toBeGreaterThanOrEqual(40_000);
    expect(stdout).toMatch(/leg-partial: unreadable — .*cannot read it \(there is none\).*a partial upload/);
    expect(stdout).toMatch(/leg-empty: unreadable — .*schemaVersion is not a whole number/);
    const summary = await readFile(join(out, "summary.md"), "utf8");
    expect(summary).toContain("**2 leg(s) could not be read**");
    expect(summary).toContain("Leg `leg-torn`: 1 line(s) of its timeline.jsonl were not entries");
    expect(summary).toContain('title "Throughput, the legs added up"');
  });
});
