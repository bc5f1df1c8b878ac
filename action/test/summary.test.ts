import { describe, expect, it } from "vitest";
import { renderSummary } from "../../soak/report/summary.ts";
import type { Report } from "../../soak/report/types.ts";
import { decide } from "../../soak/verdict.ts";
import { jobSummary, SUMMARY_LIMIT } from "../summary.ts";

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
      name: "unikernel-soak-soak-1",
      url: "https://example.invalid/a/1",
    });
    expect(text).toContain("> [!WARNING]\n> Ran under TCG, not KVM: /dev/kvm is not usable (ENOENT)");
    expect(text).toContain("# Soak ❌ crash");
    expect(text).toContain(
      "**page fault in kernel/src/net/tcp/tcpSendChunk (read, not-present)** at `kernel/src/net/tcp.ts:120`",
    );
    expect(text).toContain("[unikernel-soak-soak-1](https://example.invalid/a/1)");
    expect(text).toContain("npx unikernel-soak --requests 10");
  });

  it("charts throughput with at most 60 points, in Mermaid", () => {
    const r = report();
    const text = jobSummary(r, renderSummary(r, timeline));
    const chart = /```mermaid\nxychart-beta\n {2}title "Throughput"\n {2}x-axis "seconds" \[([^\]]*)\]/.exec(text);
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
