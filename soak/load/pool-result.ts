// The load workers' results as one (pool.ts): counts added up, latency percentiles from
// the merged histograms of every response (percentiles cannot be averaged), the first
// error samples of all of them.
import type { ChurnResult } from "./churn.ts";
import { LatencyHistogram } from "./histogram.ts";
import type { MixedResult } from "./mixed.ts";
import { addStatuses, ERROR_SAMPLES, unexpectedCount } from "./tally.ts";
import type { FromWorker } from "./worker-messages.ts";

type Done = Extract<FromWorker, { type: "done" }>;
type Samples = MixedResult["errorSamples"];

const firstSamples = (lists: Samples[]) =>
  lists
    .flat()
    .sort((a, b) => a.at - b.at)
    .slice(0, ERROR_SAMPLES);

export interface PoolRun {
  /** the request count asked of the whole pool */
  asked: number;
  /** were keep-alive requests asked for (then latencyMs is theirs, as in a single MixedLoad) */
  keepAlive: boolean;
  capMs: number;
  stopped: boolean;
  /** wall time of the load, s */
  wallS: number;
}

export function poolResult(dones: Done[], run: PoolRun): MixedResult {
  const keepAlive = new LatencyHistogram(run.capMs);
  const churnLatency = new LatencyHistogram(run.capMs);
  const statuses: Record<string, number> = {};
  let [requests, errors, timeouts, bytes] = [0, 0, 0, 0];
  for (const d of dones) {
    keepAlive.merge(d.latency.keepAlive);
    churnLatency.merge(d.latency.churn);
    addStatuses(statuses, d.result.statuses);
    requests += d.result.requests;
    errors += d.result.errors;
    timeouts += d.result.timeouts;
    bytes += d.result.bytes;
  }
  const churns = dones.flatMap((d) => (d.result.churn ? [d.result.churn] : []));
  const closing = dones.flatMap((d) => (d.result.closedAfterEach !== undefined ? [d.result.closedAfterEach] : []));
  const ended = dones.reduce((n, d) => n + (d.result.endedByGuest ?? 0), 0);
  const durationS = Math.round(run.wallS * 100) / 100;
  return {
    requests,
    durationS,
    rps: durationS > 0 ? requests / durationS : 0,
    errors,
    timeouts,
    statuses,
    unexpectedStatuses: unexpectedCount(statuses),
    latencyMs: (run.keepAlive ? keepAlive : churnLatency).summary(),
    bytes,
    stopped: run.stopped || dones.some((d) => d.result.stopped) || requests < run.asked,
    errorSamples: firstSamples(dones.map((d) => d.result.errorSamples)),
    ...(churns.length ? { churn: churnResult(churns, churnLatency) } : {}),
    ...(closing.length ? { closedAfterEach: closing.reduce((a, b) => a + b, 0) } : {}),
    ...(ended ? { endedByGuest: ended } : {}),
  };
}

function churnResult(churns: ChurnResult[], latency: LatencyHistogram): ChurnResult {
  const statuses: Record<string, number> = {};
  for (const c of churns) addStatuses(statuses, c.statuses);
  const sum = (k: "requests" | "connections" | "errors" | "timeouts" | "bytes" | "keptOpen") =>
    churns.reduce((n, c) => n + (c[k] ?? 0), 0);
  return {
    requests: sum("requests"),
    connections: sum("connections"),
    errors: sum("errors"),
    timeouts: sum("timeouts"),
    statuses,
    latencyMs: latency.summary(),
    bytes: sum("bytes"),
    errorSamples: firstSamples(churns.map((c) => c.errorSamples)),
    keptOpen: sum("keptOpen"),
  };
}
