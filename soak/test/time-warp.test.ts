// The time warp on the seed's own terms: its bug struck after 1 h 24 min of uptime at about 3
// requests a second. Under --time-warp, --rate 3 --uptime 1h24m reaches that uptime in minutes:
// the seed's page fault put back at exactly that uptime (fault=pf fault_after_ms=5040000) is a
// crash whose triage names the function, and the clean kernel under the same soak passes, with
// the request count the rate asks for. The bound: under 3 minutes of wall time here.
import { describe, expect, inject, it } from "vitest";
import type { Report } from "../report/types.ts";
import { cli, readReport, tempDir } from "./cli-run.ts";

const SEED_UPTIME_S = 5040; // 1 h 24 min
const WALL_LIMIT_S = 180;

async function warpSoak(...append: string[]): Promise<{ code: number | null; report: Report; stderr: string }> {
  const out = await tempDir("soak-warp-");
  const args = ["--kernel", inject("kernelElf"), "--time-warp", "--uptime", "1h24m", "--rate", "3", "--out", out];
  const run = cli([...args, ...append]);
  const { code, stderr } = await run.done;
  return { code, report: await readReport(out), stderr };
}

describe("the time warp: the seed's 1 h 24 min of uptime in minutes", () => {
  it("catches the seed's page fault put back at 1:24:00 of uptime, the triage naming the function", async () => {
    const { code, report, stderr } = await warpSoak("--append", `fault=pf fault_after_ms=${SEED_UPTIME_S * 1000}`);
    expect(code).toBe(1);
    expect(report.verdict.kind).toBe("crash");
    expect(report.crash?.title).toContain("faultReadKernelHalf");
    expect(report.accel.used).toBe("tcg");
    expect(report.clock?.timeWarp).toBe(true);
    // struck at the uptime asked, estimated between the guest's own clock readings
    expect(report.struck?.guestUptimeS).toBeGreaterThanOrEqual(SEED_UPTIME_S - 10);
    expect(report.struck?.guestUptimeS).toBeLessThan(SEED_UPTIME_S + 60);
    expect(report.wallS).toBeLessThan(WALL_LIMIT_S);
    // the progress line (on stderr) follows the guest's clock (a line every 10 s: the warp may
    // strike before one shows an hour, "uptime 52:31 of 1:24:00 (255x)" in a CI run)
    expect(stderr).toMatch(/uptime (\d+:)?\d+:\d\d of 1:24:00 \(\d+x\)/);
  }, 400_000);

  it("passes the clean kernel, at the rate asked by the guest's clock, and says so", async () => {
    const { code, report } = await warpSoak();
    expect(report.verdict.reasons).toEqual([]);
    expect(code).toBe(0);
    const uptime = report.clock?.uptimeS as { first: number; last: number };
    expect(uptime.last).toBeGreaterThanOrEqual(SEED_UPTIME_S);
    // 3 requests a second of the guest's time from the load's start (its counters then) to the goal
    const loadFromS = (report.guest.first?.uptime_ms as number) / 1000;
    const asked = 3 * (SEED_UPTIME_S - loadFromS);
    expect(report.load?.requests).toBeGreaterThan(0.85 * asked);
    expect(report.load?.requests).toBeLessThan(1.1 * asked);
    expect(report.wallS).toBeLessThan(WALL_LIMIT_S);
  }, 400_000);
});
