// The TX scheduler: connections with something to send wait in one FIFO queue and
// take turns of at most TURN_SEGMENTS data segments, so that with hundreds of
// connections sharing the TX ring a large response neither hogs it nor starves
// (a LIFO list once left a 300 KB response unsent for a second at 500 connections).
import { Conn } from "./conn";
import * as conn from "./conn";
import * as segment from "./segment";
import * as table from "./table";

/** data segments per turn: enough to keep a window moving, small next to the 256-buffer TX ring */
const TURN_SEGMENTS: i32 = 4;

let head: i32 = -1;
let tail: i32 = -1;

/** Queues `c` for a turn (once; it keeps its place if already queued). */
export function markDirty(c: Conn): void {
  if (c.dirty) return;
  c.dirty = true;
  c.dirtyNext = -1;
  if (tail >= 0) table.at(tail).dirtyNext = c.id;
  else head = c.id;
  tail = c.id;
}

function pop(): Conn {
  const c = table.at(head);
  head = c.dirtyNext;
  if (head < 0) tail = -1;
  c.dirty = false;
  return c;
}

/** Puts `c` back at the head: the device was full, it goes first next time. */
function pushFront(c: Conn): void {
  c.dirty = true;
  c.dirtyNext = head;
  head = c.id;
  if (tail < 0) tail = c.id;
}

/** Gives turns round the queue until it is empty or the TX ring is full. */
export function flush(now: u64): void {
  while (head >= 0) {
    const c = pop();
    if (c.state == conn.CLOSED) continue;
    const r = segment.output(c, now, TURN_SEGMENTS);
    if (r == segment.BLOCKED) {
      pushFront(c);
      return;
    }
    if (r == segment.MORE) markDirty(c);
  }
}

export function hasPendingOutput(): bool {
  return head >= 0;
}
