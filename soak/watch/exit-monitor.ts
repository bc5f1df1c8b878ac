// QEMU's exit, told apart by cause. Under -no-reboot a guest reset or power-off ends
// QEMU with code 0: that is the kernel's doing. A signal (someone killed QEMU, or QEMU
// itself crashed) or a QEMU that says it was told to terminate is the machine's, not
// the kernel's: an infrastructure error (exit 2) naming the signal. An exit we asked
// for (Vm.stop) is nobody's finding.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FindingSink } from "../findings.ts";
import type { Finding } from "../verdict.ts";
import type { Vm, VmExit } from "../vm/qemu.ts";
import type { Monitor } from "./monitor.ts";

export class ExitMonitor implements Monitor {
  private stopped = false;

  constructor(
    private readonly vm: Vm,
    private readonly sink: FindingSink,
    /** has the guest answered yet? before that a failing QEMU most likely could not run it at all */
    private readonly guestUp: () => boolean,
  ) {}

  start(): void {
    void this.vm.exited.then(async (e) => {
      if (this.stopped || this.vm.stopping) return;
      const log = await readFile(join(this.vm.config.dir, "qemu.log"), "utf8").catch(() => "");
      if (this.stopped || this.vm.stopping) return;
      this.sink(classifyExit(e, log, this.guestUp()));
    });
  }

  stop(): void {
    this.stopped = true;
  }
}

export function classifyExit(e: VmExit, qemuLog: string, guestUp: boolean): Finding {
  const tail = qemuLog.trim().split("\n").slice(-3).join(" | ");
  const told = /terminating on signal (\d+)(?: from pid (\d+))?/.exec(qemuLog);
  if (e.signal || told) {
    const what = e.signal ?? `signal ${told?.[1]}${told?.[2] ? ` from pid ${told[2]}` : ""}`;
    return {
      kind: "error",
      at: e.at,
      message: `QEMU was stopped from outside the engine (${what}); not the kernel's doing — soak again`,
      evidence: { code: e.code, signal: e.signal },
    };
  }
  if (e.code === 0)
    return {
      kind: "reset",
      at: e.at,
      message: `QEMU exited ${guestUp ? "during the soak" : "during boot"} (exit code 0): the guest reset or powered off (-no-reboot)`,
      evidence: { code: e.code },
    };
  return {
    kind: guestUp ? "crash" : "error",
    at: e.at,
    message: `QEMU exited ${guestUp ? "during the soak" : "before the guest was up"} (exit code ${e.code})${tail ? `: ${tail}` : ""}`,
    evidence: { code: e.code },
  };
}
