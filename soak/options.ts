// The engine's options: defaults, and validation that names what is wrong.
// The CLI and the GitHub action both fill this in; nothing here knows either.
import { availableParallelism } from "node:os";
import type { NetworkMode } from "./network.ts";
import { DEFAULT_MEMORY_MIB } from "./vm/qemu.ts";

export type AccelMode = "auto" | "kvm" | "tcg";

export interface PathWeight {
  path: string;
  weight: number;
  /** send If-None-Match with the ETag the path answered with before the load */
  revalidate: boolean;
}

export interface SoakOptions {
  /** a prebuilt kernel (PVH ELF or bzImage); unset = build the bundled TypeScript kernel */
  kernel?: string;
  /** the ELF a crash is symbolised against (vmlinux for a bzImage); unset = the kernel ELF itself */
  symbols?: string;
  /** fault-injection switch for the bundled kernel's build */
  fault?: string;
  append: string;
  initrd?: string;
  memoryMiB: number;
  /** the QEMU binary (default qemu-system-x86_64 from PATH) */
  qemu?: string;
  qemuArgs: string[];
  accel: AccelMode;
  /** run the guest under QEMU's instruction counter with sleep=off (TCG only): idle guest time jumps to its next timer */
  timeWarp: boolean;
  /** soak until the guest's own uptime counter reaches this many seconds (0 = no such goal) */
  uptimeS: number;
  /** requests per second of the guest's time, paced by its uptime counter (0 = as fast as it answers) */
  rate: number;
  /** the path into the guest (network.ts) */
  network: NetworkMode;
  requests: number;
  /** stop the load after this many seconds even if requests remain (0 = no cap) */
  durationS: number;
  connections: number;
  /** the share of the requests, in percent, each made on a new connection (soak/load/churn.ts) */
  churnPercent: number;
  pipelining: number;
  /** processes the load runs in (soak/load/pool.ts); auto: loadWorkerCount */
  loadWorkers: number | "auto";
  paths: PathWeight[];
  requestTimeoutS: number;
  healthPath: string;
  /** the guest's counters (a flat JSON object), or "none": soak without them (countersOff) */
  statsPath: string;
  /** guest ports the load is spread over, one per forwarded host port in turn; empty = the
   * ports the kernel's ELF announces (soak/elf.ts), else 80 */
  guestPorts: number[];
  intervalMs: number;
  healthFailures: number;
  healthTimeoutMs: number;
  bootTimeoutS: number;
  txStallBudget: number;
  rssGrowthMiB: number;
  pageGrowth: number;
  /** p99 latency growth allowed per hour, by its trend (0 = recorded, not judged) */
  p99GrowthMs: number;
  warmupS: number;
  /** a hang's memory dump (memory.core): the low MiB of guest RAM it holds; 0 = none */
  hangDumpMiB: number;
  /** stack samples a second (soak/profile/); 0 = no profile; auto = PROFILE_AUTO_HZ on the tap path */
  profileHz: number | "auto";
  counters: { bootId: string; uptime: string; txStalls: string; pagesUsed: string; tcpOpen: string };
  crashPatterns: RegExp[];
  out: string;
}

/** the profiler's rate when none is asked for, on the tap path: its cost there is below the
 * noise (BENCHMARKS.md, "Profiler"). Over QEMU user networking it is off (profile/rate.ts). */
export const PROFILE_AUTO_HZ = 19;
/** `--profile` without a rate: not a multiple of the guest's 100 Hz tick, so samples do not
 * fall in step with it */
export const PROFILE_ON_HZ = 99;

const MAX_PATH_WEIGHTS = 100_000;
/** the request count of a soak bounded by time only (--duration without --requests) */
export const UNCAPPED_REQUESTS = 1e12;

/** The default mix: the seed's hot paths, the baked pages, revalidations and now and then the large asset. */
export const DEFAULT_PATHS =
  "/api/stats.json=60,/health=60,/=20,/app.js=20,/style.css=20,inm:/style.css=19,/large.txt=1";

export const DEFAULTS: SoakOptions = {
  append: "",
  memoryMiB: DEFAULT_MEMORY_MIB,
  qemuArgs: [],
  accel: "auto",
  timeWarp: false,
  uptimeS: 0,
  rate: 0,
  network: "auto",
  requests: 2_000_000,
  durationS: 0,
  connections: 50,
  churnPercent: 1,
  pipelining: 1,
  loadWorkers: "auto",
  paths: parsePaths(DEFAULT_PATHS),
  requestTimeoutS: 10,
  healthPath: "/health",
  statsPath: "/api/stats.json",
  guestPorts: [],
  intervalMs: 1000,
  healthFailures: 2,
  healthTimeoutMs: 2000,
  bootTimeoutS: 60,
  txStallBudget: 0,
  rssGrowthMiB: 32,
  pageGrowth: 16,
  p99GrowthMs: 0,
  warmupS: 10,
  hangDumpMiB: 64,
  profileHz: "auto",
  counters: {
    bootId: "boot_id",
    uptime: "uptime_ms",
    txStalls: "tx_stalls",
    pagesUsed: "pmm_pages_used",
    tcpOpen: "tcp_open",
  },
  crashPatterns: [],
  out: "soak-report",
};

export class UsageError extends Error {}

/** --stats-path none: the kernel serves no counters; tx_stalls, pages, the boot id and their trends are not watched. */
export const countersOff = (o: Pick<SoakOptions, "statsPath">) => o.statsPath === "none";

/** Churn workers (one forwarded port each): all the connections at 100%, else enough to keep the share
 * (a new connection costs the host several keep-alive requests' time), at least one. */
export function churnWorkers(o: SoakOptions): number {
  if (o.churnPercent === 0) return 0;
  if (o.churnPercent >= 100) return o.connections;
  return Math.min(o.connections, Math.ceil((o.connections * o.churnPercent * 4) / 100));
}

/** Load workers: the option, or with auto the cores QEMU leaves spare (its vCPU and main loop take
 * about two threads' worth): max(1, min(8, cores - 2)). */
export function loadWorkerCount(o: SoakOptions, cores = availableParallelism()): number {
  return o.loadWorkers === "auto" ? Math.max(1, Math.min(8, cores - 2)) : o.loadWorkers;
}

/** Keep-alive connections: none when every request is on a new connection. */
export const keepAliveConnections = (o: SoakOptions) => (o.churnPercent >= 100 ? 0 : o.connections);

/** "path=weight,..." with "inm:" before a path for If-None-Match revalidations. */
export function parsePaths(spec: string): PathWeight[] {
  const paths = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const m = /^(inm:)?(\/[^=\s]*)(?:=(\d+))?$/.exec(item);
      if (!m)
        throw new UsageError(
          `--paths: "${item}" is not PATH[=WEIGHT] (PATH starts with /, "inm:" before it revalidates)`,
        );
      const weight = m[3] === undefined ? 1 : Number(m[3]);
      return { path: m[2], weight, revalidate: m[1] !== undefined };
    });
  if (paths.length === 0 || paths.every((p) => p.weight === 0))
    throw new UsageError("--paths: needs at least one path with a weight above 0");
  // the load walks a cycle with each path repeated by its weight: keep it small
  const total = paths.reduce((n, p) => n + p.weight, 0);
  if (total > MAX_PATH_WEIGHTS)
    throw new UsageError(
      `--paths: the weights add up to ${total}; at most ${MAX_PATH_WEIGHTS} (they are ratios: scale them down)`,
    );
  return paths;
}

/** The rules between options; each option's own bounds are in its flag's row (soak/flags/table.ts). */
export function validate(o: SoakOptions): SoakOptions {
  if (o.connections > o.requests)
    throw new UsageError(`--connections (${o.connections}) cannot exceed --requests (${o.requests})`);
  if (o.timeWarp && o.accel === "kvm")
    throw new UsageError(
      "--time-warp runs the guest under QEMU's instruction counter (icount), which TCG has and KVM has not: drop --accel kvm (with auto, --time-warp picks TCG)",
    );
  for (const [flag, set] of [
    ["uptime", o.uptimeS > 0],
    ["rate", o.rate > 0],
  ] as const)
    if (set && countersOff(o))
      throw new UsageError(
        `--${flag} goes by the guest's uptime counter (${o.counters.uptime}), which --stats-path none turns off: give the kernel's stats path, or use --duration (wall time)`,
      );
  if (o.kernel && o.fault)
    throw new UsageError("--fault builds the bundled kernel; it cannot be combined with --kernel");
  return o;
}
