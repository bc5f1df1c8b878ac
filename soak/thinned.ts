// A bounded list over a series of any length: the items kept are those whose place in
// the series is a multiple of a stride, and the stride doubles (dropping every other item
// kept) whenever the list is full, so what is kept stays evenly spread over the whole
// series and its memory stays flat however long the soak runs.

export class Thinned<T> {
  private kept: { at: number; item: T }[] = [];
  private stride = 1;
  private offered = 0;

  constructor(private readonly max: number) {}

  /** Offers the series' next item; true when it was kept. */
  add(item: T): boolean {
    const at = this.offered++;
    if (at % this.stride !== 0) return false;
    this.kept.push({ at, item });
    if (this.kept.length >= this.max) {
      this.stride *= 2;
      this.kept = this.kept.filter((k) => k.at % this.stride === 0);
    }
    return true;
  }

  get items(): T[] {
    return this.kept.map((k) => k.item);
  }
}
