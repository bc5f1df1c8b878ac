// The report folder is the engine's own. It writes into a folder that is new or empty,
// or that holds a previous report of its own (named by a marker it wrote first); it
// refuses anything else before touching it, and it only ever deletes files its marker
// names. `--out .` in a repository is refused, not emptied. While a soak writes there it
// holds a lock file naming its process, so a second soak on the same folder is refused
// instead of deleting the first one's live files.
import { constants } from "node:fs";
import { access, lstat, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { type SoakOptions, UsageError } from "./options.ts";
import { keptFileNames } from "./report/kept-files.ts";

export const MARKER = ".unikernel-soak-report";
/** Held while a soak (or merge) writes into the folder: `{pid, host}` of its process. */
export const LOCK = ".unikernel-soak-lock";

/** A report folder claimed for writing; release() gives up its lock once the report is written. */
export interface OutClaim {
  release(): Promise<void>;
}

/** Every name a soak writes into its folder, besides the copies of its inputs (report/kept-files.ts). */
export const REPORT_FILES = [
  "report.json",
  "summary.md",
  "report.html",
  "timeline.jsonl",
  "serial.log",
  "qemu.log",
  "triage.md",
  "memory.core",
];

/** What `unikernel-soak repro` writes into a report folder: a later soak there leaves it alone. */
export const REPRO_DIR = "repro";

interface Marker {
  tool: "unikernel-soak";
  files: string[];
}

/** Claims `out` for a soak of `kernel` (and the initrd and symbols it keeps beside it):
 * makes it, or empties a previous report there. Throws UsageError. */
export async function claimOutDir(
  out: string,
  kernel: string,
  inputs: Pick<SoakOptions, "initrd" | "symbols"> = {},
): Promise<OutClaim> {
  const dir = resolve(out);
  const kept = keptFileNames(kernel, inputs);
  const files = [...REPORT_FILES, ...[kept.kernel, kept.initrd, kept.symbols].filter((f) => f !== undefined)];
  for (const [what, file] of [
    ["kernel under test", kernel],
    ["initrd", inputs.initrd],
    ["symbols ELF", inputs.symbols],
  ]) {
    const inside = file && relative(dir, resolve(file));
    if (inside !== undefined && !inside.startsWith("..") && !inside.startsWith("/"))
      throw new UsageError(`--out ${out}: the ${what} (${file}) is inside it; choose another folder`);
  }
  return claimFolder(out, files);
}

/** Claims `out` for a report made of `files` (a merged one, say), as claimOutDir does. */
export async function claimFolder(out: string, files: string[]): Promise<OutClaim> {
  const dir = resolve(out);
  const st = await lstat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    const why = err.code === "ENOTDIR" ? "a part of the path is not a folder" : (err.code ?? err.message);
    throw new UsageError(`--out ${out}: ${why}`);
  });
  if (!st) await makeFolder(dir, out);
  else if (!st.isDirectory()) throw new UsageError(`--out ${out}: exists and is not a folder; choose another path`);
  const previous = await previousReport(dir, out);
  const claim = await lock(dir, out);
  // a folder its marker names is the tool's own too (compare's rounds/)
  for (const e of previous) await rm(join(dir, e), { force: true, recursive: true });
  await writeMarker(dir, files);
  return claim;
}

/** The files of a previous report of ours in `dir`, to delete; refuses a folder holding anything else. */
async function previousReport(dir: string, out: string): Promise<string[]> {
  const entries = (await readdir(dir)).filter((e) => e !== LOCK);
  if (entries.length === 0) return [];
  const marker = await readMarker(dir);
  if (!marker)
    throw new UsageError(
      `--out ${out}: the folder is not empty and holds no report of unikernel-soak (${listed(entries)}); it is left untouched: choose a new or empty folder`,
    );
  const foreign = entries.filter((e) => e !== MARKER && e !== REPRO_DIR && !marker.files.includes(e));
  if (foreign.length)
    throw new UsageError(
      `--out ${out}: holds a previous report, but also files unikernel-soak did not write (${listed(foreign)}); it is left untouched: move them or choose another folder`,
    );
  return entries.filter((e) => e !== MARKER && e !== REPRO_DIR);
}

/** Takes the folder's lock, or refuses while a live process on this host holds it; a dead holder's lock is taken over. */
async function lock(dir: string, out: string): Promise<OutClaim> {
  const path = join(dir, LOCK);
  const mine = `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(path, mine, { flag: "wx" });
      return { release: () => rm(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0)
        throw new UsageError(`--out ${out}: cannot take the folder (${(err as Error).message})`);
    }
    const holder = await readFile(path, "utf8").then(parseHolder, () => undefined);
    if (holder && (holder.host !== hostname() || alive(holder.pid)))
      throw new UsageError(
        `--out ${out}: another soak (pid ${holder.pid} on ${holder.host}) is writing its report there; wait for it to end or choose another folder (if no such soak runs, delete ${path})`,
      );
    await rm(path, { force: true }); // its process is gone: a soak killed before it could let go
  }
}

function parseHolder(text: string): { pid: number; host: string } | undefined {
  try {
    const h = JSON.parse(text);
    return Number.isInteger(h.pid) && typeof h.host === "string" ? h : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Creates the folder one level at a time: a recursive mkdir spins for ever under /proc. */
async function makeFolder(dir: string, out: string): Promise<void> {
  const missing: string[] = [];
  let at = dir;
  while (!(await exists(at))) {
    missing.unshift(at);
    at = dirname(at);
  }
  const parent = await stat(at);
  if (!parent.isDirectory()) throw new UsageError(`--out ${out}: ${at} is not a folder`);
  await access(at, constants.W_OK).catch(() => {
    throw new UsageError(`--out ${out}: cannot write in ${at} (permission denied)`);
  });
  for (const d of missing) {
    await mkdir(d).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`--out ${out}: cannot create ${d} (${err.code ?? err.message})`);
    });
  }
}

async function writeMarker(dir: string, files: string[]): Promise<void> {
  const marker: Marker = { tool: "unikernel-soak", files };
  await writeFile(join(dir, MARKER), `${JSON.stringify(marker)}\n`).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`--out ${dir}: cannot write there (${err.code ?? err.message})`);
  });
}

async function readMarker(dir: string): Promise<Marker | undefined> {
  try {
    const m = JSON.parse(await readFile(join(dir, MARKER), "utf8")) as Marker;
    return m.tool === "unikernel-soak" && Array.isArray(m.files) ? m : undefined;
  } catch {
    return undefined;
  }
}

const exists = (p: string) =>
  lstat(p).then(
    () => true,
    () => false,
  );
const listed = (names: string[]) => names.slice(0, 5).join(", ") + (names.length > 5 ? ", …" : "");
