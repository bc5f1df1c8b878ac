// A TCP connection's state and buffers. Each open connection owns CONN_PAGES pages
// from the allocator: the received bytes the application has not consumed yet (RX_CAP)
// and an arena (ARENA_CAP), its send buffer, for bytes the application queues to send.
// Both are given back when the connection closes, or enters TIME_WAIT, whichever is first.
// The application reaches a connection only through socket.ts.
import * as pmm from "../mem/pmm";

export const RX_CAP: u32 = 8192;
export const ARENA_CAP: u32 = 8192;
export const CONN_PAGES: u32 = 4;
/** send segments queued per connection (bounds an application's pipelining depth) */
export const MAX_SEGMENTS: i32 = 16;
/** the first retransmission timeout, and the first zero-window probe interval */
export const RTO_INITIAL_NS: u64 = 200_000_000;

export const CLOSED: u8 = 0;
export const SYN_RCVD: u8 = 1;
export const ESTABLISHED: u8 = 2;
export const CLOSE_WAIT: u8 = 3;
export const LAST_ACK: u8 = 4;
export const FIN_WAIT_1: u8 = 5;
export const FIN_WAIT_2: u8 = 6;
export const CLOSING: u8 = 7;
export const TIME_WAIT: u8 = 8;

/** One piece of the send stream, queued whole: the bytes of `first`, then those of `second`, both physical. */
export class SendSegment {
  first: u64 = 0;
  firstLen: u32 = 0;
  /** 0 when the segment is `first` alone (bytes elsewhere, such as a baked asset, go here) */
  second: u64 = 0;
  secondLen: u32 = 0;
  /** sequence number of the segment's first byte */
  start: u32 = 0;
  /** arena bytes to give back when the segment is acknowledged */
  arena: u32 = 0;
}

export class Conn {
  state: u8 = CLOSED;
  remoteIp: u32 = 0;
  /** the TCP header's first word: remote port in the low half, local port in the high, network byte order */
  ports: u32 = 0;
  next: i32 = -1; // hash chain
  dirtyNext: i32 = -1;
  dirty: bool = false;

  sndUna: u32 = 0;
  sndNxt: u32 = 0;
  /** sequence number just after the last queued byte */
  queued: u32 = 0;
  rcvNxt: u32 = 0;
  peerWnd: u32 = 0;
  peerMss: u32 = 536;
  ackNeeded: bool = false;
  /** close (send FIN) once every queued segment has been sent */
  closing: bool = false;
  finSent: bool = false;
  /** the application has stopped reading: received bytes are acknowledged and dropped (a lingering close) */
  discardInput: bool = false;

  /** when data last went out (or a segment was queued on an idle connection) */
  lastProgress: u64 = 0;
  /** counted in tx_stalls already, until data moves again */
  stalled: bool = false;
  rtoAt: u64 = 0;
  rtoNs: u64 = 0;
  retries: u32 = 0;
  timeWaitUntil: u64 = 0;
  /** when the peer last sent a segment we accepted (idle and FIN-WAIT timeouts count from here) */
  lastRecv: u64 = 0;
  /** when our FIN first went out */
  finAt: u64 = 0;
  /** since when data has waited behind a zero window (0 = it has not) */
  zeroWndSince: u64 = 0;
  /** the next zero-window probe, and the backed-off interval to the one after */
  probeAt: u64 = 0;
  probeNs: u64 = 0;

  /** counts the connections this slot has held: an application's per-slot state is stale when it changes */
  serial: u32 = 0;
  pages: usize = 0;
  rxLen: u32 = 0;
  arenaTail: u32 = 0;
  arenaUsed: u32 = 0;
  segments: StaticArray<SendSegment> = new StaticArray<SendSegment>(MAX_SEGMENTS);
  segHead: i32 = 0;
  segCount: i32 = 0;

  constructor(public id: i32) {
    for (let i = 0; i < MAX_SEGMENTS; i++) unchecked((this.segments[i] = new SendSegment()));
  }

  rx(): usize {
    return this.pages;
  }

  arena(): usize {
    return this.pages + <usize>RX_CAP;
  }

  /** Takes the connection's pages; false when the allocator has none. */
  open(): bool {
    this.pages = pmm.alloc(CONN_PAGES);
    this.serial++;
    this.rxLen = 0;
    this.arenaTail = 0;
    this.arenaUsed = 0;
    this.segHead = 0;
    this.segCount = 0;
    this.closing = false;
    this.finSent = false;
    this.discardInput = false;
    this.ackNeeded = false;
    this.finAt = 0;
    this.zeroWndSince = 0;
    this.probeAt = 0;
    this.retries = 0;
    this.rtoAt = 0;
    this.rtoNs = RTO_INITIAL_NS;
    this.stalled = false;
    return this.pages != 0;
  }

  /** Gives the pages back: nothing more is received into them or sent from them (TIME_WAIT, or closed). */
  dropBuffers(): void {
    if (this.pages != 0) pmm.free(this.pages, CONN_PAGES);
    this.pages = 0;
  }

  /** Drops the first `n` received bytes (the application consumed them). */
  dropReceived(n: u32): void {
    const p = this.rx();
    if (n < this.rxLen) memory.copy(p, p + <usize>n, <usize>(this.rxLen - n));
    this.rxLen -= n;
  }

  release(): void {
    this.dropBuffers();
    this.state = CLOSED;
  }

  /** `n` contiguous arena bytes (a linear-memory pointer), or 0 when the arena is full. */
  arenaAlloc(n: u32): usize {
    let start = this.arenaTail;
    let charge = n;
    if (start + n > ARENA_CAP) {
      charge += ARENA_CAP - start; // skip the tail end, wrap to the front
      start = 0;
    }
    if (this.arenaUsed + charge > ARENA_CAP) return 0;
    this.arenaUsed += charge;
    this.arenaTail = start + n;
    this.pendingArena += charge;
    return this.arena() + <usize>start;
  }

  /** arena bytes taken since the last queued segment (charged to the next one) */
  pendingArena: u32 = 0;

  /** Nothing of ours is unsent or unacknowledged: the connection waits on the peer. */
  waitsOnPeer(): bool {
    return this.sndUna == this.sndNxt && this.sndNxt == this.queued + (this.finSent ? 1 : 0);
  }

  /** Appends a segment to the send stream; it owns the arena bytes taken since the last one. */
  queueSend(first: u64, firstLen: u32, second: u64, secondLen: u32, now: u64): void {
    if (this.sndNxt == this.queued) this.lastProgress = now; // idle until now: the clock starts here
    const s = unchecked(this.segments[(this.segHead + this.segCount) % MAX_SEGMENTS]);
    s.first = first;
    s.firstLen = firstLen;
    s.second = second;
    s.secondLen = secondLen;
    s.start = this.queued;
    s.arena = this.pendingArena;
    this.pendingArena = 0;
    this.segCount++;
    this.queued += firstLen + secondLen;
  }

  /** Drops the segments wholly acknowledged by `una`; true when any went. */
  releaseAcked(una: u32): bool {
    let released = false;
    while (this.segCount > 0) {
      const s = unchecked(this.segments[this.segHead]);
      if (<i32>(una - (s.start + s.firstLen + s.secondLen)) < 0) break;
      this.arenaUsed -= s.arena;
      this.segHead = (this.segHead + 1) % MAX_SEGMENTS;
      this.segCount--;
      released = true;
    }
    if (this.segCount == 0 && this.arenaUsed == 0) this.arenaTail = 0;
    return released;
  }
}
