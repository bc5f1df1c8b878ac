// The page allocator: 4 KiB pages from a pool reserved in linear memory at boot.
// Connections take their buffers here and give them back when they close, so
// pmm_pages_used is flat once the server is warm; a leak shows as growth.
import * as con from "../console";
import * as stats from "../stats";

export const PAGE: usize = 4096;
const WORD_BITS: u32 = 64;

let base: usize = 0;
let total: u32 = 0;
let bitmap: StaticArray<u64> = new StaticArray<u64>(0);
let hint: u32 = 0;
let warnedOom = false;

export function init(pages: u32): void {
  total = pages;
  base = (heap.alloc(<usize>pages * PAGE + PAGE) + PAGE - 1) & ~(PAGE - 1);
  bitmap = new StaticArray<u64>(<i32>((pages + WORD_BITS - 1) / WORD_BITS));
  stats.pmmPagesTotal = pages;
}

function used(page: u32): bool {
  return (unchecked(bitmap[<i32>(page / WORD_BITS)]) & (1 << <u64>(page % WORD_BITS))) != 0;
}

function mark(page: u32, on: bool): void {
  const w = <i32>(page / WORD_BITS);
  const bit: u64 = 1 << <u64>(page % WORD_BITS);
  unchecked((bitmap[w] = on ? bitmap[w] | bit : bitmap[w] & ~bit));
}

/** `count` contiguous zeroed pages, or 0 when the pool has no such run. */
export function alloc(count: u32): usize {
  for (let tried: u32 = 0; tried < total; tried++) {
    const start = (hint + tried) % total;
    if (start + count > total) continue;
    let free = true;
    for (let i: u32 = 0; i < count && free; i++) free = !used(start + i);
    if (!free) continue;
    for (let i: u32 = 0; i < count; i++) mark(start + i, true);
    hint = start + count;
    stats.pmmPagesUsed += count;
    const p = base + <usize>start * PAGE;
    memory.fill(p, 0, <usize>count * PAGE);
    return p;
  }
  if (!warnedOom) {
    warnedOom = true;
    con.str("pmm: OOM (");
    con.dec(stats.pmmPagesUsed);
    con.str("/");
    con.dec(total);
    con.str(" pages used)");
    con.end();
  }
  return 0;
}

export function free(p: usize, count: u32): void {
  const start = <u32>((p - base) / PAGE);
  for (let i: u32 = 0; i < count; i++) {
    if (!used(start + i)) {
      throw new Error("pmm: double free");
    }
    mark(start + i, false);
  }
  stats.pmmPagesUsed -= count;
}
