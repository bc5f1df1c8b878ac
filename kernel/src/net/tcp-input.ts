// TCP input for a server on port 80 and the range the ELF note announces (isListening):
// in-order receive, FIN/RST, a short TIME_WAIT (the passive open is accept.ts). The
// handler given to init() is told when a connection has bytes to read or room to queue
// again, and reads them through socket.ts: the stack never calls the application by name.
// Segments out are tcp.ts, slots table.ts.
import * as accept from "./accept";
import * as conn from "./conn";
import { Conn } from "./conn";
import * as scheduler from "./scheduler";
import * as table from "./table";
import * as tcp from "./tcp";
import { ACK, FIN, RST, SYN, portPair, seqLt, TCP_HDR } from "./tcp";
import { clockNs } from "../clock";
import { bootHttpPorts } from "../platform";
import * as stats from "../stats";

/** Told that `c` has received bytes (read with socket.recv), perhaps after send room came back. */
export type Handler = (c: Conn) => void;

const PORT_HTTP: u16 = 80;
const TIME_WAIT_NS: u64 = 2_000_000_000;

function ignore(_c: Conn): void {}

/** Parses what a connection has received: the application's, set by init(). */
let deliver: Handler = ignore;
// The soak engine forwards each of its many loopback ports to a guest port of its own:
// QEMU's user networking gives every forwarded connection the host client's source
// port, so two host connections that share a source port on different host ports
// would otherwise reach the guest as one and the same TCP tuple. The range is the
// one the .note.soak in boot.S announces, read from it (one fact).
let extraFirst: u32 = 0;
let extraCount: u32 = 0;

export function init(onData: Handler): void {
  deliver = onData;
  table.init();
  const ports = bootHttpPorts();
  extraFirst = ports & 0xffff;
  extraCount = ports >> 16;
  accept.init();
}

/** `wirePort` in network byte order, as in the TCP header. */
function isListening(wirePort: u16): bool {
  const port = <u32>bswap<u16>(wirePort);
  return port == PORT_HTTP || port - extraFirst < extraCount;
}

/** Lets the application read what was received; a connection closing drops it instead. */
function receive(c: Conn): void {
  const before = c.rxLen;
  if (!c.discardInput) deliver(c);
  if (c.discardInput) c.rxLen = 0;
  // Reopen a window that had (nearly) closed.
  if (before + tcp.OUR_MSS > conn.RX_CAP && c.rxLen < before) c.ackNeeded = true;
}

/** Handles an acknowledgement number: frees what it covers and restarts the timer. */
function onAck(c: Conn, ack: u32, now: u64): void {
  if (!seqLt(c.sndUna, ack) || seqLt(c.sndNxt, ack)) return; // old or beyond what we sent
  c.sndUna = ack;
  c.retries = 0;
  c.rtoNs = conn.RTO_INITIAL_NS;
  c.rtoAt = c.sndUna == c.sndNxt ? 0 : now + c.rtoNs;
  if (c.state == conn.SYN_RCVD) {
    c.state = conn.ESTABLISHED;
    stats.tcpOpen++;
  }
  if (c.releaseAcked(ack) && c.rxLen > 0) receive(c); // room again to answer what waits (pipelined requests)
  if (c.finSent && ack == c.queued + 1) {
    if (c.state == conn.FIN_WAIT_1) c.state = conn.FIN_WAIT_2;
    else if (c.state == conn.CLOSING) enterTimeWait(c, now);
    else if (c.state == conn.LAST_ACK) table.destroy(c);
  }
}

function enterTimeWait(c: Conn, now: u64): void {
  if (table.counted(c)) stats.tcpOpen--;
  c.dropBuffers(); // a TIME_WAIT only re-acknowledges a FIN: under churn thousands wait at once
  c.state = conn.TIME_WAIT;
  c.timeWaitUntil = now + TIME_WAIT_NS;
  c.rtoAt = 0;
}

export function handle(ip: usize, ipHdr: usize, total: usize): void {
  const now = clockNs();
  const t = ip + ipHdr;
  const len = total - ipHdr;
  if (len < TCP_HDR) return;
  const hdr = <usize>(load<u8>(t, 12) >> 4) << 2;
  if (hdr < TCP_HDR || hdr > len || tcp.tcpChecksum(ip, t, len) != 0) {
    stats.rxDropped++;
    return;
  }
  const payload = <u32>(len - hdr);
  const flags = load<u8>(t, 13);
  if (!isListening(load<u16>(t, 2))) {
    tcp.replyReset(ip, t, payload, now);
    return;
  }
  const found = table.lookup(load<u32>(ip, 12), portPair(t));
  if (found == null) {
    if ((flags & (SYN | ACK | RST)) == SYN) accept.accept(ip, t, now);
    else tcp.replyReset(ip, t, payload, now);
    return;
  }
  const c = found!;
  const seq = bswap<u32>(load<u32>(t, 4));
  if ((flags & RST) != 0) {
    if (!seqLt(seq, c.rcvNxt) && seqLt(seq, c.rcvNxt + conn.RX_CAP + 1)) {
      stats.tcpResetsReceived++;
      table.destroy(c);
    }
    return;
  }
  if ((flags & (SYN | ACK)) == SYN && c.state == conn.TIME_WAIT && seqLt(c.rcvNxt, seq)) {
    // A new connection on the tuple of one in TIME_WAIT (RFC 9293 3.10.7.4): QEMU's user
    // networking hands us the host client's source port, which the host reuses at once.
    // Re-acknowledging the old one would cost the client a reset and a SYN retried seconds later.
    table.destroy(c);
    accept.accept(ip, t, now);
    return;
  }
  if ((flags & SYN) != 0) {
    // A retransmitted SYN: answer again (SYN_RCVD) or re-acknowledge.
    if (c.state == conn.SYN_RCVD) c.sndNxt = c.sndUna;
    else c.ackNeeded = true;
    scheduler.markDirty(c);
    return;
  }
  if ((flags & ACK) == 0) return;
  c.lastRecv = now;
  c.peerWnd = <u32>bswap<u16>(load<u16>(t, 14));
  onAck(c, bswap<u32>(load<u32>(t, 8)), now);
  if (c.state == conn.CLOSED) return;

  if (payload > 0 || (flags & FIN) != 0) c.ackNeeded = true;
  let data = t + hdr;
  let n = payload;
  // Trim what we already have, drop anything out of order (the peer resends it).
  if (seqLt(seq, c.rcvNxt)) {
    const dup = c.rcvNxt - seq;
    if (dup >= n) n = 0;
    else {
      data += dup;
      n -= dup;
    }
  } else if (seq != c.rcvNxt) {
    scheduler.markDirty(c);
    return;
  }
  const receiving = c.state == conn.ESTABLISHED || c.state == conn.FIN_WAIT_1 || c.state == conn.FIN_WAIT_2;
  if (n > 0 && receiving && c.discardInput) {
    c.rcvNxt += n; // a lingering close: acknowledged, dropped
    n = 0;
  } else if (n > 0 && receiving) {
    const take = min(n, conn.RX_CAP - c.rxLen);
    memory.copy(c.rx() + <usize>c.rxLen, data, <usize>take);
    c.rxLen += take;
    c.rcvNxt += take;
    n -= take;
    receive(c);
    if (c.discardInput) {
      c.rcvNxt += n; // the application just closed: what did not fit is dropped too, not left to a resend
      n = 0;
    }
  }
  if ((flags & FIN) != 0 && n == 0 && seq + payload == c.rcvNxt) {
    c.rcvNxt++;
    if (c.state == conn.ESTABLISHED) {
      c.state = conn.CLOSE_WAIT;
      c.closing = true; // answer what was asked, then close our side
    } else if (c.state == conn.FIN_WAIT_1) {
      c.state = conn.CLOSING;
    } else if (c.state == conn.FIN_WAIT_2) {
      enterTimeWait(c, now);
    }
  }
  scheduler.markDirty(c);
}
