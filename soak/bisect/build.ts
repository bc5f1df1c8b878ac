// The kernel at the checked-out commit: the user's build command run in the worktree,
// its ELF kept under <out>/builds/ by a key of what it is built from (the git trees of
// the build paths, the command, the ELF's path), so a commit whose build inputs are
// unchanged (one that touches only docs, say) reuses the ELF without building.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { access, copyFile, mkdir, open } from "node:fs/promises";
import { basename, join } from "node:path";
import { git } from "./git.ts";
import type { BisectPlan } from "./plan.ts";

/** A build that runs longer is stopped (and the commit skipped). */
const BUILD_TIMEOUT_MS = 20 * 60 * 1000;

export interface Built {
  elf?: string;
  how: "built" | "cached" | "failed";
  /** why it failed, with where the build's output is */
  error?: string;
}

async function buildKey(p: BisectPlan): Promise<string> {
  const trees = p.buildPaths.length
    ? await Promise.all(p.buildPaths.map((path) => git(p.worktree, "rev-parse", `HEAD:${path}`).catch(() => "-")))
    : [await git(p.worktree, "rev-parse", "HEAD^{tree}")];
  return createHash("sha256")
    .update(JSON.stringify([p.buildCommand, p.kernel, p.buildPaths, trees]))
    .digest("hex")
    .slice(0, 16);
}

const exists = (f: string) =>
  access(f).then(
    () => true,
    () => false,
  );

export async function buildAt(p: BisectPlan, log: (line: string) => void, signal?: AbortSignal): Promise<Built> {
  const key = await buildKey(p);
  const dir = join(p.out, "builds", key);
  const elf = join(dir, basename(p.kernel));
  if (await exists(elf)) return { elf, how: "cached" };
  await mkdir(dir, { recursive: true });
  const logFile = join(dir, "build.log");
  log(`building: ${p.buildCommand} (output in ${logFile})`);
  const out = await open(logFile, "w");
  const code = await new Promise<number | string>((resolve) => {
    const child = spawn("sh", ["-c", p.buildCommand], {
      cwd: p.worktree,
      stdio: ["ignore", out.fd, out.fd],
      env: { ...process.env, UNIKERNEL_SOAK_REPO: p.repo },
      detached: true,
    });
    // its own process group, so a timeout or a cancel stops the whole build
    const kill = () => process.kill(-(child.pid ?? 0), "SIGKILL");
    const timer = setTimeout(kill, BUILD_TIMEOUT_MS);
    signal?.addEventListener("abort", kill, { once: true });
    child.on("error", (err) => resolve(err.message));
    child.on("close", (c, by) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", kill);
      resolve(c ?? `killed by ${by}`);
    });
  });
  await out.close();
  if (code !== 0) return { how: "failed", error: `the build command exited with ${code} (see ${logFile})` };
  const made = join(p.worktree, p.kernel);
  if (!(await exists(made)))
    return { how: "failed", error: `the build command succeeded but made no ${p.kernel} (see ${logFile})` };
  await copyFile(made, elf);
  return { elf, how: "built" };
}
