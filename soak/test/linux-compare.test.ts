// compare's gate on a kernel this project did not write: Debian's stock 6.1 bzImage with the
// scripts/linux-guest server, under TCG. Against itself it is no regression (exit 0); with
// server.c's soak_slow_ns= spinning on every request of B it is one (exit 1), naming guest
// CPU per request. The spin, 1 ms, is two to three times the guest's own cost per request
// here (330-500 µs under TCG with 3,000-request rounds, whose B / A between runs of the same
// kernel spans ±40%): a gate's power at small slowdowns is bench/compare-power.ts's to measure.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { linuxGuestImage } from "../../bench/linux.ts";
import type { CompareResult } from "../compare/compare.ts";
import { qemuPidsFor } from "../vm/qemu.ts";
import { againstItself } from "./against-itself.ts";
import { cli, tempDir } from "./cli-run.ts";

/** soak options every round runs with: server.c's ports and paths, as linux-guest-soak.test.ts */
function rounds(initrd: string): string[] {
  return [
    ...["--initrd", initrd, "--append", "console=ttyS0", "--accel", "tcg", "--boot-timeout", "180"],
    ...["--guest-port", "8000-8255", "--paths", "/api/stats.json=1,/health=1", "--page-growth", "2048"],
    ...["--requests", "3000", "--connections", "4", "--rounds", "4"],
  ];
}

async function runCompare(...args: string[]) {
  const out = join(await tempDir("soak-linux-compare-"), "cmp");
  const r = await cli(["compare", ...args, "--out", out]).done;
  const result = JSON.parse(await readFile(join(out, "compare.json"), "utf8")) as CompareResult;
  expect(await qemuPidsFor(out, { under: true })).toEqual([]);
  const gate = result.metrics.find((m) => m.key === "guest_us_per_request");
  console.log(
    `Linux compare ${args.join(" ").slice(0, 80)}: ${result.verdict.kind}, B/A ${gate?.ratio.toFixed(3)} [${gate?.low.toFixed(3)}, ${gate?.high.toFixed(3)}], A ${gate?.a.mean.toFixed(0)} µs/req`,
  );
  return { ...r, result, gate };
}

describe("compare on a Linux guest", () => {
  const { bzImage, initrd } = linuxGuestImage();

  it("against itself: no regression, exit 0", async () => {
    const { code, stderr, result } = await againstItself(
      () => runCompare("--base", bzImage, "--head", bzImage, ...rounds(initrd)),
      (r) => r.result.verdict.kind,
    );
    expect(result.rounds.map((r) => r.verdict)).toEqual(result.rounds.map(() => "pass"));
    expect(code, stderr.slice(-2000)).toBe(0);
    expect(result.verdict.kind).not.toBe("regression");
  }, 600_000);

  it("with soak_slow_ns=1000000 on B: a regression, exit 1, naming guest CPU per request", async () => {
    const slow = ["--head-append", "soak_slow_ns=1000000"];
    const { code, stdout, stderr, result, gate } = await runCompare(
      "--base",
      bzImage,
      "--head",
      bzImage,
      ...slow,
      ...rounds(initrd),
    );
    expect(code, `${stdout}\n${stderr.slice(-2000)}`).toBe(1);
    expect(result.verdict.kind).toBe("regression");
    expect(gate?.low).toBeGreaterThan(1.05);
    expect(stdout).toMatch(/guest CPU per request: \+\d+\.\d%/);
  }, 600_000);
});
