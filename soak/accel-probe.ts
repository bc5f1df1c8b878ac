// The probe guest that decides whether KVM is used: a few dozen bytes of x86 the engine
// ships itself, so the choice depends on nothing in the user's kernel. It turns on SSE,
// runs an SSE loop of 20 million passes (milliseconds on hardware, half a second under TCG,
// minutes on a software KVM such as kvm-pvm, whose emulator also chokes on SSE), then
// writes to QEMU's isa-debug-exit port, which ends QEMU with exit code (0x2a << 1) | 1.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Accel, Vm } from "./vm/qemu.ts";

export const PROBE_EXIT_CODE = (0x2a << 1) | 1;
const PROBE_DEADLINE_MS = 5000;
const LOAD_ADDRESS = 0x100000;
const LOOP_PASSES = 20_000_000;

// 32-bit protected mode, paging off: how a PVH entry point is entered.
function probeCode(): Buffer {
  const passes = Buffer.alloc(4);
  passes.writeUInt32LE(LOOP_PASSES);
  return Buffer.concat([
    Buffer.from([0x0f, 0x20, 0xc0]), // mov eax, cr0
    Buffer.from([0x83, 0xe0, 0xfb]), // and eax, ~CR0.EM
    Buffer.from([0x83, 0xc8, 0x02]), // or eax, CR0.MP
    Buffer.from([0x0f, 0x22, 0xc0]), // mov cr0, eax
    Buffer.from([0x0f, 0x20, 0xe0]), // mov eax, cr4
    Buffer.from([0x0d, 0x00, 0x06, 0x00, 0x00]), // or eax, CR4.OSFXSR | CR4.OSXMMEXCPT
    Buffer.from([0x0f, 0x22, 0xe0]), // mov cr4, eax
    Buffer.from([0x0f, 0x57, 0xc0]), // xorps xmm0, xmm0
    Buffer.from([0xb9]), // mov ecx, LOOP_PASSES
    passes,
    Buffer.from([0x0f, 0x58, 0xc0]), // 1: addps xmm0, xmm0
    Buffer.from([0x49]), // dec ecx
    Buffer.from([0x75, 0xfa]), // jnz 1b
    Buffer.from([0xb0, 0x2a]), // mov al, 0x2a
    Buffer.from([0xe6, 0xf4]), // out 0xf4, al (isa-debug-exit)
    Buffer.from([0xf4, 0xeb, 0xfd]), // 2: hlt; jmp 2b
  ]);
}

/** A 64-bit ELF with one loadable segment and the Xen PVH entry note QEMU's -kernel looks for. */
export function probeElf(): Buffer {
  const EHDR = 64;
  const PHDR = 56;
  const note = Buffer.alloc(24);
  note.writeUInt32LE(4, 0); // namesz
  note.writeUInt32LE(4, 4); // descsz
  note.writeUInt32LE(18, 8); // XEN_ELFNOTE_PHYS32_ENTRY
  note.write("Xen\0", 12, "latin1");
  const noteAt = EHDR + 2 * PHDR;
  const codeAt = noteAt + note.length;
  note.writeUInt32LE(LOAD_ADDRESS + codeAt, 16); // the entry, physical (the file is loaded from offset 0)
  const code = probeCode();
  const size = codeAt + code.length;
  const h = Buffer.alloc(EHDR + 2 * PHDR);
  h.writeUInt32BE(0x7f454c46, 0);
  h.set([2, 1, 1], 4); // 64-bit, little-endian, version 1
  h.writeUInt16LE(2, 16); // ET_EXEC
  h.writeUInt16LE(62, 18); // EM_X86_64
  h.writeUInt32LE(1, 20);
  h.writeBigUInt64LE(BigInt(LOAD_ADDRESS + codeAt), 24); // e_entry
  h.writeBigUInt64LE(BigInt(EHDR), 32); // e_phoff
  h.writeUInt16LE(EHDR, 52);
  h.writeUInt16LE(PHDR, 54);
  h.writeUInt16LE(2, 56); // e_phnum
  const phdr = (at: number, type: number, flags: number, offset: number, addr: number, len: number, align: number) => {
    h.writeUInt32LE(type, at);
    h.writeUInt32LE(flags, at + 4);
    h.writeBigUInt64LE(BigInt(offset), at + 8);
    h.writeBigUInt64LE(BigInt(addr), at + 16);
    h.writeBigUInt64LE(BigInt(addr), at + 24);
    h.writeBigUInt64LE(BigInt(len), at + 32);
    h.writeBigUInt64LE(BigInt(len), at + 40);
    h.writeBigUInt64LE(BigInt(align), at + 48);
  };
  phdr(EHDR, 1, 5, 0, LOAD_ADDRESS, size, 0x1000); // PT_LOAD, r-x, the whole file
  phdr(EHDR + PHDR, 4, 4, noteAt, LOAD_ADDRESS + noteAt, note.length, 4); // PT_NOTE
  return Buffer.concat([h, note, code]);
}

/** Why the probe guest did not run to its end under `accel` within the deadline; undefined when it did. */
export async function probeRefusal(accel: Accel, qemu?: string): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), "unikernel-soak-probe-"));
  let vm: Vm | undefined;
  try {
    const kernel = join(dir, "probe.elf");
    await writeFile(kernel, probeElf());
    const started = performance.now();
    vm = await Vm.start({
      kernel,
      accel,
      dir,
      qemu,
      memoryMiB: 64,
      extraArgs: ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"],
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), PROBE_DEADLINE_MS);
    });
    const exit = await Promise.race([vm.exited, timeout]);
    clearTimeout(timer);
    const ms = Math.round(performance.now() - started);
    if (!exit) return `a probe guest did not finish within ${PROBE_DEADLINE_MS} ms under ${accel}`;
    if (exit.code !== PROBE_EXIT_CODE)
      return `a probe guest under ${accel} ended QEMU with ${exit.signal ?? `exit code ${exit.code}`} after ${ms} ms, not ${PROBE_EXIT_CODE}`;
    return undefined;
  } finally {
    await vm?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
