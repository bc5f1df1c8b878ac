// The compare gate's false alarms and power, measured: RUNS compares of the bundled kernel
// against itself (every regression is a false alarm) and RUNS against itself with
// slow_request_ns=N on B for each N (every regression is a catch), each a whole
// `unikernel-soak compare` through the CLI, one after another. Prints one Markdown row per
// condition: regressions of runs, the mean B / A of guest CPU per request, the mean 95%
// interval's width, the wall time of a compare. For a quiet machine (the figures on a busy
// shared one say more about the machine): 10 + 10 is about an hour under TCG.
// Run: npx tsx bench/compare-power.ts [N…] (default 2000; 0 = the A-vs-A runs only);
// BENCH_RUNS (default 10), BENCH_ROUNDS (measured rounds a kernel, default 6),
// BENCH_REQUESTS (a round's requests, default 20000), BENCH_ACCEL (default tcg).
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildKernel } from "../kernel/build.ts";
import type { CompareResult } from "../soak/index.ts";

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const ROUNDS = process.env.BENCH_ROUNDS ?? "6";
const REQUESTS = process.env.BENCH_REQUESTS ?? "20000";
const ACCEL = process.env.BENCH_ACCEL ?? "tcg";
const slowNs = process.argv.slice(2).length ? process.argv.slice(2).map(Number) : [2000];

/** One compare into a fresh folder (removed after): its exit code, compare.json and wall time. */
async function compareOnce(elf: string, headAppend: string) {
  const dir = await mkdtemp(join(tmpdir(), "bench-compare-"));
  const out = join(dir, "cmp");
  const args = ["--base", elf, "--head", elf, "--rounds", ROUNDS, "--accel", ACCEL, "--requests", REQUESTS];
  if (headAppend) args.push("--head-append", headAppend);
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "compare", ...args, "--out", out], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const code = await new Promise<number | null>((r) => child.on("close", r));
  const wallS = (performance.now() - started) / 1000;
  const result = JSON.parse(await readFile(join(out, "compare.json"), "utf8")) as CompareResult;
  await rm(dir, { recursive: true, force: true });
  return { code, result, wallS };
}

const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
const { elf } = await buildKernel();
const lines = [
  `${RUNS} compares each, ${ROUNDS} measured rounds a kernel of ${REQUESTS} requests, ${ACCEL}; threshold 5%`,
  "",
  "| B | regressions | other verdicts | mean B / A (guest µs/req) | mean interval width | wall s a compare |",
  "|---|---:|---|---:|---:|---:|",
];
for (const ns of [0, ...slowNs.filter((n) => n > 0)]) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await compareOnce(elf, ns ? `slow_request_ns=${ns}` : "");
    console.error(`slow_request_ns=${ns} run ${i + 1}: ${r.result.verdict.kind} (exit ${r.code})`);
    runs.push(r);
  }
  const gate = runs.map((r) => r.result.metrics.find((m) => m.key === "guest_us_per_request"));
  const regressions = runs.filter((r) => r.result.verdict.kind === "regression").length;
  const others = [...new Set(runs.map((r) => r.result.verdict.kind).filter((k) => k !== "regression"))].join(", ");
  lines.push(
    `| ${ns ? `slow_request_ns=${ns}` : "the same kernel"} | ${regressions} of ${RUNS} | ${others || "–"} | ${mean(gate.map((g) => g?.ratio ?? NaN)).toFixed(3)} | ${mean(gate.map((g) => (g && Number.isFinite(g.high) ? g.high - g.low : NaN))).toFixed(3)} | ${mean(runs.map((r) => r.wallS)).toFixed(0)} |`,
  );
}
console.log(lines.join("\n"));
