// repro of a failure that follows the clock (issue 26): the clean kernel told to fault
// 8 s after boot (`fault=pf fault_after_ms=8000`), whatever the load. `repro` confirms it on a
// fresh boot, probes at a tenth of the load (far fewer requests, the same uptime), names it
// time-dependent, presents no request count as its trigger, and minimises the uptime and the
// load instead, under the time warp (TCG). repro.sh, run to that uptime, faults again. Without
// the counters (--stats-path none) the load runs until just past the strike instead.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import type { ReproVerdict } from "../repro/repro.ts";
import { qemuPidsFor } from "../vm/qemu.ts";
import { cli, readReport, tempDir } from "./cli-run.ts";

const run = promisify(execFile);
const FAULT_AFTER_S = 8;
const TITLE = "page fault in kernel/src/faults/faultReadKernelHalf (read, not-present)";

/** A soak of the clean kernel told to fault at FAULT_AFTER_S, and `repro` on its report (one boot a confirmation). */
async function reproOfTimedFault(...extra: string[]) {
  const report = join(await tempDir("soak-repro-time-"), "report");
  const append = `fault=pf fault_after_ms=${FAULT_AFTER_S * 1000}`;
  const args = ["--kernel", inject("kernelElf"), "--accel", "tcg", "--warmup", "2", "--append", append, ...extra];
  const soak = await cli([...args, "--out", report]).done;
  expect(soak.code, soak.stderr).toBe(1);
  expect((await readReport(report)).crash?.title).toBe(TITLE);

  const r = await cli(["repro", report, "--attempts", "1", "--budget", "150"]).done;
  expect(r.code, r.stderr).toBe(0);
  const dir = join(report, "repro");
  const verdict = JSON.parse(await readFile(join(dir, "verdict.json"), "utf8")) as ReproVerdict;
  const summary = await readFile(join(dir, "summary.md"), "utf8");
  console.log(`${r.stdout.split("\n").slice(0, 5).join("; ")} (${verdict.wallS} s)`);
  // named time-dependent, in its uptime; no request count as the trigger: none cut, none "to failure"
  const said = /strikes at ~(\d+) s of uptime, not after a request count/;
  for (const text of [summary, r.stdout, r.stderr]) expect(text).toMatch(said);
  expect(Number(said.exec(summary)?.[1])).toBe(Math.round(verdict.timing?.atS.median ?? 0));
  expect(verdict.minimised?.strikesAt).toBeUndefined();
  expect(summary).not.toMatch(/requests to failure|\*\*request count\*\*/);
  expect(r.stdout).not.toMatch(/^request count:/m);
  return { report, dir, verdict, summary };
}

describe("repro: a failure that follows the clock", () => {
  it("is named time-dependent: its uptime in the summary, no request count as the trigger", async () => {
    const { report, dir, verdict } = await reproOfTimedFault();

    // the confirmation and the probe struck at the same uptime with request counts 2x apart
    const t = verdict.timing;
    expect(t?.trigger, JSON.stringify(t)).toBe("uptime");
    expect(t?.clock).toBe("guest uptime");
    expect(t?.probe).toBeDefined();
    expect(t?.requests.max).toBeGreaterThanOrEqual(2 * (t?.requests.min ?? 0));
    expect(t?.atS.median).toBeGreaterThanOrEqual(FAULT_AFTER_S - 0.5);
    expect(t?.atS.median).toBeLessThan(FAULT_AFTER_S + 3);
    const scenario = verdict.minimised?.scenario ?? {};
    // no cap, or the one request of no load at all
    expect([undefined, 1]).toContain(scenario.requests);
    // the uptime just past the strike, under the warp (the report's accel was tcg), and it still fails
    expect(scenario.uptime).toMatch(/^\d+s$/);
    expect(Number.parseInt(String(scenario.uptime), 10)).toBeGreaterThan(t?.atS.max ?? 0);
    expect(scenario["time-warp"]).toBe(true);
    expect(verdict.minimised?.confirmation.reproduced).toBe(1);

    // repro.sh: QEMU under the warp, watched until the guest's uptime passes the strike
    const script = await run("bash", [join(dir, "repro.sh")], { timeout: 60_000 }).then(
      (x) => ({ code: 0, stdout: x.stdout }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );
    expect(await qemuPidsFor(report, { under: true })).toEqual([]);
    expect(script.code, script.stdout).toBe(1);
    expect(script.stdout).toMatch(/^PF at 0x/m);
  }, 170_000);

  it("without the counters (--stats-path none): still named by the uptime, the load until just past it", async () => {
    const { verdict } = await reproOfTimedFault("--stats-path", "none");
    // the guest's uptime from its heartbeat lines judges; --uptime and --rate need the counters
    expect(verdict.timing?.trigger, JSON.stringify(verdict.timing)).toBe("uptime");
    const scenario = verdict.minimised?.scenario ?? {};
    expect(scenario.uptime).toBeUndefined();
    expect(scenario.requests).toBeUndefined();
    expect(Number(scenario.duration)).toBeLessThan(FAULT_AFTER_S + 5);
    expect(verdict.minimised?.confirmation.reproduced).toBe(1);
  }, 170_000);
});
