// CPU seconds of processes and threads for the benchmarks; per thread by name is the
// engine's (soak/watch/threads.ts).
import { readdir, readFile } from "node:fs/promises";
import { threadCpu } from "../soak/index.ts";

export { threadCpu, vcpuSeconds } from "../soak/index.ts";

const CLK_TCK = 100; // Linux's USER_HZ on x86-64

/** What each thread spent between two readings, in seconds. */
export function cpuBetween(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([name, s]) => [name, s - (before.get(name) ?? 0)]));
}

/** CPU seconds of all the threads of `pid` (0 without a pid). */
export async function processCpu(pid: number | undefined): Promise<number> {
  if (!pid) return 0;
  return [...(await threadCpu(pid)).values()].reduce((a, s) => a + s, 0);
}

/** This process's CPU seconds, its own and its waited-for children's (wrk). */
export async function selfCpu(): Promise<{ own: number; children: number }> {
  const stat = await readFile("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { own: (Number(f[11]) + Number(f[12])) / CLK_TCK, children: (Number(f[13]) + Number(f[14])) / CLK_TCK };
}

/** The child processes of `parent`, with their command lines. */
export async function childProcesses(parent: number): Promise<{ pid: number; cmd: string }[]> {
  const out: { pid: number; cmd: string }[] = [];
  for (const p of (await readdir("/proc")).filter((d) => /^\d+$/.test(d))) {
    const stat = await readFile(`/proc/${p}/stat`, "utf8").catch(() => "");
    if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== parent) continue;
    out.push({ pid: Number(p), cmd: await readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "") });
  }
  return out;
}
