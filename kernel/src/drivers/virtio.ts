// virtio over MMIO (modern, version 2) and split virtqueues. The rings live in
// linear memory; the device is given their physical addresses. Indices are u16
// and wrap at 65536: every comparison is done modulo 2^16.
import { barrier, physAddr, physRead32, physWrite32 } from "../platform";

export const MMIO_BASE: u64 = 0xfeb00000;
export const MMIO_SLOT: u64 = 0x200;
export const MMIO_SLOTS: u32 = 8;
export const MMIO_FIRST_GSI: u32 = 5;

const MAGIC: u32 = 0x74726976; // "virt"
const REG_MAGIC: u64 = 0x000;
const REG_VERSION: u64 = 0x004;
const REG_DEVICE_ID: u64 = 0x008;
const REG_DEVICE_FEATURES: u64 = 0x010;
const REG_DEVICE_FEATURES_SEL: u64 = 0x014;
const REG_DRIVER_FEATURES: u64 = 0x020;
const REG_DRIVER_FEATURES_SEL: u64 = 0x024;
const REG_QUEUE_SEL: u64 = 0x030;
const REG_QUEUE_NUM_MAX: u64 = 0x034;
const REG_QUEUE_NUM: u64 = 0x038;
const REG_QUEUE_READY: u64 = 0x044;
const REG_QUEUE_NOTIFY: u64 = 0x050;
const REG_INTERRUPT_STATUS: u64 = 0x060;
const REG_INTERRUPT_ACK: u64 = 0x064;
const REG_STATUS: u64 = 0x070;
const REG_QUEUE_DESC: u64 = 0x080;
const REG_QUEUE_AVAIL: u64 = 0x090;
const REG_QUEUE_USED: u64 = 0x0a0;
export const REG_CONFIG: u64 = 0x100;

export const STATUS_ACKNOWLEDGE: u32 = 1;
export const STATUS_DRIVER: u32 = 2;
export const STATUS_DRIVER_OK: u32 = 4;
export const STATUS_FEATURES_OK: u32 = 8;
export const STATUS_FAILED: u32 = 128;

export const FEATURE_VERSION_1: u64 = 1 << 32;

export const DESC_F_NEXT: u16 = 1;
export const DESC_F_WRITE: u16 = 2;
const AVAIL_F_NO_INTERRUPT: u16 = 1;
const USED_F_NO_NOTIFY: u16 = 1;

/** The first transport holding a device of `deviceId`, or 0. */
export function findDevice(deviceId: u32): u64 {
  for (let i: u32 = 0; i < MMIO_SLOTS; i++) {
    const base = MMIO_BASE + <u64>i * MMIO_SLOT;
    if (physRead32(base + REG_MAGIC) != MAGIC) continue;
    if (physRead32(base + REG_DEVICE_ID) == deviceId) return base;
  }
  return 0;
}

export function version(base: u64): u32 {
  return physRead32(base + REG_VERSION);
}

export function setStatus(base: u64, status: u32): void {
  physWrite32(base + REG_STATUS, status);
}

export function status(base: u64): u32 {
  return physRead32(base + REG_STATUS);
}

export function deviceFeatures(base: u64): u64 {
  physWrite32(base + REG_DEVICE_FEATURES_SEL, 0);
  const lo = <u64>physRead32(base + REG_DEVICE_FEATURES);
  physWrite32(base + REG_DEVICE_FEATURES_SEL, 1);
  return lo | (<u64>physRead32(base + REG_DEVICE_FEATURES) << 32);
}

export function setDriverFeatures(base: u64, features: u64): void {
  physWrite32(base + REG_DRIVER_FEATURES_SEL, 0);
  physWrite32(base + REG_DRIVER_FEATURES, <u32>features);
  physWrite32(base + REG_DRIVER_FEATURES_SEL, 1);
  physWrite32(base + REG_DRIVER_FEATURES, <u32>(features >> 32));
}

/** Reads and acknowledges the interrupt status (ack first, then look at the rings). */
export function ackInterrupt(base: u64): u32 {
  const s = physRead32(base + REG_INTERRUPT_STATUS);
  if (s != 0) physWrite32(base + REG_INTERRUPT_ACK, s);
  return s;
}

function write64(base: u64, reg: u64, v: u64): void {
  physWrite32(base + reg, <u32>v);
  physWrite32(base + reg + 4, <u32>(v >> 32));
}

/** One split virtqueue: descriptor table, available (driver) ring, used (device) ring. */
export class Virtqueue {
  desc: usize = 0;
  avail: usize = 0;
  used: usize = 0;
  size: u16 = 0;
  /** next avail index we will publish */
  availIdx: u16 = 0;
  /** next used index we have not consumed yet */
  lastUsed: u16 = 0;
  /** total used entries consumed, for the stats (the u16 index wraps, this does not) */
  consumed: u64 = 0;
  /** length the device wrote for the entry popUsed last returned */
  usedLen: u32 = 0;

  constructor(
    public base: u64,
    public index: u32,
  ) {}

  /** Sets the queue up with `wanted` entries (or the device's maximum, if smaller). Returns false if absent. */
  setup(wanted: u16, interrupts: bool): bool {
    physWrite32(this.base + REG_QUEUE_SEL, this.index);
    const max = physRead32(this.base + REG_QUEUE_NUM_MAX);
    if (max == 0) return false;
    this.size = <u16>min<u32>(wanted, max);
    const n = <usize>this.size;
    // desc: 16 bytes each, 16-aligned; avail: 6 + 2n, 2-aligned; used: 6 + 8n, 4-aligned.
    this.desc = heap.alloc(16 * n + 16);
    this.desc = (this.desc + 15) & ~15;
    this.avail = (heap.alloc(6 + 2 * n + 4) + 3) & ~3;
    this.used = (heap.alloc(6 + 8 * n + 8) + 7) & ~7;
    memory.fill(this.desc, 0, 16 * n);
    memory.fill(this.avail, 0, 6 + 2 * n);
    memory.fill(this.used, 0, 6 + 8 * n);
    if (!interrupts) store<u16>(this.avail, AVAIL_F_NO_INTERRUPT);
    physWrite32(this.base + REG_QUEUE_NUM, this.size);
    write64(this.base, REG_QUEUE_DESC, physAddr(this.desc));
    write64(this.base, REG_QUEUE_AVAIL, physAddr(this.avail));
    write64(this.base, REG_QUEUE_USED, physAddr(this.used));
    physWrite32(this.base + REG_QUEUE_READY, 1);
    return true;
  }

  setDesc(i: u16, addr: u64, len: u32, flags: u16, next: u16): void {
    const d = this.desc + (<usize>i << 4);
    store<u64>(d, addr);
    store<u32>(d, len, 8);
    store<u16>(d, flags, 12);
    store<u16>(d, next, 14);
  }

  setDescLen(i: u16, len: u32): void {
    store<u32>(this.desc + (<usize>i << 4), len, 8);
  }

  /** Queues descriptor chain head `id` (visible to the device after publish()). */
  push(id: u16): void {
    store<u16>(this.avail + 4 + (<usize>(this.availIdx % this.size) << 1), id);
    this.availIdx++;
  }

  /** Makes the pushed entries visible: ring entries first, then the index. */
  publish(): void {
    barrier();
    store<u16>(this.avail, this.availIdx, 2);
    barrier();
  }

  /** Entries the device has used and we have not consumed. */
  pending(): u16 {
    barrier();
    if (isDefined(FAULT_TX_WRAP_HANG)) {
      // Fault injection (tx-wrap-hang): the indices compared as plain numbers, so once the
      // device's 16-bit index wraps past 65535 the TX queue never has anything pending again.
      const used = <i32>load<u16>(this.used, 2);
      if (this.index == 1) return used > <i32>this.lastUsed ? <u16>(used - <i32>this.lastUsed) : 0;
    }
    return <u16>(load<u16>(this.used, 2) - this.lastUsed);
  }

  /** The next used descriptor id (sets usedLen); call only when pending() > 0. */
  popUsed(): u16 {
    const e = this.used + 4 + (<usize>(this.lastUsed % this.size) << 3);
    const id = <u16>load<u32>(e);
    this.usedLen = load<u32>(e, 4);
    this.lastUsed++;
    this.consumed++;
    return id;
  }

  /** The device's used index as it wrote it (wraps at 65536). */
  deviceUsedIdx(): u16 {
    barrier();
    return load<u16>(this.used, 2);
  }

  notify(): void {
    barrier();
    if ((load<u16>(this.used) & USED_F_NO_NOTIFY) == 0) physWrite32(this.base + REG_QUEUE_NOTIFY, this.index);
  }
}
