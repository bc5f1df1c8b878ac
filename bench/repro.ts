// Wall time of `unikernel-soak repro --attempts 5` for each fault switch (a default-mix soak's
// report, then RUNS repros of it, each into a folder of its own), and of the bisect test, as
// BENCHMARKS.md reports them. Run: npx tsx bench/repro.ts [FAULT…|bisect]; BENCH_RUNS (default 3).
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildKernel } from "../kernel/build.ts";
import { FAULTS } from "../kernel/fault-switches.ts";
import type { ReproVerdict } from "../soak/index.ts";

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const which = process.argv.slice(2).length ? process.argv.slice(2) : [...Object.keys(FAULTS), "bisect"];

/** Runs a command from the repository's root; resolves with its wall time in seconds and exit code. */
function timed(cmd: string, args: string[]): Promise<{ s: number; code: number | null }> {
  const started = performance.now();
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  return new Promise((r) => child.on("close", (code) => r({ s: (performance.now() - started) / 1000, code })));
}

const cli = (...args: string[]) => timed(process.execPath, ["--import", "tsx", "cli/main.ts", ...args]);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const row = (xs: number[]) => {
  const s = sorted(xs);
  return `${s[Math.floor(s.length / 2)].toFixed(0)} | ${s[0].toFixed(0)}-${s.at(-1)?.toFixed(0)}`;
};

const lines = [
  "| | wall s, median | spread | minimised scenario (first run) | reproduces |",
  "|---|---:|---:|---|---|",
];
for (const name of which) {
  if (name === "bisect") {
    const walls: number[] = [];
    for (let i = 0; i < RUNS; i++) walls.push((await timed("npx", ["vitest", "run", "soak/test/bisect.test.ts"])).s);
    lines.push(`| bisect test (8 commits) | ${row(walls)} | | |`);
    continue;
  }
  const elf = (await buildKernel({ fault: name })).elf;
  const dir = await mkdtemp(join(tmpdir(), "bench-repro-"));
  try {
    const report = join(dir, "report");
    const soak = ["--kernel", elf, "--accel", "tcg", "--requests", "200000", "--warmup", "2"];
    await cli(...soak, "--append", "fault_after_requests=2000", "--out", report);
    const walls: number[] = [];
    let first: ReproVerdict | undefined;
    for (let i = 1; i <= RUNS; i++) {
      const out = join(dir, `repro-${i}`);
      // 5 fresh boots per confirmation: the minimised scenario must fail the same way on at least 4
      const { s, code } = await cli("repro", report, "--attempts", "5", "--out", out);
      if (code !== 0) throw new Error(`${name}: repro exited with ${code}; see ${out}`);
      walls.push(s);
      first ??= JSON.parse(await readFile(join(out, "verdict.json"), "utf8")) as ReproVerdict;
    }
    const m = first?.minimised;
    const scenario = `${m?.scenario.connections ?? 50} conn, ${m?.scenario.paths ?? "default mix"}, ${m?.scenario.requests} requests`;
    lines.push(
      `| repro ${name} | ${row(walls)} | ${scenario} | ${m?.confirmation.reproduced}/${m?.confirmation.attempts} |`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.error(lines.at(-1));
}
console.log(lines.join("\n"));
