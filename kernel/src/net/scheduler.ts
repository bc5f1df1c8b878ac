// The TX scheduler: connections with something to send wait in one FIFO queue and
// take turns, so that with hundreds of connections sharing the TX ring a large response
// neither hogs it nor starves (a LIFO list once left a 300 KB response unsent for a
// second at 500 connections). A turn is ROUND_SEGMENTS shared out among the queued
// connections: a whole round stays a few TX rings long, and a few connections still get
// long turns (QEMU's slirp then writes to the host in large pieces: at 50 connections,
// 4-segment turns halved the large asset's throughput).
import { Conn } from "./conn";
import * as conn from "./conn";
import * as table from "./table";
import * as tcp from "./tcp";

/** data segments of one round over the queue: about 0.3 s of sending at TCG rates (25k segments/s) */
const ROUND_SEGMENTS: i32 = 8192;
/** a turn's bounds: a few segments, at most a 64 KiB window */
const MIN_TURN: i32 = 4;
const MAX_TURN: i32 = 44;

let head: i32 = -1;
let tail: i32 = -1;
let queued: i32 = 0;

/** Queues `c` for a turn (once; it keeps its place if already queued). */
export function markDirty(c: Conn): void {
  if (c.dirty) return;
  c.dirty = true;
  c.dirtyNext = -1;
  queued++;
  if (tail >= 0) table.at(tail).dirtyNext = c.id;
  else head = c.id;
  tail = c.id;
}

function pop(): Conn {
  const c = table.at(head);
  head = c.dirtyNext;
  if (head < 0) tail = -1;
  c.dirty = false;
  queued--;
  return c;
}

/** Puts `c` back at the head: the device was full, it goes first next time. */
function pushFront(c: Conn): void {
  c.dirty = true;
  queued++;
  c.dirtyNext = head;
  head = c.id;
  if (tail < 0) tail = c.id;
}

/** Gives turns round the queue until it is empty or the TX ring is full. */
export function flush(now: u64): void {
  while (head >= 0) {
    const turn = min(max(ROUND_SEGMENTS / queued, MIN_TURN), MAX_TURN);
    const c = pop();
    if (c.state == conn.CLOSED) continue;
    const r = tcp.output(c, now, turn);
    if (r == tcp.BLOCKED) {
      pushFront(c);
      return;
    }
    if (r == tcp.MORE) markDirty(c);
  }
}

export function hasPendingOutput(): bool {
  return head >= 0;
}
