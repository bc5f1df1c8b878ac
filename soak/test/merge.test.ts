// `unikernel-soak merge` over the report folders of three real legs, one of which failed:
// one verdict (the failed leg's), a summary naming that leg and where its triage is, and
// the exit code of a failed soak.
import { readFile } from "node:fs/promises";
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

  it("passes when every leg passed, and refuses a folder that is not a report", async () => {
    const out = join(await tempDir("soak-merged-"), "merged");
    const pass = await cli(["merge", legs[0], legs[2], "--out", out]).done;
    expect(pass.code, pass.stdout).toBe(0);
    expect(pass.stdout).toMatch(/^verdict: pass/m);
    const empty = await tempDir("not-a-report-");
    const bad = await cli(["merge", legs[0], empty, "--out", join(await tempDir("soak-merged-"), "x")]).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${empty} holds no report.json`);
    const over = await cli(["merge", legs[0], legs[2], "--out", legs[0]]).done;
    expect(over.code).toBe(2);
    expect(over.stderr).toContain("is inside the leg");
  });
});
