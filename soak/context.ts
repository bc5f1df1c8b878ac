// What every phase of one soak shares: its options, the kernel, the report folder, the
// findings so far, the report being filled in, and the monitors to stop at the end.

import { join } from "node:path";
import { Findings } from "./findings.ts";
import type { KernelUnderTest } from "./kernel-under-test.ts";
import type { SoakOptions } from "./options.ts";
import { VERSION } from "./package-root.ts";
import { Timeline } from "./report/timeline.ts";
import { type Report, SCHEMA_VERSION, type TrendReport } from "./report/types.ts";
import { decide } from "./verdict.ts";
import type { CrashMonitor } from "./watch/crash-monitor.ts";
import { StatsWatcher } from "./watch/guest-stats.ts";
import type { HostMonitor } from "./watch/host-monitor.ts";
import type { Monitor } from "./watch/monitor.ts";

export interface Progress {
  elapsedS: number;
  requests: number;
  asked: number;
  rps: number;
  /** the time cap on the load, s (--duration) */
  capS?: number;
  p99Ms?: number;
  healthMs?: number;
  txStalls?: number;
  rssMiB?: number;
  /** the guest's uptime (s, its counter), its goal (--uptime) and guest seconds per wall second lately */
  uptimeS?: number;
  uptimeGoalS?: number;
  warp?: number;
}

export interface RunHooks {
  log: (line: string) => void;
  progress: (p: Progress) => void;
  /** the exact command that reproduces the run, for the report */
  command: string;
  signal?: AbortSignal;
}

export class SoakContext {
  readonly findings: Findings;
  readonly timeline: Timeline;
  readonly report: Report;
  /** the guest's counters over the soak */
  readonly stats: StatsWatcher;
  /** the serial log's crash signatures, once QEMU runs */
  crash?: CrashMonitor;
  /** QEMU's footprint, once the load runs */
  host?: HostMonitor;
  /** when QEMU was started (ms since the epoch) */
  bootAt?: number;
  /** the steady phase's trends, once the load runs (watch/trend-monitor.ts) */
  trends?: { report(): Record<string, TrendReport> };
  private readonly monitors: Monitor[] = [];

  constructor(
    readonly o: SoakOptions,
    readonly kernel: KernelUnderTest,
    readonly hooks: RunHooks,
    /** the report folder, absolute */
    readonly out: string,
  ) {
    this.findings = new Findings(hooks.log);
    this.stats = new StatsWatcher(o);
    this.timeline = new Timeline(join(out, "timeline.jsonl"));
    this.report = {
      schemaVersion: SCHEMA_VERSION,
      tool: { name: "unikernel-soak", version: VERSION },
      startedAt: new Date().toISOString(),
      finishedAt: "",
      wallS: 0,
      command: hooks.command,
      kernel: { path: kernel.elf, built: kernel.bundled, fault: kernel.fault },
      accel: { mode: o.accel },
      network: { mode: o.network },
      boot: {},
      options: { ...o, crashPatterns: o.crashPatterns.map(String) },
      verdict: decide([]),
      guest: {},
      host: {},
      files: {},
    };
  }

  /** Starts a monitor and keeps it to stop at the end. */
  attach<M extends Monitor>(m: M): M {
    this.monitors.push(m);
    m.start();
    return m;
  }

  stopMonitors(): void {
    for (const m of this.monitors.splice(0)) m.stop();
  }
}
