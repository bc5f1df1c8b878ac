// A user as a CI runner has one: not root, with password-less sudo (a GitHub-hosted runner's
// `runner`) or without it (a locked-down self-hosted runner), made with useradd and a sudoers
// drop-in, and its removal. Root only: making a user needs it. The tests take it through
// runner-user.ts (removed after each test file); the benchmarks directly.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, chown, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface RunnerUser {
  name: string;
  uid: number;
  gid: number;
  /** a folder of its own (the temp folder and the checkout may be closed to other users) */
  home: string;
  /** its sudoers drop-in, when it has sudo */
  sudoers?: string;
}

/** A new user (and group), with password-less sudo when `sudo`. */
export async function makeRunnerAccount({ sudo }: { sudo: boolean }): Promise<RunnerUser> {
  const name = `uks${randomBytes(3).toString("hex")}`;
  const home = await mkdtemp(`/tmp/soak-${name}-`);
  await run("useradd", ["--no-create-home", "--home-dir", home, "--shell", "/usr/sbin/nologin", "--user-group", name]);
  const uid = Number((await run("id", ["-u", name])).stdout);
  const gid = Number((await run("id", ["-g", name])).stdout);
  const user: RunnerUser = { name, uid, gid, home };
  if (sudo) {
    user.sudoers = `/etc/sudoers.d/${name}`;
    // as GitHub's hosted runners have it
    await writeFile(user.sudoers, `${name} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
  }
  await chown(home, uid, gid);
  await chmod(home, 0o700);
  return user;
}

/** Removes the user, its sudo, any process it still has and its folder. */
export async function removeRunnerAccount(user: RunnerUser): Promise<void> {
  if (user.sudoers) await rm(user.sudoers, { force: true });
  // a test that failed may have left a process as the user (the tests check none is left)
  for (const pid of await processesOf(user.uid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {} // gone meanwhile
  }
  await run("userdel", [user.name]).catch(() => undefined);
  await rm(user.home, { recursive: true, force: true });
}

/** The PIDs of the processes running as `uid`. */
export async function processesOf(uid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const p of await readdir("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    const status = await readFile(`/proc/${p}/status`, "utf8").catch(() => "");
    const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    if (real === String(uid) && !/^State:\s+Z/m.test(status)) pids.push(Number(p));
  }
  return pids;
}
