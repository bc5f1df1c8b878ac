// The probe guest that decides for KVM is the engine's own: it must boot with -kernel
// (a PVH note) and end QEMU with its exit code. Under TCG here (no usable KVM): the same
// file, the same check, only the accelerator differs on a runner.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { probeElf, probeRefusal } from "../accel-probe.ts";
import { readElfInfo } from "../elf.ts";

describe("the KVM probe guest", () => {
  it("is a PVH ELF QEMU can boot with -kernel", async () => {
    const dir = await mkdtemp(join(tmpdir(), "soak-probe-"));
    try {
      await writeFile(join(dir, "probe.elf"), probeElf());
      expect((await readElfInfo(join(dir, "probe.elf"))).pvhEntry).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("runs to its end under TCG and ends QEMU with its exit code", async () => {
    expect(await probeRefusal("tcg")).toBeUndefined();
  });

  it("a missing QEMU is an error, not a refusal of KVM", async () => {
    await expect(probeRefusal("tcg", "/nonexistent/qemu")).rejects.toThrow(/cannot start \/nonexistent\/qemu/);
  });
});
