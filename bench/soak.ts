// One full default soak through the CLI, as a user runs it, with the engine process
// watched from /proc: its own CPU time (not QEMU's) and its peak resident memory.
import { spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Report } from "../soak/report/types.ts";

export interface SoakRun {
  wallS: number;
  readyMs: number;
  rps: number;
  engineCpuS: number;
  enginePeakMiB: number;
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

/** `kernel`: an ELF to soak instead of the bundled kernel (which the CLI builds or keeps). */
export async function soakOnce(accel: "kvm" | "tcg", kernel?: string): Promise<SoakRun> {
  const out = await mkdtemp(join(tmpdir(), "bench-soak-"));
  const started = performance.now();
  // node itself, not npx/tsx wrappers, so the pid watched is the engine's
  const args = ["--import", "tsx", "soak/cli.ts", "--accel", accel, "--out", out];
  const child = spawn(process.execPath, kernel ? [...args, "--kernel", kernel] : args, {
    stdio: ["ignore", "ignore", "inherit"],
  });
  let last = { cpuS: 0, peakMiB: 0 };
  const poll = setInterval(async () => {
    last = await engineUsage(child.pid ?? 0).catch(() => last); // the final reading is up to 0.2 s early
  }, 200);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearInterval(poll);
  const wallS = (performance.now() - started) / 1000;
  const report = JSON.parse(await readFile(join(out, "report.json"), "utf8")) as Report;
  if (code !== 0) throw new Error(`the soak did not pass (exit ${code}, verdict ${report.verdict.kind}); see ${out}`);
  return {
    wallS: Math.round(wallS),
    readyMs: report.boot.readyMs ?? Number.NaN,
    rps: Math.round(report.load?.rps ?? 0),
    engineCpuS: Math.round(last.cpuS),
    enginePeakMiB: Math.round(last.peakMiB),
  };
}
