// compare end to end through the CLI, real QEMU under TCG: a kernel against itself is no
// regression (exit 0), the same kernel with a known slowdown on its command line
// (slow_request_ns=50000, several times the guest's own cost per request: the 2000,
// about +20-40% on a quiet machine, is lost in the noise when other work shares the two
// cores; bench/compare-power.ts measures the gate's power) is
// one (exit 1), a head that crashes is a failure that says so,
// not a "no change"; and nothing is left running.
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import type { CompareResult } from "../compare/compare.ts";
import { qemuPidsFor } from "../vm/qemu.ts";
import { againstItself } from "./against-itself.ts";
import { cli, tempDir } from "./cli-run.ts";
import { brokenTables } from "./markdown-shape.ts";

// short rounds, more of them: a round's noise on a shared machine is the host's, not the load's size
const ROUND = ["--accel", "tcg", "--requests", "8000", "--rounds", "6"];

async function runCompare(...args: string[]) {
  const out = join(await tempDir("soak-compare-"), "cmp");
  const r = await cli(["compare", ...args, "--out", out]).done;
  const result = await readFile(join(out, "compare.json"), "utf8").then(
    (t) => JSON.parse(t) as CompareResult,
    () => undefined,
  );
  expect(await qemuPidsFor(out, { under: true })).toEqual([]);
  return { ...r, out, result };
}

describe("compare", () => {
  const elf = inject("kernelElf");

  it("a kernel against itself: no regression, exit 0, with its table, chart and every round's report", async () => {
    const { code, stdout, stderr, out, result } = await againstItself(
      () => runCompare("--base", elf, "--head", elf, ...ROUND),
      (r) => r.result?.verdict.kind,
    );
    expect(code, stderr).toBe(0);
    expect(result?.verdict.kind).not.toBe("regression");
    expect(stdout).toMatch(/^verdict: (no change|within threshold|improvement)/m);
    const rounds = result?.rounds ?? [];
    expect(rounds.map((r) => r.side).join("")).toBe("AB" + "ABBAABBAABBA");
    for (const r of rounds) {
      expect(r.verdict).toBe("pass");
      expect(r.metrics.guest_us_per_request).toBeGreaterThan(0);
      await access(join(out, r.report, "report.json"));
    }
    const summary = await readFile(join(out, "summary.md"), "utf8");
    expect(summary).toContain("| guest CPU per request (µs, lower is better) |");
    expect(summary).toContain("xychart-beta");
    expect(brokenTables(summary)).toEqual([]);
    const html = await readFile(join(out, "report.html"), "utf8");
    expect(html).toMatch(/<svg class="chart"[^>]*>.*class="line also"/s);
    expect(html).not.toContain("<script");
  }, 480_000); // a second compare when the first is a false alarm

  it("the same kernel with slow_request_ns=50000 on B: a regression, exit 1, naming guest CPU per request", async () => {
    const { code, stdout, stderr, result } = await runCompare(
      "--base",
      elf,
      "--head",
      elf,
      "--head-append",
      "slow_request_ns=50000",
      ...ROUND,
    );
    const gateRounds = JSON.stringify(result?.metrics.find((m) => m.key === "guest_us_per_request"));
    expect(code, `${stdout}\n${gateRounds}\n${stderr.slice(-1000)}`).toBe(1);
    expect(result?.verdict.kind).toBe("regression");
    const gate = result?.metrics.find((m) => m.key === "guest_us_per_request");
    expect(gate?.low).toBeGreaterThan(1.05);
    expect(stdout).toMatch(/guest CPU per request: \+\d+\.\d%/);
  }, 240_000);

  it("a head that crashes fails the compare (exit 1) naming its round, never a silent no change", async () => {
    const { code, stdout, result } = await runCompare(
      "--base",
      elf,
      "--head",
      elf,
      "--head-append",
      "fault=pf",
      ...ROUND,
    );
    expect(code, stdout).toBe(1);
    expect(result?.verdict.kind).toBe("round failed");
    expect(result?.verdict.reasons[0]).toMatch(/head kernel \(B\) failed: round 2 \(B\) did not pass its soak: crash/);
    expect(result?.rounds).toHaveLength(2);
  }, 120_000);

  it("refuses what it cannot honour before running anything (exit 2)", async () => {
    for (const args of [
      ["--head", elf],
      ["--base", elf, "--head", elf, "--fault", "reset"],
      ["--base", elf, "--head", elf, "--rounds", "3"],
      ["--base", elf, "--head", elf, "--threshold", "nonsense=5"],
      ["--base-ref", "HEAD", "--head", elf],
    ]) {
      const { code, stderr, result } = await runCompare(...args);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toMatch(/unikernel-soak: compare/);
      expect(result).toBeUndefined();
    }
  });
});
