// Which kernel a soak runs, for the front doors (the CLI and the action): the one module
// outside kernel/ that they import, so the engine itself only ever takes an ELF path.
import { resolve } from "node:path";
import { buildKernel, PACKAGE_ROOT } from "./build.ts";

export interface KernelUnderTest {
  /** the file QEMU boots */
  elf: string;
  /** where the kernel's sources are, for mapping a crash back to a source line */
  sourceRoot: string;
  /** the bundled kernel (built here), not the user's */
  bundled: boolean;
  fault?: string;
}

/** The user's kernel when `path` is given (its sources under the working directory), else the bundled one. */
export async function kernelUnderTest(
  path: string | undefined,
  fault: string | undefined,
  log: (line: string) => void,
): Promise<KernelUnderTest> {
  if (path) return { elf: resolve(path), sourceRoot: process.cwd(), bundled: false };
  log(`preparing the bundled kernel${fault ? ` with fault ${fault}` : ""}`);
  const build = await buildKernel({ fault });
  log(
    build.reused
      ? `kept ${build.elf}: built before from the same sources and toolchain`
      : `built ${build.elf} in ${build.seconds.toFixed(1)} s`,
  );
  return { elf: build.elf, sourceRoot: PACKAGE_ROOT, bundled: true, fault };
}
