// Many runners, one verdict: the report folders of a sharded soak's legs (one per matrix
// leg, as the action uploads them), read and merged into one result. The verdict is the
// engine's own rule over every leg's findings (the most specific kind wins; an error in
// any leg exits 2), so one leg's crash fails the whole soak.
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { UsageError } from "../options.ts";
import type { Report, TimelineEntry } from "../report/types.ts";
import { decide, type Finding, type Verdict } from "../verdict.ts";

export interface Leg {
  name: string;
  dir: string;
  report: Report;
  /** where a reader finds this leg's report (a folder, or the artifact's page) */
  link: string;
}

export interface MergedReport {
  legs: {
    name: string;
    link: string;
    verdict: Verdict["kind"];
    requests: number;
    rps: number;
    p99Ms?: number;
    durationS?: number;
    /** what failed it, first */
    reason?: string;
    triage?: string;
  }[];
  verdict: Verdict;
  requests: number;
  /** the legs' rates added up (they ran side by side) */
  rps: number;
  /** the first failure in time, over all legs */
  firstFailure?: { leg: string; link: string; triage?: string; reason: Finding };
}

/** Reads a leg's report folder; a folder without report.json is refused, naming it. */
export async function readLeg(dir: string, name = basename(dir), link = dir): Promise<Leg> {
  const text = await readFile(join(dir, "report.json"), "utf8").catch(() => {
    throw new UsageError(`merge: ${dir} holds no report.json; give the report folders of the soak's legs`);
  });
  try {
    return { name, dir, report: JSON.parse(text) as Report, link };
  } catch (err) {
    throw new UsageError(`merge: ${dir}/report.json is not JSON (${(err as Error).message})`);
  }
}

export function mergeLegs(legs: Leg[]): MergedReport {
  const reasons: (Finding & { leg: Leg })[] = legs.flatMap((leg) =>
    leg.report.verdict.reasons.map((r) => ({ ...r, message: `${leg.name}: ${r.message}`, leg })),
  );
  const verdict = decide(reasons.map(({ leg: _, ...r }) => r));
  const earliest = [...reasons].sort((a, b) => a.at - b.at)[0];
  const triage = (leg: Leg) => leg.report.files["triage.md"];
  return {
    legs: legs.map((leg) => ({
      name: leg.name,
      link: leg.link,
      verdict: leg.report.verdict.kind,
      requests: leg.report.load?.requests ?? 0,
      rps: Math.round(leg.report.load?.rps ?? 0),
      p99Ms: leg.report.load?.latencyMs.p99,
      durationS: leg.report.load?.durationS,
      reason: leg.report.verdict.reasons[0]?.message,
      triage: triage(leg),
    })),
    verdict,
    requests: legs.reduce((n, l) => n + (l.report.load?.requests ?? 0), 0),
    rps: Math.round(legs.reduce((n, l) => n + (l.report.load?.rps ?? 0), 0)),
    firstFailure: earliest && {
      leg: earliest.leg.name,
      link: earliest.leg.link,
      triage: triage(earliest.leg),
      reason: { kind: earliest.kind, at: earliest.at, message: earliest.message, evidence: earliest.evidence },
    },
  };
}

/**
 * The legs' timelines as one, second by second since each leg's load started: their
 * rates added up and the worst p99 and QEMU memory of any leg. Read line by line, so an
 * hours-long leg's file is never held whole.
 */
export async function combinedTimeline(legs: Leg[]): Promise<TimelineEntry[]> {
  const bySecond = new Map<number, TimelineEntry>();
  for (const leg of legs) {
    const lines = createInterface({ input: createReadStream(join(leg.dir, "timeline.jsonl")), crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (!line.trim()) continue;
        const e = JSON.parse(line) as TimelineEntry;
        const t = Math.floor(e.t);
        const sum = bySecond.get(t) ?? { t, at: e.at, rps: 0 };
        sum.rps += e.rps;
        if (e.p99Ms !== undefined) sum.p99Ms = Math.max(sum.p99Ms ?? 0, e.p99Ms);
        if (e.host) sum.host = { rssMiB: Math.max(sum.host?.rssMiB ?? 0, e.host.rssMiB), cpuPercent: 0 };
        bySecond.set(t, sum);
      }
    } catch (err) {
      // a leg that stopped before its load has no timeline worth charting
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
  return [...bySecond.values()].sort((a, b) => a.t - b.t);
}
