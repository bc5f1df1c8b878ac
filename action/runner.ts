// Getting a runner ready: QEMU and the tools triage uses through the project's own
// set-up script (apt; with the build toolchain and npm packages only when the bundled
// kernel is to be built, i.e. for a fault switch), and KVM opened to the runner's
// user — applied after the package installs, since they can reset /dev/kvm's
// permissions. Whether KVM really runs a guest is the engine's probe.
// Child processes go through @actions/exec: their output reaches the log as written,
// whole lines, however the pipe splits it.
import { constants } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import * as exec from "@actions/exec";
import * as io from "@actions/io";
import { PACKAGE_ROOT } from "../soak/index.ts";

/** Runs a command to completion; rejects with what failed and how. */
export type Shell = (command: string, args: string[], options?: { cwd?: string; out?: Writable }) => Promise<void>;

export const sh: Shell = async (command, args, options = {}) => {
  let code: number;
  try {
    code = await exec.exec(command, args, {
      cwd: options.cwd ?? PACKAGE_ROOT,
      ignoreReturnCode: true,
      outStream: options.out,
      errStream: options.out,
    });
  } catch (err) {
    throw new Error(`${command} could not start: ${(err as Error).message}`);
  }
  if (code !== 0) throw new Error(`${[command, ...args].join(" ")} exited with code ${code}`);
};

export const KVM_RULE_FILE = "/etc/udev/rules.d/99-unikernel-soak-kvm.rules";
const KVM_RULE = 'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"';

/** Writes the udev rule, applies it to /dev/kvm and waits (settle) until udev has done so. */
export function kvmRuleScript(): string {
  return [
    `echo '${KVM_RULE}' > ${KVM_RULE_FILE}`,
    "udevadm control --reload-rules",
    "udevadm trigger --name-match=kvm",
    "udevadm settle --timeout=30",
  ].join(" && ");
}

/** Why the KVM udev rule cannot be applied here (a self-hosted runner, a container), or undefined when it can. */
export async function kvmRuleRefusal(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) {
    if (!(await io.which("sudo"))) return "there is no sudo to open it";
    const sudo = await exec.exec("sudo", ["-n", "true"], { ignoreReturnCode: true, silent: true }).catch(() => 1);
    if (sudo !== 0) return "sudo asks for a password here";
  }
  if (!(await io.which("udevadm"))) return "there is no udev here (no udevadm: a container?)";
  if (!(await exists("/run/udev/control"))) return "udev does not run here (a container?)";
  const sys = (await readFile("/proc/mounts", "utf8").catch(() => ""))
    .split("\n")
    .find((l) => l.split(" ")[1] === "/sys");
  if (sys?.split(" ")[3]?.split(",").includes("ro")) return "/sys is read-only here (a container?)";
  return undefined;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** `build`: the bundled kernel is to be built here, so its toolchain is needed too.
 * `aptCache`: where apt keeps the packages it downloads (see apt-cache.ts). */
export async function prepareRunner(
  build: boolean,
  log: (line: string) => void,
  aptCache?: string,
  run: Shell = sh,
): Promise<void> {
  const setup = join(PACKAGE_ROOT, "scripts", "setup.mjs");
  await run(process.execPath, [
    setup,
    ...(build ? [] : ["--system-only"]),
    ...(aptCache ? ["--apt-cache", aptCache] : []),
  ]);
  try {
    await access("/dev/kvm", constants.R_OK | constants.W_OK);
    return;
  } catch {
    // not open to us (yet)
  }
  try {
    await access("/dev/kvm");
  } catch {
    log("no /dev/kvm on this runner");
    return;
  }
  const refused = await kvmRuleRefusal();
  if (refused) {
    log(
      `/dev/kvm is not open to this user, and ${refused}: the soak runs under TCG (software emulation, much slower); give this user /dev/kvm (the kvm group) or run the job as root`,
    );
    return;
  }
  const asRoot = process.getuid?.() === 0;
  log("opening /dev/kvm to the runner's user (udev rule)");
  const script = kvmRuleScript();
  await (asRoot ? run("sh", ["-c", script]) : run("sudo", ["-n", "sh", "-c", script])).catch((err: Error) =>
    log(`could not apply the KVM udev rule: ${err.message}`),
  );
}
