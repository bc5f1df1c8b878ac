// QEMU up with the crash and exit monitors attached from its first instruction, then
// the wait for the guest's first healthy answer. A crash, reset or QEMU exit during
// boot ends the wait at once; a guest that says nothing and never answers is a hang.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { SoakContext } from "../context.ts";
import { churnWorkers, keepAliveConnections } from "../options.ts";
import { freeLoopbackPorts } from "../vm/ports.ts";
import { Vm } from "../vm/qemu.ts";
import { CrashMonitor } from "../watch/crash-monitor.ts";
import { ExitMonitor } from "../watch/exit-monitor.ts";
import { HttpProbe } from "../watch/http-probe.ts";
import type { Target } from "./prepare.ts";

export interface Guest {
  vm: Vm;
  crash: CrashMonitor;
  /** /health and the counters each on a forwarded port of their own, so the load never delays them */
  health: HttpProbe;
  stats: HttpProbe;
  gdbPort: number;
  loadPorts: number[];
  /** one per churn worker, so a new connection's connect never waits behind another's */
  churnPorts: number[];
  /** the guest has answered /health */
  up: boolean;
  /** performance.now() before QEMU started */
  bootStart: number;
}

const PORT_RACE_RETRIES = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function boot(ctx: SoakContext, target: Target): Promise<Guest> {
  const bootStart = performance.now();
  const { vm, healthPort, statsPort, gdbPort, loadPorts, churnPorts } = await startVm(ctx, target);
  ctx.report.files["serial.log"] = "serial.log";
  const guest: Guest = {
    vm,
    crash: ctx.attach(new CrashMonitor(vm.serial, ctx.o.crashPatterns, ctx.findings.add)),
    health: new HttpProbe("127.0.0.1", healthPort),
    stats: new HttpProbe("127.0.0.1", statsPort),
    gdbPort,
    loadPorts,
    churnPorts,
    up: false,
    bootStart,
  };
  ctx.attach(new ExitMonitor(vm, ctx.findings.add, () => guest.up));
  return guest;
}

/** Waits for the first 200 from the health path; false when a finding or the deadline came first. */
export async function waitReady(ctx: SoakContext, guest: Guest): Promise<boolean> {
  const o = ctx.o;
  const deadline = Date.now() + o.bootTimeoutS * 1000 - (performance.now() - guest.bootStart);
  while (!ctx.findings.any) {
    if (Date.now() > deadline) {
      ctx.findings.add({
        kind: "hang",
        at: Date.now(),
        message: `${o.healthPath} did not answer 200 within ${o.bootTimeoutS} s of boot, and the serial log shows no crash`,
      });
      return false;
    }
    const answered = await Promise.race([
      guest.health.get(o.healthPath, 1000).then(
        (r) => r.status === 200,
        () => sleep(100).then(() => false),
      ),
      ctx.findings.first.then(() => false),
    ]);
    if (answered && !ctx.findings.any) {
      guest.up = true;
      ctx.report.boot.readyMs = Math.round(performance.now() - guest.bootStart);
      return true;
    }
  }
  return false;
}

/**
 * Starts QEMU on fresh ports: one for each watcher, one per two load connections (see
 * VmConfig.hostPorts), one for gdb. A port can still be taken between our check and
 * QEMU's bind: QEMU then exits at once saying so, and we try again with other ports.
 */
async function startVm(ctx: SoakContext, target: Target) {
  const o = ctx.o;
  const guestPorts = o.guestPorts.length ? o.guestPorts : (target.info.httpPorts ?? [80]);
  for (let attempt = 1; ; attempt++) {
    const keepAlivePorts = Math.ceil(keepAliveConnections(o) / 2);
    const [healthPort, statsPort, gdbPort, ...ports] = await freeLoopbackPorts(3 + keepAlivePorts + churnWorkers(o));
    const [loadPorts, churnPorts] = [ports.slice(0, keepAlivePorts), ports.slice(keepAlivePorts)];
    const vm = await Vm.start({
      kernel: target.elf,
      bzImage: target.format === "bzimage",
      append: o.append,
      initrd: o.initrd,
      memoryMiB: o.memoryMiB,
      accel: target.accel,
      dir: ctx.out,
      hostPorts: [healthPort, statsPort, ...ports],
      guestPorts,
      gdbPort,
      extraArgs: o.qemuArgs,
      qemu: o.qemu,
    });
    const early = await Promise.race([vm.exited, sleep(300).then(() => undefined)]);
    const log = early ? await readFile(join(ctx.out, "qemu.log"), "utf8").catch(() => "") : "";
    if (
      !early ||
      !/Could not set up host forwarding rule|Address already in use/.test(log) ||
      attempt === PORT_RACE_RETRIES
    )
      return { vm, healthPort, statsPort, gdbPort, loadPorts, churnPorts };
    await vm.stop();
  }
}
