// Before QEMU: is the kernel bootable, and which accelerator runs it.
import { chooseAccel } from "../accel.ts";
import type { SoakContext } from "../context.ts";
import { type ElfInfo, readElfInfo } from "../elf.ts";
import type { Accel } from "../vm/qemu.ts";

export interface Target {
  elf: string;
  info: ElfInfo;
  accel: Accel;
}

export async function prepare(ctx: SoakContext): Promise<Target> {
  const elf = ctx.kernel.elf;
  const info = await readElfInfo(elf);
  if (!info.pvhEntry)
    throw new Error(`${elf} has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY); QEMU cannot boot it with -kernel`);
  ctx.report.kernel.buildId = info.buildId;
  const choice = await chooseAccel(ctx.o.accel, ctx.o.qemu);
  ctx.report.accel = { mode: ctx.o.accel, used: choice.accel, refused: choice.refused };
  if (choice.refused)
    ctx.hooks.log(`WARNING: running under TCG (software emulation, much slower than KVM): ${choice.refused}`);
  return { elf, info, accel: choice.accel };
}
