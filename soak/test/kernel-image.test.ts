// The two kernel formats the soak boots, and the errors for files QEMU could not boot.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readKernelImage } from "../kernel-image.ts";
import { qemuArgs } from "../vm/qemu.ts";
import { tempDir } from "./cli-run.ts";

/** The x86 boot protocol's setup header, as a bzImage starts (Documentation/arch/x86/boot.rst). */
function setupHeader({ version = 0x20f, loadflags = 0x01, xloadflags = 0x01 } = {}): Buffer {
  const b = Buffer.alloc(0x400);
  b.writeUInt16LE(0xaa55, 0x1fe);
  b.write("HdrS", 0x202, "latin1");
  b.writeUInt16LE(version, 0x206);
  b[0x211] = loadflags;
  b.writeUInt16LE(xloadflags, 0x236);
  return b;
}

async function file(name: string, content: Buffer | string): Promise<string> {
  const path = join(await tempDir("kernel-image-"), name);
  await writeFile(path, content);
  return path;
}

describe("readKernelImage", () => {
  it("knows a 64-bit bzImage", async () => {
    const path = await file("vmlinuz", setupHeader());
    expect(await readKernelImage(path)).toEqual({ format: "bzimage", info: { pvhEntry: false } });
  });

  it("refuses a file that is neither, saying what QEMU boots", async () => {
    const path = await file("notes.txt", "hello, I am text\n".repeat(64));
    await expect(readKernelImage(path)).rejects.toThrow(
      `${path} is neither an ELF file nor a Linux bzImage (no "HdrS" boot header at 0x202); QEMU microvm boots a PVH ELF`,
    );
  });

  it("refuses an ELF without a PVH note, pointing at the bzImage and --symbols", async () => {
    await expect(readKernelImage("/bin/true")).rejects.toThrow(
      /^\/bin\/true is an ELF without a PVH entry note .* boot the bzImage instead and pass this ELF as --symbols$/,
    );
  });

  it("refuses a 32-bit bzImage and one too old to load high", async () => {
    await expect(readKernelImage(await file("i386", setupHeader({ xloadflags: 0 })))).rejects.toThrow(
      /is a 32-bit Linux bzImage/,
    );
    await expect(readKernelImage(await file("zImage", setupHeader({ version: 0x204, loadflags: 0 })))).rejects.toThrow(
      /boot protocol 2\.04, loadflags 0x0\); expected a bzImage with boot protocol 2\.06 or later, loaded high/,
    );
  });

  it("names a missing file", async () => {
    await expect(readKernelImage("/nonexistent/vmlinuz")).rejects.toThrow(/cannot read kernel .*ENOENT/);
  });
});

describe("qemuArgs", () => {
  const machine = (bzImage: boolean) => {
    const args = qemuArgs({ kernel: "k", accel: "tcg", dir: "/tmp/x", bzImage }, "/tmp/x/qmp.sock");
    return args[args.indexOf("-M") + 1];
  };

  it("boots a PVH ELF with ACPI and option ROMs off, a bzImage with both on", () => {
    expect(machine(false)).toBe("microvm,acpi=off,x-option-roms=off,pit=on,pic=off,rtc=off");
    expect(machine(true)).toBe("microvm,acpi=on,x-option-roms=on,pit=on,pic=off,rtc=off");
  });
});
