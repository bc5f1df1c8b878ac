// One measured load against a booted guest: the rate and p99 the load generator saw,
// and the CPU each side spent meanwhile — QEMU's vCPU thread (the guest), QEMU's main
// loop (user networking: slirp and the port forwards), and the load generator (the
// engine's load worker, or wrk).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type Accel, Guest, LoadPool, readElfInfo } from "../soak/index.ts";
import { cpuBetween, selfCpu, threadCpu, vcpuSeconds } from "./threads.ts";

export interface Load {
  /** "autocannon": the engine's own load (autocannon inside a load worker) */
  tool: "autocannon" | "wrk";
  path: string;
  connections: number;
  /** loopback ports forwarded to the guest (wrk takes one URL, so one port) */
  ports: number;
  /** a new connection per request (Connection: close) */
  close?: boolean;
  seconds: number;
}

/** A Linux bzImage with its initramfs and command line (scripts/linux-guest/). */
export interface LinuxImage {
  bzImage: string;
  initrd: string;
  append: string;
}
/** A PVH ELF (its ports from its note), or Linux */
export type Kernel = string | LinuxImage;

/** scripts/linux-guest/server.c serves on 8000-8255 too: one guest port per forwarded port */
const LINUX_PORTS = Array.from({ length: 256 }, (_, i) => 8000 + i);

export interface Sample {
  rps: number;
  p99Ms: number;
  errors: number;
  /** CPU seconds per wall second (1 = one core busy) */
  cpu: { vcpu: number; mainLoop: number; otherQemu: number; load: number };
}

/** The engine's own load (soak/load/pool.ts, one load worker) for `l.seconds`; with `close`, every
 * request on a new connection (the engine's churn, one at a time per URL). */
async function runEngineLoad(l: Load, guest: Guest) {
  const churnUrls = Array.from({ length: l.connections }, (_, i) => guest.churnUrls[i % guest.churnUrls.length]);
  const r = await new LoadPool(
    {
      workers: 1,
      urls: guest.loadUrls,
      requests: 1_000_000_000,
      durationS: l.seconds,
      connections: l.connections,
      pipelining: 1,
      timeoutS: 10,
      paths: [{ path: l.path, weight: 1, revalidate: false }],
      etags: new Map(),
      churn: l.close ? { share: 1, urls: churnUrls } : { share: 0, urls: [] },
    },
    () => {},
  ).done;
  return { rps: r.rps, p99Ms: r.latencyMs.p99, errors: r.errors + r.timeouts, seconds: r.durationS };
}

/** wrk's "--latency" percentiles are in us, ms or s. */
function wrkMs(v: string, unit: string): number {
  return Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? Number.NaN);
}

async function runWrk(l: Load, guest: Guest) {
  const args = ["-t2", `-c${l.connections}`, `-d${l.seconds}s`, "--timeout", "10s", "--latency"];
  const { stdout } = await promisify(execFile)("wrk", [...args, `${guest.loadUrls[0]}${l.path}`], {
    timeout: (l.seconds + 30) * 1000,
  });
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(stdout);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s) *$/m.exec(stdout);
  if (!rps || !p99) throw new Error(`wrk printed no rate or p99:\n${stdout}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  const errorCount = [...(errors?.slice(1) ?? []), non2xx?.[1] ?? "0"].reduce((a, b) => a + Number(b), 0);
  return { rps: Number(rps[1]), p99Ms: wrkMs(p99[1], p99[2]), errors: errorCount, seconds: l.seconds };
}

/** A guest booted by the engine (soak/vm/guest.ts) for measuring: `ports` loopback ports for
 * keep-alive connections and as many for new ones. */
export class BenchGuest {
  private constructor(readonly guest: Guest) {}

  static async boot(kernel: Kernel, accel: Accel, ports: number): Promise<BenchGuest> {
    const linux = typeof kernel !== "string";
    const guest = await Guest.boot({
      ...(linux ? { kernel: kernel.bzImage, bzImage: true, initrd: kernel.initrd, append: kernel.append } : { kernel }),
      accel,
      network: "user",
      guestPorts: linux ? LINUX_PORTS : ((await readElfInfo(kernel)).httpPorts ?? [80]),
      loadPorts: ports,
      churnPorts: ports,
      // QEMU names its threads ("CPU 0/TCG": vm/qemu.ts), so their CPU can be told apart
    });
    try {
      // Linux boots in 10-20 s under TCG on this machine, the bundled kernel in well under one
      if (linux) await guest.vm.serial.waitFor(/soak-guest: serving HTTP/, 120_000);
      else await guest.vm.serial.waitFor(/^ready$/, 30_000);
    } catch (err) {
      await guest.stop();
      throw err;
    }
    return new BenchGuest(guest);
  }

  async measure(l: Load): Promise<Sample> {
    const pid = this.guest.vm.pid;
    const [q0, s0] = [await threadCpu(pid), await selfCpu()];
    const { seconds, ...r } = await (l.tool === "wrk" ? runWrk : runEngineLoad)(l, this.guest);
    const [q1, s1] = [await threadCpu(pid), await selfCpu()];
    // per second of load: QEMU idles while the load worker starts (whose own start-up CPU the
    // load's figure includes, a bias of well under a second of CPU)
    const wall = Math.max(seconds, 0.001);
    const q = cpuBetween(q0, q1);
    const vcpu = vcpuSeconds(q);
    const mainLoop = q.get("qemu-system-x86") ?? 0;
    const all = [...q.values()].reduce((a, s) => a + s, 0);
    // both run in child processes (the load worker, wrk), waited for by the time they answer
    const load = s1.children - s0.children;
    return {
      ...r,
      cpu: {
        vcpu: vcpu / wall,
        mainLoop: mainLoop / wall,
        otherQemu: (all - vcpu - mainLoop) / wall,
        load: load / wall,
      },
    };
  }

  stop(): Promise<void> {
    return this.guest.stop();
  }
}
