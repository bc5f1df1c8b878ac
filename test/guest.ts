// Boots a kernel under TCG for a test, with its files in a fresh temporary folder that is
// removed after the test file (the Vm is stopped by then: its test stops it).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { Vm, type VmConfig } from "../soak/vm/qemu.ts";

const folders: string[] = [];
afterAll(() => Promise.all(folders.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

export async function bootGuest(kernel: string, config: Partial<VmConfig> = {}): Promise<Vm> {
  const dir = await mkdtemp(join(tmpdir(), "unikernel-soak-test-"));
  folders.push(dir);
  return Vm.start({ kernel, accel: "tcg", dir, ...config });
}
