// A bounded list over a series of any length: when full, every other item goes and items
// are taken half as often from then on, so what is kept stays evenly spread over the whole
// series and its memory stays flat however long the soak runs.

export class Thinned<T> {
  private kept: T[] = [];
  private stride = 1;
  private offered = 0;

  /** `max`: even, so the spacing stays even across a thinning */
  constructor(private readonly max: number) {}

  /** Offers an item; true when it was kept. */
  add(item: T): boolean {
    if (this.offered++ % this.stride !== 0) return false;
    this.kept.push(item);
    if (this.kept.length >= this.max) {
      this.kept = this.kept.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
      this.offered = 0;
    }
    return true;
  }

  get items(): readonly T[] {
    return this.kept;
  }
}
