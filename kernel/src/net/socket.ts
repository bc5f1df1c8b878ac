// What an application may ask of a TCP connection, in the manner of smoltcp's socket:
// read the received bytes through a consumer that says how many it used (the socket
// drops those), take room in the send buffer, queue bytes to send, close. It knows a
// connection by its slot (`c.id`, reused) and `c.serial` (new for each connection on
// that slot), and is told when to look by the handler given to tcp-input's init().
import * as conn from "./conn";
import { Conn } from "./conn";
import * as scheduler from "./scheduler";
import * as table from "./table";
import * as tcp from "./tcp";

export { Conn };

/** Slots are numbered 0 to MAX_SOCKETS - 1. */
export const MAX_SOCKETS: i32 = table.MAX_CONNS;

/** Reads `len` received bytes at `data` (linear memory); returns how many it consumed. */
export type Consumer = (c: Conn, data: usize, len: u32) => u32;

/** Hands `consume` what `c` has received and drops what it consumed; returns that count. */
export function recv(c: Conn, consume: Consumer): u32 {
  if (c.rxLen == 0 || c.discardInput) return 0;
  const n = min(consume(c, c.rx(), c.rxLen), c.rxLen);
  c.dropReceived(n);
  return n;
}

/**
 * With `held` bytes left in `c`'s receive buffer, less room than one full segment. A
 * sender that avoids small segments (RFC 9293 3.8.6.2.1; QEMU's slirp does) may then
 * wait seconds before sending into it: what the bytes held wait for may never come.
 */
export function bufferNearlyFull(c: Conn, held: u32): bool {
  return conn.RX_CAP - held < min(c.peerMss, tcp.OUR_MSS);
}

/**
 * `n` contiguous bytes of `c`'s send buffer to fill (a linear-memory pointer), or 0 when
 * it has no room yet; they belong to the next segment queued and come back once it is
 * acknowledged.
 */
export function sendBuffer(c: Conn, n: u32): usize {
  return c.arenaAlloc(n);
}

/** Whether another segment may be queued on `c` now. */
export function canQueue(c: Conn): bool {
  return c.segCount < conn.MAX_SEGMENTS;
}

/** Queues the bytes at physical `first` then those at `second` (0: none) to be sent on `c`. */
export function queue(c: Conn, first: u64, firstLen: u32, second: u64, secondLen: u32, now: u64): void {
  c.queueSend(first, firstLen, second, secondLen, now);
  scheduler.markDirty(c);
}

/** Closes `c` once what is queued has been sent (FIN); further input is acknowledged and
 * dropped (a lingering close: the peer may keep sending). Nothing more may be queued. */
export function close(c: Conn): void {
  c.closing = true;
  c.discardInput = true;
  scheduler.markDirty(c);
}

/** close() was called on `c`. */
export function closed(c: Conn): bool {
  return c.discardInput;
}
