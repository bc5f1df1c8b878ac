// symbolizeTrace against a real ELF with DWARF, built here: two static functions of one
// name (as vmlinux has) told apart by the size the trace prints, an assembly label
// without a size (as entry_SYSCALL_64_after_hwframe), a module frame left alone, and a
// name the ELF lacks reported.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { TraceFrame } from "../triage/linux-report.ts";
import { symbolizeTrace } from "../triage/linux-symbols.ts";
import { tempDir } from "./cli-run.ts";

const run = promisify(execFile);
let elf: string;
const sizes: Record<string, string> = {};

beforeAll(async () => {
  const dir = await tempDir("linux-symbols-");
  await writeFile(
    join(dir, "a.c"),
    "static int __attribute__((noinline)) same(int x) { return x + 1; }\nint fa(int x) { return same(x); }\n",
  );
  await writeFile(
    join(dir, "b.c"),
    [
      "int fa(int);",
      "static int __attribute__((noinline)) same(int x) {",
      "  int s = 0;",
      "  for (int i = 0; i < x; i++) s += i * x;",
      "  return s;",
      "}",
      "int fb(int x) { return same(x); }",
      "void _start(void) { fa(1); fb(2); for (;;); }",
      "",
    ].join("\n"),
  );
  await writeFile(join(dir, "c.S"), ".text\n.globl bare_label\nbare_label:\n  nop\n  ret\n");
  elf = join(dir, "t.elf");
  const sources = ["a.c", "b.c", "c.S"].map((f) => join(dir, f));
  await run("gcc", ["-g", "-O0", "-nostdlib", "-static", "-no-pie", "-o", elf, ...sources]);
  const { stdout } = await run("nm", ["-S", "-l", "--defined-only", elf]);
  for (const m of stdout.matchAll(/^[0-9a-f]+ ([0-9a-f]+) [tT] (\w+)\s+\S*\/(\w)\.c:\d+$/gm))
    sizes[`${m[2]}@${m[3]}`] = m[1].replace(/^0+/, "");
});

describe("symbolizeTrace", () => {
  it("resolves func+off/size to file:line, picking the same-named function of that size", async () => {
    const frames: TraceFrame[] = [
      { func: "same", offset: "0", size: sizes["same@b"], rip: true },
      { func: "same", offset: "1", size: sizes["same@a"] },
      { func: "fb", offset: "1", size: sizes["fb@b"] },
      { func: "bare_label", offset: "2", size: "10" },
    ];
    expect(Object.keys(sizes)).toEqual(expect.arrayContaining(["same@a", "same@b", "fb@b"]));
    expect(sizes["same@a"]).not.toBe(sizes["same@b"]);
    const notes = await symbolizeTrace(elf, frames);
    expect(notes).toEqual([]);
    expect(frames.map((f) => f.source?.replace(/^.*\//, ""))).toEqual(["b.c:2", "a.c:1", "b.c:7", "c.S:5"]);
  });

  it("leaves module frames and unknown names as printed, and says why", async () => {
    const frames: TraceFrame[] = [
      { func: "crashme_init", offset: "3e", size: "1000", module: "crashme" },
      { func: "no_such_function", offset: "1", size: "10" },
    ];
    const notes = await symbolizeTrace(elf, frames);
    expect(frames.every((f) => f.source === undefined)).toBe(true);
    expect(notes).toEqual([
      `frames in modules (crashme) are not in ${elf}: left as printed`,
      `no_such_function is not in ${elf}'s symbol table: is it this kernel's vmlinux?`,
    ]);
  });
});
