// Where KASLR put a Linux kernel, so a profile's addresses match vmlinux's. The IDT and GDT
// live at fixed addresses (the CPU entry area), so the page tables tell: Linux clears the
// kernel image mapping's 2 MiB entries below _text (cleanup_highmap), so the first present
// one is _text's, and its distance from vmlinux's _text is the slide. Read through QMP
// (`info registers` for CR3 and CR4, `xp` for the tables), once, while the guest runs.
// Only addresses in the image's range are moved back: a module's and user space's are not.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Qmp } from "../vm/qmp.ts";

const run = promisify(execFile);
/** where x86-64 Linux maps its image (__START_KERNEL_map), modules from IMAGE_END on */
const IMAGE_START = 0xffffffff80000000n;
const IMAGE_END = 0xffffffffc0000000n;
const PMD_SIZE = 0x200000n;
const ADDRESS_BITS = 0x000ffffffffff000n;
const CR4_LA57 = 1n << 12n;

const word = (text: string) => {
  const m = /:\s*0x([0-9a-f]{16})/.exec(text);
  return m ? BigInt(`0x${m[1]}`) : undefined;
};

/** The virtual address of the first present 2 MiB entry of the kernel image mapping. */
export async function firstImagePage(qmpSocket: string): Promise<bigint | undefined> {
  const qmp = await Qmp.connect(qmpSocket);
  try {
    const regs = await qmp.hmp("info registers", 5000);
    const reg = (name: string) => {
      const m = new RegExp(`\\b${name}=([0-9a-f]+)\\b`).exec(regs);
      return m ? BigInt(`0x${m[1]}`) : undefined;
    };
    const [cr3, cr4] = [reg("CR3"), reg("CR4")];
    if (cr3 === undefined || cr4 === undefined) return undefined;
    // the top entry at each level for the last 512 GiB (with 5 levels, one level more), then PDPT[510]
    let table = cr3 & ADDRESS_BITS;
    for (const index of [...((cr4 & CR4_LA57) !== 0n ? [511n] : []), 511n, 510n]) {
      const entry = word(await qmp.hmp(`xp /1gx 0x${(table + index * 8n).toString(16)}`, 5000));
      if (entry === undefined || (entry & 1n) === 0n || (entry & 0x80n) !== 0n) return undefined;
      table = entry & ADDRESS_BITS;
    }
    const pd = await qmp.hmp(`xp /512gx 0x${table.toString(16)}`, 5000);
    const entries = [...pd.matchAll(/0x([0-9a-f]{16})/g)].map((m) => BigInt(`0x${m[1]}`));
    const first = entries.findIndex((e) => (e & 1n) !== 0n);
    return entries.length === 512 && first >= 0 ? IMAGE_START + BigInt(first) * PMD_SIZE : undefined;
  } finally {
    qmp.close();
  }
}

/** How far the running kernel sits above `vmlinux`'s addresses; undefined when it cannot tell. */
export async function kaslrSlide(vmlinux: string, firstPage: bigint): Promise<bigint | undefined> {
  const { stdout } = await run("nm", ["--defined-only", vmlinux], { maxBuffer: 256 << 20 });
  const m = /^([0-9a-f]{16}) [tT] _text$/m.exec(stdout);
  if (!m) return undefined;
  const slide = firstPage - (BigInt(`0x${m[1]}`) & ~(PMD_SIZE - 1n));
  return slide >= 0n && slide < IMAGE_END - IMAGE_START ? slide : undefined;
}

/** `address` as vmlinux has it, when it lies in the moved kernel image. */
export const unslid = (address: bigint, slide: bigint) =>
  slide && address >= IMAGE_START + slide && address < IMAGE_END ? address - slide : address;
