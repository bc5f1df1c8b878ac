// TCP for a server on port 80 (and 8000-8255, see isListening): passive open, in-order receive, go-back-N
// retransmission on timeout, FIN/RST, a short TIME_WAIT. Connections live in a
// fixed table; a full table (or no memory for buffers) refuses a SYN with RST and
// never disturbs the connections already open.
import * as checksum from "./checksum";
import * as conn from "./conn";
import { Conn } from "./conn";
import * as ethernet from "./ethernet";
import * as ipv4 from "./ipv4";
import * as nic from "./nic";
import * as con from "../console";
import * as faults from "../faults";
import * as http from "../http/server";
import { clockNs, physCopyIn } from "../platform";
import * as stats from "../stats";

export const MAX_CONNS: i32 = 512;
const HASH_SIZE: i32 = 1024;
const TCP_HDR: usize = 20;
const OUR_MSS: u32 = 1460;
// The soak engine forwards each of its many loopback ports to a guest port of its own:
// QEMU's user networking gives every forwarded connection the host client's source
// port, so two host connections that share a source port on different host ports
// would otherwise reach the guest as one and the same TCP tuple.
const PORT_HTTP: u16 = 80;
const EXTRA_PORTS_FIRST: u16 = 8000; // announced to the engine by the .note.soak in boot.S
const EXTRA_PORTS_COUNT: u16 = 256;
const RTO_INITIAL_NS: u64 = 200_000_000;
const RTO_MAX_NS: u64 = 4_000_000_000;
const MAX_RETRIES: u32 = 8;
const TIME_WAIT_NS: u64 = 2_000_000_000;
const TIMER_PERIOD_NS: u64 = 10_000_000;
const STALL_NS: u64 = 1_000_000_000;

const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const PSH: u8 = 0x08;
const ACK: u8 = 0x10;

const conns = new StaticArray<Conn>(MAX_CONNS);
const buckets = new StaticArray<i32>(HASH_SIZE);
let freeList: i32 = -1; // chained through Conn.next while closed
let dirtyHead: i32 = -1;
let lastTimerScan: u64 = 0;
let issCounter: u32 = 0;

export function init(): void {
  for (let i = 0; i < HASH_SIZE; i++) unchecked((buckets[i] = -1));
  for (let i = MAX_CONNS - 1; i >= 0; i--) {
    const c = new Conn(i);
    c.next = freeList;
    freeList = i;
    unchecked((conns[i] = c));
  }
  issCounter = <u32>clockNs();
}

function seqLt(a: u32, b: u32): bool {
  return <i32>(a - b) < 0;
}

/** `wirePort` in network byte order, as in the TCP header. */
function isListening(wirePort: u16): bool {
  const port = bswap<u16>(wirePort);
  return port == PORT_HTTP || <u32>port - <u32>EXTRA_PORTS_FIRST < <u32>EXTRA_PORTS_COUNT;
}

/** Both ports, in network byte order: remote in the low half, local in the high. */
function portPair(t: usize): u32 {
  return load<u32>(t);
}

function bucketOf(ip: u32, ports: u32): i32 {
  return <i32>(((ip ^ (ports * 2654435761)) >> 7) & <u32>(HASH_SIZE - 1));
}

function lookup(ip: u32, ports: u32): Conn | null {
  for (let i = unchecked(buckets[bucketOf(ip, ports)]); i >= 0; ) {
    const c = unchecked(conns[i]);
    if (c.remoteIp == ip && c.ports == ports) return c;
    i = c.next;
  }
  return null;
}

function unlink(c: Conn): void {
  const b = bucketOf(c.remoteIp, c.ports);
  let i = unchecked(buckets[b]);
  if (i == c.id) {
    unchecked((buckets[b] = c.next));
    return;
  }
  while (i >= 0) {
    const p = unchecked(conns[i]);
    if (p.next == c.id) {
      p.next = c.next;
      return;
    }
    i = p.next;
  }
}

/** Closes `c` for good and returns its slot and pages. */
function destroy(c: Conn): void {
  if (c.state == conn.CLOSED) return;
  unlink(c);
  if (c.state != conn.SYN_RCVD && c.state != conn.TIME_WAIT) stats.tcpOpen--;
  c.release();
  c.next = freeList;
  freeList = c.id;
}

/** A free slot; when none, the TIME_WAIT connection closest to expiry is recycled. */
function allocConn(): Conn | null {
  if (freeList < 0) {
    let oldest: Conn | null = null;
    for (let i = 0; i < MAX_CONNS; i++) {
      const c = unchecked(conns[i]);
      if (c.state == conn.TIME_WAIT && (oldest == null || c.timeWaitUntil < oldest.timeWaitUntil)) oldest = c;
    }
    if (oldest == null) return null;
    destroy(oldest);
  }
  const c = unchecked(conns[freeList]);
  freeList = c.next;
  return c;
}

function markDirty(c: Conn): void {
  if (c.dirty) return;
  c.dirty = true;
  c.dirtyNext = dirtyHead;
  dirtyHead = c.id;
}

// ---- sending -------------------------------------------------------------------

/** The TCP checksum of the segment at `tcp` (`len` bytes), from its IPv4 header at `ip`. */
function tcpChecksum(ip: usize, tcp: usize, len: usize): u16 {
  // The pseudo-header, summed the way checksum.sum loads words: both addresses as
  // they sit in the packet, then zero+protocol and the length as two-byte words.
  const acc = <u64>load<u32>(ip, 12) + <u64>load<u32>(ip, 16) + <u64>(<u32>ipv4.PROTO_TCP << 8) + <u64>bswap<u16>(<u16>len);
  return checksum.finish(checksum.sum(tcp, len, acc));
}

/**
 * Copies `n` bytes of the send stream, starting at sequence number `seq`, to `dst`:
 * the segment payload. Each response is its header bytes then its body bytes.
 */
function tcpSendChunk(c: Conn, seq: u32, dst: usize, n: u32): void {
  let i = 0;
  while (n > 0 && i < c.respCount) {
    const r = unchecked(c.responses[(c.respHead + i) % conn.MAX_RESPONSES]);
    const total = r.hdrLen + r.bodyLen;
    const sent = seq - r.start; // bytes of this response before seq
    if (<i32>sent < 0 || sent >= total) {
      i++;
      continue;
    }
    let take = min(n, total - sent);
    let inHeader = sent < r.hdrLen;
    if (isDefined(FAULT_PF_CHUNKER)) {
      // Fault injection (pf-chunker): the body branch for a response that has no body.
      if (r.body == 0 && faults.armed()) inHeader = false;
    }
    if (inHeader) {
      take = min(take, r.hdrLen - sent);
      physCopyIn(dst, r.hdr + <u64>sent, take);
    } else {
      physCopyIn(dst, r.body + <u64>(<i64>sent - <i64>r.hdrLen), take);
    }
    dst += take;
    seq += take;
    n -= take;
  }
}

/** Sends one segment; false when the device has no TX buffer free right now. */
function sendSegment(c: Conn, seq: u32, flags: u8, payload: u32, now: u64): bool {
  const frame = nic.txBuffer(now);
  if (frame == 0) return false;
  const synOpt: usize = (flags & SYN) != 0 ? 4 : 0;
  const tcpLen = TCP_HDR + synOpt + <usize>payload;
  const ip = ethernet.writeHeader(frame, ethernet.peerMac, 0x0800);
  const t = ipv4.writeHeader(ip, c.remoteIp, ipv4.PROTO_TCP, tcpLen);
  store<u32>(t, (c.ports >> 16) | (c.ports << 16)); // local port first
  store<u32>(t, bswap<u32>(seq), 4);
  store<u32>(t, bswap<u32>(c.rcvNxt), 8);
  store<u8>(t, <u8>((TCP_HDR + synOpt) << 2), 12);
  store<u8>(t, flags, 13);
  store<u16>(t, bswap<u16>(<u16>(conn.RX_CAP - c.rxLen)), 14); // what the request buffer can still take
  store<u32>(t, 0, 16); // checksum, urgent pointer
  if (synOpt != 0) store<u32>(t, bswap<u32>(0x02040000 | OUR_MSS), 20);
  if (payload > 0) tcpSendChunk(c, seq, t + TCP_HDR + synOpt, payload);
  store<u16>(t, tcpChecksum(ip, t, tcpLen), 16);
  nic.transmit(ethernet.ETH_HDR + ipv4.IP_HDR + tcpLen);
  c.ackNeeded = false;
  return true;
}

/** A reset for a segment that has no connection (or that a full table refused). */
function sendReset(ip: usize, t: usize, payload: u32, now: u64): void {
  const flags = load<u8>(t, 13);
  if ((flags & RST) != 0) return;
  const frame = nic.txBuffer(now);
  if (frame == 0) return;
  const seg = bswap<u32>(load<u32>(t, 4));
  const ack = bswap<u32>(load<u32>(t, 8));
  const o = ipv4.writeHeader(ethernet.writeHeader(frame, ethernet.peerMac, 0x0800), load<u32>(ip, 12), ipv4.PROTO_TCP, TCP_HDR);
  store<u16>(o, load<u16>(t, 2));
  store<u16>(o, load<u16>(t, 0), 2);
  const hasAck = (flags & ACK) != 0;
  const segLen = payload + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0);
  store<u32>(o, hasAck ? bswap<u32>(ack) : 0, 4);
  store<u32>(o, bswap<u32>(seg + segLen), 8);
  store<u8>(o, <u8>(TCP_HDR << 2), 12);
  store<u8>(o, hasAck ? RST : RST | ACK, 13);
  store<u32>(o, 0, 14);
  store<u16>(o, 0, 18);
  store<u16>(o, tcpChecksum(o - ipv4.IP_HDR, o, TCP_HDR), 16);
  nic.transmit(ethernet.ETH_HDR + ipv4.IP_HDR + TCP_HDR);
  stats.tcpResets++;
}

/** How far into its response's asset body sequence number `seq` is (0 when in a header). */
function bodyOffset(c: Conn, seq: u32): u32 {
  for (let i = 0; i < c.respCount; i++) {
    const r = unchecked(c.responses[(c.respHead + i) % conn.MAX_RESPONSES]);
    const sent = seq - r.start;
    if (<i32>sent >= 0 && sent < r.hdrLen + r.bodyLen) return sent > r.hdrLen ? sent - r.hdrLen : 0;
  }
  return 0;
}

/** Sends what the window allows: data, then the FIN once all data is out, else a bare ACK if owed. */
function output(c: Conn, now: u64): bool {
  if (c.state == conn.SYN_RCVD) {
    if (c.sndNxt == c.sndUna) {
      if (!sendSegment(c, c.sndUna, SYN | ACK, 0, now)) return false;
      c.sndNxt = c.sndUna + 1;
      if (c.rtoAt == 0) c.rtoAt = now + c.rtoNs;
    }
    return true;
  }
  const mss = min(c.peerMss, OUR_MSS);
  while (seqLt(c.sndNxt, c.queued)) {
    const inFlight = c.sndNxt - c.sndUna;
    if (inFlight >= c.peerWnd) break;
    if (isDefined(FAULT_TX_STALL_209K)) {
      // Fault injection (tx-stall-209k): stop 209 KiB into an asset body.
      if (faults.armed() && bodyOffset(c, c.sndNxt) >= 209 * 1024) break;
    }
    const n = min(min(mss, c.queued - c.sndNxt), c.peerWnd - inFlight);
    const last = c.sndNxt + n == c.queued;
    if (!sendSegment(c, c.sndNxt, last ? ACK | PSH : ACK, n, now)) return false;
    c.sndNxt += n;
    c.lastProgress = now;
    c.stalled = false;
    if (c.rtoAt == 0) c.rtoAt = now + c.rtoNs;
  }
  if (c.closing && !c.finSent && c.sndNxt == c.queued) {
    if (!sendSegment(c, c.sndNxt, FIN | ACK, 0, now)) return false;
    c.finSent = true;
    c.sndNxt++;
    if (c.rtoAt == 0) c.rtoAt = now + c.rtoNs;
    if (c.state == conn.ESTABLISHED) c.state = conn.FIN_WAIT_1;
    else if (c.state == conn.CLOSE_WAIT) c.state = conn.LAST_ACK;
  }
  if (c.ackNeeded && !sendSegment(c, c.sndNxt, ACK, 0, now)) return false;
  return true;
}

/** Runs output for every connection with something to send; those the TX ring could not take stay queued. */
export function flush(now: u64): void {
  let i = dirtyHead;
  dirtyHead = -1;
  while (i >= 0) {
    const c = unchecked(conns[i]);
    i = c.dirtyNext;
    c.dirty = false;
    if (c.state != conn.CLOSED && !output(c, now)) markDirty(c);
  }
}

export function hasPendingOutput(): bool {
  return dirtyHead >= 0;
}

// ---- receiving ------------------------------------------------------------------

function acceptSyn(ip: usize, t: usize, now: u64): void {
  const c = allocConn();
  if (c == null || !c.open()) {
    if (c != null) {
      c.next = freeList;
      freeList = c.id;
    }
    stats.connRefused++;
    sendReset(ip, t, 0, now);
    return;
  }
  c.remoteIp = load<u32>(ip, 12);
  c.ports = portPair(t);
  c.state = conn.SYN_RCVD;
  c.lastProgress = now; // the stall clock starts here, not at a previous tenant's last send
  c.rcvNxt = bswap<u32>(load<u32>(t, 4)) + 1;
  issCounter += 64000 + <u32>(now & 0xffff);
  c.sndUna = issCounter;
  c.sndNxt = issCounter;
  c.queued = issCounter + 1;
  c.peerWnd = <u32>bswap<u16>(load<u16>(t, 14));
  c.peerMss = parseMss(t);
  c.rtoNs = RTO_INITIAL_NS;
  const b = bucketOf(c.remoteIp, c.ports);
  c.next = unchecked(buckets[b]);
  unchecked((buckets[b] = c.id));
  markDirty(c);
}

function parseMss(t: usize): u32 {
  const hdr = <usize>(load<u8>(t, 12) >> 4) << 2;
  for (let o: usize = TCP_HDR; o + 1 < hdr; ) {
    const kind = load<u8>(t + o);
    if (kind == 0) break;
    if (kind == 1) {
      o++;
      continue;
    }
    const len = <usize>load<u8>(t + o + 1);
    if (len < 2) break;
    if (kind == 2 && len == 4 && o + 4 <= hdr) return <u32>bswap<u16>(load<u16>(t + o + 2));
    o += len;
  }
  return 536;
}

/** Handles an acknowledgement number: frees what it covers and restarts the timer. */
function onAck(c: Conn, ack: u32, now: u64): void {
  if (!seqLt(c.sndUna, ack) || seqLt(c.sndNxt, ack)) return; // old or beyond what we sent
  c.sndUna = ack;
  c.retries = 0;
  c.rtoNs = RTO_INITIAL_NS;
  c.rtoAt = c.sndUna == c.sndNxt ? 0 : now + c.rtoNs;
  if (c.state == conn.SYN_RCVD) {
    c.state = conn.ESTABLISHED;
    stats.tcpOpen++;
  }
  if (c.releaseAcked(ack) && c.rxLen > 0) http.onData(c); // room again for pipelined requests
  if (c.finSent && ack == c.queued + 1) {
    if (c.state == conn.FIN_WAIT_1) c.state = conn.FIN_WAIT_2;
    else if (c.state == conn.CLOSING) enterTimeWait(c, now);
    else if (c.state == conn.LAST_ACK) destroy(c);
  }
}

function enterTimeWait(c: Conn, now: u64): void {
  if (c.state != conn.SYN_RCVD && c.state != conn.TIME_WAIT) stats.tcpOpen--;
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
  if (hdr < TCP_HDR || hdr > len || tcpChecksum(ip, t, len) != 0) {
    stats.rxDropped++;
    return;
  }
  const payload = <u32>(len - hdr);
  const flags = load<u8>(t, 13);
  if (!isListening(load<u16>(t, 2))) {
    sendReset(ip, t, payload, now);
    return;
  }
  const found = lookup(load<u32>(ip, 12), portPair(t));
  if (found == null) {
    if ((flags & (SYN | ACK | RST)) == SYN) acceptSyn(ip, t, now);
    else sendReset(ip, t, payload, now);
    return;
  }
  const c = found!;
  const seq = bswap<u32>(load<u32>(t, 4));
  if ((flags & RST) != 0) {
    if (!seqLt(seq, c.rcvNxt) && seqLt(seq, c.rcvNxt + conn.RX_CAP + 1)) {
      stats.tcpResetsReceived++;
      destroy(c);
    }
    return;
  }
  if ((flags & SYN) != 0) {
    // A retransmitted SYN: answer again (SYN_RCVD) or re-acknowledge.
    if (c.state == conn.SYN_RCVD) c.sndNxt = c.sndUna;
    else c.ackNeeded = true;
    markDirty(c);
    return;
  }
  if ((flags & ACK) == 0) return;
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
    markDirty(c);
    return;
  }
  const receiving = c.state == conn.ESTABLISHED || c.state == conn.FIN_WAIT_1 || c.state == conn.FIN_WAIT_2;
  if (n > 0 && receiving) {
    const room = conn.RX_CAP - c.rxLen;
    const take = min(n, room);
    memory.copy(c.rx() + <usize>c.rxLen, data, <usize>take);
    c.rxLen += take;
    c.rcvNxt += take;
    n -= take;
    http.onData(c);
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
  markDirty(c);
}

/** Marks a connection to close once its queued responses are out (Connection: close, errors). */
export function closeAfterQueued(c: Conn): void {
  c.closing = true;
  markDirty(c);
}

/**
 * An established connection with data queued and room in the peer's window that has sent
 * nothing for STALL_NS is a TX stall (counted once per episode; the device-level stall, no
 * TX buffer coming back, is counted by the NIC). A handshake in progress is left to the
 * retransmission timer.
 */
function checkStall(c: Conn, now: u64): void {
  if (c.state == conn.SYN_RCVD) return;
  if (c.stalled || !seqLt(c.sndNxt, c.queued) || c.sndNxt - c.sndUna >= c.peerWnd || nic.txBlocked()) return;
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

/** Retransmission and TIME_WAIT timers, at most every TIMER_PERIOD_NS. */
export function timers(now: u64): void {
  if (now - lastTimerScan < TIMER_PERIOD_NS) return;
  lastTimerScan = now;
  for (let i = 0; i < MAX_CONNS; i++) {
    const c = unchecked(conns[i]);
    if (c.state == conn.CLOSED) continue;
    if (c.state == conn.TIME_WAIT) {
      if (now >= c.timeWaitUntil) destroy(c);
      continue;
    }
    checkStall(c, now);
    if (c.rtoAt == 0 || now < c.rtoAt) continue;
    if (++c.retries > MAX_RETRIES) {
      stats.tcpTimeouts++;
      destroy(c);
      continue;
    }
    stats.tcpRetransmits++;
    c.rtoNs = min(c.rtoNs * 2, RTO_MAX_NS);
    c.rtoAt = now + c.rtoNs;
    c.sndNxt = c.sndUna; // go back N
    if (c.finSent && c.sndUna != c.queued + 1) c.finSent = false;
    if (c.peerWnd == 0) c.peerWnd = 1; // probe a closed window with one byte
    markDirty(c);
  }
}

