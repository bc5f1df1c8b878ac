// Runs the real CLI against the stand-in VMM for one hostile case, then checks the
// invariants (invariants.ts), that none of the case's processes is left (each carries the
// case's marker in its environment) and that its temporary folder is empty again.
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Report } from "../../report/types.ts";
import { type Behaviour, SCRIPT_ENV } from "./behaviour.ts";
import type { Engine } from "./engines.ts";
import { brokenInvariants, type EngineRun } from "./invariants.ts";

export const VMM = join(import.meta.dirname, "vmm.mjs");
const MARKER_ENV = "HOSTILE_CASE";

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
export async function leftovers(marker: string): Promise<string[]> {
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

/** Runs `c` against the kernel file `elf` (the stand-in never boots it; the engine reads its notes). */
export async function runCase(c: HostileCase, elf: string, engine: Engine): Promise<CaseOutcome> {
  const started = Date.now();
  const id = `${process.pid}-${++cases}`;
  const dir = await mkdtemp(join(tmpdir(), "hostile-case-"));
  const tmp = await mkdtemp(join(tmpdir(), "hostile-tmp-"));
  // tsx keeps its compile cache in the temp folder: share the warm one rather than compile afresh
  const tsxCache = `tsx-${process.getuid?.() ?? 0}`;
  await mkdir(join(tmpdir(), tsxCache), { recursive: true });
  await symlink(join(tmpdir(), tsxCache), join(tmp, tsxCache));
  try {
    const out = join(dir, "report");
    const env = { TMPDIR: tmp, [SCRIPT_ENV]: JSON.stringify(c.behaviour), [MARKER_ENV]: id };
    const run = await engine([...tinySoak(elf, out), ...(c.args ?? [])], env);
    const { broken, report } = await brokenInvariants(run, out);
    broken.push(...(await leftovers(`${MARKER_ENV}=${id}`)));
    const left = (await readdir(tmp)).filter((f) => f !== tsxCache);
    if (left.length) broken.push(`temp: left in the engine's temporary folder: ${left.join(", ")}`);
    return { name: c.name, broken, report, run, wallMs: Date.now() - started };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Runs `list` on `lanes` engines at once (each lane its own from `engine()`), in order of the list. */
export async function runCases(
  list: HostileCase[],
  elf: string,
  lanes: number,
  engine: () => Engine & { close?(): void },
): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = new Array(list.length);
  let next = 0;
  const lane = async () => {
    const e = engine();
    for (let i = next++; i < list.length; i = next++) outcomes[i] = await runCase(list[i], elf, e);
    e.close?.();
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return outcomes;
}
