// Requests a second, over the last minute: a window of per-second counts, the newest
// second first, moved on as time passes (stats.json's requests_last_min).
import * as faults from "../faults";

const SECONDS: u32 = 60;
/** counts[0] is the second `newest`, counts[k] the k-th second before it */
const counts = memory.data(<i32>(SECONDS * 4), 4);
let newest: u64 = 0;

/** Counts one request answered at `nowNs` (clock.ts time). */
export function countRequest(nowNs: u64): void {
  if (isDefined(FAULT_TIMER_WRAP)) {
    // Fault injection (timer-wrap): the seconds of a 32-bit millisecond clock, which
    // wraps at timer_wrap_ms; the signed difference is meant to survive the wrap, but
    // ms / 1000 does not wrap where a u32 does: the first second after it is -4,294,967
    // seconds ahead, and the window moves to a negative offset.
    const sec = faults.uptimeMs32(nowNs) / 1000;
    advance(<i32>(sec - <u32>newest));
    newest = sec;
  } else {
    const sec = nowNs / 1_000_000_000;
    advance(<i32>min<u64>(sec - newest, SECONDS));
    newest = sec;
  }
  store<u32>(counts, load<u32>(counts) + 1);
}

/** Moves the window on by `ahead` seconds (0 <= ahead <= SECONDS, or all of it). */
function advance(ahead: i32): void {
  if (ahead == 0) return;
  if (ahead >= <i32>SECONDS) {
    memory.fill(counts, 0, SECONDS * 4);
    return;
  }
  memory.copy(counts + <usize>(ahead * 4), counts, <usize>((<i32>SECONDS - ahead) * 4));
  memory.fill(counts, 0, <usize>(ahead * 4));
}

/** Requests answered in the last minute (this second and the 59 before it). */
export function lastMinute(nowNs: u64): u64 {
  const behind = nowNs / 1_000_000_000 - newest; // seconds since the newest count
  let sum: u64 = 0;
  for (let k: u64 = 0; k + behind < SECONDS; k++) sum += load<u32>(counts + <usize>(k * 4));
  return sum;
}
