// QEMU up with the crash and exit monitors attached from its first instruction, then
// the wait for the guest's first healthy answer. A crash, reset or QEMU exit during
// boot ends the wait at once; a guest that says nothing and never answers is a hang.
// The guest is reached through QEMU user networking or a tap in a namespace of its own
// (prepare.ts chose; network.ts says why).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { SoakContext } from "../context.ts";
import { churnWorkers, keepAliveConnections } from "../options.ts";
import { guestAppend, hostTscKhz } from "../vm/linux-tsc.ts";
import { freeLoopbackPorts } from "../vm/ports.ts";
import { Vm } from "../vm/qemu.ts";
import { GUEST_IP, TapNetwork } from "../vm/tap-network.ts";
import { CrashMonitor } from "../watch/crash-monitor.ts";
import { ExitMonitor } from "../watch/exit-monitor.ts";
import { HttpProbe } from "../watch/http-probe.ts";
import type { Target } from "./prepare.ts";

export interface Guest {
  vm: Vm;
  crash: CrashMonitor;
  /** /health and the counters each on a connection of their own, so the load never delays them */
  health: HttpProbe;
  stats: HttpProbe;
  gdbPort: number;
  /** where the keep-alive connections go: the guest's ports in turn */
  loadUrls: string[];
  /** one per churn worker, so a new connection's connect never waits behind another's */
  churnUrls: string[];
  /** the argv prefix that puts a load worker where it reaches the guest (the tap's namespace) */
  enter?: string[];
  /** the path into the guest, for the log */
  path: string;
  /** the guest has answered /health */
  up: boolean;
  /** performance.now() before QEMU started */
  bootStart: number;
  /** stops QEMU, then what its network needed */
  stop(): Promise<void>;
}

const PORT_RACE_RETRIES = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function boot(ctx: SoakContext, target: Target): Promise<Guest> {
  const bootStart = performance.now();
  const bzImage = target.format === "bzimage";
  const { append, note } = guestAppend(ctx.o.append, { bzImage, accel: target.accel, hostKhz: await hostTscKhz() });
  if (note) {
    ctx.report.boot.notes = [note];
    ctx.hooks.log(note);
  }
  const vm = { ...vmConfig(ctx, target), append };
  const started = target.network === "tap" ? await startOnTap(ctx, target, vm) : await startOnUser(ctx, target, vm);
  ctx.report.files["serial.log"] = "serial.log";
  const guest: Guest = {
    ...started,
    crash: ctx.attach(new CrashMonitor(started.vm.serial, ctx.o.crashPatterns, ctx.findings.add)),
    up: false,
    bootStart,
  };
  ctx.attach(new ExitMonitor(started.vm, ctx.findings.add, () => guest.up));
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

type Started = Omit<Guest, "crash" | "up" | "bootStart">;

/** The load's connections, in the order ports are handed out: the health and stats probes, keep-alive, churn. */
function shape(ctx: SoakContext, target: Target) {
  const o = ctx.o;
  const guestPorts = o.guestPorts.length ? o.guestPorts : (target.info.httpPorts ?? [80]);
  // QEMU's user networking accepts on a forwarded port with a backlog of one: two connections a port
  const keepAlive = Math.ceil(keepAliveConnections(o) / 2);
  const count = 2 + keepAlive + churnWorkers(o);
  /** the i-th connection's guest port (QEMU forwards host port i to it alike) */
  const guestPort = (i: number) => guestPorts[i % guestPorts.length];
  return { guestPorts, keepAlive, count, guestPort };
}

type VmBase = ReturnType<typeof vmConfig>;

function vmConfig(ctx: SoakContext, target: Target) {
  const o = ctx.o;
  return {
    kernel: target.elf,
    bzImage: target.format === "bzimage",
    append: o.append,
    initrd: o.initrd,
    memoryMiB: o.memoryMiB,
    accel: target.accel,
    dir: ctx.out,
    extraArgs: o.qemuArgs,
    qemu: o.qemu,
  };
}

/**
 * QEMU user networking on fresh loopback ports: one for each probe, one per two load
 * connections, one per churn worker, one for gdb. A port can still be taken between our
 * check and QEMU's bind: QEMU then exits at once saying so, and we try again with others.
 */
async function startOnUser(ctx: SoakContext, target: Target, base: VmBase): Promise<Started> {
  const { guestPorts, keepAlive, count } = shape(ctx, target);
  for (let attempt = 1; ; attempt++) {
    const [gdbPort, ...ports] = await freeLoopbackPorts(1 + count);
    const vm = await Vm.start({ ...base, hostPorts: ports, guestPorts, gdbPort });
    const early = await Promise.race([vm.exited, sleep(300).then(() => undefined)]);
    const log = early ? await readFile(join(ctx.out, "qemu.log"), "utf8").catch(() => "") : "";
    if (
      !early ||
      !/Could not set up host forwarding rule|Address already in use/.test(log) ||
      attempt === PORT_RACE_RETRIES
    ) {
      const urls = ports.map((p) => `http://127.0.0.1:${p}`);
      return {
        vm,
        health: new HttpProbe({ host: "127.0.0.1", port: ports[0] }),
        stats: new HttpProbe({ host: "127.0.0.1", port: ports[1] }),
        gdbPort,
        loadUrls: urls.slice(2, 2 + keepAlive),
        churnUrls: urls.slice(2 + keepAlive),
        path: `QEMU user networking, ${ports.length} loopback ports`,
        stop: async () => {
          await vm.stop();
        },
      };
    }
    await vm.stop();
  }
}

/** QEMU on a tap device in a network namespace of the soak's own (vm/tap-network.ts). */
async function startOnTap(ctx: SoakContext, target: Target, base: VmBase): Promise<Started> {
  const { keepAlive, count, guestPort } = shape(ctx, target);
  const [gdbPort] = await freeLoopbackPorts(1);
  const [healthPort, statsPort] = [guestPort(0), guestPort(1)];
  let tap: TapNetwork | undefined;
  let vm: Vm | undefined;
  const stop = async () => {
    await vm?.stop();
    await tap?.stop();
  };
  try {
    if (!target.privilege) throw new Error("the tap path was chosen without its privileges");
    tap = await TapNetwork.open([...new Set([healthPort, statsPort])], target.privilege);
    vm = await Vm.start({ ...base, tap: tap.ifname, enter: tap.enter, gdbPort });
  } catch (err) {
    await stop();
    throw err;
  }
  const urls = Array.from({ length: count }, (_, i) => `http://${GUEST_IP}:${guestPort(i)}`);
  return {
    vm,
    health: new HttpProbe({ socketPath: tap.socketPath(healthPort) }),
    stats: new HttpProbe({ socketPath: tap.socketPath(statsPort) }),
    gdbPort,
    loadUrls: urls.slice(2, 2 + keepAlive),
    churnUrls: urls.slice(2 + keepAlive),
    enter: tap.enter,
    path: `a tap device in a network namespace of its own, guest ${GUEST_IP}`,
    stop,
  };
}
