// QEMU's own footprint from /proc: resident memory and CPU time.
import { readFile } from "node:fs/promises";

export interface HostSample {
  rssMiB: number;
  /** user + system CPU seconds so far */
  cpuS: number;
}

const PAGE_KIB = 4;
const CLK_TCK = 100; // Linux's USER_HZ on x86-64

export async function sampleProcess(pid: number): Promise<HostSample | undefined> {
  try {
    const [stat, statm] = await Promise.all([
      readFile(`/proc/${pid}/stat`, "utf8"),
      readFile(`/proc/${pid}/statm`, "utf8"),
    ]);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpuS = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    const rssMiB = (Number(statm.split(" ")[1]) * PAGE_KIB) / 1024;
    return { rssMiB, cpuS };
  } catch {
    return undefined; // the process is gone
  }
}
