// Latencies in whole milliseconds, counted per millisecond up to a cap: percentiles in
// constant memory, however many requests an hours-long soak makes.

export class LatencyHistogram {
  private readonly counts: Uint32Array;
  count = 0;
  private sum = 0;
  max = 0;

  /** `capMs`: latencies above it are counted at the cap (the request timeout bounds them anyway) */
  constructor(readonly capMs: number) {
    this.counts = new Uint32Array(capMs + 1);
  }

  record(ms: number): void {
    const v = Math.min(this.capMs, Math.max(0, Math.round(ms)));
    this.counts[v]++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** The smallest latency that `p` percent of the requests did not exceed (0 when empty). */
  percentile(p: number): number {
    const want = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let ms = 0; ms <= this.capMs && this.count > 0; ms++) {
      seen += this.counts[ms];
      if (seen >= want && seen > 0) return ms;
    }
    return 0;
  }

  get mean(): number {
    return this.count ? this.sum / this.count : 0;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }
}
