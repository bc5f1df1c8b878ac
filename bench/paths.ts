// The runner's paths into the guest (BENCHMARKS.md, "Root, sudo and user networking"): the
// default soak of the bundled kernel through the CLI, `--network auto`, as root (the tap
// path), as a runner's user with password-less sudo (the tap path through sudo), and as root
// with `--network user` (QEMU user networking, where a runner without sudo ends up), in turns,
// medians of RUNS, the order rotated from run to run. Root only (it makes the runner's user,
// and removes it after).
// Usage: npx tsx bench/paths.ts [RUNS=3] [REQUESTS=1000000]
import { spawn } from "node:child_process";
import { chown, copyFile, mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildKernel } from "../kernel/build.ts";
import { readReportFile } from "../soak/index.ts";
import { makeRunnerAccount, type RunnerUser, removeRunnerAccount } from "../soak/test/runner-account.ts";

const ROOT = resolve(import.meta.dirname, "..");
const [runs, requests] = [3, 1_000_000].map((d, i) => Number(process.argv[2 + i] ?? d));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const { elf } = await buildKernel();

/** One soak through the CLI into a fresh folder (as `user` when given): its report's figures. */
async function soak(flags: string[], user?: RunnerUser) {
  const out = await mkdtemp(join(user?.home ?? tmpdir(), "bench-paths-"));
  const kernel = join(out, "kernel.elf");
  await copyFile(elf, kernel);
  const cli = [process.execPath, "--import", "tsx", join(ROOT, "cli/main.ts"), "--kernel", kernel];
  const args = [...cli, "--requests", String(requests), "--out", join(out, "r"), ...flags];
  if (user) {
    await chown(out, user.uid, user.gid);
    await chown(kernel, user.uid, user.gid);
    args.unshift("setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, "--init-groups", "--reset-env", "--");
    args.splice(args.indexOf("--") + 1, 0, "env", `TMPDIR=${user.home}`);
  }
  const child = spawn(args[0], args.slice(1), { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  const code = await new Promise<number | null>((r) => child.on("close", r));
  const report = await readReportFile(join(out, "r"));
  await rm(out, { recursive: true, force: true });
  const load = report.load;
  return {
    code,
    rps: load?.rps ?? 0,
    p99: load?.latencyMs.p99 ?? 0,
    /** the guest's vCPU per request, µs */
    vcpuUs: load ? ((load.vcpuS ?? 0) * 1e6) / load.requests : 0,
    used: [report.network?.used, report.network?.via].filter(Boolean).join(" "),
  };
}

const user = await makeRunnerAccount({ sudo: true });
try {
  const variants: { name: string; flags: string[]; user?: RunnerUser }[] = [
    { name: "root", flags: [] },
    { name: "runner's user, sudo", flags: [], user },
    { name: "root, --network user", flags: ["--network", "user"] },
  ];
  const results = new Map(variants.map((v) => [v.name, [] as Awaited<ReturnType<typeof soak>>[]]));
  // the order rotates from run to run (A B C, B C A, C A B, …): each side takes each place
  for (let r = 0; r < runs; r++)
    for (const v of variants.map((_, i) => variants[(i + r) % variants.length])) {
      const s = await soak(v.flags, v.user);
      console.error(
        `${v.name}: exit ${s.code}, ${s.used}, ${Math.round(s.rps)} req/s, p99 ${s.p99} ms, guest ${s.vcpuUs.toFixed(1)} µs/req`,
      );
      results.get(v.name)?.push(s);
    }
  console.log(`${cpus()[0].model}, ${cpus().length} cores; ${runs} soaks each of ${requests} requests, in turns`);
  console.log(
    "\n| who | path | req/s (median) | p99, ms (median) | guest µs/req (median) | exits |\n|---|---|---:|---:|---:|---|",
  );
  for (const [name, xs] of results)
    console.log(
      `| ${name} | ${xs[0]?.used} | ${Math.round(median(xs.map((x) => x.rps)))} | ${median(xs.map((x) => x.p99))} | ${median(xs.map((x) => x.vcpuUs)).toFixed(1)} | ${xs.map((x) => x.code).join(" ")} |`,
    );
} finally {
  await removeRunnerAccount(user);
}
