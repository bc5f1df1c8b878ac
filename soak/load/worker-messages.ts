// What the pool (pool.ts) and a load worker (load-worker.ts) say to each other over the
// IPC channel (advanced serialization: Maps cross as they are).
import type { HistogramSnapshot } from "./histogram.ts";
import type { SentRequest } from "./in-flight.ts";
import type { MixedOptions, MixedResult } from "./mixed.ts";

export type ToWorker =
  | { type: "start"; options: MixedOptions }
  | { type: "stop" }
  /** paced (--rate): the worker may have started `upTo` requests in all */
  | { type: "grant"; upTo: number }
  /** the keep-alive connections' unanswered requests, answered with the same id */
  | { type: "unanswered"; id: number };

export type FromWorker =
  | { type: "tick"; count: number; latency: HistogramSnapshot; seconds: number }
  | { type: "unanswered"; id: number; requests: SentRequest[] }
  | {
      type: "done";
      result: MixedResult;
      latency: { keepAlive: HistogramSnapshot; churn: HistogramSnapshot };
      /** what was still unanswered at the end, for an unanswered() after it */
      unanswered: SentRequest[];
      /** when its load started and ended (ms since the epoch): the pool's wall time spans them all */
      startedAt: number;
      endedAt: number;
    }
  | { type: "failed"; message: string };
