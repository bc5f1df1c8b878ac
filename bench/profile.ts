// The profiler's cost (BENCHMARKS.md, "Profiler"): (1) one stack sample of an idle bundled
// guest under TCG through the gdbstub and through QMP, alternating, median ms a sample; (2)
// soaks of the bundled kernel without and with --profile HZ, alternating (A B B A …), median
// req/s and the guest's vCPU µs a request. Quote the machine; both sides come from one run.
// Usage: npx tsx bench/profile.ts [ROUNDS=3] [REQUESTS=30000] [HZ=99]
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildKernel } from "../kernel/build.ts";
import { Guest, openSampler, readReportFile } from "../soak/index.ts";

const run = promisify(execFile);
const [rounds, requests, hz] = [3, 30_000, 99].map((d, i) => Number(process.argv[2 + i] ?? d));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const { elf } = await buildKernel();

const perSample: Record<"gdb" | "qmp", number[]> = { gdb: [], qmp: [] };
const guest = await Guest.boot({
  kernel: elf,
  accel: "tcg",
  network: "user",
  guestPorts: [80],
  loadPorts: 0,
  churnPorts: 0,
});
try {
  await guest.vm.serial.waitFor(/^ready$/, 20_000);
  for (let r = 0; r < rounds; r++)
    for (const kind of ["gdb", "qmp"] as const) {
      const sampler = await openSampler(kind, kind === "gdb" ? (guest.vm.gdbSocket as string) : guest.vm.qmpSocket);
      const n = 300;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await sampler.sample();
      perSample[kind].push((performance.now() - t0) / n);
      await sampler.close();
    }
} finally {
  await guest.stop();
}
for (const kind of ["gdb", "qmp"] as const) {
  const ms = median(perSample[kind]);
  console.log(
    `${kind}: ${ms.toFixed(2)} ms a sample (${(1000 / ms).toFixed(0)} samples/s), runs ${perSample[kind].map((x) => x.toFixed(2)).join(" ")}`,
  );
}

const soaks: Record<"off" | "on", { rps: number; vcpuUs: number; pauseMs?: number }[]> = { off: [], on: [] };
const cli = join(import.meta.dirname, "../cli/main.ts");
for (let r = 0; r < rounds; r++)
  for (const side of r % 2 ? (["on", "off"] as const) : (["off", "on"] as const)) {
    const out = await mkdtemp(join(tmpdir(), "bench-profile-"));
    try {
      const args = [
        "--import",
        "tsx",
        cli,
        "--kernel",
        elf,
        "--accel",
        "tcg",
        "--requests",
        String(requests),
        "--out",
        out,
      ];
      await run(process.execPath, side === "on" ? [...args, "--profile", String(hz)] : args, { maxBuffer: 64 << 20 });
      const report = await readReportFile(out);
      const load = report.load;
      if (!load) throw new Error(`no load in ${out}`);
      soaks[side].push({
        rps: load.rps,
        vcpuUs: ((load.vcpuS ?? 0) * 1e6) / load.requests,
        pauseMs: report.profile?.meanSampleMs,
      });
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
for (const side of ["off", "on"] as const) {
  const s = soaks[side];
  const pause = s.map((x) => x.pauseMs).filter((x) => x !== undefined) as number[];
  console.log(
    `--profile ${side === "on" ? hz : "off"}: ${median(s.map((x) => x.rps)).toFixed(0)} req/s (runs ${s.map((x) => x.rps.toFixed(0)).join(" ")}), guest ${median(s.map((x) => x.vcpuUs)).toFixed(1)} µs/req${pause.length ? `, ${median(pause).toFixed(2)} ms a sample` : ""}`,
  );
}
