// Two kernels side by side: both booted at once, measured in turns (A, B, A, B, …) on
// each path, so the shared machine's slow and fast minutes fall on both alike.
import { Guest, type Load, type Sample } from "./measure.ts";

export interface Comparison {
  path: string;
  base: Sample[];
  next: Sample[];
}

export async function compareKernels(
  baseElf: string,
  nextElf: string,
  accel: "kvm" | "tcg",
  paths: string[],
  runs: number,
  seconds: number,
  log: (line: string) => void,
): Promise<Comparison[]> {
  const ports = 25; // 50 connections, one forwarded port per two, as the engine runs
  const [base, next] = await Promise.all([Guest.boot(baseElf, accel, ports), Guest.boot(nextElf, accel, ports)]);
  try {
    const out: Comparison[] = [];
    for (const path of paths) {
      const load: Load = { tool: "autocannon", path, connections: 50, ports, seconds };
      const c: Comparison = { path, base: [], next: [] };
      for (let i = 0; i < runs; i++) {
        c.base.push(await base.measure(load));
        c.next.push(await next.measure(load));
        log(`  ${path} run ${i + 1}: ${Math.round(c.base[i].rps)} -> ${Math.round(c.next[i].rps)} req/s`);
      }
      out.push(c);
    }
    return out;
  } finally {
    await Promise.all([base.stop(), next.stop()]);
  }
}
