// compare.json: what a compare found (written by compare.ts, rendered by html.ts and summary-md.ts).
import type { CompareVerdict, MetricResult, STATISTICS } from "./judge.ts";
import type { RoundRecord, SideName } from "./rounds.ts";

export interface CompareResult {
  schemaVersion: 1;
  tool: { name: string; version: string };
  startedAt: string;
  wallS: number;
  sides: Record<SideName, { role: string; kernel: string; append: string; ref?: string; commit?: string }>;
  verdict: CompareVerdict;
  metrics: MetricResult[];
  rounds: RoundRecord[];
  statistics: typeof STATISTICS & { falseAlarmBound: string };
  stopped?: string;
}
