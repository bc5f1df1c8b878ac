// Before QEMU: is the kernel bootable (a PVH ELF or a bzImage), which ELF a crash is
// symbolised against, whether QEMU is new enough, which accelerator runs it and which
// path leads into the guest.
import { chooseAccel } from "../accel.ts";
import type { SoakContext } from "../context.ts";
import { type ElfInfo, readElfInfo } from "../elf.ts";
import { type KernelFormat, readKernelImage } from "../kernel-image.ts";
import { chooseNetwork, type Network, TAP_VIA } from "../network.ts";
import type { Privilege } from "../vm/privilege.ts";
import type { Accel } from "../vm/qemu.ts";
import { qemuVersion } from "../vm/qemu-version.ts";

export interface Target {
  elf: string;
  format: KernelFormat;
  info: ElfInfo;
  accel: Accel;
  network: Network;
  /** on the tap path: how it has its privileges */
  privilege?: Privilege;
}

const WARP_NEEDS_TCG =
  "--time-warp runs the guest under QEMU's instruction counter (icount, sleep=off), which TCG has and KVM has not";

export async function prepare(ctx: SoakContext): Promise<Target> {
  const elf = ctx.kernel.elf;
  const image = await readKernelImage(elf);
  ctx.report.kernel.format = image.format;
  ctx.report.kernel.buildId = image.info.buildId;
  ctx.report.kernel.symbols = await symbolsFor(ctx, elf, image.format);
  const qemu = await qemuVersion(ctx.o.qemu);
  ctx.report.host.qemu = qemu.line;
  if (qemu.tooOld) throw new Error(qemu.tooOld);
  // the time warp is QEMU's instruction counter, which only TCG has (options.ts refuses --accel kvm with it)
  const choice = ctx.o.timeWarp
    ? { accel: "tcg" as const, refused: ctx.o.accel === "auto" ? WARP_NEEDS_TCG : undefined }
    : await chooseAccel(ctx.o.accel, ctx.o.qemu);
  ctx.report.accel = { mode: ctx.o.accel, used: choice.accel, refused: choice.refused };
  if (ctx.o.timeWarp) ctx.hooks.log(`time warp: TCG under QEMU's instruction counter (${WARP_NEEDS_TCG})`);
  else if (choice.refused)
    ctx.hooks.log(`WARNING: running under TCG (software emulation, much slower than KVM): ${choice.refused}`);
  const net = await chooseNetwork(ctx.o.network);
  const via = net.privilege && TAP_VIA[net.privilege.how];
  ctx.report.network = { mode: ctx.o.network, used: net.network, via, refused: net.refused };
  if (net.refused) ctx.hooks.log(`network: QEMU user networking, not the tap path: ${net.refused}`);
  else if (via) ctx.hooks.log(`network: the tap path, ${via}`);
  const { accel } = choice;
  return { elf, format: image.format, info: image.info, accel, network: net.network, privilege: net.privilege };
}

/** --symbols when given (an x86-64 ELF, checked now rather than at triage), else the kernel ELF itself. */
async function symbolsFor(ctx: SoakContext, elf: string, format: KernelFormat): Promise<string | undefined> {
  const symbols = ctx.o.symbols;
  if (symbols) {
    await readElfInfo(symbols).catch((err: Error) => {
      throw new Error(`--symbols: ${err.message}; expected the kernel's ELF with its symbols (vmlinux for Linux)`);
    });
    return symbols;
  }
  if (format === "pvh-elf") return elf;
  ctx.hooks.log(
    "no --symbols for this bzImage: a crash's trace stays as the kernel printed it (pass --symbols vmlinux)",
  );
  return undefined;
}
