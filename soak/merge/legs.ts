// Many runners, one verdict: the report folders of a sharded soak's legs (one per matrix
// leg, as the action uploads them), read and merged into one result. The verdict is the
// engine's own rule over every leg's findings (the most specific kind wins; an error in
// any leg exits 2), so one leg's crash fails the whole soak. A leg whose report cannot be
// read (a partial upload, a torn or edited file) is merged as an error of that leg alone:
// the other legs' results still count and show.
import { access } from "node:fs/promises";
import { basename, join } from "node:path";
import { readReportFile } from "../report/report-file.ts";
import { readTimeline } from "../report/timeline.ts";
import type { Report, TimelineEntry } from "../report/types.ts";
import { decide, type Finding, type Verdict } from "../verdict.ts";

export interface Leg {
  name: string;
  dir: string;
  /** absent when the leg's report.json could not be read: `broken` says why */
  report?: Report;
  broken?: string;
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
    /** why its report could not be read, when it could not */
    broken?: string;
  }[];
  verdict: Verdict;
  requests: number;
  /** the legs' rates added up (they ran side by side) */
  rps: number;
  /** the first failure in time, over all legs */
  firstFailure?: { leg: string; link: string; triage?: string; reason: Finding };
}

/** Reads a leg's report folder; a leg whose report.json is missing or unreadable comes back broken, saying why. */
export async function readLeg(dir: string, name = basename(dir), link = dir): Promise<Leg> {
  try {
    return { name, dir, report: await readReportFile(dir), link };
  } catch (err) {
    const partial = await access(join(dir, "timeline.jsonl")).then(
      () => " (the leg stopped before writing its report: a partial upload)",
      () => "",
    );
    return { name, dir, broken: `${(err as Error).message}${partial}`, link };
  }
}

export function mergeLegs(legs: Leg[], mergedAt = Date.now()): MergedReport {
  const reasons: (Finding & { leg: Leg })[] = legs.flatMap((leg) =>
    leg.report
      ? leg.report.verdict.reasons.map((r) => ({ ...r, message: `${leg.name}: ${r.message}`, leg }))
      : [{ kind: "error" as const, at: mergedAt, message: `${leg.name}: ${leg.broken}`, leg }],
  );
  const verdict = decide(reasons.map(({ leg: _, ...r }) => r));
  const earliest = [...reasons].sort((a, b) => a.at - b.at)[0];
  const triage = (leg: Leg) => leg.report?.files["triage.md"];
  const load = (leg: Leg) => leg.report?.load;
  return {
    legs: legs.map((leg) => ({
      name: leg.name,
      link: leg.link,
      verdict: leg.report?.verdict.kind ?? "error",
      requests: load(leg)?.requests ?? 0,
      rps: Math.round(load(leg)?.rps ?? 0),
      p99Ms: load(leg)?.latencyMs.p99,
      durationS: load(leg)?.durationS,
      reason: leg.report ? leg.report.verdict.reasons[0]?.message : leg.broken,
      triage: triage(leg),
      broken: leg.broken,
    })),
    verdict,
    requests: legs.reduce((n, l) => n + (load(l)?.requests ?? 0), 0),
    rps: Math.round(legs.reduce((n, l) => n + (load(l)?.rps ?? 0), 0)),
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
 * rates added up and the worst p99 and QEMU memory of any leg. Lines that are not an entry
 * (a leg killed mid-write) are skipped; `skipped` counts them by leg.
 */
export async function combinedTimeline(
  legs: Leg[],
): Promise<{ entries: TimelineEntry[]; skipped: Map<string, number> }> {
  const bySecond = new Map<number, TimelineEntry>();
  const skipped = new Map<string, number>();
  for (const leg of legs) {
    const read = await readTimeline(join(leg.dir, "timeline.jsonl"), (e) => {
      const t = Math.floor(e.t);
      const sum = bySecond.get(t) ?? { t, at: e.at, rps: 0 };
      sum.rps += e.rps;
      if (Number.isFinite(e.p99Ms)) sum.p99Ms = Math.max(sum.p99Ms ?? 0, e.p99Ms as number);
      const rss = e.host?.rssMiB;
      if (Number.isFinite(rss)) sum.host = { rssMiB: Math.max(sum.host?.rssMiB ?? 0, rss as number), cpuPercent: 0 };
      bySecond.set(t, sum);
    });
    if (read.skipped) skipped.set(leg.name, read.skipped);
  }
  return { entries: [...bySecond.values()].sort((a, b) => a.t - b.t), skipped };
}
