// Debian's stock 6.1 bzImage (scripts/linux-guest) soaked through the CLI under TCG with only
// `console=ttyS0` on its command line: the engine adds the host's TSC rate (without it about
// one boot in eleven here stops at "tsc: Unable to calibrate against PIT") and says so. Its
// server.c answers `Connection: close` with `Connection: keep-alive` and keeps the connection:
// the new-connection requests each take a moment, not the 10 s request timeout, the soak
// passes, and the report says once what the guest did.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { linuxGuestImage } from "../../bench/linux.ts";
import { mdText } from "../report/guest-text.ts";
import { hostTscKhz } from "../vm/linux-tsc.ts";
import { cli, readReport, tempDir } from "./cli-run.ts";

describe("a Linux bzImage under TCG", () => {
  it("boots with tsc_early_khz=<host kHz> added, passes, and both notes are in the report", async () => {
    const { bzImage, initrd } = linuxGuestImage();
    const out = await tempDir("soak-linux-");
    const args = [
      ...["--kernel", bzImage, "--initrd", initrd, "--append", "console=ttyS0", "--accel", "tcg"],
      // server.c: no ELF note, so its ports are named; two pages; Linux's caches move its used pages
      ...["--guest-port", "8000-8255", "--paths", "/api/stats.json=1,/health=1", "--page-growth", "2048"],
      ...["--requests", "3000", "--connections", "4", "--churn", "10", "--boot-timeout", "180", "--out", out],
    ];
    const { code, stderr } = await cli(args).done;
    const r = await readReport(out);
    expect(r.verdict.reasons, stderr).toEqual([]);
    expect(code).toBe(0);
    const khz = await hostTscKhz();
    const serial = await readFile(join(out, "serial.log"), "latin1");
    expect(serial).toContain(`Command line: console=ttyS0 tsc_early_khz=${khz}`);
    expect(serial).not.toContain("Unable to calibrate against PIT");
    expect(r.boot.notes).toEqual([expect.stringMatching(new RegExp(`^the command line got tsc_early_khz=${khz} `))]);
    const summary = await readFile(join(out, "summary.md"), "utf8");
    expect(summary).toContain(`## Notes\n\n- ${mdText(r.boot.notes?.[0] ?? "")}`); // escaped as Markdown
    expect(r.load?.requests).toBe(3000);
    expect(r.load?.timeouts).toBe(0);
    expect(r.load?.churn?.requests).toBe(300);
    expect(r.load?.churn?.keptOpen).toBe(300);
    expect(r.load?.churn?.latencyMs.p99).toBeLessThan(10_000);
    expect(r.load?.closedAfterEach).toBeUndefined();
    const kept = `the guest kept 300 of 300 new connections open after answering a request that said "Connection: close"`;
    expect(r.load?.notes).toEqual([expect.stringMatching(new RegExp(`^${kept}`))]);
    expect(summary.split(kept)).toHaveLength(2); // once
    console.log(
      `Linux guest: ready in ${r.boot.readyMs} ms, ${r.load?.rps.toFixed(0)} req/s, p50 ${r.load?.latencyMs.p50} ms, churn p99 ${r.load?.churn?.latencyMs.p99} ms, kept open ${r.load?.churn?.keptOpen}`,
    );
  }, 400_000);
});
