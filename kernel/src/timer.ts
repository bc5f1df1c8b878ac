// The wake-up timer of the tickless idle: the local APIC timer in one-shot mode, armed
// just before each idle halt for the next deadline only. Its rate (the APIC bus or
// crystal clock) differs between QEMU TCG, KVM and hardware, so it is measured against
// the TSC at boot. A timer QEMU virtualises, so under -icount sleep=off the guest's time
// jumps to the deadline while it halts (ARCHITECTURE.md, "Kernel contract").
import { clockNs, spinNs } from "./clock";
import * as con from "./console";
import { physRead32, physWrite32 } from "./platform";

const LAPIC: u64 = 0xfee00000;
const LVT_TIMER: u64 = 0x320;
const INITIAL_COUNT: u64 = 0x380;
const CURRENT_COUNT: u64 = 0x390;
const DIVIDE: u64 = 0x3e0;
const DIVIDE_BY_16: u32 = 0x3;
const MASKED: u32 = 1 << 16;
/** kernel/platform/irq.c records vector 0x30 + n as bit n; bits 0-23 are the IOAPIC's pins */
export const TIMER_IRQ_BIT: u32 = 24;
const TIMER_VECTOR: u32 = 0x30 + TIMER_IRQ_BIT;
const CALIBRATE_NS: u64 = 10_000_000;
/** the longest sleep: no deadline is more than this far away unseen, whatever the timer's rate */
export const MAX_SLEEP_NS: u64 = 1_000_000_000;

/** timer counts per millisecond (after the divider) */
let countsPerMs: u64 = 0;

/** Measures the timer against the TSC (clock.init() first). */
export function init(): void {
  physWrite32(LAPIC + DIVIDE, DIVIDE_BY_16);
  physWrite32(LAPIC + LVT_TIMER, MASKED | TIMER_VECTOR); // one-shot, masked while measured
  physWrite32(LAPIC + INITIAL_COUNT, 0xffffffff);
  const t0 = clockNs();
  spinNs(CALIBRATE_NS);
  const counted = <u64>(0xffffffff - physRead32(LAPIC + CURRENT_COUNT));
  const ns = clockNs() - t0;
  physWrite32(LAPIC + INITIAL_COUNT, 0);
  countsPerMs = max<u64>((counted * 1_000_000) / ns, 1);
  physWrite32(LAPIC + LVT_TIMER, TIMER_VECTOR); // one-shot, unmasked: nothing counts until armed
  con.str("timer: lapic one-shot ");
  con.dec(countsPerMs);
  con.str(" counts/ms");
  con.end();
}

/** Wakes the CPU at `deadlineNs` (clock.ts time), or MAX_SLEEP_NS from `nowNs` if sooner. */
export function wakeAt(deadlineNs: u64, nowNs: u64): void {
  const ns = deadlineNs <= nowNs ? 0 : min(deadlineNs - nowNs, MAX_SLEEP_NS);
  // round up, so the wake is never before the deadline; at least 1 (0 stops the timer)
  const counts = max<u64>((ns * countsPerMs + 999_999) / 1_000_000, 1);
  physWrite32(LAPIC + INITIAL_COUNT, <u32>min<u64>(counts, 0xffffffff));
}
