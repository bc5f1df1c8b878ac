// For a hang: every vCPU's registers through QMP, RIP symbolized, a dump of guest
// memory (ELF core, the low part of RAM where the kernel and its linear memory live)
// that gdb opens with the kernel ELF (gdb kernel.elf memory.core), then a backtrace
// through the gdbstub, which names the loop even when RIP is in a function it calls.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Qmp } from "../vm/qmp.ts";
import { gdbBacktrace } from "./elf-tools.ts";
import { symbolize } from "./symbolize.ts";

export interface HangTriage {
  registers?: string;
  memoryDump?: string;
  backtrace?: string;
  notes: string[];
}

export async function triageHang(
  qmp: Qmp,
  elf: string | undefined,
  gdbSocket: string | undefined,
  out: string,
  dumpMiB: number,
): Promise<HangTriage> {
  const t: HangTriage = { notes: [] };
  try {
    await qmp.execute("stop");
    let regs = await qmp.hmp("info registers -a");
    if (elf) {
      for (const m of regs.matchAll(/RIP=([0-9a-f]{16})/g)) {
        const frames = await symbolize(elf, BigInt(`0x${m[1]}`));
        const where = frames.map((f) => `${f.name} (${f.file}:${f.line})`).join(" <- ");
        regs += `\nRIP 0x${m[1]}: ${where}`;
      }
    }
    t.registers = regs;
  } catch (err) {
    t.notes.push(`registers: ${(err as Error).message}`);
  }
  if (dumpMiB === 0) {
    t.notes.push("memory dump: not taken (--hang-dump-mb 0)");
  } else {
    try {
      const file = join(out, "memory.core");
      await qmp.execute(
        "dump-guest-memory",
        { paging: false, protocol: `file:${file}`, begin: 0, length: dumpMiB * 1024 * 1024 },
        60000,
      );
      await stat(file);
      t.memoryDump = file;
    } catch (err) {
      t.notes.push(`memory dump: ${(err as Error).message}`);
    }
  }
  if (elf && gdbSocket !== undefined) {
    // last: gdb's detach resumes the guest
    try {
      t.backtrace = await gdbBacktrace(elf, gdbSocket);
    } catch (err) {
      t.notes.push(`backtrace: ${(err as Error).message}`);
    }
  }
  return t;
}
