// Where a crash's source line is shown. An annotation only helps when its file is in
// the repository the workflow checked out (GITHUB_WORKSPACE): the user's own kernel,
// or this repository soaking itself. Otherwise (the bundled kernel, soaked from the
// action's own checkout) the summary links the line in the action's repository at the
// ref the workflow used, as GitHub names them for a running action.
import { access } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { KernelUnderTest } from "../soak/index.ts";

export interface SourcePlace {
  /** annotate this file (relative to the workspace) at this line */
  annotation?: { file: string; line: number };
  /** a URL of the line, when it is not in the workspace */
  link?: string;
}

export async function sourcePlace(
  at: { file: string; line: number } | undefined,
  kernel: Pick<KernelUnderTest, "bundled">,
  env: NodeJS.ProcessEnv,
): Promise<SourcePlace> {
  // the path comes from the kernel's DWARF: nothing outside the repository is named
  if (!at || isAbsolute(at.file) || at.file.split(/[\\/]/).includes("..")) return {};
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  try {
    await access(join(workspace, at.file));
    return { annotation: at };
  } catch {
    // not a file of the user's repository
  }
  const server = env.GITHUB_SERVER_URL || "https://github.com";
  // a local action (`uses: ./`) has no action repository: it is the workflow's own
  const repo = kernel.bundled ? env.GITHUB_ACTION_REPOSITORY || env.GITHUB_REPOSITORY : env.GITHUB_REPOSITORY;
  const ref = kernel.bundled ? env.GITHUB_ACTION_REF || env.GITHUB_SHA : env.GITHUB_SHA;
  if (!repo || !ref) return {};
  return { link: `${server}/${repo}/blob/${ref}/${at.file}#L${at.line}` };
}
