// One measured load against a booted guest: the rate and p99 the load generator saw,
// and the CPU each side spent meanwhile — QEMU's vCPU thread (the guest), QEMU's main
// loop (user networking: slirp and the port forwards), and the load generator (this
// process for autocannon, the child for wrk).
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { readElfInfo } from "../soak/elf.ts";
import { LoadRun } from "../soak/load/driver.ts";
import { freeLoopbackPorts } from "../soak/vm/ports.ts";
import { type Accel, Vm } from "../soak/vm/qemu.ts";
import { cpuBetween, selfCpu, threadCpu, vcpuSeconds } from "./threads.ts";

export interface Load {
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

async function runAutocannon(l: Load, ports: number[]) {
  const r = await new LoadRun(
    {
      urls: ports.map((p) => `http://127.0.0.1:${p}`),
      requests: 1_000_000_000,
      durationS: l.seconds,
      connections: l.connections,
      pipelining: 1,
      timeoutS: 10,
      paths: [{ path: l.path, weight: 1, revalidate: false }],
      etags: new Map(),
      headers: l.close ? { connection: "close" } : {},
    },
    () => {},
  ).done;
  return { rps: r.rps, p99Ms: r.latencyMs.p99, errors: r.errors + r.timeouts };
}

/** wrk's "--latency" percentiles are in us, ms or s. */
function wrkMs(v: string, unit: string): number {
  return Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? Number.NaN);
}

async function runWrk(l: Load, ports: number[]) {
  const args = ["-t2", `-c${l.connections}`, `-d${l.seconds}s`, "--timeout", "10s", "--latency"];
  const { stdout } = await promisify(execFile)("wrk", [...args, `http://127.0.0.1:${ports[0]}${l.path}`], {
    timeout: (l.seconds + 30) * 1000,
  });
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(stdout);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s) *$/m.exec(stdout);
  if (!rps || !p99) throw new Error(`wrk printed no rate or p99:\n${stdout}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  const errorCount = [...(errors?.slice(1) ?? []), non2xx?.[1] ?? "0"].reduce((a, b) => a + Number(b), 0);
  return { rps: Number(rps[1]), p99Ms: wrkMs(p99[1], p99[2]), errors: errorCount };
}

export class Guest {
  private constructor(
    readonly vm: Vm,
    readonly ports: number[],
  ) {}

  static async boot(kernel: Kernel, accel: Accel, ports: number): Promise<Guest> {
    const dir = await mkdtemp(join(tmpdir(), "bench-"));
    const hostPorts = await freeLoopbackPorts(ports);
    // QEMU names its threads ("CPU 0/TCG": vm/qemu.ts), so their CPU can be told apart
    const common = { accel, dir, hostPorts };
    const vm =
      typeof kernel === "string"
        ? await Vm.start({ ...common, kernel, guestPorts: (await readElfInfo(kernel)).httpPorts })
        : await Vm.start({
            ...common,
            kernel: kernel.bzImage,
            bzImage: true,
            initrd: kernel.initrd,
            append: kernel.append,
            guestPorts: LINUX_PORTS,
          });
    try {
      // Linux boots in 10-20 s under TCG on this machine, the bundled kernel in well under one
      if (typeof kernel === "string") await vm.serial.waitFor(/^ready$/, 30_000);
      else await vm.serial.waitFor(/soak-guest: serving HTTP/, 120_000);
    } catch (err) {
      await vm.stop();
      throw err;
    }
    return new Guest(vm, hostPorts);
  }

  async measure(l: Load): Promise<Sample> {
    const pid = this.vm.process.pid ?? 0;
    const [q0, s0, t0] = [await threadCpu(pid), await selfCpu(), performance.now()];
    const r = await (l.tool === "wrk" ? runWrk : runAutocannon)(l, this.ports);
    const [q1, s1, wall] = [await threadCpu(pid), await selfCpu(), (performance.now() - t0) / 1000];
    const q = cpuBetween(q0, q1);
    const vcpu = vcpuSeconds(q);
    const mainLoop = q.get("qemu-system-x86") ?? 0;
    const all = [...q.values()].reduce((a, s) => a + s, 0);
    const load = l.tool === "wrk" ? s1.children - s0.children : s1.own - s0.own;
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

  async stop(): Promise<void> {
    await this.vm.stop();
  }
}
