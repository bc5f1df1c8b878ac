// TCP's clocks, scanned every TIMER_PERIOD_NS: retransmission, TIME_WAIT, the TX
// stall check, and the timeouts that give back the slot of a connection whose peer
// stopped taking part: idle, a close the peer never finishes, a window that stays shut.
// A scan also notes whether a connection is open, so the idle halt of a guest with none
// sleeps until the next TIME_WAIT ends (nextDeadline) instead of waking every period.
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
/** as of the last scan: a connection other than a TIME_WAIT is open; the earliest TIME_WAIT end */
let anyOpen = false;
let timeWaitEnd: u64 = u64.MAX_VALUE;
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

/** When run() must next scan. Every period while a connection is open (not TIME_WAIT) or
 * anything changed since the last scan: a guest whose time jumps from deadline to deadline
 * when it halts (QEMU -icount sleep=off) would otherwise see a keep-alive client that pauses
 * for milliseconds as silent for the whole idle timeout. With only TIME_WAITs left, the
 * earliest of their ends. */
export function nextDeadline(): u64 {
  const soon = lastScan + TIMER_PERIOD_NS;
  return changed || anyOpen ? soon : max(timeWaitEnd, soon);
}

/** Every timer, at most every TIMER_PERIOD_NS. */
export function run(now: u64): void {
  if (now - lastScan < TIMER_PERIOD_NS) return;
  lastScan = now;
  changed = false;
  anyOpen = false;
  timeWaitEnd = u64.MAX_VALUE;
  for (let i = 0; i < table.MAX_CONNS; i++) {
    const c = table.at(i);
    if (c.state == conn.CLOSED) continue;
    if (c.state == conn.TIME_WAIT) {
      if (now >= c.timeWaitUntil) table.destroy(c);
      else timeWaitEnd = min(timeWaitEnd, c.timeWaitUntil);
      continue;
    }
    anyOpen = true; // even if closed below: then one scan more than needed
    checkStall(c, now);
    if (c.rtoAt != 0 && now >= c.rtoAt && !retransmit(c, now)) continue;
    if (!persist(c, now)) continue;
    const heard = max(c.lastRecv, c.finAt);
    if (now < heard) continue; // stamped later in this main-loop pass
    if (closingState(c.state)) {
      if (now - heard > finWaitNs) {
        stats.tcpFinWaitTimeouts++;
        tcp.reset(c, now);
        table.destroy(c);
      }
    } else if (c.state == conn.ESTABLISHED && !c.closing && c.waitsOnPeer() && now - c.lastRecv > idleNs) {
      stats.tcpIdleTimeouts++;
      socket.close(c);
    }
  }
}
