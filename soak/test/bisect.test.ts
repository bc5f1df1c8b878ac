// bisect on a synthetic history: a scratch clone of this repository with 8 commits that
// each touch a harmless file, one of which also turns the pf-chunker bug on in the
// kernel's sources. bisect must name exactly that commit, in at most ⌈log₂ N⌉ + 1 soaks,
// and leave the clone as it found it (no worktree, no bisect refs, the same HEAD), with the
// scenario given by a path relative to where bisect runs (each step starts elsewhere).
// A step that cannot run is a skip, never bad; two Ctrl-Cs leave no worktree behind.
import { execFile } from "node:child_process";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { BisectResult } from "../bisect/plan.ts";
import { cli, ROOT, tempDir, waitFor } from "./cli-run.ts";

const run = promisify(execFile);
const git = async (cwd: string, ...args: string[]) => (await run("git", args, { cwd })).stdout.trim();
const COMMITS = 8;
const FAULT_AT = 5;

/** The clone, its commits (oldest first, the good base at 0) and the one that turns the bug on. */
async function syntheticHistory(): Promise<{ repo: string; commits: string[] }> {
  const repo = join(await tempDir("soak-bisect-repo-"), "repo");
  await run("git", ["clone", "--quiet", "--no-hardlinks", ROOT, repo]);
  await git(repo, "config", "user.email", "bisect@test.invalid");
  await git(repo, "config", "user.name", "bisect test");
  // the build's npm toolchain, for the worktrees (the build command links it from here)
  await symlink(join(ROOT, "node_modules"), join(repo, "node_modules"));
  const commits = [await git(repo, "rev-parse", "HEAD")];
  await mkdir(join(repo, "notes"));
  for (let i = 1; i <= COMMITS; i++) {
    await writeFile(join(repo, "notes", `step-${i}.txt`), `step ${i}\n`);
    if (i === FAULT_AT) {
      const tcp = join(repo, "kernel/src/net/tcp.ts");
      const text = await readFile(tcp, "utf8");
      expect(text).toContain("if (isDefined(FAULT_PF_CHUNKER)) {");
      await writeFile(tcp, text.replace("if (isDefined(FAULT_PF_CHUNKER)) {", "if (true) {"));
    }
    await git(repo, "add", "notes", "kernel");
    await git(repo, "commit", "--quiet", "-m", i === FAULT_AT ? `step ${i}: the chunker change` : `step ${i}`);
    commits.push(await git(repo, "rev-parse", "HEAD"));
  }
  return { repo, commits };
}

describe("bisect", () => {
  it("names the commit that turned the fault on, in at most ⌈log₂ N⌉ + 1 soaks, and leaves the repository as it was", async () => {
    const { repo, commits } = await syntheticHistory();
    const out = join(await tempDir("soak-bisect-out-"), "bisect");
    const here = join(out, "..");
    const scenario = join(here, "scenario.json");
    // what repro writes for pf-chunker, with the bug armed sooner
    await writeFile(
      scenario,
      JSON.stringify({
        append: "fault_after_requests=300",
        accel: "tcg",
        requests: 600,
        connections: 1,
        paths: "/api/stats.json=1",
        duration: 20,
        warmup: 2,
      }),
    );
    const before = { head: await git(repo, "rev-parse", "HEAD"), branch: await git(repo, "branch", "--show-current") };
    const r = await cli(
      [
        "bisect",
        "--repo",
        repo,
        "--good",
        commits[0],
        "--bad",
        commits[COMMITS],
        "--build-command",
        'ln -sfn "$UNIKERNEL_SOAK_REPO/node_modules" node_modules && node node_modules/tsx/dist/cli.mjs kernel/build-cli.ts',
        "--kernel",
        "kernel/build/kernel.elf",
        "--build-paths",
        "kernel",
        "--scenario",
        "scenario.json",
        "--out",
        out,
      ],
      here,
    ).done;
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(await readFile(join(out, "bisect.json"), "utf8")) as BisectResult;
    expect(result.culprit?.commit).toBe(commits[FAULT_AT]);
    expect(r.stdout).toContain(`first bad commit: ${commits[FAULT_AT]} step ${FAULT_AT}: the chunker change`);
    expect(result.culprit?.title).toBe("page fault in kernel/src/net/tcp/tcpSendChunk (read, not-present)");
    const soaks = result.steps.filter((s) => s.report).length;
    expect(soaks).toBeLessThanOrEqual(Math.ceil(Math.log2(COMMITS)) + 1);
    // two kernels in this history (before and after the change): every other step reuses one
    expect(result.steps.filter((s) => s.build === "built").length).toBeLessThanOrEqual(2);
    expect(await readFile(join(out, "summary.md"), "utf8")).toContain(
      `first bad commit ${commits[FAULT_AT].slice(0, 12)}`,
    );
    console.log(`bisect: ${soaks} soaks for ${COMMITS} commits, ${result.wallS} s`);

    expect(await git(repo, "rev-parse", "HEAD")).toBe(before.head);
    expect(await git(repo, "branch", "--show-current")).toBe(before.branch);
    expect((await git(repo, "worktree", "list")).split("\n")).toHaveLength(1);
    expect(await git(repo, "for-each-ref", "refs/bisect")).toBe("");
    expect(await git(repo, "status", "--porcelain", "--untracked-files=no")).toBe("");
  }, 600_000);

  it("a step that cannot run (no plan, a missing file) answers skip (125), not bad", async () => {
    const dir = await tempDir("soak-bisect-step-");
    const missing = await cli(["bisect-step", join(dir, "plan.json")]).done;
    expect(missing.code, missing.stderr).toBe(125);
    expect(missing.stderr).toMatch(/skip: the step could not run: .*ENOENT/);
    const usage = await cli(["bisect-step"]).done;
    expect(usage.code).toBe(125);
  });

  it("two Ctrl-Cs: stops at once, and the scratch worktree is gone", async () => {
    const { repo, commits } = await syntheticHistory();
    const out = join(await tempDir("soak-bisect-out-"), "bisect");
    const args = ["bisect", "--repo", repo, "--good", commits[0], "--bad", commits[COMMITS], "--out", out];
    const run = cli([...args, "--build-command", "sleep 60", "--kernel", "k.elf"]);
    await waitFor(
      "the scratch worktree",
      async () => ((await git(repo, "worktree", "list")).split("\n").length === 2 ? true : undefined),
      30_000,
    );
    run.child.kill("SIGINT");
    // (apart, or the two arrive as one)
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code, r.stderr).toBe(2);
    expect((await git(repo, "worktree", "list")).split("\n"), r.stderr).toHaveLength(1);
  }, 60_000);

  it("refuses a --bad that is not a descendant of --good, before building anything", async () => {
    const { repo, commits } = await syntheticHistory();
    const out = join(await tempDir("soak-bisect-out-"), "bisect");
    const args = ["bisect", "--repo", repo, "--good", commits[3], "--bad", commits[1], "--out", out];
    const r = await cli([...args, "--build-command", "false", "--kernel", "k.elf"]).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--good \S+ is not an ancestor of --bad/);
  }, 60_000);
});
