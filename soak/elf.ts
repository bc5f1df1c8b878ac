// Just enough ELF reading to check a kernel before booting it and to name its build:
// 64-bit x86 ELF, its notes (GNU build-id, Xen PVH entry, the HTTP ports it serves).
import { readFile } from "node:fs/promises";

export interface ElfInfo {
  buildId?: string;
  /** has the XEN_ELFNOTE_PHYS32_ENTRY note QEMU needs to boot it with -kernel */
  pvhEntry: boolean;
  /** guest ports serving HTTP, from a note named "unikernel-soak" of type 1 (u16 first, u16 count) */
  httpPorts?: number[];
}

const PT_NOTE = 4;
const NT_GNU_BUILD_ID = 3;
const XEN_ELFNOTE_PHYS32_ENTRY = 18;
const SOAK_NOTE_HTTP_PORTS = 1;

/** Throws an Error saying what is wrong when `path` is not a 64-bit x86 ELF. */
export async function readElfInfo(path: string): Promise<ElfInfo> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new Error(`cannot read kernel ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path} is not an ELF file`);
  if (buf[4] !== 2 || buf[5] !== 1) throw new Error(`${path} is not a 64-bit little-endian ELF`);
  if (buf.readUInt16LE(18) !== 62) throw new Error(`${path} is not an x86-64 ELF (e_machine ${buf.readUInt16LE(18)})`);
  const phoff = Number(buf.readBigUInt64LE(32));
  const phentsize = buf.readUInt16LE(54);
  const phnum = buf.readUInt16LE(56);
  const info: ElfInfo = { pvhEntry: false };
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 56 > buf.length || buf.readUInt32LE(ph) !== PT_NOTE) continue;
    const offset = Number(buf.readBigUInt64LE(ph + 8));
    const end = Math.min(offset + Number(buf.readBigUInt64LE(ph + 32)), buf.length);
    for (let n = offset; n + 12 <= end; ) {
      const namesz = buf.readUInt32LE(n);
      const descsz = buf.readUInt32LE(n + 4);
      const type = buf.readUInt32LE(n + 8);
      const name = buf.toString("latin1", n + 12, n + 12 + namesz).replace(/\0+$/, "");
      const desc = n + 12 + align4(namesz);
      if (name === "GNU" && type === NT_GNU_BUILD_ID) info.buildId = buf.toString("hex", desc, desc + descsz);
      if (name === "Xen" && type === XEN_ELFNOTE_PHYS32_ENTRY) info.pvhEntry = true;
      if (name === "unikernel-soak" && type === SOAK_NOTE_HTTP_PORTS && descsz >= 4) {
        const first = buf.readUInt16LE(desc);
        info.httpPorts = Array.from({ length: buf.readUInt16LE(desc + 2) }, (_, i) => first + i);
      }
      n = desc + align4(descsz);
    }
  }
  return info;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
