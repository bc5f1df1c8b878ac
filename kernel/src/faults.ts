// Faults on demand, chosen on the kernel command line (`fault=pf|trap|stack|panic|hang`,
// optionally `fault_after_ms=N`), so the dump paths can be exercised without a
// rebuild. Each fault lives in a function of its own so the dump names it.
import * as con from "./console";
import * as cmdline from "./cmdline";
import { clockNs } from "./clock";
import { physRead64 } from "./platform";
import * as stats from "./stats";

/** The fault-injection switches this kernel was built with (kernel/fault-switches.ts). */
export const INJECTED: string = isDefined(FAULT_PF_CHUNKER)
  ? "pf-chunker"
  : isDefined(FAULT_TX_WRAP_HANG)
    ? "tx-wrap-hang"
    : isDefined(FAULT_TX_STALL_209K)
      ? "tx-stall-209k"
      : isDefined(FAULT_PAGE_LEAK)
        ? "page-leak"
        : isDefined(FAULT_INM_OVERREAD)
          ? "inm-overread"
          : isDefined(FAULT_RESET)
            ? "reset"
            : isDefined(FAULT_TIMER_WRAP)
              ? "timer-wrap"
              : "none";

/** Requests served before a built-in fault switch fires (`fault_after_requests=N`). */
export let afterRequests: u64 = 10000;

/** True once an injected bug should fire. */
export function armed(): bool {
  return stats.requests >= afterRequests;
}

/** The uptime at which the timer-wrap fault's 32-bit millisecond clock wraps (`timer_wrap_ms=N`). */
let timerWrapMs: u64 = 3_600_000;

/** Uptime in ms as a 32-bit counter that wraps when the uptime reaches timer_wrap_ms: the
 * clock of the timer-wrap fault, offset so its wrap comes within a soak's reach. */
export function uptimeMs32(nowNs: u64): u32 {
  return <u32>(nowNs / 1_000_000 + (0x1_0000_0000 - timerWrapMs));
}

let kind: string | null = null;
let dueNs: u64 = 0;

export function configure(nowNs: u64): void {
  afterRequests = cmdline.number("fault_after_requests", afterRequests);
  timerWrapMs = min<u64>(max<u64>(cmdline.number("timer_wrap_ms", timerWrapMs), 1), 0x1_0000_0000);
  kind = cmdline.value("fault");
  dueNs = nowNs + cmdline.number("fault_after_ms", 0) * 1_000_000;
  const k = kind;
  if (k != null && k != "pf" && k != "trap" && k != "stack" && k != "panic" && k != "hang") {
    con.str("fault: unknown fault=");
    con.str(k);
    con.str(" ignored (known: pf, trap, stack, panic, hang)");
    con.end();
    kind = null;
  }
}

/** When poll() must next run: the configured fault's time, if one waits. */
export function nextDue(): u64 {
  return kind != null ? dueNs : u64.MAX_VALUE;
}

/** Runs the configured fault once its time has come. */
export function poll(nowNs: u64): void {
  const k = kind;
  if (k == null || nowNs < dueNs) return;
  kind = null;
  con.str("fault: injecting ");
  con.str(k);
  con.end();
  if (k == "pf") con.dec(faultReadKernelHalf());
  else if (k == "trap") con.dec(faultOutOfBounds());
  else if (k == "stack") con.dec(faultRecurse(1));
  else if (k == "panic") faultPanic();
  else if (k == "hang") faultSpin();
  con.end();
}

/** The seed's fault: a read through a pointer computed as 0 - 120. */
function faultReadKernelHalf(): u64 {
  return physRead64(0xffffffffffffff88);
}

/** A linear-memory read past the end: caught by the bounds check (TRAP: oob). */
function faultOutOfBounds(): u32 {
  return load<u32>(<usize>(memory.size() << 16) + 8);
}

/** Unbounded recursion: runs into the stack guard page (PF with the #PF IST stack). */
function faultRecurse(depth: u64): u64 {
  const deeper = faultRecurse(depth + 1);
  // A side effect after the call keeps compilers from turning this into a loop.
  if (deeper == depth) con.line("fault: stack recursion returned");
  return deeper + 1;
}

/** A livelock: spins forever with interrupts off, so the guest stops answering (a hang). */
function faultSpin(): void {
  let spins: u64 = 0;
  while (clockNs() != 0) spins++;
  con.dec(spins);
}

function faultPanic(): void {
  throw new Error("panic requested on the command line");
}
