// TCP's clocks, scanned every TIMER_PERIOD_NS: retransmission, TIME_WAIT, the TX
// stall check, and the timeouts that give back the slot of a connection whose peer
// stopped taking part: idle, a close the peer never finishes, a window that stays shut.
// A scan also notes the earliest deadline it saw, so the idle halt sleeps until then
// (nextDeadline) instead of waking every period.
import * as cmdline from "../cmdline";
import * as con from "../console";
import * as conn from "./conn";
import { Conn } from "./conn";
import * as nic from "./nic";
import * as scheduler from "./scheduler";
import * as socket from "./socket";
import * as table from "./table";
import * as tcp from "./tcp";
import * as stats from "../stats";

const RTO_MAX_NS: u64 = 4_000_000_000;
const MAX_RETRIES: u32 = 8;
const TIMER_PERIOD_NS: u64 = 10_000_000;
const STALL_NS: u64 = 1_000_000_000;
const MS: u64 = 1_000_000;

/** An open connection with nothing in flight and no segment from the peer for this long is
 * closed (FIN): far above the gaps of a keep-alive client under load, which are milliseconds. */
export const IDLE_TIMEOUT_NS: u64 = 30_000 * MS;
/** After our FIN, a peer silent this long (it never acknowledges or never closes its half) is reset. */
export const FIN_WAIT_TIMEOUT_NS: u64 = 5_000 * MS;
/** Data held back by a zero window this long, the window never reopening to the probes, is reset. */
export const ZERO_WINDOW_TIMEOUT_NS: u64 = 30_000 * MS;

// The kernel command line can shorten them (tests: tcp_idle_ms=, tcp_fin_wait_ms=, tcp_zero_window_ms=).
let idleNs = IDLE_TIMEOUT_NS;
let finWaitNs = FIN_WAIT_TIMEOUT_NS;
let zeroWindowNs = ZERO_WINDOW_TIMEOUT_NS;
let lastScan: u64 = 0;
/** the earliest deadline of any connection, as of the last scan */
let earliest: u64 = u64.MAX_VALUE;
/** a connection may have changed since the last scan (its deadlines with it) */
let changed = false;

export function configure(): void {
  idleNs = cmdline.number("tcp_idle_ms", IDLE_TIMEOUT_NS / MS) * MS;
  finWaitNs = cmdline.number("tcp_fin_wait_ms", FIN_WAIT_TIMEOUT_NS / MS) * MS;
  zeroWindowNs = cmdline.number("tcp_zero_window_ms", ZERO_WINDOW_TIMEOUT_NS / MS) * MS;
}

/**
 * An established connection with data queued and room in the peer's window that has sent
 * nothing for STALL_NS is a TX stall (counted once per episode; the device-level stall, no
 * TX buffer coming back, is counted by the NIC). A handshake in progress is left to the
 * retransmission timer.
 */
function checkStall(c: Conn, now: u64): void {
  if (c.state == conn.SYN_RCVD) return;
  if (c.stalled || !tcp.seqLt(c.sndNxt, c.queued) || c.sndNxt - c.sndUna >= c.peerWnd || nic.txBlocked()) return;
  if (now < c.lastProgress || now - c.lastProgress < STALL_NS) return; // progress stamped later in this loop
  c.stalled = true;
  stats.txStalls++;
  con.str("tcp: TX stalled: conn=");
  con.dec(c.id);
  con.str(" has ");
  con.dec(c.queued - c.sndNxt);
  con.str(" bytes to send, window open, nothing sent for ");
  con.dec((now - c.lastProgress) / 1_000_000);
  con.str(" ms");
  con.end();
}

/** Go-back-N after a retransmission timeout; false when the peer is given up on. */
function retransmit(c: Conn, now: u64): bool {
  if (++c.retries > MAX_RETRIES) {
    stats.tcpTimeouts++;
    tcp.reset(c, now);
    table.destroy(c);
    return false;
  }
  stats.tcpRetransmits++;
  c.rtoNs = min(c.rtoNs * 2, RTO_MAX_NS);
  c.rtoAt = now + c.rtoNs;
  c.sndNxt = c.sndUna;
  if (c.finSent && c.sndUna != c.queued + 1) c.finSent = false;
  if (c.peerWnd == 0) c.peerWnd = 1; // probe a window that closed with data in flight
  scheduler.markDirty(c);
  return true;
}

/** Data waits behind a zero window with nothing in flight: probe it, with backoff; false once given up. */
function persist(c: Conn, now: u64): bool {
  const shut = c.peerWnd == 0 && c.sndNxt == c.sndUna && tcp.seqLt(c.sndNxt, c.queued);
  if (!shut) {
    c.zeroWndSince = 0;
    return true;
  }
  if (c.zeroWndSince == 0) {
    c.zeroWndSince = now;
    c.probeNs = conn.RTO_INITIAL_NS;
    c.probeAt = now + c.probeNs;
  } else if (now - c.zeroWndSince > zeroWindowNs) {
    stats.tcpZeroWindowResets++;
    tcp.reset(c, now);
    table.destroy(c);
    return false;
  } else if (now >= c.probeAt && tcp.probe(c, now)) {
    c.probeNs = min(c.probeNs * 2, RTO_MAX_NS);
    c.probeAt = now + c.probeNs;
  }
  return true;
}

function closingState(s: u8): bool {
  return s == conn.FIN_WAIT_1 || s == conn.FIN_WAIT_2 || s == conn.CLOSING || s == conn.LAST_ACK;
}

/** The main loop did something a connection's deadlines may follow from (input, output). */
export function touch(): void {
  changed = true;
}

/** When run() must next scan: the earliest deadline the last scan saw, or one period after
 * it when anything may have changed since (then a new scan finds the new deadlines). */
export function nextDeadline(): u64 {
  const soon = lastScan + TIMER_PERIOD_NS;
  return changed ? soon : max(earliest, soon);
}

/** The first moment a scan may act on `c` (after run() handled it): each timer below. */
function deadlineOf(c: Conn): u64 {
  if (c.state == conn.TIME_WAIT) return c.timeWaitUntil;
  let due = u64.MAX_VALUE;
  if (c.rtoAt != 0) due = c.rtoAt;
  if (c.zeroWndSince != 0) due = min(due, min(c.probeAt, c.zeroWndSince + zeroWindowNs + 1));
  if (!c.stalled && tcp.seqLt(c.sndNxt, c.queued)) due = min(due, c.lastProgress + STALL_NS);
  const heard = max(c.lastRecv, c.finAt);
  if (closingState(c.state)) due = min(due, heard + finWaitNs + 1);
  else if (c.state == conn.ESTABLISHED && !c.closing) due = min(due, c.lastRecv + idleNs + 1);
  return due;
}

/** Every timer, at most every TIMER_PERIOD_NS. */
export function run(now: u64): void {
  if (now - lastScan < TIMER_PERIOD_NS) return;
  lastScan = now;
  changed = false;
  earliest = u64.MAX_VALUE;
  for (let i = 0; i < table.MAX_CONNS; i++) {
    const c = table.at(i);
    if (c.state == conn.CLOSED) continue;
    expire(c, now);
    if (c.state != conn.CLOSED) earliest = min(earliest, deadlineOf(c));
  }
}

/** One connection's timers. What they queue (a retransmission, a FIN) is sent after the
 * scan and sets new deadlines, so then `changed` asks for another scan soon. */
function expire(c: Conn, now: u64): void {
  if (c.state == conn.TIME_WAIT) {
    if (now >= c.timeWaitUntil) table.destroy(c);
    return;
  }
  checkStall(c, now);
  if (c.rtoAt != 0 && now >= c.rtoAt) {
    changed = true;
    if (!retransmit(c, now)) return;
  }
  if (!persist(c, now)) return;
  const heard = max(c.lastRecv, c.finAt);
  if (now < heard) {
    changed = true; // stamped later in this main-loop pass
    return;
  }
  if (closingState(c.state)) {
    if (now - heard > finWaitNs) {
      stats.tcpFinWaitTimeouts++;
      tcp.reset(c, now);
      table.destroy(c);
    }
  } else if (c.state == conn.ESTABLISHED && !c.closing && c.waitsOnPeer() && now - c.lastRecv > idleNs) {
    stats.tcpIdleTimeouts++;
    socket.close(c);
    changed = true;
  }
}
