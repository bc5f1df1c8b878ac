// Which accelerator to use. KVM only when it is shown to run a guest: /dev/kvm
// opening is not enough (kvm-pvm, a software KVM on nested clouds, opens it but
// cannot run an ordinary kernel). `auto` falls back to TCG and says why, loudly;
// `kvm` refuses to run without it.
import { constants } from "node:fs";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AccelMode } from "./options.ts";
import { type Accel, Vm } from "./vm/qemu.ts";

export interface AccelChoice {
  accel: Accel;
  /** why KVM was not used (absent when it was, or when TCG was asked for) */
  refused?: string;
}

const PROBE_DEADLINE_MS = 5000;

/** Why KVM cannot be used here, or undefined when a probe guest booted under it. */
export async function kvmRefusal(kernel: string, qemu?: string): Promise<string | undefined> {
  try {
    await access("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch (err) {
    return `/dev/kvm is not usable (${(err as NodeJS.ErrnoException).code})`;
  }
  try {
    await access("/sys/module/kvm_pvm");
    return "/dev/kvm belongs to kvm-pvm (a software KVM for nested clouds) which cannot run an ordinary kernel";
  } catch {
    // not kvm-pvm: try a real boot
  }
  const dir = await mkdtemp(join(tmpdir(), "unikernel-soak-kvm-probe-"));
  let vm: Vm | undefined;
  try {
    vm = await Vm.start({ kernel, accel: "kvm", dir, qemu });
    const exited = vm.exited.then((e) => Promise.reject(new Error(`QEMU exited (code ${e.code})`)));
    await Promise.race([vm.serial.waitFor(/^ready/, PROBE_DEADLINE_MS), exited]);
    return undefined;
  } catch (err) {
    return `a probe boot under KVM did not reach "ready" in ${PROBE_DEADLINE_MS} ms (${(err as Error).message})`;
  } finally {
    await vm?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function chooseAccel(mode: AccelMode, kernel: string, qemu?: string): Promise<AccelChoice> {
  if (mode === "tcg") return { accel: "tcg" };
  const refused = await kvmRefusal(kernel, qemu);
  if (!refused) return { accel: "kvm" };
  if (mode === "kvm") throw new Error(`--accel kvm: KVM cannot be used: ${refused}`);
  return { accel: "tcg", refused };
}
