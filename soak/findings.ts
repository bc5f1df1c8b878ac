// What the watchers found, in one place: the first fatal finding ends the current phase.
import type { Finding } from "./verdict.ts";

export type FindingSink = (f: Finding) => void;

export class Findings {
  readonly list: Finding[] = [];
  /** resolves with the first finding */
  readonly first: Promise<Finding>;
  private resolveFirst: (f: Finding) => void = () => {};

  constructor(private readonly log: (line: string) => void) {
    this.first = new Promise((r) => {
      this.resolveFirst = r;
    });
  }

  readonly add: FindingSink = (f) => {
    this.list.push(f);
    this.log(`${f.kind}: ${f.message}`);
    this.resolveFirst(f);
  };

  get any(): boolean {
    return this.list.length > 0;
  }

  has(kind: Finding["kind"]): boolean {
    return this.list.some((f) => f.kind === kind);
  }

  /** true when something other than the load's own problems was found */
  get beyondLoad(): boolean {
    return this.list.some((f) => f.kind !== "load");
  }
}
