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
