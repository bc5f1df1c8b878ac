// Triage, while the guest is still there: for a crash, the dump symbolized with the
// guest's stack through gdb; for a hang, every vCPU's registers, a backtrace and a
// memory dump. Either goes to triage.md.

import { writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { SoakContext } from "../context.ts";
import { renderHang, renderTriage } from "../report/triage-md.ts";
import { triageCrash } from "../triage/crash.ts";
import { triageHang } from "../triage/hang.ts";
import type { Guest } from "../vm/guest.ts";
import { hostTscKhz, tscHangNote } from "../vm/linux-tsc.ts";
import { Qmp } from "../vm/qmp.ts";

export async function triage(ctx: SoakContext, guest: Guest): Promise<void> {
  const { report, kernel } = ctx;
  const vm = guest.vm;
  const symbols = report.kernel.symbols;
  let text: string | undefined;
  const crash = ctx.crash?.crash;
  if (crash) {
    const gdb = vm.hasExited ? undefined : vm.gdbSocket;
    report.crash = await triageCrash(crash, symbols, gdb, kernel.sourceRoot);
    text = renderTriage(report.crash);
  } else if (ctx.findings.has("hang") && !vm.hasExited) {
    const qmp = await Qmp.connect(vm.qmpSocket);
    try {
      const dumpMiB = Math.min(ctx.o.hangDumpMiB, ctx.o.memoryMiB);
      report.hang = await triageHang(qmp, symbols, vm.gdbSocket, ctx.out, dumpMiB);
    } finally {
      qmp.close();
    }
    const cause = tscHangNote(vm.serial.text(), await hostTscKhz());
    if (cause) report.hang.notes.unshift(cause);
    if (report.hang.memoryDump) report.files["memory.core"] = basename(report.hang.memoryDump);
    text = renderHang(report.hang, symbols ?? kernel.elf);
  }
  if (text === undefined) return;
  await writeFile(join(ctx.out, "triage.md"), text);
  report.files["triage.md"] = "triage.md";
}
