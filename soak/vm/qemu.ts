// Launches QEMU microvm for one guest: serial to a file (followed by SerialTail),
// user networking restricted to a loopback port forward, a QMP socket and an
// optional gdbstub, all on this machine only. Every QEMU started here is killed
// when the engine exits, whatever the path.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { SerialTail } from "./serial.ts";

export type Accel = "kvm" | "tcg";

export interface VmConfig {
  kernel: string;
  /** the kernel command line */
  append?: string;
  initrd?: string;
  memoryMiB?: number;
  accel: Accel;
  /** where serial.log, qemu.log and qmp.sock go */
  dir: string;
  /** loopback ports forwarded to the guest; none = no network device. Several, because
   * QEMU's user networking listens with a backlog of 1: a burst of connects to one port
   * loses SYNs and stalls clients for seconds. */
  hostPorts?: number[];
  /** hostPorts[i] forwards to guestPorts[i % length] (default [80]) */
  guestPorts?: number[];
  /** gdbstub on 127.0.0.1:gdbPort */
  gdbPort?: number;
  extraArgs?: string[];
  qemu?: string;
}

export const DEFAULT_MEMORY_MIB = 256;

export function qemuArgs(c: VmConfig): string[] {
  const args = [
    // pit=on: the kernel calibrates its TSC clock and takes its idle tick from the PIT.
    "-M",
    "microvm,acpi=off,x-option-roms=off,pit=on,pic=off,rtc=off",
    "-accel",
    c.accel,
    "-cpu",
    c.accel === "kvm" ? "host" : "max",
    "-m",
    `${c.memoryMiB ?? DEFAULT_MEMORY_MIB}M`,
    "-smp",
    "1",
    "-nodefaults",
    "-no-user-config",
    "-no-reboot",
    "-display",
    "none",
    "-global",
    "virtio-mmio.force-legacy=false",
    "-chardev",
    `file,id=serial0,path=${join(c.dir, "serial.log")}`,
    "-serial",
    "chardev:serial0",
    "-qmp",
    `unix:${join(c.dir, "qmp.sock")},server=on,wait=off`,
    "-kernel",
    c.kernel,
  ];
  if (c.append) args.push("-append", c.append);
  if (c.initrd) args.push("-initrd", c.initrd);
  if (c.hostPorts?.length) {
    const guest = c.guestPorts?.length ? c.guestPorts : [80];
    const fwd = c.hostPorts.map((p, i) => `hostfwd=tcp:127.0.0.1:${p}-:${guest[i % guest.length]}`).join(",");
    args.push("-netdev", `user,id=n0,restrict=on,${fwd}`, "-device", "virtio-net-device,netdev=n0");
  }
  if (c.gdbPort !== undefined) args.push("-gdb", `tcp:127.0.0.1:${c.gdbPort}`);
  return [...args, ...(c.extraArgs ?? [])];
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export interface VmExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

export class Vm {
  readonly serial: SerialTail;
  /** resolves when QEMU exits, for whatever reason */
  readonly exited: Promise<VmExit>;
  private exitInfo?: VmExit;

  private constructor(
    readonly config: VmConfig,
    readonly process: ChildProcess,
    readonly command: string[],
  ) {
    this.serial = new SerialTail(join(config.dir, "serial.log"));
    this.exited = new Promise((resolve) => {
      process.once("exit", (code, signal) => {
        live.delete(process);
        this.exitInfo = { code, signal, at: Date.now() };
        resolve(this.exitInfo);
      });
    });
  }

  static async start(config: VmConfig): Promise<Vm> {
    const qemu = config.qemu ?? "qemu-system-x86_64";
    const args = qemuArgs(config);
    const child = spawn(qemu, args, { stdio: ["ignore", "ignore", "pipe"] });
    live.add(child);
    const log = createWriteStream(join(config.dir, "qemu.log"));
    child.stderr?.pipe(log);
    const vm = new Vm(config, child, [qemu, ...args]);
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (err) => {
        live.delete(child);
        reject(new Error(`cannot start ${qemu}: ${err.message}; run 'npm run setup' or install qemu-system-x86`));
      });
    });
    await vm.serial.start();
    return vm;
  }

  get pid(): number {
    return this.process.pid ?? 0;
  }

  get hasExited(): VmExit | undefined {
    return this.exitInfo;
  }

  /** Stops QEMU (SIGTERM, then SIGKILL after a grace period) and drains the serial log. */
  async stop(graceMs = 2000): Promise<VmExit> {
    if (!this.exitInfo) {
      this.process.kill("SIGTERM");
      const timer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.serial.stop();
    return this.exitInfo as VmExit;
  }
}

/** PIDs of QEMU processes started for `dir` (their command line names it): for cleanup after a cancel. */
export async function qemuPidsFor(dir: string): Promise<number[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  const pids: number[] = [];
  for (const p of await readdir("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    const cmd = await readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "");
    if (cmd.startsWith("qemu-system") && cmd.includes(dir)) pids.push(Number(p));
  }
  return pids;
}
