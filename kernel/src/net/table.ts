// The connection table: a fixed array of slots, a hash from (peer address, ports) to
// slot, and a free list. When every slot is taken, a new connection may take the slot
// of one that waits on its peer (chooseVictim), as production servers drop their
// oldest idle keep-alive connection rather than refuse a new client.
import * as conn from "./conn";
import { Conn } from "./conn";
import * as stats from "../stats";

/** Comfortably above the 1,000 load connections of the largest soak, plus its probes. */
export const MAX_CONNS: i32 = 1536;
const HASH_SIZE: i32 = 4096;

const conns = new StaticArray<Conn>(MAX_CONNS);
const buckets = new StaticArray<i32>(HASH_SIZE);
let freeList: i32 = -1; // chained through Conn.next while closed

export function init(): void {
  for (let i = 0; i < HASH_SIZE; i++) unchecked((buckets[i] = -1));
  for (let i = MAX_CONNS - 1; i >= 0; i--) {
    const c = new Conn(i);
    c.next = freeList;
    freeList = i;
    unchecked((conns[i] = c));
  }
}

export function at(id: i32): Conn {
  return unchecked(conns[id]);
}

function bucketOf(ip: u32, ports: u32): i32 {
  return <i32>(((ip ^ (ports * 2654435761)) >> 7) & <u32>(HASH_SIZE - 1));
}

export function lookup(ip: u32, ports: u32): Conn | null {
  for (let i = unchecked(buckets[bucketOf(ip, ports)]); i >= 0; ) {
    const c = unchecked(conns[i]);
    if (c.remoteIp == ip && c.ports == ports) return c;
    i = c.next;
  }
  return null;
}

/** Makes `c` findable by its peer address and ports (set before this). */
export function insert(c: Conn): void {
  const b = bucketOf(c.remoteIp, c.ports);
  c.next = unchecked(buckets[b]);
  unchecked((buckets[b] = c.id));
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

/** Whether `c` is counted in tcp_open (established, and not yet in TIME_WAIT). */
export function counted(c: Conn): bool {
  return c.state != conn.CLOSED && c.state != conn.SYN_RCVD && c.state != conn.TIME_WAIT;
}

/** Closes `c` for good and returns its slot and pages. */
export function destroy(c: Conn): void {
  if (c.state == conn.CLOSED) return;
  unlink(c);
  if (counted(c)) stats.tcpOpen--;
  c.release();
  c.next = freeList;
  freeList = c.id;
}

/** A free slot (not yet in the hash), or null when every slot is taken. */
export function take(): Conn | null {
  if (freeList < 0) return null;
  const c = unchecked(conns[freeList]);
  freeList = c.next;
  return c;
}

/** Gives back a slot take() returned that was never inserted. */
export function giveBack(c: Conn): void {
  c.next = freeList;
  freeList = c.id;
}

/** Data waits behind a zero window with nothing in flight: it waits for the peer to read. */
function shut(c: Conn): bool {
  return c.peerWnd == 0 && c.sndNxt == c.sndUna;
}

/**
 * With every slot taken, the connection to make room with: the TIME_WAIT closest to
 * expiry, else the one that has waited longest on its peer (a half-open handshake, an
 * idle keep-alive, a request that stopped mid-way, a close the peer never finishes, a
 * window the peer keeps shut). Connections still sending are never chosen; null when all are.
 */
export function chooseVictim(): Conn | null {
  let timeWait: Conn | null = null;
  let quiet: Conn | null = null;
  for (let i = 0; i < MAX_CONNS; i++) {
    const c = unchecked(conns[i]);
    if (c.state == conn.TIME_WAIT) {
      if (timeWait == null || c.timeWaitUntil < timeWait.timeWaitUntil) timeWait = c;
    } else if (c.state == conn.SYN_RCVD || (c.state != conn.CLOSED && (c.waitsOnPeer() || shut(c)))) {
      if (quiet == null || c.lastRecv < quiet.lastRecv) quiet = c;
    }
  }
  return timeWait != null ? timeWait : quiet;
}
