// Getting a runner ready: QEMU and the toolchain through the project's own set-up
// script (apt), the npm packages the kernel build needs, and KVM opened to the
// runner's user — applied after the package installs, since they can reset
// /dev/kvm's permissions. Whether KVM really runs a guest is the engine's probe.
import { spawn } from "node:child_process";
import { access, constants } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { PACKAGE_ROOT } from "../soak/package-root.ts";

const accessible = promisify(access);
const KVM_RULE = 'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"';

export function sh(command: string, args: string[], log: (line: string) => void, cwd = PACKAGE_ROOT): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const forward = (d: Buffer) => {
      for (const line of d.toString().split("\n")) if (line.trim()) log(line);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`)),
    );
  });
}

/** `withNpm`: the bundled kernel is to be built, so its npm toolchain is needed too.
 * `aptCache`: where apt keeps the packages it downloads (see apt-cache.ts). */
export async function prepareRunner(withNpm: boolean, log: (line: string) => void, aptCache?: string): Promise<void> {
  const setup = join(PACKAGE_ROOT, "scripts", "setup.mjs");
  const args = [setup, ...(withNpm ? [] : ["--system-only"]), ...(aptCache ? ["--apt-cache", aptCache] : [])];
  await sh(process.execPath, args, log);
  try {
    await accessible("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch {
    try {
      await accessible("/dev/kvm");
    } catch {
      log("no /dev/kvm on this runner");
      return;
    }
    log("opening /dev/kvm to the runner's user (udev rule)");
    const rule = `echo '${KVM_RULE}' > /etc/udev/rules.d/99-unikernel-soak-kvm.rules && udevadm control --reload-rules && udevadm trigger --name-match=kvm`;
    const asRoot = process.getuid?.() === 0 ? ["sh", ["-c", rule]] : ["sudo", ["-n", "sh", "-c", rule]];
    await sh(asRoot[0] as string, asRoot[1] as string[], log).catch((err) =>
      log(`could not apply the KVM udev rule: ${err.message}`),
    );
  }
}
