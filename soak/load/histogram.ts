// Latencies in whole milliseconds, counted per millisecond up to a cap: percentiles in
// constant memory, however many requests an hours-long soak makes. A sparse snapshot
// crosses a process boundary (load workers, pool.ts) and merges into another histogram.

/** [latency ms, responses] for every latency that has any, in order */
export type HistogramSnapshot = [ms: number, count: number][];

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

  snapshot(): HistogramSnapshot {
    const out: HistogramSnapshot = [];
    for (let ms = 0; ms <= this.max && this.count > 0; ms++) if (this.counts[ms]) out.push([ms, this.counts[ms]]);
    return out;
  }

  /** Adds another histogram's responses (its latencies above this cap counted at the cap). */
  merge(s: HistogramSnapshot): void {
    for (const [ms, n] of s) {
      const v = Math.min(this.capMs, ms);
      this.counts[v] += n;
      this.count += n;
      this.sum += v * n;
      if (v > this.max) this.max = v;
    }
  }

  /** p50/p90/p99/max/mean, as a load result reports them */
  summary(): { p50: number; p90: number; p99: number; max: number; mean: number } {
    const mean = Math.round(this.mean * 100) / 100;
    return { p50: this.percentile(50), p90: this.percentile(90), p99: this.percentile(99), max: this.max, mean };
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }
}
