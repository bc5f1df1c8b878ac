// The time warp, measured (BENCHMARKS.md "The time warp"): each condition a whole soak through
// the CLI, without and with --time-warp in turns (A B B A …), RUNS of each; prints one
// Markdown row per condition with the medians: the load's req/s, the guest's uptime per wall
// second over the soak (report.clock.warp), its verdict(s), and the soak's wall time.
//   idle:  --rate 0.05, to 30 s of uptime plain and 30 min warped (the guest left alone but for
//          a request every 20 s of its time and the watchers' probes, once a wall second)
//   load:  the default load, BENCH_REQUESTS requests (default 200000)
//   seed:  the seed's profile, --rate 3 --uptime 1h24m (with the warp only: plain, it takes 84 min)
//   wrap:  the timer-wrap fault (a 32-bit ms clock that wraps at 1 h of uptime): warped to 2 h of
//          uptime, then plain for as long in wall time as the warped run took
// Run: npx tsx bench/time-warp.ts [idle|load|seed …] (default all); BENCH_RUNS (default 3).
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildKernel } from "../kernel/build.ts";
import { readReportFile } from "../soak/index.ts";

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const REQUESTS = process.env.BENCH_REQUESTS ?? "200000";

/** each condition's flags plain and warped (none: not run plain) */
const CONDITIONS: Record<string, { plain?: string[]; warped: string[] }> = {
  idle: { plain: ["--rate", "0.05", "--uptime", "30s"], warped: ["--rate", "0.05", "--uptime", "30m"] },
  load: { plain: ["--requests", REQUESTS], warped: ["--requests", REQUESTS] },
  seed: { warped: ["--rate", "3", "--uptime", "1h24m"] },
};

interface Run {
  verdict: string;
  rps: number;
  warp: number;
  wallS: number;
  uptimeS: number;
}

async function soak(args: string[]): Promise<Run> {
  const out = await mkdtemp(join(tmpdir(), "bench-warp-"));
  const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", ...args, "--out", out], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  await new Promise((r) => child.on("close", r));
  const r = await readReportFile(out);
  await rm(out, { recursive: true, force: true });
  const uptimeS = r.struck?.guestUptimeS ?? r.clock?.uptimeS?.last ?? 0;
  return { verdict: r.verdict.kind, rps: r.load?.rps ?? 0, warp: r.clock?.warp ?? 0, wallS: r.wallS, uptimeS };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const row = (name: string, runs: Run[]) =>
  `| ${name} | ${runs.length} | ${Math.round(median(runs.map((r) => r.rps)))} | ${median(runs.map((r) => r.warp)).toFixed(1)} | ${median(runs.map((r) => r.wallS)).toFixed(0)} | ${[...new Set(runs.map((r) => r.verdict))].join(", ")} |`;

const { elf } = await buildKernel();
const asked = process.argv.slice(2);
const lines = [
  "| condition | runs | req/s (median) | guest s per wall s | wall s | verdicts |",
  "|---|---:|---:|---:|---:|---|",
];
for (const [name, c] of Object.entries(CONDITIONS)) {
  if (asked.length && !asked.includes(name)) continue;
  const base = ["--kernel", elf, "--accel", "tcg"];
  const plain: Run[] = [];
  const warped: Run[] = [];
  // A B B A: a machine that gets busier weighs on both alike
  for (let i = 0; i < RUNS; i++)
    for (const warp of i % 2 ? [true, false] : [false, true]) {
      if (warp) warped.push(await soak([...base, ...c.warped, "--time-warp"]));
      else if (c.plain) plain.push(await soak([...base, ...c.plain]));
    }
  if (plain.length) lines.push(row(`${name}, plain`, plain));
  lines.push(row(`${name}, --time-warp`, warped));
}
if (!asked.length || asked.includes("wrap")) {
  const wrap = (await buildKernel({ fault: "timer-wrap" })).elf;
  lines.push(
    "",
    "| timer-wrap (wraps at 1:00:00) | verdict | guest uptime reached / struck | wall s |",
    "|---|---|---:|---:|",
  );
  const base = ["--kernel", wrap, "--accel", "tcg"];
  const warped = await soak([...base, "--time-warp", "--uptime", "2h"]);
  const plain = await soak([...base, "--duration", String(Math.ceil(warped.wallS))]);
  for (const [name, r] of [
    ["--time-warp --uptime 2h", warped],
    [`plain, --duration ${Math.ceil(warped.wallS)}`, plain],
  ] as const)
    lines.push(`| ${name} | ${r.verdict} | ${(r.uptimeS / 60).toFixed(1)} min | ${r.wallS.toFixed(0)} |`);
}
console.log(lines.join("\n"));
