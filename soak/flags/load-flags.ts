// The flag table's "load" section: how much load, of what shape.
import { DEFAULTS, UNCAPPED_REQUESTS } from "../options.ts";
import { countOrAuto, pathMix } from "./custom-kinds.ts";
import type { Section } from "./flag.ts";
import { decimal, duration, WEEK_S, whole } from "./kinds.ts";

/** the pace under the time warp unless --rate says otherwise: requests a second of the guest's time */
export const WARP_RATE = 100;

/** a paced load's default connections: one per this many requests a second of the guest's time */
const PACED_PER_CONNECTION = 10;

export const loadFlags: Section = {
  title: "load",
  flags: [
    {
      name: "requests",
      option: "requests",
      kind: whole(1, UNCAPPED_REQUESTS),
      value: "N",
      // a soak bounded by time alone runs until the time is up
      defaultOf: (o) =>
        (o.durationS as number) > 0 || (o.uptimeS as number) > 0 ? UNCAPPED_REQUESTS : DEFAULTS.requests,
      help: `total requests (default ${DEFAULTS.requests}; with --duration or --uptime: no cap)`,
      input: {
        description: "Total HTTP requests. Empty = 2,000,000, or no cap when `duration` or `uptime` is set.",
      },
    },
    {
      name: "duration",
      option: "durationS",
      kind: whole(0, WEEK_S),
      value: "S",
      help: "stop the load after S seconds even if requests remain (default: no cap)",
      input: {
        description:
          "Stop the load after this many seconds even if requests remain (0 = no cap); up to GitHub's 6-hour job limit.",
      },
    },
    {
      name: "uptime",
      option: "uptimeS",
      kind: duration(366 * 24 * 3600),
      value: "DURATION",
      help:
        "soak until the guest's own uptime counter reaches DURATION, e.g. 1h24m\n" +
        "(with --time-warp, hours in minutes); the load stops there, and a request\n" +
        "cap reached first leaves the guest idle, watched, until then",
      input: {
        description:
          "Soak until the guest's own uptime (its uptime counter) reaches this, e.g. 1h24m or 6h; with `time-warp`, hours of uptime in minutes. Empty = no such goal.",
        default: "",
      },
    },
    {
      name: "rate",
      option: "rate",
      kind: decimal(0, 1_000_000),
      value: "N",
      // under the warp a load as fast as the guest answers saturates the host, and the guest sees each
      // of the host's delays tens of times longer: its own timeouts on its peer fire (BENCHMARKS.md)
      // (paced by the guest's uptime counter, so not for a kernel without counters)
      defaultOf: (o) => (o.timeWarp && o.statsPath !== "none" ? WARP_RATE : 0),
      help:
        "requests per second of the guest's time, paced by its uptime counter\n" +
        `(default: as fast as it answers; with --time-warp ${WARP_RATE}, 0 for as fast),\n` +
        "e.g. --rate 3 --uptime 1h24m",
      input: {
        description:
          "Requests per second of the guest's own time, paced by its uptime counter (e.g. 3 with uptime 1h24m: the seed's production profile). Empty = as fast as the guest answers, or 100 with `time-warp`; 0 = as fast as the guest answers.",
        default: "",
      },
    },
    {
      name: "connections",
      option: "connections",
      kind: whole(1, 4096),
      value: "N",
      // a paced load needs few: idle ones only wait out the guest's idle timer
      defaultOf: (o) =>
        (o.rate as number) > 0
          ? Math.min(DEFAULTS.connections, Math.ceil((o.rate as number) / 100))
          : DEFAULTS.connections,
      help: `keep-alive connections (default ${DEFAULTS.connections}; with --rate, one per 100 requests a second)`,
      input: {
        description: `Keep-alive connections. With \`rate\`: one per ${PACED_PER_CONNECTION} requests a second, unless set.`,
        default: String(DEFAULTS.connections),
      },
    },
    {
      name: "churn",
      option: "churnPercent",
      kind: decimal(0, 100),
      value: "PCT",
      help:
        "share of requests, in percent, each on a new connection that the guest\n" +
        "closes (default {default}; 100 = the seed's curl loop)",
      input: {
        description:
          "Share of the requests, in percent, each on a new connection that the guest closes (100 = every request, as the seed's curl loop).",
      },
    },
    {
      name: "pipelining",
      option: "pipelining",
      kind: whole(1, 256),
      value: "N",
      help: "requests in flight per connection (default {default})",
      input: { description: "Requests in flight per connection." },
    },
    {
      name: "load-workers",
      option: "loadWorkers",
      kind: countOrAuto(64),
      value: "N|auto",
      help:
        "processes the load runs in, connections and requests split over them\n" +
        "(default auto: the cores QEMU leaves spare, max(1, min(8, cores - 2)),\n" +
        "as its vCPU and main loop take about two)",
      input: {
        description:
          "Processes the load runs in, or auto (the cores QEMU leaves spare, max(1, min(8, cores - 2)), as its vCPU and main loop take about two).",
      },
    },
    {
      name: "paths",
      option: "paths",
      kind: pathMix,
      value: "SPEC",
      help: 'weighted mix, "PATH=W,..."; "inm:PATH" revalidates with If-None-Match\n(default {default})',
      input: {
        description:
          'Weighted request mix, "PATH=W,..."; "inm:PATH" revalidates with If-None-Match. Empty = the default mix.',
        default: "",
      },
    },
    {
      name: "request-timeout",
      option: "requestTimeoutS",
      kind: whole(1, 3600),
      value: "S",
      help: "per-request timeout (default {default})",
      input: { description: "Per-request timeout in seconds." },
    },
  ],
};
