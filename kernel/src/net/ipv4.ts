// IPv4 (no fragments, no options sent) and ICMP echo. Addresses are kept as they
// sit in the packet (the four bytes loaded as one little-endian u32).
import * as checksum from "./checksum";
import * as ethernet from "./ethernet";
import * as nic from "./nic";
import * as tcpInput from "./tcp-input";
import { clockNs } from "../clock";
import * as stats from "../stats";

export const IP_HDR: usize = 20;
export const PROTO_ICMP: u8 = 1;
export const PROTO_TCP: u8 = 6;

// QEMU user networking's defaults: guest 10.0.2.15, gateway 10.0.2.2.
export let ourIp: u32 = wire(10, 0, 2, 15);
export let gatewayIp: u32 = wire(10, 0, 2, 2);
let nextId: u16 = 1;

export function wire(a: u32, b: u32, c: u32, d: u32): u32 {
  return a | (b << 8) | (c << 16) | (d << 24);
}

/** Parses "a.b.c.d"; returns 0 when it is not a dotted quad. */
export function parse(s: string): u32 {
  let result: u32 = 0;
  let part: u32 = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e;
    if (c == 0x2e) {
      if (digits == 0 || part > 255 || parts == 4) return 0;
      result |= part << (<u32>parts * 8);
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      part = part * 10 + <u32>(c - 0x30);
      digits++;
    } else {
      return 0;
    }
  }
  return parts == 4 ? result : 0;
}

export function configure(ip: u32, gateway: u32): void {
  if (ip != 0) ourIp = ip;
  if (gateway != 0) gatewayIp = gateway;
}

/** Writes an IPv4 header for `payloadLen` bytes to `dst`; returns where the payload starts. */
export function writeHeader(p: usize, dst: u32, proto: u8, payloadLen: usize): usize {
  store<u8>(p, 0x45);
  store<u8>(p, 0, 1);
  store<u16>(p, bswap<u16>(<u16>(IP_HDR + payloadLen)), 2);
  store<u16>(p, bswap<u16>(nextId++), 4);
  store<u16>(p, bswap<u16>(0x4000), 6); // don't fragment
  store<u8>(p, 64, 8);
  store<u8>(p, proto, 9);
  store<u16>(p, 0, 10);
  store<u32>(p, ourIp, 12);
  store<u32>(p, dst, 16);
  store<u16>(p, checksum.finish(checksum.sum(p, IP_HDR, 0)), 10);
  return p + IP_HDR;
}

export function handle(p: usize, len: usize): void {
  if (len < IP_HDR) return;
  const vihl = load<u8>(p);
  const hdr = <usize>(vihl & 0xf) << 2;
  const total = <usize>bswap<u16>(load<u16>(p, 2));
  if (vihl >> 4 != 4 || hdr < IP_HDR || total < hdr || total > len) {
    stats.rxDropped++;
    return;
  }
  if ((bswap<u16>(load<u16>(p, 6)) & 0x3fff) != 0 || load<u32>(p, 16) != ourIp) {
    stats.rxDropped++; // fragments, or not for us
    return;
  }
  if (checksum.finish(checksum.sum(p, hdr, 0)) != 0) {
    stats.rxDropped++;
    return;
  }
  const proto = load<u8>(p, 9);
  if (proto == PROTO_TCP) tcpInput.handle(p, hdr, total);
  else if (proto == PROTO_ICMP) handleIcmp(p, hdr, total);
}

function handleIcmp(p: usize, hdr: usize, total: usize): void {
  const icmp = p + hdr;
  const n = total - hdr;
  if (n < 8 || load<u8>(icmp) != 8 || n + ethernet.ETH_HDR + IP_HDR > nic.MAX_FRAME) return; // echo requests
  if (checksum.finish(checksum.sum(icmp, n, 0)) != 0) return;
  const frame = nic.txBuffer(clockNs());
  if (frame == 0) return;
  const out = writeHeader(ethernet.writeHeader(frame, ethernet.peerMac, 0x0800), load<u32>(p, 12), PROTO_ICMP, n);
  memory.copy(out, icmp, n);
  store<u8>(out, 0); // echo reply
  store<u16>(out, 0, 2);
  store<u16>(out, checksum.finish(checksum.sum(out, n, 0)), 2);
  nic.transmit(ethernet.ETH_HDR + IP_HDR + n);
}
