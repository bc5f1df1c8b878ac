// The p99 of the responses in one timeline window: a histogram with buckets 2% apart
// (bounded memory and work whatever the rate), read and emptied once a window.
const BASE_MS = 0.01;
const GROWTH = 1.02;
const BUCKETS = 1024; // 0.01 ms * 1.02^1023 is far beyond any request timeout

export class LatencyWindow {
  private readonly counts = new Uint32Array(BUCKETS);
  private total = 0;

  record(ms: number): void {
    const i = ms <= BASE_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / BASE_MS) / Math.log(GROWTH)));
    this.counts[i]++;
    this.total++;
  }

  /** The window's p99 in ms (the bucket's upper bound, within 2%), undefined without responses; then empties it. */
  takeP99(): number | undefined {
    if (this.total === 0) return undefined;
    let above = Math.floor(this.total * 0.01);
    let i = BUCKETS - 1;
    for (; i > 0; i--) {
      if (this.counts[i] > above) break;
      above -= this.counts[i];
    }
    this.counts.fill(0);
    this.total = 0;
    return Math.round(BASE_MS * GROWTH ** i * 10) / 10;
  }
}
