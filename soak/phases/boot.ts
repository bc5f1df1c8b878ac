// QEMU up with the crash and exit monitors attached from its first instruction, then
// the wait for the guest's first healthy answer. A crash, reset or QEMU exit during
// boot ends the wait at once; a guest that says nothing and never answers is a hang.
// The guest is reached through QEMU user networking or a tap in a namespace of its own
// (prepare.ts chose; network.ts says why); vm/guest.ts boots it.
import type { SoakContext } from "../context.ts";
import { churnWorkers, keepAliveConnections } from "../options.ts";
import { Profiler } from "../profile/profiler.ts";
import { profileRate } from "../profile/rate.ts";
import { Guest } from "../vm/guest.ts";
import { guestAppend, hostTscKhz } from "../vm/linux-tsc.ts";
import { CrashMonitor } from "../watch/crash-monitor.ts";
import { ExitMonitor } from "../watch/exit-monitor.ts";
import { serialUptimeMs } from "../watch/guest-clock.ts";
import type { Target } from "./prepare.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function boot(ctx: SoakContext, target: Target): Promise<Guest> {
  const o = ctx.o;
  const bzImage = target.format === "bzimage";
  const { append, note } = guestAppend(o.append, {
    bzImage,
    accel: target.accel,
    hostKhz: await hostTscKhz(),
    timeWarp: o.timeWarp,
  });
  if (note) {
    ctx.report.boot.notes = [note];
    ctx.hooks.log(note);
  }
  ctx.bootAt = Date.now();
  const guest = await Guest.boot({
    kernel: target.elf,
    bzImage,
    append,
    initrd: o.initrd,
    memoryMiB: o.memoryMiB,
    accel: target.accel,
    timeWarp: o.timeWarp,
    dir: ctx.out,
    extraArgs: o.qemuArgs,
    qemu: o.qemu,
    network: target.network,
    privilege: target.privilege,
    guestPorts: o.guestPorts.length ? o.guestPorts : (target.info.httpPorts ?? [80]),
    // QEMU's user networking accepts on a forwarded port with a backlog of one: two connections a port
    loadPorts: Math.ceil(keepAliveConnections(o) / 2),
    churnPorts: churnWorkers(o),
  });
  ctx.report.files["serial.log"] = "serial.log";
  guest.vm.serial.on("line", (l) => ctx.stats.clock.add(l.at, serialUptimeMs(l.text)));
  ctx.crash = guest.attach(new CrashMonitor(guest.vm.serial, o.crashPatterns, ctx.findings.add));
  guest.attach(new ExitMonitor(guest.vm, ctx.findings.add, () => guest.up));
  const gdb = guest.vm.gdbSocket;
  const profile = profileRate(o.profileHz, target.network);
  if (profile.note) ctx.hooks.log(profile.note);
  if (profile.hz > 0 && gdb) ctx.profiler = guest.attach(new Profiler(gdb, profile.hz, profile.note));
  return guest;
}

/** Waits for the first 200 from the health path; false when a finding or the deadline came first. */
export async function waitReady(ctx: SoakContext, guest: Guest): Promise<boolean> {
  const o = ctx.o;
  const deadline = Date.now() + o.bootTimeoutS * 1000 - (performance.now() - guest.bootStart);
  // a try sent before the guest's NIC is up waits out its timeout: short ones first, so
  // "boot to ready" is not rounded up to the next second (compare measures it)
  let waitMs = 100;
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
      guest.health.get(o.healthPath, waitMs).then(
        (r) => r.status === 200,
        () => sleep(100).then(() => false),
      ),
      ctx.findings.first.then(() => false),
    ]);
    waitMs = Math.min(1000, waitMs * 2);
    if (answered && !ctx.findings.any) {
      guest.up = true;
      ctx.report.boot.readyMs = Math.round(performance.now() - guest.bootStart);
      return true;
    }
  }
  return false;
}
