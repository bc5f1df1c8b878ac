import { describe, expect, it } from "vitest";
import { decide, type Report, renderSummary, xLabels } from "../../soak/index.ts";
import { jobSummary, SUMMARY_LIMIT, stoppedSummary } from "../summary.ts";

function report(over: Partial<Report> = {}): Report {
  return {
    schemaVersion: 1,
    tool: { name: "unikernel-soak", version: "0" },
    startedAt: "",
    finishedAt: "",
    wallS: 1,
    command: "npx unikernel-soak --requests 10",
    kernel: { built: true, path: "kernel.elf" },
    accel: { mode: "auto", used: "tcg", refused: "/dev/kvm is not usable (ENOENT)" },
    boot: { readyMs: 120 },
    options: {},
    verdict: decide([{ kind: "crash", at: 1, message: "serial: PF at 0xffffffffffffff88 err=0x0000000000000000" }]),
    guest: {},
    host: {},
    files: {},
    crash: {
      kind: "page-fault",
      title: "page fault in kernel/src/net/tcp/tcpSendChunk (read, not-present)",
      lines: [],
      frames: [],
      notes: [],
      asSource: { file: "kernel/src/net/tcp.ts", line: 120 },
    },
    ...over,
  };
}

const timeline = Array.from({ length: 300 }, (_, i) => ({
  t: i,
  at: "",
  rps: 1000 + i,
  health: { ok: true, ms: 2 },
  host: { rssMiB: 70, cpuPercent: 90 },
}));

describe("job summary", () => {
  it("leads with the verdict and the triage headline, warns about TCG, links the artifact", () => {
    const r = report();
    const text = jobSummary(r, renderSummary(r, timeline), {
      artifact: { name: "unikernel-soak-soak-1", url: "https://example.invalid/a/1" },
      sourceLink: "https://github.com/quartz/unikernel-soak/blob/v1/kernel/src/net/tcp.ts#L120",
    });
    expect(text).toContain("> [!WARNING]\n> Ran under TCG, not KVM: /dev/kvm is not usable (ENOENT)");
    expect(text).toContain("# Soak ❌ crash");
    expect(text).toContain(
      "**page fault in kernel/src/net/tcp/tcpSendChunk (read, not-present)** at `kernel/src/net/tcp.ts:120`",
    );
    expect(text).toContain("[unikernel-soak-soak-1](https://example.invalid/a/1)");
    expect(text).toContain("npx unikernel-soak --requests 10");
    expect(text).toContain(
      "[kernel/src/net/tcp.ts:120](https://github.com/quartz/unikernel-soak/blob/v1/kernel/src/net/tcp.ts#L120)",
    );
  });

  it("labels a short run's chart with distinct x values (samples under a second apart)", () => {
    const r = report();
    const short = [0.2, 0.7, 1.2, 1.7, 2.2].map((t) => ({ ...timeline[0], t }));
    const text = jobSummary(r, renderSummary(r, short));
    const xs = /x-axis "seconds of wall time" \[([^\]]*)\]/.exec(text)?.[1].split(", ");
    expect(xs).toEqual(["0.2", "0.7", "1.2", "1.7", "2.2"]);
    expect(xLabels([1, 2, 3])).toEqual(["1", "2", "3"]);
  });

  it("says why a run stopped before the soak, and with the exit code the step has", () => {
    const text = stoppedSummary("running build-command", "sh -c make exited with code 2", "Run make.");
    expect(text).toContain("# Soak ⚠️ error (exit 2)");
    expect(text).toContain("Stopped while running build-command, before any load: sh -c make exited with code 2");
  });

  it("charts throughput with at most 60 points, in Mermaid", () => {
    const r = report();
    const text = jobSummary(r, renderSummary(r, timeline));
    const chart =
      /```mermaid\nxychart-beta\n {2}title "Throughput"\n {2}x-axis "seconds of wall time" \[([^\]]*)\]/.exec(text);
    expect(chart).not.toBeNull();
    expect(chart?.[1].split(",")).toHaveLength(60);
  });

  it("stays under GitHub's summary limit however long the report", () => {
    const r = report();
    const huge = "x".repeat(3 * SUMMARY_LIMIT);
    const text = jobSummary(r, huge);
    expect(Buffer.byteLength(text)).toBeLessThan(SUMMARY_LIMIT);
    expect(text).toContain("cut to fit GitHub's summary limit");
  });
});
