// Runs the real CLI against the stand-in VMM for one hostile case, then checks the
// invariants (invariants.ts), that none of the case's processes is left (each carries the
// case's marker in its environment) and that its temporary folder is empty again.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Report } from "../../report/types.ts";
import { ROOT, TSX } from "../cli-run.ts";
import { type Behaviour, SCRIPT_ENV } from "./behaviour.ts";
import { brokenInvariants, type EngineRun } from "./invariants.ts";

export const VMM = join(import.meta.dirname, "vmm.mjs");
const MARKER_ENV = "HOSTILE_CASE";
/** a case's engine is killed after this long: every wait in a tiny soak is far shorter */
const DEADLINE_MS = 60_000;

export interface HostileCase {
  name: string;
  behaviour: Behaviour;
  /** more CLI flags, after the tiny soak's */
  args?: string[];
}

export interface CaseOutcome {
  name: string;
  broken: string[];
  report?: Report;
  run: EngineRun;
  wallMs: number;
}

/** The smallest soak the options allow: a few requests, one connection, short timeouts. */
export const tinySoak = (elf: string, out: string) => [
  ...["--kernel", elf, "--qemu", VMM, "--accel", "tcg", "--network", "user", "--out", out],
  ...["--requests", "4", "--connections", "1", "--load-workers", "1", "--churn", "0", "--paths", "/=1"],
  ...["--boot-timeout", "2", "--health-timeout", "500", "--health-failures", "1", "--request-timeout", "1"],
  ...["--warmup", "0", "--hang-dump-mb", "1"],
];

let cases = 0;

/** PIDs whose environment carries `marker` (processes of one case, however deep). */
async function markedPids(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const p of await readdir("/proc")) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    const env = await readFile(`/proc/${p}/environ`, "latin1").catch(() => "");
    if (env.split("\0").includes(marker)) pids.push(Number(p));
  }
  return pids;
}

/** The case's processes still there after a short grace: named as broken, then killed. */
async function leftovers(marker: string): Promise<string[]> {
  let pids = await markedPids(marker);
  for (let i = 0; i < 20 && pids.length; i++) {
    await new Promise((r) => setTimeout(r, 100));
    pids = await markedPids(marker);
  }
  const names = await Promise.all(
    pids.map(async (pid) => (await readFile(`/proc/${pid}/cmdline`, "latin1").catch(() => "")).replace(/\0/g, " ")),
  );
  for (const pid of pids) process.kill(pid, "SIGKILL");
  return pids.length ? [`processes: left running: ${names.map((n) => n.slice(0, 120)).join(" | ")}`] : [];
}

function engine(args: string[], env: NodeJS.ProcessEnv): Promise<EngineRun> {
  const child = spawn(process.execPath, ["--import", TSX, join(ROOT, "soak/cli.ts"), ...args], { cwd: ROOT, env });
  let [stdout, stderr, overran] = ["", "", false];
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => {
    overran = true;
    child.kill("SIGKILL");
  }, DEADLINE_MS);
  return new Promise((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, overran });
    }),
  );
}

/** Runs `c` against the kernel file `elf` (the stand-in never boots it; the engine reads its notes). */
export async function runCase(c: HostileCase, elf: string): Promise<CaseOutcome> {
  const started = Date.now();
  const marker = `${MARKER_ENV}=${process.pid}-${++cases}`;
  const dir = await mkdtemp(join(tmpdir(), "hostile-case-"));
  const tmp = await mkdtemp(join(tmpdir(), "hostile-tmp-"));
  // tsx keeps its compile cache in the temp folder: share the warm one rather than compile afresh
  const tsxCache = `tsx-${process.getuid?.() ?? 0}`;
  await symlink(join(tmpdir(), tsxCache), join(tmp, tsxCache));
  try {
    const out = join(dir, "report");
    const env = {
      ...process.env,
      TMPDIR: tmp,
      [SCRIPT_ENV]: JSON.stringify(c.behaviour),
      [MARKER_ENV]: marker.split("=")[1],
    };
    const run = await engine([...tinySoak(elf, out), ...(c.args ?? [])], env);
    const { broken, report } = await brokenInvariants(run, out);
    broken.push(...(await leftovers(marker)));
    const left = (await readdir(tmp)).filter((f) => f !== tsxCache);
    if (left.length) broken.push(`temp: left in the engine's temporary folder: ${left.join(", ")}`);
    return { name: c.name, broken, report, run, wallMs: Date.now() - started };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Runs `cases` with at most `lanes` engines at once, in order of the list. */
export async function runCases(list: HostileCase[], elf: string, lanes: number): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = new Array(list.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < list.length; i = next++) outcomes[i] = await runCase(list[i], elf);
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return outcomes;
}
