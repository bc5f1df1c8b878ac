// Time: the TSC, its frequency from CPUID leaf 0x15 where the CPU reports it, else
// measured against the PIT (1.193182 MHz). No periodic tick: the PIT is stopped after
// the measurement, and the idle halt wakes on the one-shot timer (timer.ts). Only the
// instructions themselves (rdtsc, cpuid, port I/O) are C, in kernel/platform/imports.c.
import * as con from "./console";
import { cpuid, portIn8, portOut8, rdtsc } from "./platform";

const PIT_HZ: u64 = 1193182;
const CALIBRATE_PIT_TICKS: u64 = PIT_HZ / 50; // 20 ms
const CALIBRATIONS = 3;

let tscAtBoot: u64 = 0;
/** TSC ticks a second. */
export let tscHz: u64 = 0;
/** Where tscHz came from: "cpuid", "pit" or "assumed". */
export let source = "none";

function pitReadChannel0(): u32 {
  portOut8(0x43, 0x00); // latch channel 0
  const lo = <u32>portIn8(0x40);
  return lo | (<u32>portIn8(0x40) << 8);
}

/**
 * Counts PIT ticks on a free-running channel 0 while the TSC runs. Returns 0 when
 * the PIT does not count (absent, e.g. a machine started with pit=off).
 */
function calibrateWithPit(): u64 {
  portOut8(0x43, 0x34); // channel 0, lo/hi byte, mode 2, binary
  portOut8(0x40, 0);
  portOut8(0x40, 0); // reload 65536
  let last = pitReadChannel0();
  let elapsed: u64 = 0;
  let spins: u64 = 0;
  const t0 = rdtsc();
  while (elapsed < CALIBRATE_PIT_TICKS) {
    const now = pitReadChannel0();
    elapsed += (last - now) & 0xffff; // counts down, wraps at 65536
    last = now;
    if (++spins > 2_000_000 && elapsed == 0) return 0;
  }
  return ((rdtsc() - t0) * PIT_HZ) / elapsed;
}

/** Finds the TSC frequency. Before anything reads the clock. */
export function init(): void {
  tscAtBoot = rdtsc();
  if (cpuid(0, 0) >= 0x15) {
    // TSC/crystal ratio (EBX/EAX) and crystal frequency (ECX), where the CPU reports them
    const den = <u64>cpuid(0x15, 0);
    const num = <u64>cpuid(0x15, 1);
    const crystal = <u64>cpuid(0x15, 2);
    if (den != 0 && num != 0 && crystal != 0) {
      tscHz = (crystal * num) / den;
      source = "cpuid";
    }
  }
  if (tscHz == 0) {
    // the lowest of a few: a vCPU descheduled for longer than the PIT's 55 ms wrap loses
    // PIT ticks and overstates the TSC (TCG on a busy host), never the other way round
    for (let i = 0; i < CALIBRATIONS; i++) {
      const hz = calibrateWithPit();
      if (hz != 0 && (tscHz == 0 || hz < tscHz)) tscHz = hz;
    }
    source = "pit";
  }
  if (tscHz == 0) {
    // No reference at all: say so loudly and assume 1 GHz so time still advances.
    con.line("clock: WARNING no PIT and no CPUID TSC frequency; assuming 1 GHz");
    tscHz = 1_000_000_000;
    source = "assumed";
  }
  stopPit();
}

/** Mode 0 (one count to terminal, no reload): the PIT, which QEMU starts as a free-running
 * 18.2 Hz rate generator, stops making timer events once it has counted down. Its pin is
 * never routed, so it wakes nothing. */
function stopPit(): void {
  portOut8(0x43, 0x30); // channel 0, lo/hi byte, mode 0, binary
  portOut8(0x40, 1);
  portOut8(0x40, 0);
}

/** Nanoseconds since init(). */
export function clockNs(): u64 {
  const t = rdtsc() - tscAtBoot;
  // Split so nothing overflows: t * 10^9 would after a few seconds, and the remainder
  // times 10^9 for a TSC above 18 GHz, so it is divided in two steps of 10^6 and 10^3.
  const rest = (t % tscHz) * 1_000_000;
  return (t / tscHz) * 1_000_000_000 + (rest / tscHz) * 1000 + ((rest % tscHz) * 1000) / tscHz;
}

/** Spins for `ns` nanoseconds of the calibrated clock: a known cost (slow_request_ns=). */
export function spinNs(ns: u64): void {
  if (ns == 0) return;
  const until = clockNs() + ns;
  while (clockNs() < until) {}
}
