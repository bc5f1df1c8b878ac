// Writes ASCII text and numbers into a byte buffer in linear memory, without
// allocating. A write that does not fit sets `overflow` and writes nothing more.
export class Writer {
  pos: usize = 0;
  overflow: bool = false;

  constructor(
    public base: usize,
    public cap: usize,
  ) {}

  reset(base: usize, cap: usize): Writer {
    this.base = base;
    this.cap = cap;
    this.pos = 0;
    this.overflow = false;
    return this;
  }

  byte(b: u32): void {
    if (this.pos >= this.cap) {
      this.overflow = true;
      return;
    }
    store<u8>(this.base + this.pos, <u8>b);
    this.pos++;
  }

  /** ASCII only: every UTF-16 unit is written as its low byte. */
  str(s: string): void {
    const n = <usize>s.length;
    if (this.pos + n > this.cap) {
      this.overflow = true;
      return;
    }
    const src = changetype<usize>(s);
    const dst = this.base + this.pos;
    // Four UTF-16 units a pass, their low bytes packed into one store: headers and
    // the stats body are mostly these strings, and every pass costs under TCG.
    let i: usize = 0;
    for (; i + 4 <= n; i += 4) {
      const w = load<u64>(src + (i << 1));
      store<u32>(dst + i, <u32>((w & 0xff) | ((w >> 8) & 0xff00) | ((w >> 16) & 0xff0000) | ((w >> 24) & 0xff000000)));
    }
    for (; i < n; i++) store<u8>(dst + i, load<u8>(src + (i << 1)));
    this.pos += n;
  }

  bytes(src: usize, n: usize): void {
    if (this.pos + n > this.cap) {
      this.overflow = true;
      return;
    }
    memory.copy(this.base + this.pos, src, n);
    this.pos += n;
  }

  dec(v: u64): void {
    let digits = 1;
    for (let t = v; t >= 10; t /= 10) digits++;
    if (this.pos + <usize>digits > this.cap) {
      this.overflow = true;
      return;
    }
    for (let i = digits - 1; i >= 0; i--) {
      store<u8>(this.base + this.pos + <usize>i, <u8>(0x30 + v % 10));
      v /= 10;
    }
    this.pos += <usize>digits;
  }
}

/** True when the `n` bytes at `p` equal the ASCII string `s`, ignoring ASCII case when `fold`. */
export function bytesEqual(p: usize, n: usize, s: string, fold: bool): bool {
  if (n != <usize>s.length) return false;
  const src = changetype<usize>(s);
  for (let i: usize = 0; i < n; i++) {
    let a = <u32>load<u8>(p + i);
    let b = <u32>load<u8>(src + (i << 1));
    if (fold) {
      if (a - 0x41 < 26) a += 0x20;
      if (b - 0x41 < 26) b += 0x20;
    }
    if (a != b) return false;
  }
  return true;
}
