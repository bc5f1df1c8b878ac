// The two kernels compare runs: a path each, or the base built from a git ref the way
// bisect builds a commit (a scratch worktree, the user's build command, the ELF kept
// under <out>/builds/ by a key of its inputs), so a pull request's head can be set
// against its base with one command.
import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { buildAt } from "../bisect/build.ts";
import { git } from "../bisect/git.ts";
import { ScratchWorktree } from "../bisect/worktree.ts";
import type { KernelUnderTest } from "../kernel-under-test.ts";
import { UsageError } from "../options.ts";

export interface BaseBuild {
  ref: string;
  buildCommand: string;
  /** the ELF the build makes, relative to the repository's top */
  kernel: string;
  repo: string;
}

export interface KernelSpec {
  path?: string;
  build?: BaseBuild;
}

/** A kernel as the engine runs it, and where it came from (a ref's commit). */
export type ResolvedKernel = KernelUnderTest & { commit?: string };

async function mustExist(path: string, flag: string): Promise<string> {
  const abs = resolve(path);
  await access(abs).catch(() => {
    throw new UsageError(`compare ${flag} ${path}: no such file`);
  });
  return abs;
}

export async function resolveKernel(
  spec: KernelSpec,
  flag: string,
  out: string,
  log: (line: string) => void,
  signal?: AbortSignal,
  /** the front door's bundled kernel, for a side given neither a path nor a ref */
  bundled?: () => Promise<KernelUnderTest>,
): Promise<ResolvedKernel> {
  if (spec.path) return { elf: await mustExist(spec.path, flag), sourceRoot: process.cwd(), bundled: false };
  if (!spec.build) {
    if (!bundled) throw new UsageError(`compare: ${flag} is missing: give a kernel path (or --base-ref for the base)`);
    return bundled();
  }
  const b = spec.build;
  const repo = await git(resolve(b.repo), "rev-parse", "--show-toplevel").catch((err: Error) => {
    throw new UsageError(`compare: ${b.repo} is not in a git repository (${err.message})`);
  });
  const commit = await git(repo, "rev-parse", "--verify", "--quiet", `${b.ref}^{commit}`).catch(() => {
    throw new UsageError(
      `compare --base-ref ${b.ref}: no such commit in ${repo} (fetch it first, e.g. git fetch origin ${b.ref})`,
    );
  });
  const wt = await ScratchWorktree.add(repo, commit);
  try {
    log(`building the base kernel at ${b.ref} (${commit.slice(0, 10)}) in ${wt.path}`);
    const plan = {
      repo,
      worktree: wt.path,
      buildCommand: b.buildCommand,
      kernel: b.kernel,
      buildPaths: [],
      soakArgv: [],
      out,
    };
    const built = await buildAt(plan, log, signal);
    if (!built.elf) throw new UsageError(`compare --base-ref ${b.ref}: ${built.error}`);
    log(`${built.how === "cached" ? "kept" : "built"} the base kernel ${built.elf}`);
    return { elf: built.elf, sourceRoot: repo, bundled: false, commit };
  } finally {
    await wt.remove();
  }
}
