// TCP segments out: data from a connection's send stream within the peer's window,
// FIN, bare ACKs, zero-window probes and resets. Segments in, and the connections'
// life, are tcp-input.ts; turns at the TX ring scheduler.ts; clocks tcp-timers.ts.
import * as checksum from "./checksum";
import * as conn from "./conn";
import { Conn } from "./conn";
import * as ethernet from "./ethernet";
import * as ipv4 from "./ipv4";
import * as nic from "./nic";
import * as faults from "../faults";
import { physCopyIn } from "../platform";
import * as stats from "../stats";

export const TCP_HDR: usize = 20;
/** what we advertise: our RX buffers take a 1500-byte packet */
export const OUR_MSS: u32 = 1460;
/** what we send at most: as much as the peer takes (its MSS) and a TX buffer holds */
const SEND_MSS: u32 = <u32>(nic.MAX_TX_FRAME - ethernet.ETH_HDR - ipv4.IP_HDR - TCP_HDR);

export const FIN: u8 = 0x01;
export const SYN: u8 = 0x02;
export const RST: u8 = 0x04;
export const PSH: u8 = 0x08;
export const ACK: u8 = 0x10;

/** What output() left behind. */
export const DONE: i32 = 0; // nothing more it may send now
export const MORE: i32 = 1; // its turn's budget ran out with more it could send
export const BLOCKED: i32 = 2; // the device had no TX buffer free

/** Both ports of the TCP header at `t`, in network byte order: remote in the low half, local in the high. */
export function portPair(t: usize): u32 {
  return load<u32>(t);
}

export function seqLt(a: u32, b: u32): bool {
  return <i32>(a - b) < 0;
}

/** The TCP checksum of the segment at `tcp` (`len` bytes), from its IPv4 header at `ip`. */
export function tcpChecksum(ip: usize, tcp: usize, len: usize): u16 {
  // The pseudo-header, summed the way checksum.sum loads words: both addresses as
  // they sit in the packet, then zero+protocol and the length as two-byte words.
  const acc = <u64>load<u32>(ip, 12) + <u64>load<u32>(ip, 16) + <u64>(<u32>ipv4.PROTO_TCP << 8) + <u64>bswap<u16>(<u16>len);
  return checksum.finish(checksum.sum(tcp, len, acc));
}

/**
 * Copies `n` bytes of the send stream, starting at sequence number `seq`, to `dst`:
 * the segment payload. Each send segment is its first span's bytes then its second's.
 */
function tcpSendChunk(c: Conn, seq: u32, dst: usize, n: u32): void {
  let i = 0;
  while (n > 0 && i < c.segCount) {
    const s = unchecked(c.segments[(c.segHead + i) % conn.MAX_SEGMENTS]);
    const total = s.firstLen + s.secondLen;
    const sent = seq - s.start; // bytes of this segment before seq
    if (<i32>sent < 0 || sent >= total) {
      i++;
      continue;
    }
    let take = min(n, total - sent);
    let inFirst = sent < s.firstLen;
    if (isDefined(FAULT_PF_CHUNKER)) {
      // Fault injection (pf-chunker): the second span's branch for a segment that has none.
      if (s.second == 0 && faults.armed()) inFirst = false;
    }
    if (inFirst) {
      take = min(take, s.firstLen - sent);
      physCopyIn(dst, s.first + <u64>sent, take);
    } else {
      physCopyIn(dst, s.second + <u64>(<i64>sent - <i64>s.firstLen), take);
    }
    dst += take;
    seq += take;
    n -= take;
  }
}

/** Sends one segment; false when the device has no TX buffer free right now. */
function send(c: Conn, seq: u32, flags: u8, payload: u32, now: u64): bool {
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
  // What the receive buffer can still take; a connection that drops its input takes anything.
  store<u16>(t, bswap<u16>(<u16>(c.discardInput ? conn.RX_CAP : conn.RX_CAP - c.rxLen)), 14);
  store<u32>(t, 0, 16); // checksum, urgent pointer
  if (synOpt != 0) store<u32>(t, bswap<u32>(0x02040000 | OUR_MSS), 20);
  if (payload > 0) tcpSendChunk(c, seq, t + TCP_HDR + synOpt, payload);
  store<u16>(t, tcpChecksum(ip, t, tcpLen), 16);
  nic.transmit(ethernet.ETH_HDR + ipv4.IP_HDR + tcpLen);
  if ((flags & RST) == 0) c.ackNeeded = false;
  return true;
}

/** A reset for a segment that has no connection (or that a full table refused). */
export function replyReset(ip: usize, t: usize, payload: u32, now: u64): void {
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

/** Tells the peer we are giving up on `c` (best effort: no TX buffer, no reset). */
export function reset(c: Conn, now: u64): void {
  if (c.state == conn.CLOSED || c.state == conn.TIME_WAIT) return;
  if (send(c, c.sndNxt, RST | ACK, 0, now)) stats.tcpResets++;
}

/** A zero-window probe: an old sequence number, which the peer answers with an ACK and its window. */
export function probe(c: Conn, now: u64): bool {
  return send(c, c.sndUna - 1, ACK, 0, now);
}

/** How far into its send segment's second span sequence number `seq` is (0 when in the first). */
function secondOffset(c: Conn, seq: u32): u32 {
  for (let i = 0; i < c.segCount; i++) {
    const s = unchecked(c.segments[(c.segHead + i) % conn.MAX_SEGMENTS]);
    const sent = seq - s.start;
    if (<i32>sent >= 0 && sent < s.firstLen + s.secondLen) return sent > s.firstLen ? sent - s.firstLen : 0;
  }
  return 0;
}

/**
 * Sends what the window allows, at most `budget` data segments (one turn of the TX
 * scheduler): data, then the FIN once all data is out, else a bare ACK if owed.
 */
export function output(c: Conn, now: u64, budget: i32): i32 {
  if (c.state == conn.SYN_RCVD) {
    if (c.sndNxt == c.sndUna) {
      if (!send(c, c.sndUna, SYN | ACK, 0, now)) return BLOCKED;
      c.sndNxt = c.sndUna + 1;
      if (c.rtoAt == 0) c.rtoAt = now + c.rtoNs;
    }
    return DONE;
  }
  const mss = min(c.peerMss, SEND_MSS);
  let sent = 0;
  while (seqLt(c.sndNxt, c.queued)) {
    const inFlight = c.sndNxt - c.sndUna;
    if (inFlight >= c.peerWnd) break;
    if (isDefined(FAULT_TX_STALL_209K)) {
      // Fault injection (tx-stall-209k): stop 209 KiB into an asset body (a segment's second span).
      if (faults.armed() && secondOffset(c, c.sndNxt) >= 209 * 1024) break;
    }
    if (sent == budget) return MORE;
    const n = min(min(mss, c.queued - c.sndNxt), c.peerWnd - inFlight);
    const last = c.sndNxt + n == c.queued;
    if (!send(c, c.sndNxt, last ? ACK | PSH : ACK, n, now)) return BLOCKED;
    sent++;
    c.sndNxt += n;
    c.lastProgress = now;
    c.stalled = false;
    if (c.rtoAt == 0) c.rtoAt = now + c.rtoNs;
  }
  if (c.closing && !c.finSent && c.sndNxt == c.queued) {
    if (!send(c, c.sndNxt, FIN | ACK, 0, now)) return BLOCKED;
    c.finSent = true;
    if (c.finAt == 0) c.finAt = now;
    c.sndNxt++;
    if (c.rtoAt == 0) c.rtoAt = now + c.rtoNs;
    if (c.state == conn.ESTABLISHED) c.state = conn.FIN_WAIT_1;
    else if (c.state == conn.CLOSE_WAIT) c.state = conn.LAST_ACK;
  }
  if (c.ackNeeded && !send(c, c.sndNxt, ACK, 0, now)) return BLOCKED;
  return DONE;
}
