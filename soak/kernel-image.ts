// Which of the two kernel formats QEMU microvm boots a file is: a PVH ELF (entered at
// its XEN_ELFNOTE_PHYS32_ENTRY note) or a Linux bzImage (run by the boot protocol,
// "HdrS" at 0x202). Anything else is refused with what was expected.
import { open } from "node:fs/promises";
import { type ElfInfo, readElfInfo } from "./elf.ts";

export type KernelFormat = "pvh-elf" | "bzimage";

export interface KernelImage {
  format: KernelFormat;
  /** the ELF's notes; a bzImage has none (no build-id, no port note) */
  info: ElfInfo;
}

const EXPECTED =
  "QEMU microvm boots a PVH ELF (an x86-64 ELF with a XEN_ELFNOTE_PHYS32_ENTRY note) or a Linux bzImage (arch/x86/boot/bzImage, /boot/vmlinuz-*)";
// The x86 boot protocol's setup header (Documentation/arch/x86/boot.rst).
const BOOT_FLAG = 0x1fe;
const HEADER_MAGIC = 0x202;
const VERSION = 0x206;
const LOADFLAGS = 0x211;
const XLOADFLAGS = 0x236;
const LOADED_HIGH = 0x01;
const XLF_KERNEL_64 = 0x01;
/** 2.06 and later: QEMU loads the protected-mode kernel high and passes the command line size */
const MIN_PROTOCOL = 0x206;

async function head(path: string, bytes: number): Promise<Buffer> {
  const f = await open(path, "r").catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot read kernel ${path}: ${err.code ?? err.message}`);
  });
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await f.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await f.close();
  }
}

/** The kernel's format and notes; throws an Error saying what is wrong when QEMU could not boot it. */
export async function readKernelImage(path: string): Promise<KernelImage> {
  const buf = await head(path, 0x240);
  if (buf.length >= 4 && buf.readUInt32BE(0) === 0x7f454c46) {
    const info = await readElfInfo(path);
    if (!info.pvhEntry)
      throw new Error(
        `${path} is an ELF without a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY), so QEMU cannot boot it with -kernel; ` +
          "for Linux, boot the bzImage instead and pass this ELF as --symbols",
      );
    return { format: "pvh-elf", info };
  }
  if (buf.length < XLOADFLAGS + 2 || buf.toString("latin1", HEADER_MAGIC, HEADER_MAGIC + 4) !== "HdrS")
    throw new Error(`${path} is neither an ELF file nor a Linux bzImage (no "HdrS" boot header at 0x202); ${EXPECTED}`);
  const version = buf.readUInt16LE(VERSION);
  const protocol = `${version >> 8}.${(version & 0xff).toString().padStart(2, "0")}`;
  if (buf.readUInt16LE(BOOT_FLAG) !== 0xaa55 || version < MIN_PROTOCOL || !(buf[LOADFLAGS] & LOADED_HIGH))
    throw new Error(
      `${path} is a Linux boot image QEMU cannot boot here (boot protocol ${protocol}, loadflags 0x${buf[LOADFLAGS].toString(16)}); ` +
        `expected a bzImage with boot protocol 2.06 or later, loaded high`,
    );
  if (!(buf.readUInt16LE(XLOADFLAGS) & XLF_KERNEL_64))
    throw new Error(`${path} is a 32-bit Linux bzImage; the soak boots x86-64 kernels only`);
  return { format: "bzimage", info: { pvhEntry: false } };
}
