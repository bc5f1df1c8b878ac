// git, run as a child with its output captured; a failure says which command and why.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export async function git(cwd: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run("git", args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") throw new Error("git is not installed (needed by bisect)");
    throw new Error(`git ${args.join(" ")} (in ${cwd}) failed: ${(e.stderr ?? e.message).trim()}`);
  }
}
