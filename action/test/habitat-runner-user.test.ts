// The action as a GitHub-hosted runner runs it: the step is the user `runner` with
// password-less sudo, not root; and as a locked-down self-hosted runner's user, without sudo.
// The bundle is this working tree's (scripts/bundle.mjs into a temporary folder: dist/ is
// bundled once, after merging). Real QEMU under TCG.
import { execFile } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRunnerUser, processesOf } from "../../soak/test/runner-user.ts";
import { Habitat, REPO } from "./habitat.ts";

const run = promisify(execFile);
const root = process.getuid?.() === 0;
const kvmClosedWithoutUdev =
  existsSync("/dev/kvm") && (statSync("/dev/kvm").mode & 0o006) !== 0o006 && !existsSync("/run/udev/control");

/** No stack trace in the log, the post step quiet, nothing left running as the user. */
async function expectCleanEnd(h: Habitat, stdout: string, uid: number): Promise<void> {
  expect(stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  const post = await h.post();
  expect(post.code, post.stdout).toBe(0);
  expect(await processesOf(uid)).toEqual([]);
}

describe.runIf(root)("the action as a runner's user (not root)", () => {
  let bundle = "";
  beforeAll(async () => {
    bundle = await mkdtemp(join(tmpdir(), "habitat-bundle-"));
    await run(process.execPath, [join(REPO, "scripts/bundle.mjs")], {
      cwd: REPO,
      env: { ...process.env, UNIKERNEL_SOAK_DIST: join(bundle, "dist") },
    });
  }, 120_000);
  afterAll(() => rm(bundle, { recursive: true, force: true }));

  it("soaks over the tap path through sudo, says why KVM stays closed, and leaves nothing running", async () => {
    const user = await makeRunnerUser({ sudo: true });
    const h = await Habitat.create({ fresh: true, dist: join(bundle, "dist"), user });
    try {
      const r = await h.main({ requests: 20_000 });
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs.verdict).toBe("pass");
      expect(r.stdout).toContain("network: the tap path, through password-less sudo");
      expect(r.summary).toMatch(/\| network \| tap device in a private network namespace, through password-less sudo/);
      // a machine whose /dev/kvm is root's alone and that has no udev (as here): one line, and TCG
      if (kvmClosedWithoutUdev)
        expect(r.stdout).toMatch(/\/dev\/kvm is not open to this user, and (there is no udev|udev does not run)/);
      await expectCleanEnd(h, r.stdout, user.uid);
    } finally {
      await h.cleanup();
    }
  }, 300_000);

  it("without sudo (a locked-down self-hosted runner): passes over user networking, one line saying why", async () => {
    const user = await makeRunnerUser({ sudo: false });
    const h = await Habitat.create({ fresh: true, dist: join(bundle, "dist"), user });
    try {
      const r = await h.main({ requests: 20_000 });
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs.verdict).toBe("pass");
      const why = r.stdout.match(/network: QEMU user networking, not the tap path: .*/g) ?? [];
      expect(why).toHaveLength(1);
      expect(why[0]).toMatch(/needs root or password-less sudo, and this user \(uid \d+\) has neither/);
      // the profile's default is off there, and the log says so (soak/profile/rate.ts)
      expect(r.stdout).toMatch(/the profile is off: each sample stops the VM/);
      await expectCleanEnd(h, r.stdout, user.uid);
    } finally {
      await h.cleanup();
    }
  }, 300_000);
});
