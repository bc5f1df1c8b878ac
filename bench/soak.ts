// One full default soak through the CLI, as a user runs it, with the engine process
// watched from /proc: its own CPU time (not QEMU's) and its peak resident memory.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readReportFile } from "../soak/index.ts";
import { childProcesses, processCpu } from "./threads.ts";

export interface SoakRun {
  wallS: number;
  readyMs: number;
  rps: number;
  engineCpuS: number;
  /** the load workers' CPU (child processes, when the engine has them) */
  workersCpuS: number;
  enginePeakMiB: number;
  network: string;
}

async function engineUsage(pid: number) {
  const [stat, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, "utf8"),
    readFile(`/proc/${pid}/status`, "utf8"),
  ]);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
  if (!hwm) throw new Error("no VmHWM: the process is exiting"); // a zombie has no memory lines
  return { cpuS: (Number(f[11]) + Number(f[12])) / 100, peakMiB: Number(hwm[1]) / 1024 };
}

export interface SoakSpec {
  /** an ELF to soak instead of the bundled kernel (which the CLI builds or keeps) */
  kernel?: string;
}

/** The engine's load workers, by pid: their CPU seconds as last seen. */
async function workerCpu(engine: number, seen: Map<number, number>): Promise<void> {
  for (const c of await childProcesses(engine))
    if (c.cmd.includes("load-worker")) seen.set(c.pid, await processCpu(c.pid));
}

export async function soakOnce(accel: "kvm" | "tcg", spec: SoakSpec = {}): Promise<SoakRun> {
  const out = await mkdtemp(join(tmpdir(), "bench-soak-"));
  const started = performance.now();
  // node itself, not npx/tsx wrappers, so the pid watched is the engine's
  const args = ["--import", "tsx", "cli/main.ts", "--accel", accel, "--out", out];
  const child = spawn(process.execPath, spec.kernel ? [...args, "--kernel", spec.kernel] : args, {
    stdio: ["ignore", "ignore", "inherit"],
  });
  let last = { cpuS: 0, peakMiB: 0 };
  const workers = new Map<number, number>();
  const poll = setInterval(async () => {
    last = await engineUsage(child.pid ?? 0).catch(() => last); // the final reading is up to 0.2 s early
    await workerCpu(child.pid ?? 0, workers);
  }, 200);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearInterval(poll);
  const wallS = (performance.now() - started) / 1000;
  const report = await readReportFile(out);
  if (code !== 0) throw new Error(`the soak did not pass (exit ${code}, verdict ${report.verdict.kind}); see ${out}`);
  await rm(out, { recursive: true, force: true });
  return {
    wallS: Math.round(wallS),
    readyMs: report.boot.readyMs ?? Number.NaN,
    rps: Math.round(report.load?.rps ?? 0),
    engineCpuS: Math.round(last.cpuS),
    workersCpuS: Math.round([...workers.values()].reduce((a, b) => a + b, 0)),
    enginePeakMiB: Math.round(last.peakMiB),
    network: report.network?.used ?? "user",
  };
}
