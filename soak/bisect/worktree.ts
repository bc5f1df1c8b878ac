// A scratch worktree of the user's repository, detached at a commit, in a temporary
// folder: bisect checks commits out there, never in the user's working tree, and no
// branch is made or moved. Removed afterwards, with git's record of it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git } from "./git.ts";

export class ScratchWorktree {
  private constructor(
    readonly repo: string,
    readonly path: string,
    private readonly parent: string,
  ) {}

  static async add(repo: string, commit: string): Promise<ScratchWorktree> {
    const parent = await mkdtemp(join(tmpdir(), "uks-bisect-"));
    const path = join(parent, "worktree");
    try {
      await git(repo, "worktree", "add", "--detach", path, commit);
    } catch (err) {
      await rm(parent, { recursive: true, force: true });
      throw err;
    }
    return new ScratchWorktree(repo, path, parent);
  }

  async remove(): Promise<void> {
    await git(this.repo, "worktree", "remove", "--force", this.path).catch(() => undefined);
    await rm(this.parent, { recursive: true, force: true });
    await git(this.repo, "worktree", "prune").catch(() => undefined);
  }
}
