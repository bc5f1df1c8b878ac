// Two kernels side by side: both booted at once, measured in turns (A, B, A, B, …) on
// each load, so the shared machine's slow and fast minutes fall on both alike.
import { BenchGuest, type Kernel, type Load, type Sample } from "./measure.ts";

export interface Comparison {
  load: Load;
  /** the samples of the first kernel and of the second */
  a: Sample[];
  b: Sample[];
}

/** 50 connections, one forwarded port per two, as the engine runs (wrk uses the first) */
export const PORTS = 25;

export async function compareKernels(
  kernels: [Kernel, Kernel],
  accel: "kvm" | "tcg",
  loads: Load[],
  runs: number,
  log: (line: string) => void,
): Promise<Comparison[]> {
  const booted = await Promise.allSettled(kernels.map((k) => BenchGuest.boot(k, accel, PORTS)));
  const [a, b] = booted.map((r) => (r.status === "fulfilled" ? r.value : undefined));
  if (!a || !b) {
    await Promise.all([a?.stop(), b?.stop()]);
    throw booted.map((r) => r.status === "rejected" && r.reason).find(Boolean);
  }
  try {
    const out: Comparison[] = [];
    for (const load of loads) {
      const c: Comparison = { load, a: [], b: [] };
      for (let i = 0; i < runs; i++) {
        c.a.push(await a.measure(load));
        c.b.push(await b.measure(load));
        const errors = c.a[i].errors || c.b[i].errors ? ` (errors ${c.a[i].errors}, ${c.b[i].errors})` : "";
        log(
          `  ${load.tool} ${load.path} run ${i + 1}: ${Math.round(c.a[i].rps)}, ${Math.round(c.b[i].rps)} req/s${errors}`,
        );
      }
      out.push(c);
    }
    return out;
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}
