// Which kernel a soak runs, for the front doors (the CLI and the action): the one module
// outside kernel/ that they import, so the engine itself only ever takes an ELF path.
// Run from the bundles in dist/ (the action, the published CLI), the clean bundled kernel
// is dist/kernel.elf, prebuilt from kernel/src by scripts/bundle.mjs (check-dist proves
// it is the build of the committed sources): no toolchain, no npm packages, no registry.
// A fault switch, or a run from the sources (tsx), builds with kernel/build.ts, loaded
// only then.
import { access } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PACKAGE_ROOT } from "./package-root.ts";

/** The kernel the front doors hand the engine: its KernelUnderTest (soak/kernel-under-test.ts). */
export type ChosenKernel = { elf: string; sourceRoot: string; bundled: boolean; fault?: string };

/** The prebuilt clean kernel shipped in dist/. */
export const PREBUILT_ELF = join(PACKAGE_ROOT, "dist", "kernel.elf");
const FROM_BUNDLE = basename(dirname(fileURLToPath(import.meta.url))) === "dist";

/** The build's npm toolchain is installed beside this package (a clone after npm ci). */
function hasToolchain(): boolean {
  try {
    createRequire(join(PACKAGE_ROOT, "package.json")).resolve("assemblyscript/package.json");
    return true;
  } catch {
    return false;
  }
}

/** The user's kernel when `path` is given (its sources under the working directory), else the bundled one. */
export async function kernelUnderTest(
  path: string | undefined,
  fault: string | undefined,
  log: (line: string) => void,
): Promise<ChosenKernel> {
  if (path) return { elf: resolve(path), sourceRoot: process.cwd(), bundled: false };
  if (!fault && FROM_BUNDLE) {
    try {
      await access(PREBUILT_ELF);
    } catch {
      throw new Error(`the prebuilt kernel ${PREBUILT_ELF} is missing; run 'npm run bundle' to make it`);
    }
    log(`soaking the prebuilt bundled kernel ${PREBUILT_ELF}`);
    return { elf: PREBUILT_ELF, sourceRoot: PACKAGE_ROOT, bundled: true };
  }
  if (!hasToolchain())
    throw new Error(
      `building the bundled kernel${fault ? ` with fault ${fault}` : ""} needs its toolchain, which is not installed ` +
        `beside ${PACKAGE_ROOT}: run it from a clone of unikernel-soak after 'npm ci', or pass a prebuilt kernel`,
    );
  log(`preparing the bundled kernel${fault ? ` with fault ${fault}` : ""}`);
  const { buildKernel } = await import("./build.ts");
  const build = await buildKernel({ fault });
  log(
    build.reused
      ? `kept ${build.elf}: built before from the same sources and toolchain`
      : `built ${build.elf} in ${build.seconds.toFixed(1)} s`,
  );
  return { elf: build.elf, sourceRoot: PACKAGE_ROOT, bundled: true, fault };
}
