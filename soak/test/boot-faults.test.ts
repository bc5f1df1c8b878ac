// A kernel that faults while booting, before /health ever answered: a crash verdict in
// about a second with the same triage as a crash under load, not a boot hang after 60 s.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { cli, readReport, tempDir } from "./cli-run.ts";

const elf = inject("kernelElf");

describe("faults at boot", () => {
  it.each([
    ["pf", /^page fault in kernel\/src\/faults\/faultReadKernelHalf/],
    ["trap", /^wasm trap oob in kernel\/src\/faults\//],
    ["stack", /^page fault in kernel\/src\/faults/],
    ["panic", /^panic in kernel\/src\/faults\/faultPanic/],
  ])("fault=%s", async (fault, title) => {
    const out = await tempDir();
    const args = ["--kernel", elf, "--accel", "tcg", "--append", `fault=${fault}`, "--out", out];
    const { code } = await cli(args).done;
    const report = await readReport(out);
    expect(code).toBe(1);
    expect(report.verdict.kind).toBe("crash");
    expect(report.boot.readyMs).toBeUndefined();
    const latency = report.verdict.reasons[0].at - Date.parse(report.startedAt);
    console.log(`fault=${fault} at boot: crash found ${latency} ms after the soak started`);
    expect(latency).toBeLessThan(5000);
    expect(report.crash?.title).toMatch(title);
    expect(await readFile(join(out, "triage.md"), "utf8")).toMatch(/kernel\/src\/faults/);
  });
});
