// A scratch worktree of the user's repository, detached at a commit, in a temporary
// folder: bisect checks commits out there, never in the user's working tree, and no
// branch is made or moved. Removed afterwards, with git's record of it, on every exit:
// one that skips the normal way out (a second Ctrl-C) removes it as the process ends.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git } from "./git.ts";

const live = new Set<ScratchWorktree>();
process.on("exit", () => {
  for (const wt of live) wt.removeNow();
});

export class ScratchWorktree {
  private constructor(
    readonly repo: string,
    readonly path: string,
    private readonly parent: string,
  ) {}

  static async add(repo: string, commit: string): Promise<ScratchWorktree> {
    const parent = await mkdtemp(join(tmpdir(), "uks-bisect-"));
    const path = join(parent, "worktree");
    // synchronously, so that no signal is handled between git making it and `live` holding it
    try {
      execFileSync("git", ["worktree", "add", "--quiet", "--detach", path, commit], { cwd: repo, stdio: "pipe" });
    } catch (err) {
      await rm(parent, { recursive: true, force: true });
      const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
      throw new Error(`git worktree add (in ${repo}) failed: ${(e.stderr?.toString() || e.message).trim()}`);
    }
    const wt = new ScratchWorktree(repo, path, parent);
    live.add(wt);
    return wt;
  }

  async remove(): Promise<void> {
    // still listed until it is gone: an exit half-way through removes it all the same
    await git(this.repo, "worktree", "remove", "--force", this.path).catch(() => undefined);
    await rm(this.parent, { recursive: true, force: true });
    await git(this.repo, "worktree", "prune").catch(() => undefined);
    live.delete(this);
  }

  /** The same, synchronously: all a process that is exiting can still do. */
  removeNow(): void {
    live.delete(this);
    const quietly = (...args: string[]) => {
      try {
        execFileSync("git", args, { cwd: this.repo, stdio: "ignore" });
      } catch {
        // removed already, or git is gone: the prune below tidies what is left
      }
    };
    quietly("worktree", "remove", "--force", this.path);
    rmSync(this.parent, { recursive: true, force: true });
    quietly("worktree", "prune");
  }
}
