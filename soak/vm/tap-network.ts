// The tap path into the guest: QEMU's virtio-net on a tap device moved into a network
// namespace made for this soak alone, the host side at 10.0.2.2 and the guest at
// 10.0.2.15 (the addresses of QEMU's user networking, so a kernel that serves one serves
// both). It skips user networking's TCP relay in QEMU's main loop, the soak's busiest
// thread (BENCHMARKS.md, "Network paths"). Every packet stays inside the namespace; the
// engine reaches it through the gateway (gateway.ts), the load workers by entering it.
// Nothing outlives the soak: QEMU's exit removes the tap, and the namespace goes with the
// last of the gateway and the workers, each tied to the engine by a parent-death signal.
// Root only (CAP_NET_ADMIN and CAP_SYS_ADMIN).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants, rmSync } from "node:fs";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { childScript } from "../child-script.ts";

const run = promisify(execFile);
export const GUEST_IP = "10.0.2.15";
const HOST_CIDR = "10.0.2.2/24";
const GUEST_NET = "10.0.2.0/24";
const MTU = 9000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const live = new Set<TapNetwork>();
// an engine that exits without stopping (a second Ctrl-C) still removes the gateway's folder;
// the gateway itself goes by its parent-death signal
process.on("exit", () => {
  for (const net of live) rmSync(net.dir, { recursive: true, force: true });
});

/** Why the tap path cannot be used here, or undefined when it can. */
export async function tapRefusal(): Promise<string | undefined> {
  if (process.getuid?.() !== 0)
    return "the tap path needs root (to make a tap device and a network namespace): run as root, or pass --network user";
  try {
    await access("/dev/net/tun", constants.R_OK | constants.W_OK);
  } catch (err) {
    return `/dev/net/tun is not usable (${(err as NodeJS.ErrnoException).code})`;
  }
  try {
    // a tap in a namespace of its own: gone with the command, nothing touched outside it
    await run("unshare", ["--net", "ip", "tuntap", "add", "dev", "uksprobe", "mode", "tap"], { timeout: 5000 });
    await run("nsenter", ["--version"], { timeout: 5000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const why = e.code === "ENOENT" ? `${e.path} not found (install util-linux and iproute2)` : e.stderr?.trim();
    return `cannot make a tap device in a network namespace: ${why || e.message}`;
  }
  return undefined;
}

export class TapNetwork {
  /** the tap device's name; QEMU makes it, then it moves into the namespace */
  readonly ifname = `uks${randomBytes(4).toString("hex")}`;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly gateway: ChildProcess,
    /** a private folder for the gateway's unix sockets */
    readonly dir: string,
  ) {
    this.exited = new Promise((resolve) => {
      gateway.once("exit", () => resolve());
      gateway.once("error", () => resolve()); // it never started
    });
    live.add(this);
  }

  /** The namespace and its gateway, relaying a unix socket to each of `ports` on the guest. */
  static async open(ports: number[]): Promise<TapNetwork> {
    const dir = await mkdtemp(join(tmpdir(), "uks-net-")); // short: unix socket paths are limited to 107 bytes
    const child = spawn(
      "setpriv",
      [
        "--pdeathsig",
        "KILL",
        "--",
        "unshare",
        "--net",
        "--",
        ...childScript("vm/gateway", "gateway"),
        dir,
        GUEST_IP,
        ...ports.map(String),
      ],
      { stdio: ["ignore", "ignore", "pipe", "ipc"], detached: true },
    );
    let err = "";
    child.stderr?.on("data", (d: Buffer) => {
      err = (err + d.toString()).slice(-2000);
    });
    child.once("error", (e) => {
      err = `cannot start setpriv (${e.message}); install util-linux`;
    });
    const net = new TapNetwork(child, dir);
    const ready = await Promise.race([
      new Promise<boolean>((resolve) => child.once("message", () => resolve(true))),
      net.exited.then(() => false),
      sleep(15_000).then(() => false),
    ]);
    if (!ready) {
      await net.stop();
      throw new Error(`the network namespace's gateway did not start: ${err.trim() || "no answer in 15 s"}`);
    }
    return net;
  }

  /** argv prefix that runs a command inside the namespace */
  get enter(): string[] {
    return ["nsenter", `--net=/proc/${this.gateway.pid}/ns/net`];
  }

  socketPath(port: number): string {
    return join(this.dir, `${port}.sock`);
  }

  /** Once QEMU has made the tap: into the namespace with it, addressed and up. */
  async attach(qemuExited: Promise<unknown>): Promise<void> {
    let gone = false;
    void qemuExited.then(() => {
      gone = true;
    });
    const deadline = Date.now() + 10_000;
    while (
      !(await access(`/sys/class/net/${this.ifname}`).then(
        () => true,
        () => false,
      ))
    ) {
      if (gone || Date.now() > deadline) throw new Error(`QEMU made no tap device ${this.ifname}; see qemu.log`);
      await sleep(20);
    }
    const inside = (...argv: string[]) => run(this.enter[0], [...this.enter.slice(1), ...argv]);
    try {
      await run("ip", ["link", "set", this.ifname, "netns", String(this.gateway.pid)]);
      await inside("ip", "link", "set", "lo", "up");
      await inside("ip", "addr", "add", HOST_CIDR, "dev", this.ifname);
      // a jumbo MTU: the host's MSS lets a kernel that can send large segments send them
      await inside("ip", "link", "set", this.ifname, "mtu", String(MTU), "up");
      // When QEMU exits its tap goes, and with it the route: a connect would then fail at once
      // (ENETUNREACH, synchronously), and a client that reconnects on error would spin without
      // ever reading its IPC channel. Through lo the SYNs vanish instead, as to a halted guest.
      await inside("ip", "route", "add", GUEST_NET, "dev", "lo", "metric", "1000");
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(`cannot set up the tap device ${this.ifname}: ${e.stderr?.trim() || e.message}`);
    }
  }

  async stop(): Promise<void> {
    if (this.gateway.pid && this.gateway.exitCode === null && this.gateway.signalCode === null)
      this.gateway.kill("SIGKILL");
    await this.exited;
    await rm(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
}
