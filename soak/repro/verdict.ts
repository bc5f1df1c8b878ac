// verdict.json: what a repro found (written by repro.ts, rendered by summary.ts).
import type { Attempts } from "./attempt.ts";
import type { Confirmation } from "./confirm.ts";
import type { Minimised } from "./minimise.ts";

export interface ReproVerdict {
  failure: string;
  report: string;
  original: Confirmation;
  minimised?: Minimised & { confirmation: Confirmation; scenario: Record<string, unknown> };
  attempts: Attempts["list"];
  /** set when repro stopped before the end */
  stopped?: string;
  wallS: number;
}
