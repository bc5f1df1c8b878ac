// CPU seconds per thread of a process, from /proc/PID/task/*/stat, grouped by thread
// name (QEMU names its vCPU thread "CPU 0/TCG" or "CPU 0/KVM"; its main loop, where
// user networking runs, keeps the process name).
import { readdir, readFile } from "node:fs/promises";

const CLK_TCK = 100; // Linux's USER_HZ on x86-64

export async function threadCpu(pid: number): Promise<Map<string, number>> {
  const byName = new Map<string, number>();
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, "utf8").catch(() => "");
    if (!stat) continue; // the thread ended
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
  }
  return byName;
}

/** What each thread spent between two readings, in seconds. */
export function cpuBetween(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([name, s]) => [name, s - (before.get(name) ?? 0)]));
}

/** QEMU's vCPU threads' seconds in `q` (a reading or cpuBetween's): their names start "CPU ". */
export const vcpuSeconds = (q: Map<string, number>) =>
  [...q].filter(([name]) => name.startsWith("CPU ")).reduce((a, [, s]) => a + s, 0);

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
