// The tap path into the guest: QEMU's virtio-net on a tap device in a network namespace
// made for this soak alone, the host side at 10.0.2.2 and the guest at 10.0.2.15 (the
// addresses of QEMU's user networking, so a kernel that serves one serves both). It skips
// user networking's TCP relay in QEMU's main loop, the soak's busiest thread (BENCHMARKS.md,
// "Network paths"). Every packet stays inside the namespace; the engine reaches it through
// the gateway (gateway.ts), QEMU and the load workers run inside it. Nothing outlives the
// soak: the gateway ends with the engine (its IPC channel), everything in its PID namespace
// with it, and the tap, made inside the namespace, with the namespace. A guest that asks
// DHCP gets 10.0.2.15 as on user networking (dhcp.ts). Root, or
// password-less sudo for the few commands that need root (privilege.ts).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childScript } from "../child-script.ts";
import type { DhcpAddresses } from "./dhcp.ts";
import { type Privilege, runAsRoot } from "./privilege.ts";

export const GUEST_IP = "10.0.2.15";
const HOST_CIDR = "10.0.2.2/24";
const GUEST_NET = "10.0.2.0/24";
const MTU = 9000;
const DHCP: DhcpAddresses = { guest: GUEST_IP, server: "10.0.2.2", mask: "255.255.255.0", broadcast: "10.0.2.255" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const live = new Set<TapNetwork>();
// an engine that exits without stopping (a second Ctrl-C) still removes the gateway's folder;
// the gateway itself goes when its IPC channel closes
process.on("exit", () => {
  for (const net of live) rmSync(net.dir, { recursive: true, force: true });
});

export class TapNetwork {
  /** the tap device's name inside the namespace */
  readonly ifname = `uks${randomBytes(4).toString("hex")}`;
  private readonly exited: Promise<void>;
  /** the gateway's PID as the engine sees it: its namespaces are /proc/PID/ns/… */
  private nsPid = 0;

  private constructor(
    private readonly gateway: ChildProcess,
    /** a private folder for the gateway's unix sockets */
    readonly dir: string,
    private readonly privilege: Privilege,
  ) {
    this.exited = new Promise((resolve) => {
      gateway.once("exit", () => resolve());
      gateway.once("error", () => resolve()); // it never started
    });
    live.add(this);
  }

  /** The namespace, its gateway relaying a unix socket to each of `ports` on the guest, and the tap, addressed and up. */
  static async open(ports: number[], privilege: Privilege): Promise<TapNetwork> {
    const dir = await mkdtemp(join(tmpdir(), "uks-net-")); // short: unix socket paths are limited to 107 bytes
    const argv = [
      ...privilege.root,
      "unshare",
      "--net",
      "--pid",
      "--fork",
      "--kill-child",
      "--",
      ...privilege.user,
      ...childScript("vm/gateway", "gateway"),
      dir,
      GUEST_IP,
      ...ports.map(String),
    ];
    // the IPC channel on fd 0: sudo closes every descriptor above 2
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ipc", "ignore", "pipe"], detached: true });
    let err = "";
    child.stderr?.on("data", (d: Buffer) => {
      err = (err + d.toString()).slice(-2000);
    });
    child.once("error", (e) => {
      err = `cannot start ${argv[0]} (${e.message}); install util-linux`;
    });
    const net = new TapNetwork(child, dir, privilege);
    const pid = await Promise.race([
      new Promise<number>((resolve) => child.once("message", (m: { ready?: number }) => resolve(m.ready ?? 0))),
      net.exited.then(() => 0),
      sleep(15_000).then(() => 0),
    ]);
    if (!pid) {
      await net.stop();
      throw new Error(`the network namespace's gateway did not start: ${err.trim() || "no answer in 15 s"}`);
    }
    net.nsPid = pid;
    try {
      await net.makeTap();
    } catch (e) {
      await net.stop();
      throw e;
    }
    return net;
  }

  /** argv prefix that runs a command inside the namespace (and its PID namespace), as the engine's user */
  get enter(): string[] {
    const ns = `/proc/${this.nsPid}/ns`;
    return [...this.privilege.root, "nsenter", `--net=${ns}/net`, `--pid=${ns}/pid`, "--", ...this.privilege.user];
  }

  socketPath(port: number): string {
    return join(this.dir, `${port}.sock`);
  }

  /** The tap, made inside the namespace for the engine's user to open (QEMU), addressed and up. */
  private async makeTap(): Promise<void> {
    const inside = (...argv: string[]) =>
      runAsRoot(this.privilege, ["nsenter", `--net=/proc/${this.nsPid}/ns/net`, ...argv]);
    try {
      await inside("ip", "tuntap", "add", "dev", this.ifname, "mode", "tap", "user", String(this.privilege.uid));
      await inside("ip", "link", "set", "lo", "up");
      // brd +: the subnet's broadcast, where DHCP answers a guest that has no address yet
      await inside("ip", "addr", "add", HOST_CIDR, "brd", "+", "dev", this.ifname);
      // the gateway, not root, answers DHCP: let it take port 67 here (this namespace only)
      await inside("sysctl", "-qw", "net.ipv4.ip_unprivileged_port_start=67");
      // a jumbo MTU: the host's MSS lets a kernel that can send large segments send them
      await inside("ip", "link", "set", this.ifname, "mtu", String(MTU), "up");
      // When QEMU is gone the tap has no carrier, and a connect to the guest could fail at once
      // (synchronously): a client that reconnects on error would spin without ever reading its
      // IPC channel. Through lo the SYNs vanish instead, as to a halted guest.
      await inside("ip", "route", "add", GUEST_NET, "dev", "lo", "metric", "1000");
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(`cannot set up the tap device ${this.ifname}: ${e.stderr?.trim() || e.message}`);
    }
    const dhcp = await Promise.race([
      new Promise<string>((resolve) => {
        const answer = (m: { dhcp?: string }) => {
          if (!m.dhcp) return;
          this.gateway.off("message", answer);
          resolve(m.dhcp);
        };
        this.gateway.on("message", answer);
        this.gateway.send({ dhcp: DHCP });
      }),
      this.exited.then(() => "the gateway ended"),
    ]);
    if (dhcp !== "ready") throw new Error(`cannot answer DHCP on the tap path: ${dhcp}`);
  }

  async stop(): Promise<void> {
    // the gateway ends when its channel closes, and its PID namespace (QEMU, the workers) with it
    if (this.gateway.connected) this.gateway.disconnect();
    const killed = setTimeout(() => this.gateway.kill("SIGTERM"), 5000);
    await this.exited;
    clearTimeout(killed);
    await rm(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
}
