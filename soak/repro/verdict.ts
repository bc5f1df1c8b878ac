// verdict.json: what a repro found (written by repro.ts, rendered by summary.ts).
import type { Attempts } from "./attempt.ts";
import type { Confirmation } from "./confirm.ts";
import type { Minimised } from "./minimise.ts";
import type { Timing } from "./timing.ts";

export interface ReproVerdict {
  failure: string;
  report: string;
  original: Confirmation;
  /** whether the failure follows the clock or the load (timing.ts), when the attempts could tell */
  timing?: Timing;
  minimised?: Minimised & { confirmation: Confirmation; scenario: Record<string, unknown> };
  attempts: Attempts["list"];
  /** set when repro stopped before the end */
  stopped?: string;
  wallS: number;
}
