// The virtio-net device: one RX and one TX queue with fixed buffers in pages from the
// allocator: 2 KiB to receive (we advertise an MSS of 1460), 9 KiB to send, so a path
// with a larger MTU (the engine's tap path: 9000) takes a sixth of the segments. RX buffers are re-posted as soon as a frame is handled;
// TX buffers come back when the device reports them used. A send that finds no
// free TX buffer for longer than TX_STALL_NS counts one tx_stall.
import * as cmdline from "../cmdline";
import * as con from "../console";
import * as virtio from "../drivers/virtio";
import * as pmm from "../mem/pmm";
import { irqRoute, physAddr, physRead8 } from "../platform";
import * as stats from "../stats";

const DEVICE_NET: u32 = 1;
const FEATURE_MAC: u64 = 1 << 5;
const NET_HDR: usize = 12; // struct virtio_net_hdr with num_buffers (VERSION_1)
const RX_BUF: usize = 2048;
const TX_BUF: usize = 9216;
const QUEUE_SIZE: u16 = 256;
const TX_STALL_NS: u64 = 1_000_000_000;

export const MAX_FRAME: usize = 1514;
/** the largest frame a TX buffer holds */
export const MAX_TX_FRAME: usize = TX_BUF - NET_HDR;

export let mac: u64 = 0; // 6 bytes, first byte lowest
export let ready = false;
let base: u64 = 0;
let gsi: u32 = 0;
let rx: virtio.Virtqueue = new virtio.Virtqueue(0, 0);
let tx: virtio.Virtqueue = new virtio.Virtqueue(0, 1);
let rxBufs: usize = 0;
let txBufs: usize = 0;
let txFree: StaticArray<u16> = new StaticArray<u16>(0);
let txFreeCount: i32 = 0;
let txPendingNotify = false;
let rxPendingNotify = false;
let txBlockedSince: u64 = 0;
let stallCounted = false;

/** The GSI of the transport at `transport`: as QEMU's command line says, else by slot order. */
function gsiFor(transport: u64): u32 {
  const fromCmdline = cmdline.virtioMmioGsi(transport);
  if (fromCmdline >= 0) return <u32>fromCmdline;
  return virtio.MMIO_FIRST_GSI + <u32>((transport - virtio.MMIO_BASE) / virtio.MMIO_SLOT);
}

function bufsFor(count: usize, size: usize): usize {
  const pages = <u32>((count * size + pmm.PAGE - 1) / pmm.PAGE);
  const p = pmm.alloc(pages);
  if (p == 0) throw new Error("virtio-net: no memory for buffers");
  return p;
}

/** Finds and starts the device; false (with a console line saying why) when there is none usable. */
export function init(): bool {
  base = virtio.findDevice(DEVICE_NET);
  if (base == 0) {
    con.line("net: no virtio-net device");
    return false;
  }
  if (virtio.version(base) != 2) {
    con.line("net: virtio-net is legacy (version 1); start QEMU with -global virtio-mmio.force-legacy=false");
    return false;
  }
  virtio.setStatus(base, 0);
  virtio.setStatus(base, virtio.STATUS_ACKNOWLEDGE | virtio.STATUS_DRIVER);
  const offered = virtio.deviceFeatures(base);
  const wanted = virtio.FEATURE_VERSION_1 | FEATURE_MAC;
  if ((offered & virtio.FEATURE_VERSION_1) == 0) {
    virtio.setStatus(base, virtio.STATUS_FAILED);
    con.line("net: device does not offer VIRTIO_F_VERSION_1");
    return false;
  }
  virtio.setDriverFeatures(base, offered & wanted);
  virtio.setStatus(base, virtio.STATUS_ACKNOWLEDGE | virtio.STATUS_DRIVER | virtio.STATUS_FEATURES_OK);
  if ((virtio.status(base) & virtio.STATUS_FEATURES_OK) == 0) {
    virtio.setStatus(base, virtio.STATUS_FAILED);
    con.line("net: device refused our features");
    return false;
  }
  for (let i: u64 = 0; i < 6; i++) mac |= <u64>physRead8(base + virtio.REG_CONFIG + i) << (i * 8);

  rx = new virtio.Virtqueue(base, 0);
  tx = new virtio.Virtqueue(base, 1);
  // TX completions are polled; only RX interrupts wake the idle loop.
  if (!rx.setup(QUEUE_SIZE, true) || !tx.setup(QUEUE_SIZE, false)) {
    virtio.setStatus(base, virtio.STATUS_FAILED);
    con.line("net: device has no RX/TX queues");
    return false;
  }
  rxBufs = bufsFor(<usize>rx.size, RX_BUF);
  txBufs = bufsFor(<usize>tx.size, TX_BUF);
  for (let i: u16 = 0; i < rx.size; i++) {
    rx.setDesc(i, physAddr(rxBufs + <usize>i * RX_BUF), <u32>RX_BUF, virtio.DESC_F_WRITE, 0);
    rx.push(i);
  }
  rx.publish();
  txFree = new StaticArray<u16>(tx.size);
  for (let i: u16 = 0; i < tx.size; i++) {
    tx.setDesc(i, physAddr(txBufs + <usize>i * TX_BUF), 0, 0, 0);
    unchecked((txFree[txFreeCount++] = i));
  }
  virtio.setStatus(base, virtio.STATUS_ACKNOWLEDGE | virtio.STATUS_DRIVER | virtio.STATUS_FEATURES_OK | virtio.STATUS_DRIVER_OK);
  rx.notify();
  gsi = gsiFor(base);
  irqRoute(gsi);
  ready = true;

  con.str("net: virtio-net at 0x");
  con.hex(base, 8);
  con.str(" gsi=");
  con.dec(gsi);
  con.str(" mac=");
  for (let i: u64 = 0; i < 6; i++) {
    if (i > 0) con.str(":");
    con.hex((mac >> (i * 8)) & 0xff, 2);
  }
  con.str(" rx=");
  con.dec(rx.size);
  con.str(" tx=");
  con.dec(tx.size);
  con.end();
  return true;
}

export function irqLine(): u32 {
  return gsi;
}

export function ackInterrupt(): void {
  virtio.ackInterrupt(base);
}

/** Hands each received frame (pointer, length, without the virtio header) to `handle`. */
export function receive(handle: (frame: usize, len: usize) => void, budget: i32): i32 {
  let done = 0;
  while (done < budget && rx.pending() != 0) {
    const id = rx.popUsed();
    const len = <usize>rx.usedLen;
    stats.rxPackets++;
    if (len > NET_HDR) handle(rxBufs + <usize>id * RX_BUF + NET_HDR, len - NET_HDR);
    rx.push(id);
    rxPendingNotify = true;
    done++;
  }
  stats.rxUsedIdx = rx.deviceUsedIdx();
  return done;
}

/** Takes back the TX buffers the device has finished with. */
export function reclaim(): void {
  while (tx.pending() != 0) {
    unchecked((txFree[txFreeCount++] = tx.popUsed()));
  }
  stats.txUsedIdx = tx.deviceUsedIdx();
}

/** A TX buffer's frame area (after the virtio header), or 0 when none is free. */
export function txBuffer(nowNs: u64): usize {
  if (txFreeCount == 0) reclaim();
  if (txFreeCount == 0) {
    noteBlocked(nowNs);
    return 0;
  }
  txBlockedSince = 0;
  stallCounted = false;
  const id = unchecked(txFree[txFreeCount - 1]);
  return txBufs + <usize>id * TX_BUF + NET_HDR;
}

function noteBlocked(nowNs: u64): void {
  if (txBlockedSince == 0) txBlockedSince = nowNs;
  else if (!stallCounted && nowNs - txBlockedSince > TX_STALL_NS) {
    stallCounted = true;
    stats.txStalls++;
    con.str("net: TX stalled: no buffer back from the device for ");
    con.dec((nowNs - txBlockedSince) / 1_000_000);
    con.str(" ms (tx used idx ");
    con.dec(tx.deviceUsedIdx());
    con.str(")");
    con.end();
  }
}

/** Queues the frame written into the buffer txBuffer() returned. */
export function transmit(frameLen: usize): void {
  txFreeCount--;
  const id = unchecked(txFree[txFreeCount]);
  memory.fill(txBufs + <usize>id * TX_BUF, 0, NET_HDR);
  tx.setDescLen(id, <u32>(frameLen + NET_HDR));
  tx.push(id);
  txPendingNotify = true;
  stats.txPackets++;
}

/** Publishes queued TX frames and re-posted RX buffers, one notification each, and takes back finished TX buffers. */
export function flush(): void {
  reclaim();
  if (txPendingNotify) {
    txPendingNotify = false;
    tx.publish();
    tx.notify();
  }
  if (rxPendingNotify) {
    rxPendingNotify = false;
    rx.publish();
    rx.notify();
  }
}

/** Whether a TX wait is in progress (the main loop keeps checking instead of halting). */
export function txBlocked(): bool {
  return txBlockedSince != 0;
}

export function ringWraps(): u64 {
  return (rx.consumed >> 16) + (tx.consumed >> 16);
}

export function rxConsumed(): u64 {
  return rx.consumed;
}

export function txConsumed(): u64 {
  return tx.consumed;
}
