// CPU seconds per thread of a process, from /proc/PID/task/*/, grouped by thread name.
// QEMU names its threads when started with `-name …,debug-threads=on` (vm/qemu.ts): the
// vCPU thread "CPU 0/TCG" or "CPU 0/KVM", its main loop (user networking) the process name.
// The vCPU thread's time is the guest's own work, steadier than requests a second.
import { readdir, readFile } from "node:fs/promises";

const CLK_TCK = 100; // Linux's USER_HZ on x86-64

export async function threadCpu(pid: number): Promise<Map<string, number>> {
  const byName = new Map<string, number>();
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, "utf8").catch(() => "");
    if (!stat) continue; // the thread ended
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    byName.set(name, (byName.get(name) ?? 0) + (await cpuSeconds(`/proc/${pid}/task/${tid}`, stat)));
  }
  return byName;
}

/** A thread's CPU time: schedstat's run time in ns where the kernel keeps it, else stat's
 * user + system ticks (10 ms: too coarse to compare short runs by). */
async function cpuSeconds(task: string, stat: string): Promise<number> {
  const ns = Number((await readFile(`${task}/schedstat`, "utf8").catch(() => "")).split(" ")[0]);
  if (ns > 0) return ns / 1e9;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

const isVcpu = (name: string) => name.startsWith("CPU ");

/** QEMU's vCPU threads' seconds in `q` (a reading, or a difference of two). */
export const vcpuSeconds = (q: Map<string, number>) =>
  [...q].filter(([name]) => isVcpu(name)).reduce((a, [, s]) => a + s, 0);

/** The vCPU threads' CPU seconds so far; undefined when QEMU is gone or names no vCPU thread
 * (a `--qemu-arg -name` without debug-threads=on, say). */
export async function guestCpuSeconds(pid: number): Promise<number | undefined> {
  const threads = await threadCpu(pid);
  return [...threads.keys()].some(isVcpu) ? vcpuSeconds(threads) : undefined;
}
