// The report folder is the engine's own. It writes into a folder that is new or empty,
// or that holds a previous report of its own (named by a marker it wrote first); it
// refuses anything else before touching it, and it only ever deletes files its marker
// names. `--out .` in a repository is refused, not emptied.
import { constants } from "node:fs";
import { access, lstat, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { type SoakOptions, UsageError } from "./options.ts";
import { keptFileNames } from "./report/kept-files.ts";

export const MARKER = ".unikernel-soak-report";

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
): Promise<void> {
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
  await claimFolder(out, files);
}

/** Claims `out` for a report made of `files` (a merged one, say), as claimOutDir does. */
export async function claimFolder(out: string, files: string[]): Promise<void> {
  const dir = resolve(out);
  const st = await lstat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    const why = err.code === "ENOTDIR" ? "a part of the path is not a folder" : (err.code ?? err.message);
    throw new UsageError(`--out ${out}: ${why}`);
  });
  if (!st) {
    await makeFolder(dir, out);
  } else {
    if (!st.isDirectory()) throw new UsageError(`--out ${out}: exists and is not a folder; choose another path`);
    await clearPreviousReport(dir, out);
  }
  await writeMarker(dir, files);
}

async function clearPreviousReport(dir: string, out: string): Promise<void> {
  const entries = await readdir(dir);
  if (entries.length === 0) return;
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
  for (const e of entries) if (e !== MARKER && e !== REPRO_DIR) await rm(join(dir, e), { force: true });
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
