// Confirmation: the same scenario on N fresh boots; how often it fails the same way, and
// how long and how many requests it takes to (median and range over the failing runs).
import type { SoakOptions } from "../options.ts";
import type { Attempt, Attempts } from "./attempt.ts";
import type { Budget } from "./budget.ts";

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface Confirmation {
  reproduced: number;
  attempts: number;
  seconds?: Spread;
  requests?: Spread;
  /** the guest's uptime when it struck (report.struck), for the runs that have it */
  uptimeS?: Spread;
}

export function spread(xs: number[]): Spread | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s.at(-1) as number };
}

export async function confirm(
  attempts: Attempts,
  label: string,
  o: SoakOptions,
  n: number,
  budget: Budget,
): Promise<Confirmation> {
  const runs: Attempt[] = [];
  for (let i = 0; i < n && !attempts.cancelled && (i === 0 || !budget.expired); i++) {
    const a = await attempts.run(label, o);
    budget.spent(a.wallS);
    runs.push(a);
  }
  const hits = runs.filter((a) => a.reproduced);
  return {
    reproduced: hits.length,
    attempts: runs.length,
    seconds: spread(hits.map((a) => a.seconds)),
    requests: spread(hits.map((a) => a.requests)),
    uptimeS: spread(hits.flatMap((a) => a.struck?.uptimeS ?? [])),
  };
}

const range = (s: Spread, f: (x: number) => string) =>
  f(s.min) === f(s.max) ? f(s.median) : `${f(s.median)} (${f(s.min)}-${f(s.max)})`;

/**
 * "reproduces 3/3, time to failure 1.4 s (1.2-1.9 s), requests to failure 2,010 (1,990-2,040)"; for a
 * failure that follows the clock, no request count: "reproduces 3/3, struck at 8.3 s of uptime (8.1-8.6 s)"
 */
export function confirmationLine(c: Confirmation, byClock = false): string {
  const parts = [`reproduces ${c.reproduced}/${c.attempts}`];
  const s = (x: number) => `${x.toFixed(1)} s`;
  if (byClock && c.uptimeS) parts.push(`struck at ${range(c.uptimeS, s)} of uptime`);
  else if (c.seconds) parts.push(`time to failure ${range(c.seconds, s)}`);
  if (c.requests && !byClock)
    parts.push(`requests to failure ${range(c.requests, (x) => Math.round(x).toLocaleString("en-US"))}`);
  return parts.join(", ");
}
