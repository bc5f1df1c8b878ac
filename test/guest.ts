// Boots a kernel under TCG for a test, with its files in a fresh temporary folder.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Vm, type VmConfig } from "../soak/vm/qemu.ts";

export async function bootGuest(kernel: string, config: Partial<VmConfig> = {}): Promise<Vm> {
  const dir = await mkdtemp(join(tmpdir(), "unikernel-soak-test-"));
  return Vm.start({ kernel, accel: "tcg", dir, ...config });
}
