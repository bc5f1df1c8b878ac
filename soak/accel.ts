// Which accelerator to use. KVM only when it is shown to run a guest at hardware
// speed: /dev/kvm opening is not enough (kvm-pvm, a software KVM on nested clouds,
// opens it but cannot run an ordinary kernel). The proof is the engine's own probe
// guest (accel-probe.ts), never the user's kernel. `auto` falls back to TCG and says
// why, loudly; `kvm` refuses to run without it.
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { probeRefusal } from "./accel-probe.ts";
import type { AccelMode } from "./options.ts";
import type { Accel } from "./vm/qemu.ts";

export interface AccelChoice {
  accel: Accel;
  /** why KVM was not used (absent when it was, or when TCG was asked for) */
  refused?: string;
}

/** Why KVM cannot be used here, or undefined when the probe guest ran under it. */
export async function kvmRefusal(qemu?: string): Promise<string | undefined> {
  try {
    await access("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch (err) {
    return `/dev/kvm is not usable (${(err as NodeJS.ErrnoException).code})`;
  }
  try {
    await access("/sys/module/kvm_pvm");
    return "/dev/kvm belongs to kvm-pvm (a software KVM for nested clouds) which cannot run an ordinary kernel";
  } catch {
    // not kvm-pvm: try the probe guest
  }
  return probeRefusal("kvm", qemu);
}

export async function chooseAccel(mode: AccelMode, qemu?: string): Promise<AccelChoice> {
  if (mode === "tcg") return { accel: "tcg" };
  const refused = await kvmRefusal(qemu);
  if (!refused) return { accel: "kvm" };
  if (mode === "kvm") throw new Error(`--accel kvm: KVM cannot be used: ${refused}`);
  return { accel: "tcg", refused };
}
