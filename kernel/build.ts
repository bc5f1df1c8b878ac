// Builds kernel/build/kernel.elf (or kernel-<fault>.elf) from the AssemblyScript
// sources: asc -> wasm-opt -> wasm2c -> gcc (freestanding) -> ld. Run: npm run build:kernel
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { writeBakedAssets } from "./bake-assets.ts";
import { inputsDigest, recordDigest, recordedDigest } from "./build-cache.ts";
import { FAULTS } from "./fault-switches.ts";
import { PACKAGE_ROOT } from "./package-root.ts";

// This file runs from kernel/ (tsx) and bundled from dist/ (the action): the root is one up either way.
const ROOT = PACKAGE_ROOT;
const KERNEL_DIR = join(ROOT, "kernel");
const PLATFORM = join(KERNEL_DIR, "platform");
const require = createRequire(import.meta.url);

/** Linear memory in 64 KiB pages; it sits at 32 MiB physical (linker.ld), so the
 * guest needs at least 32 MiB + MAX_PAGES * 64 KiB of RAM. */
export const INITIAL_PAGES = 16;
export const MAX_PAGES = 1024;

// Binaryen inlining is off: gcc inlines instead and records it in DWARF, so every
// AssemblyScript function stays visible to addr2line -i and gdb.
const WASM_FEATURES = [
  "--enable-bulk-memory",
  "--enable-bulk-memory-opt",
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-nontrapping-float-to-int",
];

const CFLAGS = [
  "-std=gnu11",
  "-ffreestanding",
  "-nostdinc",
  "-O2",
  "-g",
  "-fno-omit-frame-pointer",
  "-mno-omit-leaf-frame-pointer",
  "-mno-red-zone", // interrupts push onto the running stack
  "-fno-pie",
  "-fno-pic",
  "-fno-stack-protector",
  "-U_FORTIFY_SOURCE",
  "-fcf-protection=none",
  "-fno-asynchronous-unwind-tables",
  "-fno-math-errno",
  "-fno-common",
  "-Wall",
  "-Wextra",
  "-Werror",
];

// For the wasm2c unit: keep each bounds check's trap call apart (gcc would otherwise
// merge them into one call whose line belongs to whichever check it kept), and
// silence warnings generated C trips that stay on for the platform files.
const GENERATED_CFLAGS = [
  "-fno-crossjumping",
  "-fno-tree-tail-merge",
  "-Wno-unused-value",
  "-Wno-unused-function",
  "-Wno-unused-parameter",
  "-Wno-unused-variable",
  "-Wno-unused-but-set-variable",
  "-Wno-sign-compare",
  "-Wno-missing-field-initializers",
  "-Wno-infinite-recursion", // kernel/src/faults.ts recurses on purpose
];

export interface KernelBuild {
  elf: string;
  seconds: number;
  /** nothing the ELF is made from changed since it was built: it was kept, not rebuilt */
  reused: boolean;
}

function run(cmd: string, args: string[], cwd = ROOT): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", (err) =>
      reject(new Error(`${cmd} could not start (${err.message}); run 'npm run setup' to install the toolchain`)),
    );
    child.on("close", (code) =>
      code === 0 ? resolvePromise(out) : reject(new Error(`${cmd} ${args.join(" ")} failed (exit ${code}):\n${out}`)),
    );
  });
}

function nodeBin(pkg: string, bin: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), bin);
}

export interface BuildOptions {
  /** a fault-injection switch from FAULTS; none = the clean kernel */
  fault?: string;
  /** where the ELF goes (default kernel/build) */
  outDir?: string;
  /** build even when the ELF there was built from the same inputs */
  force?: boolean;
}

export async function buildKernel({ fault, outDir, force }: BuildOptions = {}): Promise<KernelBuild> {
  const started = performance.now();
  const spec = fault === undefined ? undefined : FAULTS[fault];
  if (fault !== undefined && !spec) {
    throw new Error(`unknown fault '${fault}'; known: ${Object.keys(FAULTS).join(", ") || "(none yet)"}`);
  }
  const name = fault === undefined ? "kernel" : `kernel-${fault}`;
  const out = outDir ?? join(KERNEL_DIR, "build");
  const elf = join(out, `${name}.elf`);
  const uses = spec ? spec.use.flatMap((u) => ["--use", u]) : [];
  const digest = await inputsDigest(KERNEL_DIR, uses);
  if (!force && (await recordedDigest(elf)) === digest) {
    return { elf, seconds: (performance.now() - started) / 1000, reused: true };
  }
  // A folder of this build's own: two builds of the same kernel at once must not share one.
  await mkdir(out, { recursive: true });
  const gen = await mkdtemp(join(out, `${name}.gen-`));
  try {
    await compileAndLink(gen, elf, uses);
  } finally {
    await rm(gen, { recursive: true, force: true });
  }
  await recordDigest(elf, digest);
  return { elf, seconds: (performance.now() - started) / 1000, reused: false };
}

async function compileAndLink(gen: string, elf: string, uses: string[]): Promise<void> {
  const rawWasm = join(gen, "kernel.raw.wasm");
  const wasm = join(gen, "kernel.wasm");
  await writeBakedAssets(join(KERNEL_DIR, "assets"), gen);
  await run(process.execPath, [
    nodeBin("assemblyscript", "bin/asc.js"),
    join(KERNEL_DIR, "src/main.ts"),
    "--path",
    gen, // where kernel/src/http/assets.ts finds the generated "baked-assets" module
    "--runtime",
    "stub",
    "--use",
    "abort=kernel/src/panic/abort", // formats the message, then the platform's panic import dumps
    "--debug",
    "--noExportMemory",
    "--initialMemory",
    String(INITIAL_PAGES),
    "--maximumMemory",
    String(MAX_PAGES),
    ...uses,
    "-o",
    rawWasm,
  ]);
  await run(process.execPath, [
    nodeBin("binaryen", "bin/wasm-opt"),
    rawWasm,
    "-g",
    ...WASM_FEATURES,
    "--no-inline=*",
    "-O3",
    "-o",
    wasm,
  ]);
  await run(process.execPath, [nodeBin("wabt", "bin/wasm2c"), wasm, "-n", "kernel", "-o", join(gen, "kernel.c")]);

  const gccInclude = (await run("gcc", ["-print-file-name=include"])).trim();
  // Paths in DWARF are made relative, so the same sources give the same build-id anywhere.
  // gcc applies the last map that matches, and the work folder may sit under ROOT: its map goes last.
  const prefixMaps = [`-fdebug-prefix-map=${ROOT}=.`, `-fdebug-prefix-map=${gen}=gen`];
  const includes = ["-isystem", gccInclude, "-I", join(PLATFORM, "include"), "-I", join(PLATFORM, "shim"), "-I", gen];
  const sources = (await readdir(PLATFORM)).filter((f) => f.endsWith(".c") || f.endsWith(".S"));
  // imports.c is compiled inside wasm_unit.c, next to the code that calls it.
  const units = sources.filter((f) => f !== "imports.c").map((f) => join(PLATFORM, f));
  units.push(join(gen, "assets.gen.c"));
  const objects = await Promise.all(
    units.map(async (src) => {
      const obj = join(gen, `${basename(src)}.o`);
      const extra = src.endsWith("wasm_unit.c") ? GENERATED_CFLAGS : [];
      await run("gcc", [...CFLAGS, ...prefixMaps, ...extra, ...includes, "-c", src, "-o", obj]);
      return obj;
    }),
  );
  // Linked under a name of its own and renamed: a reader never sees half an ELF, and two
  // builds at once (even in one process) never rename each other's.
  const linked = `${elf}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await run("ld", [
    "-nostdlib",
    "-static",
    "-z",
    "max-page-size=4096",
    "-z",
    "noexecstack",
    "--build-id=sha1",
    "-T",
    join(PLATFORM, "linker.ld"),
    "-o",
    linked,
    ...objects.sort(),
  ]);
  await rename(linked, elf);
}
