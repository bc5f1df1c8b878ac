// Engines and options side by side: full default soaks through the CLI (from the sources,
// as `npx tsx cli/main.ts`), in turns, each variant a checkout and extra flags, with the
// rate as a ratio to the first and the CPU per thread over the load (the samples whose
// last timeline second had responses) of QEMU (main loop, vCPU), the engine and each load
// worker. Prints a Markdown table at the end.
//   npx tsx bench/soaks.ts [--requests N] [--runs N] NAME=DIR[:FLAGS] ...
// e.g. before=/tmp/base now=. "user=.:--network user" "w2=.:--load-workers 2"
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { readReportFile } from "../soak/index.ts";
import { childProcesses, threadCpu } from "./threads.ts";

interface Sample {
  at: number;
  /** the load was running: the timeline's last second had responses */
  loading: boolean;
  /** CPU seconds by role */
  cpu: Map<string, number>;
}

/** CPU seconds so far of every thread that matters, by role ("qemu main loop", "worker 2 main", ...) */
async function roles(engine: number): Promise<Map<string, number>> {
  const cpu = new Map<string, number>();
  const add = (role: string, s: number) => cpu.set(role, (cpu.get(role) ?? 0) + s);
  const of = async (pid: number, main: string, prefix: string, vcpu = false) => {
    for (const [name, s] of await threadCpu(pid))
      add(vcpu && name.startsWith("CPU ") ? `${prefix} vCPU` : name === main ? `${prefix} main` : `${prefix} other`, s);
  };
  await of(engine, "node", "engine");
  let w = 0;
  for (const c of await childProcesses(engine)) {
    if (c.cmd.includes("load-worker")) await of(c.pid, "node", `worker ${++w}`);
    else if (c.cmd.includes("qemu-system")) await of(c.pid, "qemu-system-x86", "qemu", true);
  }
  return cpu;
}

async function soak(dir: string, flags: string[], requests: number) {
  const out = await mkdtemp(join(tmpdir(), "bench-workers-"));
  // the engine names QEMU's threads ("CPU 0/TCG": vm/qemu.ts), so its vCPU can be told from its main loop
  // a checkout from before the CLI moved to cli/ has it at soak/cli.ts
  const entry = existsSync(join(dir, "cli/main.ts")) ? "cli/main.ts" : "soak/cli.ts";
  const args = ["--import", "tsx", entry, "--requests", String(requests), "--out", out, ...flags];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  const samples: Sample[] = [];
  const poll = setInterval(async () => {
    const lines = (await readFile(join(out, "timeline.jsonl"), "utf8").catch(() => "")).trim().split("\n");
    const loading = /"rps":[1-9]/.test(lines[lines.length - 1]); // a line being written reads as not loading
    samples.push({ at: performance.now(), loading, cpu: await roles(child.pid ?? 0).catch(() => new Map()) });
  }, 500);
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  clearInterval(poll);
  const report = await readReportFile(out);
  await rm(out, { recursive: true, force: true });
  if (code !== 0) throw new Error(`${dir} ${flags.join(" ")}: exit ${code}, verdict ${report.verdict.kind}`);
  // the load: not its start-up, not the settling after it (QEMU's threads end when it stops)
  const a = samples.find((s) => s.loading);
  const b = samples.findLast((s) => s.loading);
  if (!a || !b || b === a) throw new Error("too short to measure");
  const wall = (b.at - a.at) / 1000;
  const cores = [...b.cpu].map(([role, s]) => [role, (s - (a.cpu.get(role) ?? 0)) / wall] as const);
  return { rps: Math.round(report.load?.rps ?? 0), p99: report.load?.latencyMs.p99, cores: new Map(cores) };
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { requests: { type: "string", default: "600000" }, runs: { type: "string", default: "3" } },
});
const variants = positionals.map((v) => {
  const [name, rest] = [v.slice(0, v.indexOf("=")), v.slice(v.indexOf("=") + 1)];
  const [dir, flags = ""] = rest.split(":");
  return { name, dir: resolve(dir), flags: flags.split(" ").filter(Boolean) };
});
const results = new Map<string, Awaited<ReturnType<typeof soak>>[]>();
for (let run = 1; run <= Number(values.runs); run++)
  for (const v of variants) {
    const r = await soak(v.dir, v.flags, Number(values.requests));
    results.set(v.name, [...(results.get(v.name) ?? []), r]);
    const cores = [...r.cores].map(([k, c]) => `${k} ${c.toFixed(2)}`).join(", ");
    console.log(`run ${run} ${v.name}: ${r.rps} req/s, p99 ${r.p99} ms; cores: ${cores}`);
  }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const first = median(
  results
    .values()
    .next()
    .value?.map((r) => r.rps) ?? [1],
);
console.log("\n| soak | req/s | spread | × first | p99 ms | cores over the load, by thread (medians) |");
console.log("|---|---:|---:|---:|---:|---|");
for (const [name, rs] of results) {
  const rps = rs.map((r) => r.rps);
  const roleNames = [...new Set(rs.flatMap((r) => [...r.cores.keys()]))].filter((k) => !k.endsWith("other")).sort();
  const cores = roleNames.map((k) => `${k} ${median(rs.map((r) => r.cores.get(k) ?? 0)).toFixed(2)}`);
  console.log(
    `| ${name} | ${fmt(median(rps))} | ${fmt(Math.min(...rps))}-${fmt(Math.max(...rps))} | ${(median(rps) / first).toFixed(2)} | ${median(rs.map((r) => r.p99 ?? 0))} | ${cores.join(", ")} |`,
  );
}
