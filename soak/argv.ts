// Engine options back to the command line that gives them (the inverse of
// cli-options.ts's parseCli), for the "Reproduce" command of a report: every option
// that shaped the run, and only those that differ from the defaults.
import {
  DEFAULT_PATHS,
  DEFAULTS,
  type PathWeight,
  parsePaths,
  type SoakOptions,
  UNCAPPED_REQUESTS,
  UsageError,
} from "./options.ts";
import { keptFileNames } from "./report/kept-files.ts";

type Flags = (o: SoakOptions) => string[];

const one = (flag: string, v: string | number | undefined, d?: string | number): string[] =>
  v === undefined || v === d ? [] : [`--${flag}`, String(v)];
export const pathSpec = (paths: PathWeight[]) =>
  paths.map((p) => `${p.revalidate ? "inm:" : ""}${p.path}=${p.weight}`).join(",");
const COUNTER_FLAGS: Record<keyof SoakOptions["counters"], string> = {
  bootId: "boot-id",
  uptime: "uptime",
  txStalls: "tx-stalls",
  pagesUsed: "pages-used",
  tcpOpen: "tcp-open",
};

/** One entry per option, so a new option without its flag here fails the type check. */
const FLAGS: Record<keyof SoakOptions, Flags> = {
  kernel: (o) => one("kernel", o.kernel),
  symbols: (o) => one("symbols", o.symbols),
  fault: (o) => one("fault", o.fault),
  append: (o) => one("append", o.append, DEFAULTS.append),
  initrd: (o) => one("initrd", o.initrd),
  memoryMiB: (o) => one("memory", o.memoryMiB, DEFAULTS.memoryMiB),
  qemu: (o) => one("qemu", o.qemu),
  qemuArgs: (o) => o.qemuArgs.flatMap((a) => ["--qemu-arg", a]),
  accel: (o) => one("accel", o.accel, DEFAULTS.accel),
  network: (o) => one("network", o.network, DEFAULTS.network),
  // with --duration, no --requests means no cap
  requests: (o) =>
    o.durationS > 0 ? one("requests", o.requests, UNCAPPED_REQUESTS) : one("requests", o.requests, DEFAULTS.requests),
  durationS: (o) => one("duration", o.durationS, DEFAULTS.durationS),
  connections: (o) => one("connections", o.connections, DEFAULTS.connections),
  churnPercent: (o) => one("churn", o.churnPercent, DEFAULTS.churnPercent),
  pipelining: (o) => one("pipelining", o.pipelining, DEFAULTS.pipelining),
  loadWorkers: (o) => one("load-workers", o.loadWorkers, DEFAULTS.loadWorkers),
  paths: (o) => one("paths", pathSpec(o.paths), pathSpec(parsePaths(DEFAULT_PATHS))),
  requestTimeoutS: (o) => one("request-timeout", o.requestTimeoutS, DEFAULTS.requestTimeoutS),
  healthPath: (o) => one("health-path", o.healthPath, DEFAULTS.healthPath),
  statsPath: (o) => one("stats-path", o.statsPath, DEFAULTS.statsPath),
  guestPorts: (o) => (o.guestPorts.length ? ["--guest-port", o.guestPorts.join(",")] : []),
  intervalMs: () => [], // not a flag: always the default
  healthFailures: (o) => one("health-failures", o.healthFailures, DEFAULTS.healthFailures),
  healthTimeoutMs: (o) => one("health-timeout", o.healthTimeoutMs, DEFAULTS.healthTimeoutMs),
  bootTimeoutS: (o) => one("boot-timeout", o.bootTimeoutS, DEFAULTS.bootTimeoutS),
  txStallBudget: (o) => one("tx-stall-budget", o.txStallBudget, DEFAULTS.txStallBudget),
  rssGrowthMiB: (o) => one("rss-growth-mb", o.rssGrowthMiB, DEFAULTS.rssGrowthMiB),
  pageGrowth: (o) => one("page-growth", o.pageGrowth, DEFAULTS.pageGrowth),
  p99GrowthMs: (o) => one("p99-growth", o.p99GrowthMs, DEFAULTS.p99GrowthMs),
  warmupS: (o) => one("warmup", o.warmupS, DEFAULTS.warmupS),
  hangDumpMiB: (o) => one("hang-dump-mb", o.hangDumpMiB, DEFAULTS.hangDumpMiB),
  counters: (o) =>
    (Object.keys(COUNTER_FLAGS) as (keyof SoakOptions["counters"])[])
      .filter((k) => o.counters[k] !== DEFAULTS.counters[k])
      .flatMap((k) => ["--counter", `${COUNTER_FLAGS[k]}=${o.counters[k]}`]),
  crashPatterns: (o) => o.crashPatterns.flatMap((p) => ["--crash-pattern", p.source]),
  out: (o) => one("out", o.out, DEFAULTS.out),
};

/** The flags that give `o` (parseCli(optionsToArgv(o)) equals o). */
export function optionsToArgv(o: SoakOptions): string[] {
  return asArgv((Object.keys(FLAGS) as (keyof SoakOptions)[]).flatMap((k) => FLAGS[k](o)));
}

/**
 * The flags of options read from a file (a report's), each option over the defaults: for
 * parseCli to check as it checks a command line. An option whose value is not of its type
 * (a list that is not one, say) is a UsageError naming it.
 */
export function savedOptionsToArgv(saved: Record<string, unknown>): string[] {
  const argv: string[] = [];
  for (const k of Object.keys(FLAGS) as (keyof SoakOptions)[]) {
    if (saved[k] === undefined || saved[k] === null) continue;
    try {
      const flags = FLAGS[k]({ ...DEFAULTS, ...saved } as SoakOptions);
      if (flags.some((f) => typeof f !== "string")) throw new TypeError("not a string");
      argv.push(...flags);
    } catch (err) {
      throw new UsageError(
        `options.${k}: ${JSON.stringify(saved[k]).slice(0, 80)} is not a value it takes (${(err as Error).message})`,
      );
    }
  }
  return asArgv(argv);
}

/** Flag and value pairs: a value that starts with "-" (a QEMU argument) goes as --flag=value, or it reads as a flag. */
function asArgv(pairs: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < pairs.length; i += 2)
    out.push(...(pairs[i + 1].startsWith("-") ? [`${pairs[i]}=${pairs[i + 1]}`] : [pairs[i], pairs[i + 1]]));
  return out;
}

/** One word for the shell, whatever it holds: single-quoted, each ' as '\''. */
export const shellWord = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;

/** As shellWord, but a word of only safe characters is left bare (for a command shown to a reader). */
export function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : shellWord(a);
}

/**
 * The command that soaks the report folder's own copies of the kernel `kernelElf`, the
 * initrd and the symbols (report/kept-files.ts, named relative to the folder) the same
 * way, run from that folder on any machine: the fault switch is already in that kernel
 * and the report goes to the default folder beside it.
 */
export function reproduceCommand(o: SoakOptions, kernelElf: string, version: string): string {
  const kept = keptFileNames(kernelElf, o);
  const inputs = { kernel: kept.kernel, initrd: kept.initrd, symbols: kept.symbols };
  const argv = optionsToArgv({ ...o, ...inputs, fault: undefined, out: DEFAULTS.out });
  return [`npx`, `unikernel-soak@${version}`, ...argv].map(shellQuote).join(" ");
}
