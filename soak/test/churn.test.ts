// The seed's traffic: every request on a new connection (its repro is `xargs -P 50 curl`).
// 60,000 of them through the CLI against the clean kernel (twice the host's 28,232
// ephemeral ports, so source ports come back while the guest may still hold their tuples
// in TIME_WAIT): the soak passes, every connection was a new one, and once the load has
// stopped the guest's tcp_open is back to its value before the load (the settle phase
// waits for that, and records it).
import { describe, expect, inject, it } from "vitest";
import { cli, readReport, tempDir } from "./cli-run.ts";

const elf = inject("kernelElf");
const REQUESTS = 60_000;

describe("connection churn", () => {
  it(`${REQUESTS.toLocaleString("en-US")} requests, each on a new connection, pass with tcp_open back to idle`, async () => {
    const out = await tempDir("soak-churn-");
    const args = ["--kernel", elf, "--accel", "tcg", "--churn", "100", "--requests", String(REQUESTS), "--out", out];
    const { code, stderr } = await cli(args).done;
    const r = await readReport(out);
    expect(r.verdict.reasons, stderr).toEqual([]);
    expect(code).toBe(0);
    expect(r.load?.requests).toBe(REQUESTS);
    expect(r.load?.churn?.requests).toBe(REQUESTS);
    expect(r.load?.churn?.connections).toBe(REQUESTS);
    expect(r.load?.errors).toBe(0);
    // the guest closed every one itself (the client's own close after a grace was never needed)
    expect(r.load?.churn?.keptOpen).toBe(0);
    expect(r.load?.notes).toBeUndefined();
    const idle = r.guest.first?.tcp_open;
    expect(r.guest.settled?.tcp_open).toBe(idle);
    expect(r.guest.settled?.pmm_pages_used).toBe(r.guest.first?.pmm_pages_used);
    console.log(
      `churn: ${r.load?.rps.toFixed(0)} req/s, p99 ${r.load?.churn?.latencyMs.p99} ms; tcp_open ${idle} -> ${r.guest.last?.tcp_open} under load -> ${r.guest.settled?.tcp_open} settled`,
    );
  }, 300_000);
});
