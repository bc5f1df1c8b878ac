#!/usr/bin/env node
// Measures the action's preparation time on a fresh copy of the action: from the start
// of the step (node dist/index.js) to QEMU running, with the default inputs (the
// bundled kernel). The copy is a `git clone` of a commit into a temporary folder,
// without node_modules, as a runner's checkout of the action is. Prints one line
// per run and the median.  usage: node scripts/prepare-time.mjs [REPO] [COMMIT] [RUNS]
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repo = resolve(process.argv[2] ?? ".");
const commit = process.argv[3] ?? "HEAD";
const runs = Number(process.argv[4] ?? 3);

async function qemuRunningIn(dir) {
  for (const p of await readdir("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    const cmd = await readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "");
    if (cmd.startsWith("qemu-system") && cmd.includes(dir)) return true;
  }
  return false;
}

async function once() {
  const top = await mkdtemp(join(tmpdir(), "prepare-time-"));
  try {
    const action = join(top, "action");
    const clone = spawnSync("git", ["clone", "-q", repo, action], { stdio: "inherit" });
    if (clone.status !== 0) throw new Error("git clone failed");
    spawnSync("git", ["-C", action, "checkout", "-q", commit], { stdio: "inherit" });
    const temp = join(top, "runner-temp");
    const ws = join(top, "workspace");
    spawnSync("mkdir", ["-p", temp, ws]);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, RUNNER_TEMP: temp, GITHUB_WORKSPACE: ws };
    const yml = await readFile(join(action, "action.yml"), "utf8");
    for (const m of yml.matchAll(/^ {2}([a-z-]+):\n {4}description:.*\n {4}default: "?([^"\n]*)"?$/gm))
      env[`INPUT_${m[1].toUpperCase()}`] = m[2];
    env.INPUT_REQUESTS = "1000000"; // the run is stopped once QEMU is up
    for (const f of ["GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_STEP_SUMMARY", "GITHUB_ENV"]) {
      env[f] = join(temp, f);
      await writeFile(env[f], "");
    }
    const started = performance.now();
    const child = spawn(process.execPath, [join(action, "dist", "index.js")], { cwd: ws, env, stdio: "ignore" });
    const exited = new Promise((r) => child.on("close", r));
    let seconds;
    for (;;) {
      if (await qemuRunningIn(temp)) {
        seconds = (performance.now() - started) / 1000;
        break;
      }
      if (child.exitCode !== null) throw new Error(`the action exited (${child.exitCode}) before QEMU started`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGINT");
    await exited;
    return seconds;
  } finally {
    await rm(top, { recursive: true, force: true });
  }
}

const times = [];
for (let i = 0; i < runs; i++) {
  const s = await once();
  times.push(s);
  console.log(`run ${i + 1}: ${s.toFixed(1)} s`);
}
times.sort((a, b) => a - b);
console.log(
  `median of ${runs}: ${times[Math.floor(runs / 2)].toFixed(1)} s (${times.map((t) => t.toFixed(1)).join(", ")})`,
);
