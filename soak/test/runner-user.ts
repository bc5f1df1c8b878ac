// A user as a CI runner has one (runner-account.ts), made for a test file and removed after
// it, with the folder it worked in; and the CLI run as that user.
// /dev/net/tun is open to it as on a runner: test/tun-mode.ts.
// Root only: making a user needs it.
import { type ChildProcess, spawn } from "node:child_process";
import { chown, copyFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll } from "vitest";
import { ROOT, TSX } from "./cli-run.ts";
import { makeRunnerAccount, processesOf, type RunnerUser, removeRunnerAccount } from "./runner-account.ts";

export { processesOf, type RunnerUser };

const made: RunnerUser[] = [];
const engines: Promise<unknown>[] = [];
const running: ChildProcess[] = [];
afterAll(async () => {
  // an engine a failed test left running: SIGKILL takes its soak along (network.test.ts proves it)
  for (const c of running.splice(0)) c.kill("SIGKILL");
  await Promise.all(engines.splice(0));
  for (const u of made.splice(0)) await removeRunnerAccount(u);
});

/** A new user (and group), with password-less sudo when `sudo`; removed after the test file. */
export async function makeRunnerUser({ sudo }: { sudo: boolean }): Promise<RunnerUser> {
  const user = await makeRunnerAccount({ sudo });
  made.push(user);
  return user;
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
