// The CLI's flags: parsing and validation into engine options (used by the CLI and,
// through the same flags, by the GitHub action's inputs).
import { parseArgs } from "node:util";
import {
  DEFAULT_PATHS,
  DEFAULTS,
  parsePaths,
  type SoakOptions,
  UNCAPPED_REQUESTS,
  UsageError,
  validate,
} from "./options.ts";
import { scenarioArgv } from "./scenario.ts";

export const USAGE = `usage: unikernel-soak [options]
       unikernel-soak merge DIR... [--out DIR]   (one verdict for a sharded soak's legs; merge --help)
       unikernel-soak repro <report-dir> [options]     (see repro --help)
       unikernel-soak bisect --good REF --bad REF ...  (see bisect --help)

Boots a kernel under QEMU microvm, drives HTTP load at it through a loopback port,
watches serial, counters, /health and QEMU itself, and writes a report directory.
Without --kernel it builds and soaks the bundled TypeScript kernel.

kernel
  --kernel PATH            a PVH x86-64 ELF or a Linux bzImage to soak (default: build the bundled kernel)
  --symbols ELF            the ELF to symbolise a crash against, e.g. vmlinux (default: the kernel ELF)
  --fault NAME             build the bundled kernel with a fault-injection switch
  --append TEXT            kernel command line
  --initrd PATH            initrd for the kernel
  --memory MIB             guest memory (default ${DEFAULTS.memoryMiB})
  --qemu BINARY            the QEMU to run (default qemu-system-x86_64)
  --qemu-arg ARG           extra QEMU argument (repeatable)
  --accel auto|kvm|tcg     auto = KVM only if a probe guest runs under it (default auto)
  --network auto|user|tap  the path into the guest: tap = a tap device in a network namespace made
                           for the soak (root or password-less sudo; the guest at 10.0.2.15), user = QEMU user
                           networking on loopback ports; auto = tap where it can be made (default auto)
load
  --requests N             total requests (default ${DEFAULTS.requests}; with --duration: no cap)
  --duration S             stop the load after S seconds even if requests remain (default: no cap)
  --connections N          keep-alive connections (default ${DEFAULTS.connections})
  --churn PCT              share of requests, in percent, each on a new connection that the guest
                           closes (default ${DEFAULTS.churnPercent}; 100 = the seed's curl loop)
  --pipelining N           requests in flight per connection (default ${DEFAULTS.pipelining})
  --load-workers N|auto    processes the load runs in, connections and requests split over them
                           (default auto: the cores QEMU leaves spare, max(1, min(8, cores - 2)),
                           as its vCPU and main loop take about two)
  --paths SPEC             weighted mix, "PATH=W,..."; "inm:PATH" revalidates with If-None-Match
                           (default ${DEFAULT_PATHS})
  --request-timeout S      per-request timeout (default ${DEFAULTS.requestTimeoutS})
watchers and thresholds
  --health-path PATH       (default ${DEFAULTS.healthPath})
  --stats-path PATH        a flat JSON object of counters (default ${DEFAULTS.statsPath}); none: the
                           kernel serves none, so tx_stalls, pages and resets by boot id are not watched
  --guest-port LIST        the guest's HTTP ports, e.g. 80 or 8000-8255,9000 (default: the ports
                           the kernel's "unikernel-soak" ELF note announces, else 80)
  --health-failures N      consecutive /health failures that mean a hang (default ${DEFAULTS.healthFailures})
  --health-timeout MS      per health check (default ${DEFAULTS.healthTimeoutMs})
  --boot-timeout S         from QEMU start to the first healthy answer (default ${DEFAULTS.bootTimeoutS})
  --tx-stall-budget N      tx_stalls growth allowed (default ${DEFAULTS.txStallBudget})
  --rss-growth-mb MIB      QEMU RSS growth allowed after warm-up (default ${DEFAULTS.rssGrowthMiB})
  --page-growth N          guest pages allowed to stay used after the load (default ${DEFAULTS.pageGrowth})
  --p99-growth MS          p99 latency growth allowed per hour, judged by its trend (default: not judged)
                           (the trend of pages and QEMU RSS is judged against the two budgets above,
                           per hour: a slow leak is named with its rate within minutes)
  --warmup S               seconds before RSS growth counts (default ${DEFAULTS.warmupS})
  --hang-dump-mb MIB       guest RAM a hang's memory.core holds, from 0 (default ${DEFAULTS.hangDumpMiB}; 0 = no dump)
  --counter NAME=FIELD     rename a counter: boot-id, uptime, tx-stalls, pages-used, tcp-open
  --crash-pattern REGEX    an extra serial line that means a crash (repeatable)
scenario
  --scenario FILE          a JSON object of the flags above, e.g. {"requests": 2000} (repro writes
                           them), read before the command line: a flag given there overrides it;
                           its relative paths (kernel, symbols, initrd) are relative to FILE
output
  --out DIR                report directory (default ${DEFAULTS.out})
  -h, --help               this text`;

const COUNTER_KEYS: Record<string, keyof SoakOptions["counters"]> = {
  "boot-id": "bootId",
  uptime: "uptime",
  "tx-stalls": "txStalls",
  "pages-used": "pagesUsed",
  "tcp-open": "tcpOpen",
};

/** A plain decimal number (no exponent, hex or sign), so "1e99" and "0x10" are refused. */
function num(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\s*\d+(\.\d+)?\s*$/.test(v)) throw new UsageError(`--${name}: expected a number, got "${v}"`);
  return Number(v);
}

/** --load-workers: a count or auto (the default) */
function loadWorkers(v: string | undefined): number | "auto" {
  if (v === undefined || v.trim() === "auto") return "auto";
  if (!/^\s*\d+\s*$/.test(v)) throw new UsageError(`--load-workers: expected a whole number or auto, got "${v}"`);
  return Number(v);
}

/** "80" or "8000-8255,9000" → the ports, in order. */
function portList(v: string | undefined): number[] {
  if (v === undefined) return [];
  return v.split(",").flatMap((part) => {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const [first, last] = [Number(m?.[1]), Number(m?.[2] ?? m?.[1])];
    if (!m || last < first) throw new UsageError(`--guest-port: expected ports like 80 or 8000-8255,9000, got "${v}"`);
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  });
}

export function parseCli(argv: string[]): SoakOptions | "help" {
  let values: ReturnType<typeof parse>["values"];
  const parse = (a: string[]) =>
    parseArgs({
      args: a,
      strict: true,
      allowPositionals: false,
      options: {
        kernel: { type: "string" },
        symbols: { type: "string" },
        fault: { type: "string" },
        append: { type: "string" },
        initrd: { type: "string" },
        memory: { type: "string" },
        qemu: { type: "string" },
        "qemu-arg": { type: "string", multiple: true },
        accel: { type: "string" },
        network: { type: "string" },
        requests: { type: "string" },
        duration: { type: "string" },
        connections: { type: "string" },
        churn: { type: "string" },
        pipelining: { type: "string" },
        "load-workers": { type: "string" },
        paths: { type: "string" },
        "request-timeout": { type: "string" },
        "health-path": { type: "string" },
        "stats-path": { type: "string" },
        "guest-port": { type: "string" },
        "health-failures": { type: "string" },
        "health-timeout": { type: "string" },
        "boot-timeout": { type: "string" },
        "tx-stall-budget": { type: "string" },
        "rss-growth-mb": { type: "string" },
        "page-growth": { type: "string" },
        "p99-growth": { type: "string" },
        warmup: { type: "string" },
        "hang-dump-mb": { type: "string" },
        counter: { type: "string", multiple: true },
        "crash-pattern": { type: "string", multiple: true },
        out: { type: "string" },
        scenario: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  try {
    values = parse(argv).values;
    const scenario = values.scenario;
    if (scenario) {
      const flags = scenarioArgv(scenario);
      try {
        parse(flags);
      } catch (err) {
        throw new UsageError(`--scenario ${scenario}: ${(err as Error).message}`);
      }
      values = parse([...flags, ...argv]).values;
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${(err as Error).message} (see --help)`);
  }
  if (values.help) return "help";
  const d = DEFAULTS;
  const counters = { ...d.counters };
  for (const c of values.counter ?? []) {
    const [k, field] = c.split("=");
    const key = COUNTER_KEYS[k];
    if (!key || !field)
      throw new UsageError(
        `--counter: expected NAME=FIELD with NAME one of ${Object.keys(COUNTER_KEYS).join(", ")}, got "${c}"`,
      );
    counters[key] = field;
  }
  const crashPatterns = (values["crash-pattern"] ?? []).map((p) => {
    try {
      return new RegExp(p);
    } catch (err) {
      throw new UsageError(`--crash-pattern: ${(err as Error).message}`);
    }
  });
  return validate({
    kernel: values.kernel,
    symbols: values.symbols,
    fault: values.fault,
    append: values.append ?? d.append,
    initrd: values.initrd,
    memoryMiB: num("memory", values.memory, d.memoryMiB),
    qemu: values.qemu,
    qemuArgs: values["qemu-arg"] ?? [],
    accel: (values.accel ?? d.accel) as SoakOptions["accel"],
    network: (values.network ?? d.network) as SoakOptions["network"],
    // a soak bounded by time alone runs until the time is up
    requests: num(
      "requests",
      values.requests,
      values.duration && Number(values.duration) > 0 ? UNCAPPED_REQUESTS : d.requests,
    ),
    durationS: num("duration", values.duration, d.durationS),
    connections: num("connections", values.connections, d.connections),
    churnPercent: num("churn", values.churn, d.churnPercent),
    pipelining: num("pipelining", values.pipelining, d.pipelining),
    loadWorkers: loadWorkers(values["load-workers"]),
    paths: values.paths === undefined ? d.paths : parsePaths(values.paths),
    requestTimeoutS: num("request-timeout", values["request-timeout"], d.requestTimeoutS),
    healthPath: values["health-path"] ?? d.healthPath,
    statsPath: values["stats-path"] ?? d.statsPath,
    guestPorts: portList(values["guest-port"]),
    intervalMs: d.intervalMs,
    healthFailures: num("health-failures", values["health-failures"], d.healthFailures),
    healthTimeoutMs: num("health-timeout", values["health-timeout"], d.healthTimeoutMs),
    bootTimeoutS: num("boot-timeout", values["boot-timeout"], d.bootTimeoutS),
    txStallBudget: num("tx-stall-budget", values["tx-stall-budget"], d.txStallBudget),
    rssGrowthMiB: num("rss-growth-mb", values["rss-growth-mb"], d.rssGrowthMiB),
    pageGrowth: num("page-growth", values["page-growth"], d.pageGrowth),
    p99GrowthMs: num("p99-growth", values["p99-growth"], d.p99GrowthMs),
    warmupS: num("warmup", values.warmup, d.warmupS),
    hangDumpMiB: num("hang-dump-mb", values["hang-dump-mb"], d.hangDumpMiB),
    counters,
    crashPatterns,
    out: values.out ?? d.out,
  });
}
