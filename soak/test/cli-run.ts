// Runs the CLI as a user does (node + tsx on cli/main.ts), and the folders it writes to,
// removed after the test file.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll } from "vitest";
import { readReportFile } from "../report/report-file.ts";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface CliRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

// tsx by path: the CLI may run in a folder that has no node_modules
export const TSX = createRequire(join(ROOT, "package.json")).resolve("tsx");

/** Runs the CLI with `args`; its own temporary files go into a folder removed after the test file
 * (an engine killed with SIGKILL cannot remove them itself). */
export function cli(args: string[], cwd = ROOT): CliRun {
  const env = { ...process.env, TMPDIR: engineTmp };
  const child = spawn(process.execPath, ["--import", TSX, join(ROOT, "cli/main.ts"), ...args], { cwd, env });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((r) =>
    child.on("close", (code) => r({ code, stdout, stderr })),
  );
  return { child, done };
}

const made: string[] = [];
afterAll(() => Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true }))));
const engineTmp = mkdtempSync(join(tmpdir(), "soak-engine-tmp-"));
made.push(engineTmp);

/** A new empty folder, removed after the test file. */
export async function tempDir(prefix = "soak-cli-"): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** The CLI's arguments for a soak of `elf` under TCG: `requests` requests into `out`. */
export const soakArgs = (elf: string, out: string, requests = 2_000_000, ...more: string[]) => [
  "--kernel",
  elf,
  "--accel",
  "tcg",
  "--requests",
  String(requests),
  "--out",
  out,
  ...more,
];

/** The report a soak wrote, through the engine's checked reader (a test fails on a report it would refuse). */
export const readReport = (out: string) => readReportFile(out);

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Resolves once the guest in `out` has printed its ready line. */
export const guestReady = (out: string) =>
  waitFor(
    "the guest's ready line",
    async () =>
      (await readFile(join(out, "serial.log"), "utf8").catch(() => "")).includes("ready") ? true : undefined,
    60_000,
  );

/** Is process `pid` still there (and not a zombie)? */
export async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return stat !== "" && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}
