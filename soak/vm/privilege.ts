// Where the tap path (tap-network.ts) gets the few privileged commands it needs: a network
// namespace, a tap device in it, its address and routes. As root, the engine runs them
// itself. Not root (a GitHub-hosted runner's step is the user `runner`), through
// password-less sudo, and everything else (the gateway, QEMU, the load workers) drops back
// to the engine's own user and groups: none of the soak's own code runs as root.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The environment a node child finds its IPC channel by: sudo resets the rest. */
const IPC_ENV = "NODE_CHANNEL_FD,NODE_CHANNEL_SERIALIZATION_MODE";

export interface Privilege {
  how: "root" | "sudo";
  /** argv prefix of a command that needs root */
  root: string[];
  /** argv prefix, inside a root command, that runs the rest as the engine's user and groups */
  user: string[];
  /** whom the tap device belongs to, so QEMU opens it as that user */
  uid: number;
}

const asRoot: Privilege = { how: "root", root: [], user: [], uid: 0 };

/** The engine's user and supplementary groups, as setpriv arguments (its real ids, as the engine has them). */
function sameUser(): string[] {
  const groups = process.getgroups?.() ?? [];
  return [
    "setpriv",
    `--reuid=${process.getuid?.()}`,
    `--regid=${process.getgid?.()}`,
    groups.length ? `--groups=${groups.join(",")}` : "--clear-groups",
    "--",
  ];
}

/** How the tap path gets its privileges here, or why it cannot (with what to do). */
export async function tapPrivilege(): Promise<Privilege | string> {
  try {
    await access("/dev/net/tun", constants.R_OK | constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return `/dev/net/tun is not usable by this user (${code}): ${code === "ENOENT" ? "in a container, pass the device through (--device /dev/net/tun) and allow NET_ADMIN" : "QEMU opens it as this user; udev makes it mode 0666 on most machines"}, or pass --network user`;
  }
  let privilege = asRoot;
  if (process.getuid?.() !== 0) {
    const sudo = ["sudo", "-n", `--preserve-env=${IPC_ENV}`];
    const refused = await run(sudo[0], [...sudo.slice(1), "true"], { timeout: 10_000 }).then(
      () => undefined,
      (err: NodeJS.ErrnoException & { stderr?: string }) =>
        err.code === "ENOENT" ? "there is no sudo" : err.stderr?.trim().split("\n")[0] || err.message,
    );
    if (refused)
      return `the tap path needs root or password-less sudo, and this user (uid ${process.getuid?.()}) has neither (${refused}): run as root, allow sudo without a password, or pass --network user`;
    privilege = { how: "sudo", root: sudo, user: sameUser(), uid: process.getuid?.() ?? 0 };
  }
  try {
    // a tap in a namespace of its own: gone with the command, nothing touched outside it
    const probe = ["unshare", "--net", "ip", "tuntap", "add", "dev", "uksprobe", "mode", "tap"];
    await runAsRoot(privilege, probe);
    await run("nsenter", ["--version"], { timeout: 5000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const why = e.code === "ENOENT" ? `${e.path} not found (install util-linux and iproute2)` : e.stderr?.trim();
    return `cannot make a tap device in a network namespace${privilege.how === "sudo" ? " through sudo" : ""}: ${why || e.message}`;
  }
  return privilege;
}

/** Runs `argv` with the root prefix of `p`. */
export function runAsRoot(p: Privilege, argv: string[]) {
  const full = [...p.root, ...argv];
  return run(full[0], full.slice(1), { timeout: 10_000 });
}
