// The benchmarks behind BENCHMARKS.md, against the clean bundled kernel (medians of RUNS
// runs, the machine and accelerator recorded). Run: npm run bench [-- SECTION…], sections:
//   rate   the engine's driver (autocannon) beside wrk, and where the CPU goes
//   linux  the kernel beside the Linux reference (scripts/linux-guest/, built here: Debian's
//          kernel, busybox, an epoll server), both booted, in turns, wrk and autocannon:
//          the ratio kernel/Linux per row
//   sweep  connections 1…256 and response sizes /health … the 300 KiB asset
//   build  the kernel build from scratch beside the one kept when its inputs are unchanged
//   soak   the full default soak (2,000,000 requests) through the CLI: wall time, boot
//          to ready, the engine's own CPU and peak RSS
//   net    (only when named; root, passt) the network paths into the guest side by side, wrk,
//          in turns: QEMU user networking, passt, a tap in a private network namespace
//   compare  (only when named) BENCH_BASE=old.elf beside the kernel measured, in turns;
//          BENCH_PATHS=/a,/b narrows the paths
//   linux-net  (only when named; root) the kernel and the Linux reference over user
//          networking and the tap path, wrk, in turns
//   long   (only when named) a soak bounded by time through the CLI (BENCH_LONG_S, default
//          1800 s, the default churn) with the engine's own memory over time
//   hostile-rss  (only when named) the same against the hostile-guest tests' stand-in VMM
//          whose stats are ~50,000 counters (0.8 MiB) each answer (BENCH_LONG_S, default 600)
// BENCH_RUNS and BENCH_SECONDS change the shape; BENCH_KERNEL=path.elf measures that
// kernel instead of the bundled one.
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { buildKernel } from "../kernel/build.ts";
import { chooseAccel } from "../soak/index.ts";
import { timeBuilds } from "./build.ts";
import { compareKernels, PORTS } from "./compare.ts";
import { buildLinuxReference } from "./linux.ts";
import { longSoak } from "./long.ts";
import { BenchGuest, type Load, type Sample } from "./measure.ts";
import { compareNetworks, NETWORKS } from "./net.ts";
import { type SoakRun, soakOnce } from "./soak.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const sections = process.argv.slice(2).length ? process.argv.slice(2) : ["rate", "linux", "sweep", "build", "soak"];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (n: number) => `${Math.round(n * 100)}%`;
/** Guest vCPU time per request: the guest's own cost, steadier than the rate on a shared machine. */
const guestUs = (s: Sample[]) => s.map((x) => (x.cpu.vcpu / x.rps) * 1e6);
const fmtUs = (us: number) => (us < 100 ? us.toFixed(1) : fmt(us));
/** "min-max" */
const range = (xs: number[], f: (n: number) => string = fmt) => `${f(Math.min(...xs))}-${f(Math.max(...xs))}`;
/** "median (min-max)" */
const withSpread = (xs: number[], f: (n: number) => string) => `${f(median(xs))} (${range(xs, f)})`;
/** median(a) / median(b) */
const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);

/** RUNS measurements of `load` on one booted guest. */
async function series(elf: string, accel: "kvm" | "tcg", load: Load): Promise<Sample[]> {
  const guest = await BenchGuest.boot(elf, accel, load.ports);
  try {
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      samples.push(await guest.measure(load));
      const s = samples[i];
      console.error(`  ${load.tool} ${load.path} c=${load.connections}: ${fmt(s.rps)} req/s, p99 ${fmt(s.p99Ms)} ms`);
      if (s.errors) console.error(`    ${s.errors} errors`);
    }
    return samples;
  } finally {
    await guest.stop();
  }
}

function rateRow(name: string, s: Sample[]): string {
  const rps = s.map((x) => x.rps);
  const p99 = fmt(median(s.map((x) => x.p99Ms)));
  return `| ${name} | ${fmt(median(rps))} | ${range(rps)} | ${p99} | ${fmtUs(median(guestUs(s)))} |`;
}

const elf = process.env.BENCH_KERNEL ?? (await buildKernel()).elf;
if (!existsSync(elf)) throw new Error(`BENCH_KERNEL=${elf}: no such file; give the path of a kernel ELF`);
const { accel, refused } = await chooseAccel("auto");
if (refused) console.error(`WARNING: TCG, not KVM: ${refused}`);
console.log(`machine: ${cpus().length} × ${cpus()[0].model}, Node ${process.version}, QEMU ${accel.toUpperCase()}`);
console.log(`kernel: ${elf}`);
console.log(`date: ${new Date().toISOString().slice(0, 10)}; ${RUNS} runs × ${SECONDS} s per row; medians\n`);

if (sections.includes("rate")) {
  const base = { connections: 50, seconds: SECONDS } as const;
  const rows: [string, Load][] = [
    ["autocannon, keep-alive, /health, 1 port", { ...base, tool: "autocannon", path: "/health", ports: 1 }],
    ["wrk, keep-alive, /health, 1 port", { ...base, tool: "wrk", path: "/health", ports: 1 }],
    ["autocannon, keep-alive, /health, 25 ports", { ...base, tool: "autocannon", path: "/health", ports: 25 }],
    [
      "autocannon, keep-alive, /api/stats.json, 25 ports",
      { ...base, tool: "autocannon", path: "/api/stats.json", ports: 25 },
    ],
    [
      "autocannon, new connection per request, /health, 25 ports",
      { ...base, tool: "autocannon", path: "/health", ports: 25, close: true },
    ],
  ];
  const table = ["| load (50 connections) | req/s | spread | p99 ms | guest µs/req |", "|---|---:|---:|---:|---:|"];
  const cpuTable = [
    "| load | guest vCPU | QEMU main loop | other QEMU | load generator |",
    "|---|---:|---:|---:|---:|",
  ];
  for (const [name, load] of rows) {
    const s = await series(elf, accel, load);
    table.push(rateRow(name, s));
    const c = (k: keyof Sample["cpu"]) => pct(median(s.map((x) => x.cpu[k])));
    cpuTable.push(`| ${name} | ${c("vcpu")} | ${c("mainLoop")} | ${c("otherQemu")} | ${c("load")} |`);
  }
  console.log(`${table.join("\n")}\n\nCPU, share of one core:\n\n${cpuTable.join("\n")}\n`);
}

if (sections.includes("linux")) {
  const linux = await buildLinuxReference(accel);
  console.log(`Linux reference: ${linux.bzImage}, ${linux.initrd}, "${linux.append}"`);
  const loads = (["wrk", "autocannon"] as const).flatMap((tool) =>
    ["/health", "/api/stats.json"].map((path) => ({ tool, path, connections: 50, ports: PORTS, seconds: SECONDS })),
  );
  const table = [
    "| load (50 connections) | kernel req/s | Linux req/s | kernel/Linux | kernel p99 ms | Linux p99 ms | kernel guest µs/req | Linux guest µs/req | kernel/Linux |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const c of await compareKernels([elf, linux], accel, loads, RUNS, console.error)) {
    const [rk, rl] = [c.a, c.b].map((s) => s.map((x) => x.rps));
    const [pk, pl] = [c.a, c.b].map((s) => fmt(median(s.map((x) => x.p99Ms))));
    const [gk, gl] = [c.a, c.b].map(guestUs);
    const name = `${c.load.tool}, ${c.load.path}${c.load.tool === "wrk" ? ", 1 port" : `, ${PORTS} ports`}`;
    table.push(
      `| ${name} | ${withSpread(rk, fmt)} | ${withSpread(rl, fmt)} | ${ratio(rk, rl)} | ${pk} | ${pl} | ${withSpread(gk, fmtUs)} | ${withSpread(gl, fmtUs)} | ${ratio(gk, gl)} |`,
    );
  }
  console.log(`${table.join("\n")}\n`);
}

if (sections.includes("sweep")) {
  const table = ["| path | connections | req/s | spread | p99 ms | guest µs/req |", "|---|---:|---:|---:|---:|---:|"];
  const loads: Load[] = [
    ...[1, 10, 50, 128, 256].map((c) => ({ path: "/health", connections: c })),
    ...["/api/stats.json", "/index.html", "/large.txt"].map((path) => ({ path, connections: 50 })),
  ].map((l) => ({ ...l, tool: "autocannon", ports: Math.ceil(l.connections / 2), seconds: SECONDS }));
  for (const load of loads) {
    const row = rateRow(`${load.path} | ${load.connections}`, await series(elf, accel, load));
    table.push(row);
  }
  console.log(`${table.join("\n")}\n`);
}

if (sections.includes("compare")) {
  const base = process.env.BENCH_BASE;
  if (!base) throw new Error("compare: set BENCH_BASE to the kernel ELF to compare against");
  if (!existsSync(base)) throw new Error(`BENCH_BASE=${base}: no such file; give the path of a kernel ELF`);
  console.log(`base: ${base}`);
  const paths = (process.env.BENCH_PATHS ?? "/health,/api/stats.json,/index.html,/large.txt").split(",");
  const table = [
    "| path (50 connections) | base req/s | req/s | ratio | base guest µs/req | guest µs/req | ratio |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  const loads = paths.map(
    (path) => ({ tool: "autocannon", path, connections: 50, ports: PORTS, seconds: SECONDS }) as const,
  );
  for (const c of await compareKernels([base, elf], accel, loads, RUNS, console.error)) {
    const [r0, r1] = [c.a, c.b].map((s) => s.map((x) => x.rps));
    const [g0, g1] = [c.a, c.b].map(guestUs);
    table.push(
      `| ${c.load.path} | ${withSpread(r0, fmt)} | ${withSpread(r1, fmt)} | ${ratio(r1, r0)} | ${withSpread(g0, fmtUs)} | ${withSpread(g1, fmtUs)} | ${ratio(g1, g0)} |`,
    );
  }
  console.log(`${table.join("\n")}\n`);
}

if (sections.includes("net")) {
  const paths = (process.env.BENCH_PATHS ?? "/health,/api/stats.json,/index.html,/large.txt").split(",");
  const o = { paths, connections: 50, runs: RUNS, seconds: SECONDS, networks: [...NETWORKS] };
  const [results] = await compareNetworks([elf], accel, o, console.error);
  const table = [
    `| path (wrk, ${o.connections} connections) | into the guest | req/s | × user | p99 ms | guest µs/req | guest vCPU | QEMU main loop | passt | wrk |`,
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const path of paths) {
    const user = median((results.get("user")?.get(path) ?? []).map((s) => s.rps));
    for (const [network, byPath] of results) {
      const s = byPath.get(path) ?? [];
      const m = (f: (x: (typeof s)[number]) => number) => median(s.map(f));
      const us = fmtUs(m((x) => (x.cpu.vcpu / x.rps) * 1e6));
      table.push(
        `| ${path} | ${network} | ${fmt(m((x) => x.rps))} (${range(s.map((x) => x.rps))}) | ${(m((x) => x.rps) / user).toFixed(2)} | ${fmtUs(m((x) => x.p99Ms))} | ${us} | ${pct(m((x) => x.cpu.vcpu))} | ${pct(m((x) => x.cpu.mainLoop))} | ${pct(m((x) => x.cpu.passt))} | ${pct(m((x) => x.cpu.wrk))} |`,
      );
    }
  }
  console.log(`${table.join("\n")}\n`);
}

if (sections.includes("linux-net")) {
  // the kernel and the Linux reference on each path into the guest, wrk inside the tap's namespace
  const linux = await buildLinuxReference(accel);
  const paths = ["/health", "/api/stats.json"];
  const networks = ["user", "tap"] as const;
  const o = { paths, connections: 50, runs: RUNS, seconds: SECONDS, networks: [...networks] };
  const [k, l] = await compareNetworks([elf, linux], accel, o, console.error);
  const table = [
    "| path (wrk, 50 connections) | into the guest | kernel req/s | Linux req/s | kernel/Linux | kernel guest µs/req | Linux guest µs/req |",
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const path of paths)
    for (const network of networks) {
      const [sk, sl] = [k, l].map((r) => r.get(network)?.get(path) ?? []);
      const [rk, rl] = [sk, sl].map((s) => s.map((x) => x.rps));
      const [gk, gl] = [sk, sl].map((s) => s.map((x) => (x.cpu.vcpu / x.rps) * 1e6));
      table.push(
        `| ${path} | ${network} | ${withSpread(rk, fmt)} | ${withSpread(rl, fmt)} | ${ratio(rk, rl)} | ${withSpread(gk, fmtUs)} | ${withSpread(gl, fmtUs)} |`,
      );
    }
  console.log(`${table.join("\n")}\n`);
}

if (sections.includes("long"))
  await longSoak(accel, Number(process.env.BENCH_LONG_S ?? 1800), { kernel: process.env.BENCH_KERNEL });

if (sections.includes("hostile-rss")) {
  // the stand-in VMM of the hostile-guest tests, its stats ~50,000 counters (0.8 MiB) every answer
  const { VMM } = await import("../soak/test/hostile/run-case.ts");
  const { SCRIPT_ENV } = await import("../soak/test/hostile/behaviour.ts");
  // the stand-in is a node process building 0.8 MiB strings: its own memory is no kernel's leak
  const flags = [
    "--qemu",
    VMM,
    "--network",
    "user",
    "--connections",
    "2",
    "--load-workers",
    "1",
    "--rss-growth-mb",
    "4096",
  ];
  flags.push("--paths", "/health=1", "--kernel", (await buildKernel()).elf);
  const env = { [SCRIPT_ENV]: JSON.stringify({ stats: { answer: "ok", body: "wide" } }) };
  await longSoak("tcg", Number(process.env.BENCH_LONG_S ?? 600), { flags, env });
}

if (sections.includes("build")) {
  const { fullS, keptS } = await timeBuilds(RUNS);
  const s = (xs: number[]) => withSpread(xs, (n) => n.toFixed(2));
  console.log("| kernel build | seconds |\n|---|---:|");
  console.log(`| from scratch (asc, wasm-opt, wasm2c, gcc, ld) | ${s(fullS)} |`);
  console.log(`| inputs unchanged: digest them, keep the ELF | ${s(keptS)} |\n`);
}

type Measured = Exclude<keyof SoakRun, "network">;

if (sections.includes("soak")) {
  const runs: SoakRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(await soakOnce(accel, { kernel: process.env.BENCH_KERNEL }));
    console.error(`  soak run ${i + 1}: ${JSON.stringify(runs[i])}`);
  }
  const m = (k: Measured) => median(runs.map((r) => r[k]));
  const spread = (k: Measured) => range(runs.map((r) => r[k]));
  console.log(
    `| full default soak (2,000,000 requests, ${runs[0].network} networking) | median | spread |\n|---|---:|---:|`,
  );
  console.log(`| CLI start to verdict, s | ${m("wallS")} | ${spread("wallS")} |`);
  console.log(`| QEMU start to first /health answer, ms | ${m("readyMs")} | ${spread("readyMs")} |`);
  console.log(`| load rate, req/s | ${fmt(m("rps"))} | ${spread("rps")} |`);
  console.log(`| engine CPU, s | ${m("engineCpuS")} | ${spread("engineCpuS")} |`);
  console.log(`| load workers' CPU, s | ${m("workersCpuS")} | ${spread("workersCpuS")} |`);
  console.log(`| engine peak RSS, MiB | ${m("enginePeakMiB")} | ${spread("enginePeakMiB")} |`);
}
