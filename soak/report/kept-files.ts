// The run's inputs the report folder keeps, so that its "Reproduce" command works from a
// copy of the folder on any machine: the kernel, the initrd and the --symbols ELF, each
// named by the command relative to the folder (argv.ts reproduceCommand).
import { constants } from "node:fs";
import { copyFile, link } from "node:fs/promises";
import { basename, join } from "node:path";
import type { SoakOptions } from "../options.ts";

export interface KeptFiles {
  kernel: string;
  initrd?: string;
  symbols?: string;
}

/** The names the inputs go under in the folder: their own, unless two would be the same. */
export function keptFileNames(kernelElf: string, o: Pick<SoakOptions, "initrd" | "symbols">): KeptFiles {
  const kernel = basename(kernelElf);
  const taken = new Set([kernel]);
  const name = (file: string | undefined, prefix: string) => {
    if (!file) return undefined;
    const n = taken.has(basename(file)) ? `${prefix}-${basename(file)}` : basename(file);
    taken.add(n);
    return n;
  };
  return { kernel, initrd: name(o.initrd, "initrd"), symbols: name(o.symbols, "symbols") };
}

/** Copies the inputs into `out`, the symbols by a hard link where it can (a vmlinux with
 * DWARF is hundreds of MB, and linkers replace their output rather than write into it);
 * returns those it kept, by their role. One that cannot be read is left out. */
export async function keepInputs(
  out: string,
  kernelElf: string,
  o: Pick<SoakOptions, "initrd" | "symbols">,
): Promise<Partial<KeptFiles>> {
  const names = keptFileNames(kernelElf, o);
  const kept: Partial<KeptFiles> = {};
  const sources: Record<keyof KeptFiles, string | undefined> = {
    kernel: kernelElf,
    initrd: o.initrd,
    symbols: o.symbols,
  };
  for (const role of ["kernel", "initrd", "symbols"] as const) {
    const from = sources[role];
    const to = names[role];
    if (!from || !to) continue;
    const at = join(out, to);
    const linked =
      role === "symbols" &&
      (await link(from, at).then(
        () => true,
        () => false,
      ));
    const ok =
      linked ||
      (await copyFile(from, at, constants.COPYFILE_FICLONE).then(
        () => true,
        () => false,
      ));
    if (ok) kept[role] = to;
  }
  return kept;
}
