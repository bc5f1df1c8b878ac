// Launches QEMU microvm for one guest: serial to a file (followed by SerialTail),
// user networking restricted to a loopback port forward, a QMP socket and an
// optional gdbstub, all on this machine only. QEMU never outlives the engine: it
// runs in a process group of its own (a terminal's Ctrl-C is the engine's to
// handle) and with a parent-death signal, so even a SIGKILLed engine takes it along.
import { type ChildProcess, spawn } from "node:child_process";
import { constants, createWriteStream, rmSync } from "node:fs";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { SerialTail } from "./serial.ts";

export type Accel = "kvm" | "tcg";

export interface VmConfig {
  kernel: string;
  /** a bzImage needs the option ROM that runs the Linux boot protocol, and ACPI (below) */
  bzImage?: boolean;
  /** the kernel command line */
  append?: string;
  initrd?: string;
  memoryMiB?: number;
  accel: Accel;
  /** where serial.log and qemu.log go */
  dir: string;
  /** loopback ports forwarded to the guest; none = no network device. Several, because
   * QEMU's user networking listens with a backlog of 1: a burst of connects to one port
   * loses SYNs and stalls clients for seconds. A string is repro.sh's placeholder for a port
   * it chooses when it runs (repro/script.ts). */
  hostPorts?: (number | string)[];
  /** hostPorts[i] forwards to guestPorts[i % length] (default [80]) */
  guestPorts?: number[];
  /** instead of user networking: this tap device (vm/tap-network.ts) */
  tap?: string;
  /** argv prefix that runs QEMU where its tap is (TapNetwork.enter) */
  enter?: string[];
  /** a gdbstub, on a unix socket in the VM's private folder (Vm.gdbSocket): gdb reaches it
   * wherever QEMU runs, the tap path's network namespace included */
  gdb?: boolean;
  /** QEMU's instruction counter with sleep=off (TCG only): when the vCPU idles, virtual time jumps to
   * its next timer deadline, so an idle guest's uptime runs far ahead of the wall clock */
  timeWarp?: boolean;
  extraArgs?: string[];
  qemu?: string;
}

export const DEFAULT_MEMORY_MIB = 256;

/**
 * A bzImage runs through microvm's linuxboot option ROM. Linux finds the virtio-mmio
 * devices in the ACPI tables: with acpi=off QEMU passes them as virtio_mmio.device=
 * instead, which distribution kernels ignore (CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES unset).
 */
const BZIMAGE_MACHINE = "acpi=on,x-option-roms=on";

/** The serial log's chardev, up to its path: how qemuPidsFor knows a soak's QEMU. */
const SERIAL_CHARDEV = "file,id=serial0,path=";

/** A value inside a QEMU option list: a comma there would start another sub-option. */
const optionValue = (v: string) => v.replace(/,/g, ",,");

/** `qmpSocket`, `gdbSocket`: where QEMU listens for QMP and gdb (kept short: unix socket paths
 * are limited to 107 bytes). */
export function qemuArgs(c: VmConfig, qmpSocket: string, gdbSocket?: string): string[] {
  const args = [
    // debug-threads: QEMU names its threads, so the guest's vCPU time is told from the rest (watch/threads.ts)
    "-name",
    "unikernel-soak,debug-threads=on",
    // pit=on: the kernel calibrates its TSC clock and takes its idle tick from the PIT.
    "-M",
    `microvm,${c.bzImage ? BZIMAGE_MACHINE : "acpi=off,x-option-roms=off"},pit=on,pic=off,rtc=off`,
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
    `${SERIAL_CHARDEV}${optionValue(join(c.dir, "serial.log"))}`,
    "-serial",
    "chardev:serial0",
    "-qmp",
    `unix:${qmpSocket},server=on,wait=off`,
    "-kernel",
    c.kernel,
  ];
  // shift=auto: QEMU tunes the instruction rate to keep up; both QEMU 7.2 and 8.2 take these
  if (c.timeWarp) args.push("-icount", "shift=auto,sleep=off");
  if (c.append) args.push("-append", c.append);
  if (c.initrd) args.push("-initrd", c.initrd);
  if (c.tap) {
    const tap = `tap,id=n0,ifname=${c.tap},script=no,downscript=no`;
    args.push("-netdev", tap, "-device", "virtio-net-device,netdev=n0");
  } else if (c.hostPorts?.length) {
    const guest = c.guestPorts?.length ? c.guestPorts : [80];
    const fwd = c.hostPorts.map((p, i) => `hostfwd=tcp:127.0.0.1:${p}-:${guest[i % guest.length]}`).join(",");
    args.push("-netdev", `user,id=n0,restrict=on,${fwd}`, "-device", "virtio-net-device,netdev=n0");
  }
  if (gdbSocket)
    args.push("-chardev", `socket,id=gdb0,path=${optionValue(gdbSocket)},server=on,wait=off`, "-gdb", "chardev:gdb0");
  return [...args, ...(c.extraArgs ?? [])];
}

/** each running QEMU's process (or what runs it, behind `enter`) → its private folder and QEMU's own PID */
const live = new Map<ChildProcess, { runDir: string; qemuPid?: number }>();
// An engine that exits without stopping its guests (a second Ctrl-C) still takes them
// along, and their private folders; a SIGKILLed engine leaves the folder to the OS's cleaning.
process.on("exit", () => {
  for (const [child, { runDir, qemuPid }] of live) {
    child.kill("SIGKILL");
    if (qemuPid) signal(qemuPid, "SIGKILL"); // behind sudo, the parent's death does not reach it
    rmSync(runDir, { recursive: true, force: true });
  }
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
  /** stop() was called: an exit after that is ours, not the guest's or someone else's */
  stopping = false;

  private constructor(
    readonly config: VmConfig,
    readonly process: ChildProcess,
    readonly command: string[],
    /** a private folder for the QMP socket, removed at stop */
    private readonly runDir: string,
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
    const qemu = await executable(config.qemu ?? "qemu-system-x86_64");
    const runDir = await mkdtemp(join(tmpdir(), "uks-"));
    const args = qemuArgs(config, join(runDir, "qmp.sock"), config.gdb ? join(runDir, "gdb.sock") : undefined);
    // setpriv (util-linux) execs QEMU with SIGKILL as its parent-death signal.
    const argv = [...(config.enter ?? []), "setpriv", "--pdeathsig", "KILL", "--", qemu, ...args];
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    live.set(child, { runDir });
    const log = createWriteStream(join(config.dir, "qemu.log"));
    child.stderr?.pipe(log);
    const vm = new Vm(config, child, [qemu, ...args], runDir);
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (err) => {
        live.delete(child);
        reject(new Error(`cannot start ${argv[0]} (${err.message}); install util-linux`));
      });
    });
    if (config.enter?.length) await vm.findQemu();
    await vm.serial.start();
    return vm;
  }

  /** QEMU's QMP socket (exists while QEMU runs) */
  get qmpSocket(): string {
    return join(this.runDir, "qmp.sock");
  }

  /** gdb's `target remote` for this VM's gdbstub, when it has one */
  get gdbSocket(): string | undefined {
    return this.config.gdb ? join(this.runDir, "gdb.sock") : undefined;
  }

  /** QEMU's own PID (behind `enter`, not the process the engine started) */
  get pid(): number {
    return this.qemuPid ?? this.process.pid ?? 0;
  }

  private qemuPid?: number;

  /** Behind `enter` (nsenter, sudo) QEMU is a descendant: found by its serial log's folder. */
  private async findQemu(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!this.exitInfo && Date.now() < deadline) {
      [this.qemuPid] = await qemuPidsFor(this.config.dir);
      const entry = live.get(this.process);
      if (entry) entry.qemuPid = this.qemuPid;
      if (this.qemuPid) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  get hasExited(): VmExit | undefined {
    return this.exitInfo;
  }

  /** Stops QEMU (SIGTERM, then SIGKILL after a grace period) and drains the serial log. */
  async stop(graceMs = 2000): Promise<VmExit> {
    this.stopping = true;
    if (!this.exitInfo) {
      // QEMU itself when it runs behind `enter`: nsenter does not pass a signal on
      if (!this.qemuPid || !signal(this.qemuPid, "SIGTERM")) this.process.kill("SIGTERM");
      const timer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.serial.stop();
    await rm(this.runDir, { recursive: true, force: true });
    return this.exitInfo as VmExit;
  }
}

/** false when `pid` is gone */
function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** The path of `name` (a path, or a command looked up in PATH); throws when there is none to run. */
async function executable(name: string): Promise<string> {
  const candidates = name.includes("/") ? [name] : (process.env.PATH ?? "").split(":").map((d) => join(d || ".", name));
  for (const c of candidates) {
    if (
      await access(c, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return c;
  }
  throw new Error(`cannot start ${name}: not found (ENOENT); run 'npm run setup' or install qemu-system-x86`);
}

/**
 * PIDs of QEMU processes whose serial log is in `dir` (a soak's report folder), for cleanup
 * after a cancel; with `under`, also in any folder inside it (a repro's attempts). Matched on
 * the folder itself, not a prefix of it: `…/job` is not `…/job2`.
 */
export async function qemuPidsFor(dir: string, { under = false } = {}): Promise<number[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  const want = resolve(dir);
  const pids: number[] = [];
  for (const p of await readdir("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    const args = (await readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "")).split("\0");
    if (!(args[0].split("/").pop() ?? "").startsWith("qemu-system")) continue;
    const serial = args.find((a) => a.startsWith(SERIAL_CHARDEV));
    if (!serial) continue;
    const folder = dirname(serial.slice(SERIAL_CHARDEV.length).replace(/,,/g, ","));
    if (folder === want || (under && folder.startsWith(`${want}/`))) pids.push(Number(p));
  }
  return pids;
}
