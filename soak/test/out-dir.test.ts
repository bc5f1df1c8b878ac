// The report folder: never delete what the engine did not write (`--out .` once deleted
// a whole repository), never hang on a path that cannot be made.

import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../options.ts";
import { claimOutDir, LOCK, MARKER, REPRO_DIR } from "../out-dir.ts";

let base: string;
let kernel: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "soak-outdir-"));
  kernel = join(base, "kernel.elf");
  await writeFile(kernel, "elf");
});
afterEach(() => rm(base, { recursive: true, force: true }));
/** A soak's claim from start to end: claimed, then let go once its report is written. */
const claim = async (out: string) => (await claimOutDir(out, kernel)).release();

describe("claimOutDir", () => {
  it("makes a new folder, parents included, and marks it", async () => {
    const out = join(base, "a/b/report");
    await claim(out);
    expect(await readdir(out)).toEqual([MARKER]);
  });

  it("takes an empty folder", async () => {
    const out = join(base, "empty");
    await mkdir(out);
    await claim(out);
    expect(await readdir(out)).toEqual([MARKER]);
  });

  it("leaves a repro of the previous report in place (repro/ is repro's, not the soak's)", async () => {
    const out = join(base, "report");
    await claim(out);
    await writeFile(join(out, "report.json"), "{}");
    await mkdir(join(out, REPRO_DIR, "attempts"), { recursive: true });
    await writeFile(join(out, REPRO_DIR, "scenario.json"), "{}");
    await claim(out);
    expect((await readdir(out)).sort()).toEqual([MARKER, REPRO_DIR].sort());
    expect((await readdir(join(out, REPRO_DIR))).sort()).toEqual(["attempts", "scenario.json"]);
  });

  it("replaces a previous report of its own, file by file", async () => {
    const out = join(base, "report");
    await claim(out);
    await writeFile(join(out, "report.json"), "{}");
    await writeFile(join(out, "kernel.elf"), "old copy");
    await claim(out);
    expect(await readdir(out)).toEqual([MARKER]);
  });

  it.each([
    [
      "a folder of someone's data",
      { "notes.txt": "precious" },
      /not empty and holds no report.*notes.txt.*left untouched/,
    ],
    ["a repository", { ".git": null, "src.ts": "code" }, /not empty and holds no report.*\.git/],
    [
      "a previous report with a file added by hand",
      {
        [MARKER]: JSON.stringify({ tool: "unikernel-soak", files: ["report.json"] }),
        "report.json": "{}",
        "mine.txt": "x",
      },
      /files unikernel-soak did not write \(mine.txt\)/,
    ],
  ])("refuses %s and deletes nothing", async (_, files, message) => {
    const out = join(base, "data");
    await mkdir(out);
    for (const [name, text] of Object.entries(files)) {
      if (text === null) await mkdir(join(out, name));
      else await writeFile(join(out, name), text);
    }
    await expect(claimOutDir(out, kernel)).rejects.toThrow(message);
    expect((await readdir(out)).sort()).toEqual(Object.keys(files).sort());
  });

  it("refuses an existing file", async () => {
    const out = join(base, "file.txt");
    await writeFile(out, "keep me");
    await expect(claimOutDir(out, kernel)).rejects.toThrow(/exists and is not a folder/);
    expect(await readFile(out, "utf8")).toBe("keep me");
  });

  it("refuses the folder holding the kernel under test", async () => {
    await expect(claimOutDir(base, kernel)).rejects.toThrow(/the kernel under test .* is inside it/);
    expect(await readFile(kernel, "utf8")).toBe("elf");
  });

  it("refuses a path that cannot be made, at once (a recursive mkdir spins under /proc)", async () => {
    const started = Date.now();
    await expect(claimOutDir("/proc/x/y", kernel)).rejects.toThrow(UsageError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses a path under a file", async () => {
    await expect(claimOutDir(join(kernel, "r"), kernel)).rejects.toThrow(/is not a folder/);
  });

  it("refuses a folder another live soak is writing into, and takes over a dead soak's lock", async () => {
    const out = join(base, "report");
    const first = await claimOutDir(out, kernel);
    await writeFile(join(out, "report.json"), "{} being written");
    await expect(claimOutDir(out, kernel)).rejects.toThrow(
      new RegExp(`another soak \\(pid ${process.pid} on .*\\) is writing its report there`),
    );
    expect(await readFile(join(out, "report.json"), "utf8")).toBe("{} being written");
    await first.release();
    expect((await readdir(out)).sort()).toEqual([MARKER, "report.json"].sort());
    // a soak killed before letting go: its pid is gone
    const dead = spawnSync(process.execPath, ["-e", "process.pid"]).pid as number;
    await writeFile(join(out, LOCK), JSON.stringify({ pid: dead, host: hostname() }));
    await claim(out);
    expect(await readdir(out)).toEqual([MARKER]);
  });
});
