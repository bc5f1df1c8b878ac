// The repro's time budget: minimisation tries a reduction only while one more attempt,
// plus the final confirmation kept in reserve, still fits; a confirmation stops once the
// budget is spent (so the budget is overrun by one attempt at most).
import type { SoakOptions } from "../options.ts";
import type { Attempt, Attempts } from "./attempt.ts";

export class Budget {
  private readonly deadline: number;
  private spentS: number[] = [];

  constructor(
    seconds: number,
    /** attempts the final confirmation will take */
    private readonly reserveAttempts: number,
    start = Date.now(),
  ) {
    this.deadline = start + seconds * 1000;
  }

  /** records one attempt's wall time */
  spent(s: number): void {
    this.spentS.push(s);
  }

  /** the slowest attempt so far: what the next one may take */
  private get perAttemptS(): number {
    return Math.max(0, ...this.spentS);
  }

  get expired(): boolean {
    return Date.now() >= this.deadline;
  }

  /** is there time for one more attempt before the confirmation? */
  get allowsAnother(): boolean {
    return Date.now() + (1 + this.reserveAttempts) * this.perAttemptS * 1000 <= this.deadline;
  }

  /** Runs one more attempt if it may (not cancelled, time left), counting its time: its
   * result, or why it did not run. */
  async next(attempts: Attempts, what: string, o: SoakOptions): Promise<Attempt | string> {
    if (attempts.cancelled) return "cancelled";
    if (!this.allowsAnother) return "the time budget ran out";
    const a = await attempts.run(what, o);
    this.spent(a.wallS);
    return a;
  }
}
