// report.json: the machine-readable result of one soak (schema documented in
// soak/REPORT.md). Bump SCHEMA_VERSION on any incompatible change.

import type { SentRequest } from "../load/in-flight.ts";
import type { MixedResult } from "../load/mixed.ts";
import type { CrashTriage } from "../triage/crash.ts";
import type { Verdict } from "../verdict.ts";
import type { GuestStats } from "../watch/guest-stats.ts";

export const SCHEMA_VERSION = 1;

export interface TimelineEntry {
  /** seconds since the load started */
  t: number;
  at: string;
  rps: number;
  /** p99 latency (whole ms) of the responses in the load's last second; absent when none came */
  p99Ms?: number;
  health?: { ok: boolean; ms?: number };
  guest?: GuestStats;
  /** when `guest` was read: the counters are polled on their own clock, not at `at` */
  guestAt?: string;
  host?: { rssMiB: number; cpuPercent: number };
  /** guest seconds per wall second lately (watch/guest-clock.ts), when the counters give an uptime */
  warp?: number;
}

/** What the load had sent and not had answered when the first watcher fired. */
export interface InFlight {
  /** when the watcher fired */
  at: string;
  /** the guest's request counter at the last poll before that, and when it was read */
  guestRequests?: number;
  guestAt?: string;
  requests: (Omit<SentRequest, "sentAt" | "answered"> & { sentAt: string; ageMs: number })[];
}

/** A series' Theil–Sen trend over the steady phase (soak/trend.ts), per minute. */
export interface TrendReport {
  unit: string;
  perMin: number;
  /** the 99.9% confidence interval */
  lowerPerMin: number;
  upperPerMin: number;
  points: number;
  spanS: number;
  /** growth allowed per hour (0 = not judged) */
  budgetPerHour: number;
  /** the trend was named as a finding */
  flagged: boolean;
  /** the clock the minutes and hours are of: the guest's uptime counter or the wall's (absent in older reports: wall) */
  base?: "guest" | "wall";
}

export interface Report {
  schemaVersion: number;
  tool: { name: string; version: string };
  startedAt: string;
  finishedAt: string;
  wallS: number;
  /** the command that reproduces this run */
  command: string;
  kernel: {
    path?: string;
    /** pvh-elf or bzimage (soak/kernel-image.ts) */
    format?: string;
    buildId?: string;
    /** the ELF a crash was symbolised against: --symbols, else the kernel ELF itself */
    symbols?: string;
    built: boolean;
    fault?: string;
  };
  accel: { mode: string; used?: string; refused?: string };
  /** the path into the guest (soak/network.ts) */
  network?: { mode: string; used?: string; via?: string; refused?: string };
  /** `notes`: what the engine did to the guest's boot and why (the command line it added to) */
  boot: { readyMs?: number; notes?: string[] };
  options: Record<string, unknown>;
  verdict: Verdict;
  /** `workers`: the processes the load ran in (absent in reports from before there were several);
   * `notes`: what the guest did with its connections that the load worked around (load/guest-behaviour.ts);
   * `vcpuS`: the guest's vCPU thread's CPU seconds over the load window (watch/threads.ts) */
  load?: MixedResult & { asked: number; workers?: number; vcpuS?: number; notes?: string[] };
  inFlight?: InFlight;
  /** the guest's clock (its uptime counter) against the wall's (watch/guest-clock.ts): the uptime at the load's
   * start (else first read) and last read, and `warp`, guest seconds per wall second between them; absent without counters */
  clock?: { timeWarp: boolean; uptimeS?: { first: number; last: number }; warp?: number };
  /** when the verdict's first reason came, on each clock: the guest's uptime (its counter, estimated between
   * reads; absent without counters), wall seconds since QEMU started, and the requests the guest had
   * served at its last read before it (absent without counters) */
  struck?: { guestUptimeS?: number; sinceBootS?: number; guestRequests?: number };
  /** `overLimits`: what the guest's counters had beyond the engine's limits (watch/stats-answer.ts), dropped */
  guest: { first?: GuestStats; last?: GuestStats; settled?: GuestStats; overLimits?: string };
  /** `qemu`: the first line of its --version (soak/vm/qemu-version.ts) */
  host: { qemu?: string; rssMiB?: { first: number; max: number; last: number }; cpuS?: number };
  /** trends over the steady phase, by series (pmm_pages_used, qemu_rss_mib, p99_ms) */
  trends?: Record<string, TrendReport>;
  crash?: CrashTriage;
  hang?: { registers?: string; memoryDump?: string; backtrace?: string; notes: string[] };
  /** --profile: the rate, how it sampled, the mean pause a sample cost the guest, samples by
   * phase (boot, steady, idle, hang); the stacks are in profile.json (soak/profile/profile.ts) */
  profile?: { hz: number; sampler: string; meanSampleMs?: number; samples: Record<string, number>; notes: string[] };
  files: Record<string, string>;
}
