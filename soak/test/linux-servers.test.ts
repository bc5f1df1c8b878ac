// Debian's own servers in the stock Linux guest (scripts/linux-guest, `soak_server=`), soaked
// through the CLI under TCG with no counters (--stats-path none): software no one here wrote,
// with its own ways. busybox httpd closes the connection after every response; nginx keeps
// it open, answers pipelined requests, and ends it after 1,000 requests (keepalive_requests).
// Both must pass, every request counted, each way said once as a note: the engine never
// blames a kernel for what its own client would not do.
import { describe, expect, it } from "vitest";
import { linuxGuestImage } from "../../bench/linux.ts";
import { cli, readReport, tempDir } from "./cli-run.ts";

async function soakServer(server: string, ...extra: string[]) {
  const { bzImage, initrd } = linuxGuestImage();
  const out = await tempDir(`soak-linux-${server}-`);
  const args = [
    ...["--kernel", bzImage, "--initrd", initrd, "--append", `console=ttyS0 soak_server=${server}`],
    ...["--accel", "tcg", "--boot-timeout", "180", "--guest-port", "80", "--stats-path", "none"],
    ...["--paths", "/=1,/health=1", "--connections", "4", "--churn", "10", "--out", out, ...extra],
  ];
  const { code, stderr } = await cli(args).done;
  const r = await readReport(out);
  expect(r.verdict.reasons, stderr.slice(-2000)).toEqual([]);
  expect(code).toBe(0);
  console.log(
    `Linux guest, ${server}: ${r.load?.requests} requests at ${r.load?.rps.toFixed(0)} req/s, p99 ${r.load?.latencyMs.p99} ms`,
  );
  return r;
}

describe("Debian's servers in a stock Linux guest", () => {
  it("busybox httpd, closing after every response: passes, the keep-alive load carried over new connections", async () => {
    const r = await soakServer("busybox", "--requests", "2000");
    expect(r.load?.requests).toBe(2000);
    expect(r.load?.errors).toBe(0);
    expect(r.load?.closedAfterEach).toBeGreaterThan(1000);
    expect(r.load?.notes).toEqual([expect.stringMatching(/^the guest closed the connection after every response/)]);
  }, 400_000);

  it("nginx, pipelined 4 deep and ending connections at its keepalive_requests: passes, said once", async () => {
    // 5,400 keep-alive requests over 4 connections: each passes nginx's 1,000 at least once
    const r = await soakServer("nginx", "--requests", "6000", "--pipelining", "4");
    expect(r.load?.requests).toBe(6000);
    expect({ errors: r.load?.errors, timeouts: r.load?.timeouts }).toEqual({ errors: 0, timeouts: 0 });
    expect(r.load?.endedByGuest).toBeGreaterThanOrEqual(4);
    expect(r.load?.closedAfterEach).toBeUndefined();
    expect(r.load?.notes).toEqual([
      expect.stringMatching(
        /^the guest ended \d+ keep-alive connections with "Connection: close" after keeping them open/,
      ),
    ]);
  }, 400_000);
});
