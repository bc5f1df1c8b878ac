// Ethernet II framing and ARP (answering for our address, announcing it at boot).
import * as nic from "./nic";
import * as ipv4 from "./ipv4";
import { clockNs } from "../clock";

export const ETH_HDR: usize = 14;
const TYPE_IPV4: u16 = 0x0800;
const TYPE_ARP: u16 = 0x0806;
const BROADCAST: u64 = 0xffffffffffff;

/** The MAC of the host side (QEMU's user networking), learned from what it sends us. */
export let peerMac: u64 = BROADCAST;

function loadMac(p: usize): u64 {
  return <u64>load<u32>(p) | (<u64>load<u16>(p, 4) << 32);
}

function storeMac(p: usize, m: u64): void {
  store<u32>(p, <u32>m);
  store<u16>(p, <u16>(m >> 32), 4);
}

/** Writes the Ethernet header at `frame`; returns where the payload starts. */
export function writeHeader(frame: usize, dst: u64, type: u16): usize {
  storeMac(frame, dst);
  storeMac(frame + 6, nic.mac);
  store<u16>(frame, bswap<u16>(type), 12);
  return frame + ETH_HDR;
}

export function handleFrame(frame: usize, len: usize): void {
  if (len < ETH_HDR) return;
  const type = bswap<u16>(load<u16>(frame, 12));
  if (type == TYPE_IPV4) {
    peerMac = loadMac(frame + 6);
    ipv4.handle(frame + ETH_HDR, len - ETH_HDR);
  } else if (type == TYPE_ARP) {
    handleArp(frame + ETH_HDR, len - ETH_HDR);
  }
}

// ARP for IPv4 over Ethernet: htype 1, ptype 0x0800, hlen 6, plen 4, then op,
// sender MAC/IP, target MAC/IP.
function sendArp(op: u16, targetMac: u64, targetIp: u32, dst: u64): void {
  const frame = nic.txBuffer(clockNs());
  if (frame == 0) return;
  const a = writeHeader(frame, dst, TYPE_ARP);
  store<u16>(a, bswap<u16>(1));
  store<u16>(a, bswap<u16>(TYPE_IPV4), 2);
  store<u8>(a, 6, 4);
  store<u8>(a, 4, 5);
  store<u16>(a, bswap<u16>(op), 6);
  storeMac(a + 8, nic.mac);
  store<u32>(a, ipv4.ourIp, 14);
  storeMac(a + 18, targetMac);
  store<u32>(a, targetIp, 24);
  nic.transmit(ETH_HDR + 28);
}

function handleArp(a: usize, len: usize): void {
  if (len < 28 || bswap<u16>(load<u16>(a, 6)) != 1) return; // requests only
  if (load<u32>(a, 24) != ipv4.ourIp) return;
  const senderMac = loadMac(a + 8);
  peerMac = senderMac;
  sendArp(2, senderMac, load<u32>(a, 14), senderMac);
}

/** Asks for the gateway's address at boot, which also tells it ours. */
export function announce(): void {
  sendArp(1, 0, ipv4.gatewayIp, BROADCAST);
}
