// A user as a CI runner has one: not root, with password-less sudo (a GitHub-hosted runner's
// `runner`) or without it (a locked-down self-hosted runner). Made for a test file with
// useradd and a sudoers drop-in, and removed after it, with the folder it worked in.
// /dev/net/tun is open to it as on a runner: test/tun-mode.ts.
// Root only: making a user needs it.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, chown, copyFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll } from "vitest";
import { ROOT, TSX } from "./cli-run.ts";

const run = promisify(execFile);

export interface RunnerUser {
  name: string;
  uid: number;
  gid: number;
  /** a folder of its own (the temp folder and the checkout may be closed to other users) */
  home: string;
}

const made: { name: string; uid: number; home: string; sudoers?: string }[] = [];
const engines: Promise<unknown>[] = [];
afterAll(async () => {
  // an engine a failed test left running: SIGKILL takes its soak along (network.test.ts proves it)
  for (const c of running.splice(0)) c.kill("SIGKILL");
  await Promise.all(engines.splice(0));
  for (const u of made.splice(0)) {
    if (u.sudoers) await rm(u.sudoers, { force: true });
    // a test that failed may have left a process as the user (the tests check none is left)
    for (const pid of await processesOf(u.uid)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {} // gone meanwhile
    }
    await run("userdel", [u.name]).catch(() => undefined);
    await rm(u.home, { recursive: true, force: true });
  }
});

const running: ChildProcess[] = [];

/** A new user (and group), with password-less sudo when `sudo`; removed after the test file. */
export async function makeRunnerUser({ sudo }: { sudo: boolean }): Promise<RunnerUser> {
  const name = `uks${randomBytes(3).toString("hex")}`;
  const home = await mkdtemp(`/tmp/soak-${name}-`);
  await run("useradd", ["--no-create-home", "--home-dir", home, "--shell", "/usr/sbin/nologin", "--user-group", name]);
  const uid = Number((await run("id", ["-u", name])).stdout);
  const gid = Number((await run("id", ["-g", name])).stdout);
  const entry: (typeof made)[number] = { name, uid, home };
  made.push(entry);
  if (sudo) {
    entry.sudoers = `/etc/sudoers.d/${name}`;
    // as GitHub's hosted runners have it
    await writeFile(entry.sudoers, `${name} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
  }
  await chown(home, uid, gid);
  await chmod(home, 0o700);
  return { name, uid, gid, home };
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

/** The CLI from the sources (node + tsx), run as `user` in its folder with the kernel copied in. */
export function cliAs(user: RunnerUser, elf: string, args: string[]) {
  const kernel = join(user.home, "kernel.elf");
  const ready = copyFile(elf, kernel).then(() => chown(kernel, user.uid, user.gid));
  const argv = [
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    "--init-groups",
    "--reset-env",
    "--",
    "env",
    `TMPDIR=${user.home}`,
    process.execPath,
    "--import",
    TSX,
    join(ROOT, "cli/main.ts"),
    "--kernel",
    kernel,
    ...args,
  ];
  const child = ready.then(() => {
    const c = spawn("setpriv", argv, { cwd: user.home });
    running.push(c);
    return c;
  });
  const done = child.then(
    (c) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        let stdout = "";
        let stderr = "";
        c.stdout?.on("data", (d) => (stdout += d));
        c.stderr?.on("data", (d) => (stderr += d));
        c.on("close", (code) => {
          running.splice(running.indexOf(c), 1);
          resolve({ code, stdout, stderr });
        });
      }),
  );
  engines.push(done);
  return { child, done };
}
