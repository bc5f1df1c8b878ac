// What compare measures in each round, read from the round's report.json, and which way
// is better. Guest CPU µs per request is the steady one (the vCPU thread's own time, not
// the shared machine's), so it is the one the gate watches by default.
import type { Report } from "../report/types.ts";

export interface MetricDef {
  key: string;
  label: string;
  unit: string;
  better: "lower" | "higher";
  of: (r: Report) => number | undefined;
}

const pagesCounter = (r: Report) => String((r.options.counters as { pagesUsed?: string } | undefined)?.pagesUsed);

export const GATE_METRIC = "guest_us_per_request";

export const METRICS: MetricDef[] = [
  {
    key: GATE_METRIC,
    label: "guest CPU per request",
    unit: "µs",
    better: "lower",
    of: (r) =>
      r.load?.vcpuS !== undefined && r.load.requests > 0 ? (r.load.vcpuS * 1e6) / r.load.requests : undefined,
  },
  { key: "rps", label: "requests a second", unit: "req/s", better: "higher", of: (r) => r.load?.rps },
  { key: "p50_ms", label: "p50 latency", unit: "ms", better: "lower", of: (r) => r.load?.latencyMs.p50 },
  { key: "p99_ms", label: "p99 latency", unit: "ms", better: "lower", of: (r) => r.load?.latencyMs.p99 },
  { key: "boot_ms", label: "boot to ready", unit: "ms", better: "lower", of: (r) => r.boot.readyMs },
  {
    key: "pages_after",
    label: "pages in use after the load",
    unit: "pages",
    better: "lower",
    of: (r) => (r.guest.settled ?? r.guest.last)?.[pagesCounter(r)],
  },
  { key: "qemu_rss_mib", label: "QEMU RSS", unit: "MiB", better: "lower", of: (r) => r.host.rssMiB?.last },
];

/** The round's value of each metric it has, by key. */
export function roundMetrics(r: Report): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of METRICS) {
    const v = m.of(r);
    if (typeof v === "number" && Number.isFinite(v)) out[m.key] = v;
  }
  return out;
}
