// Whether a kernel build can be reused: a digest of everything the ELF is made from
// (sources, assets, the build scripts, the toolchain's versions, the fault switch),
// kept beside the ELF. The build is reproducible (kernel/test/build.test.ts), so the
// same digest means the same ELF, and rebuilding it would only cost the ~8 s it takes.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { access, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { filesUnder } from "./bake-assets.ts";

const require = createRequire(import.meta.url);
const INPUT_DIRS = ["src", "platform", "assets"];
const BUILD_SCRIPTS = ["build.ts", "build-cache.ts", "bake-assets.ts", "fault-switches.ts"];
const NPM_TOOLS = ["assemblyscript", "binaryen", "wabt"];

async function firstLine(cmd: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(cmd, ["--version"]);
    return stdout.split("\n")[0];
  } catch (err) {
    throw new Error(
      `${cmd} --version failed (${(err as Error).message}); run 'npm run setup' to install the toolchain`,
    );
  }
}

/** The digest of one build's inputs: kernelDir's sources and scripts, the tools, the switches. */
export async function inputsDigest(kernelDir: string, uses: string[]): Promise<string> {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ uses }));
  const dirs = await Promise.all(INPUT_DIRS.map((d) => filesUnder(join(kernelDir, d))));
  const files = [...dirs.flat(), ...BUILD_SCRIPTS.map((f) => join(kernelDir, f))].sort();
  for (const f of files) hash.update(`${relative(kernelDir, f)}\0`).update(await readFile(f));
  for (const pkg of NPM_TOOLS) hash.update(await readFile(require.resolve(`${pkg}/package.json`)));
  for (const tool of ["gcc", "ld"]) hash.update(`${await firstLine(tool)}\n`);
  return hash.digest("hex");
}

const recordOf = (elf: string) => `${elf}.inputs`;

/** The digest recorded when `elf` was built; undefined when either file is missing. */
export async function recordedDigest(elf: string): Promise<string | undefined> {
  try {
    await access(elf);
    return (await readFile(recordOf(elf), "utf8")).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

export async function recordDigest(elf: string, digest: string): Promise<void> {
  await writeFile(recordOf(elf), `${digest}\n`);
}
