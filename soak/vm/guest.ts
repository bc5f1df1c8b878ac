// One booted guest: QEMU with its path into the guest (QEMU user networking on loopback
// ports, or a tap in a network namespace of its own), the URLs the load goes to, a probe
// each for /health and the counters, the monitors attached to it, and one stop() that ends
// them all (monitors, probes, QEMU, the tap, the folder it made). The engine's boot phase,
// the tests and the benchmarks all boot through it.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpProbe } from "../watch/http-probe.ts";
import type { Monitor } from "../watch/monitor.ts";
import { freeLoopbackPorts } from "./ports.ts";
import type { Privilege } from "./privilege.ts";
import { Vm, type VmConfig } from "./qemu.ts";
import { GUEST_IP, TapNetwork } from "./tap-network.ts";

export interface GuestConfig extends Omit<VmConfig, "dir" | "hostPorts" | "guestPorts" | "tap" | "gdb"> {
  /** where serial.log and qemu.log go; none: a temporary folder of the guest's own, removed at stop */
  dir?: string;
  /** "tap" needs root or password-less sudo: `privilege` (vm/privilege.ts tapPrivilege()) */
  network: "user" | "tap";
  privilege?: Privilege;
  /** the guest ports the i-th connection (probes, keep-alive, churn, in that order) goes to: [i % length] */
  guestPorts: number[];
  /** keep-alive load URLs (QEMU user networking accepts with a backlog of one: one per two connections) */
  loadPorts: number;
  /** new-connection load URLs, one per churn worker */
  churnPorts: number;
}

/** the probes' two connections come first */
const PROBES = 2;
const PORT_RACE_RETRIES = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Network {
  vm: Vm;
  urls: string[];
  probeTo: (i: number) => ConstructorParameters<typeof HttpProbe>[0];
  hostPorts: number[];
  enter?: string[];
  path: string;
  stop: () => Promise<void>;
}

export class Guest {
  /** /health and the counters each on a connection of their own, so the load never delays them */
  readonly health: HttpProbe;
  readonly stats: HttpProbe;
  /** where the keep-alive connections go: the guest's ports in turn */
  readonly loadUrls: string[];
  /** one per churn worker, so a new connection's connect never waits behind another's */
  readonly churnUrls: string[];
  /** the guest has answered /health (its owner says so) */
  up = false;
  private readonly monitors: Monitor[] = [];
  private stopping?: Promise<void>;

  private constructor(
    private readonly net: Network,
    /** performance.now() before QEMU started */
    readonly bootStart: number,
    private readonly madeDir: string | undefined,
    loadPorts: number,
  ) {
    this.health = new HttpProbe(net.probeTo(0));
    this.stats = new HttpProbe(net.probeTo(1));
    this.loadUrls = net.urls.slice(PROBES, PROBES + loadPorts);
    this.churnUrls = net.urls.slice(PROBES + loadPorts);
  }

  /** Starts QEMU on `c.kernel`; a failure to start leaves nothing behind. */
  static async boot(c: GuestConfig): Promise<Guest> {
    const bootStart = performance.now();
    const madeDir = c.dir ? undefined : await mkdtemp(join(tmpdir(), "unikernel-soak-guest-"));
    const { network, privilege, guestPorts, loadPorts, churnPorts, dir: _, ...rest } = c;
    const base = { ...rest, dir: c.dir ?? (madeDir as string) };
    const count = PROBES + loadPorts + churnPorts;
    try {
      const ports = guestPorts.length ? guestPorts : [80];
      const net =
        network === "tap"
          ? await startOnTap({ ...base, gdb: true }, ports, count, privilege)
          : await startOnUser({ ...base, gdb: true }, ports, count);
      return new Guest(net, bootStart, madeDir, loadPorts);
    } catch (err) {
      if (madeDir) await rm(madeDir, { recursive: true, force: true });
      throw err;
    }
  }

  get vm(): Vm {
    return this.net.vm;
  }

  /** every forwarded loopback port, in order: the probes', keep-alive, churn (QEMU user networking; none on the tap) */
  get hostPorts(): number[] {
    return this.net.hostPorts;
  }

  /** the argv prefix that puts a process where it reaches the guest (the tap's namespace); none on loopback */
  get enter(): string[] | undefined {
    return this.net.enter;
  }

  /** the path into the guest, for the log */
  get path(): string {
    return this.net.path;
  }

  /** Starts a monitor; stop() stops it before QEMU. */
  attach<M extends Monitor>(m: M): M {
    this.monitors.push(m);
    m.start();
    return m;
  }

  /** Stops the monitors, the probes, QEMU, then what its network and the guest made; once, however often called. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const m of this.monitors.splice(0)) m.stop();
      this.health.close();
      this.stats.close();
      try {
        await this.net.stop();
      } finally {
        if (this.madeDir) await rm(this.madeDir, { recursive: true, force: true });
      }
    })();
    return this.stopping;
  }
}

type Base = Omit<VmConfig, "hostPorts" | "guestPorts" | "tap">;

/**
 * QEMU user networking on fresh loopback ports, host port i to guest port i. A port can
 * still be taken between our check and QEMU's bind: QEMU then exits at once saying so, and
 * we try again with others.
 */
async function startOnUser(base: Base, guestPorts: number[], count: number): Promise<Network> {
  for (let attempt = 1; ; attempt++) {
    const ports = await freeLoopbackPorts(count);
    const vm = await Vm.start({ ...base, hostPorts: ports, guestPorts });
    const early = await Promise.race([vm.exited, sleep(300).then(() => undefined)]);
    const log = early ? await readFile(join(base.dir, "qemu.log"), "utf8").catch(() => "") : "";
    const raced = /Could not set up host forwarding rule|Address already in use/.test(log);
    if (!early || !raced || attempt === PORT_RACE_RETRIES)
      return {
        vm,
        urls: ports.map((p) => `http://127.0.0.1:${p}`),
        probeTo: (i) => ({ host: "127.0.0.1", port: ports[i] }),
        hostPorts: ports,
        path: `QEMU user networking, ${ports.length} loopback ports`,
        stop: async () => {
          await vm.stop();
        },
      };
    await vm.stop();
  }
}

/** QEMU on a tap device in a network namespace of its own; the probes through the gateway's unix sockets. */
async function startOnTap(base: Base, guestPorts: number[], count: number, privilege?: Privilege): Promise<Network> {
  const guestPort = (i: number) => guestPorts[i % guestPorts.length];
  let tap: TapNetwork | undefined;
  let vm: Vm | undefined;
  const stop = async () => {
    await vm?.stop();
    await tap?.stop();
  };
  try {
    if (!privilege) throw new Error("the tap path needs its privileges (vm/privilege.ts tapPrivilege())");
    tap = await TapNetwork.open([...new Set([guestPort(0), guestPort(1)])], privilege);
    vm = await Vm.start({ ...base, tap: tap.ifname, enter: tap.enter });
  } catch (err) {
    await stop();
    throw err;
  }
  const opened = tap;
  return {
    vm,
    urls: Array.from({ length: count }, (_, i) => `http://${GUEST_IP}:${guestPort(i)}`),
    probeTo: (i) => ({ socketPath: opened.socketPath(guestPort(i)) }),
    hostPorts: [],
    enter: tap.enter,
    path: `a tap device in a network namespace of its own, guest ${GUEST_IP}`,
    stop,
  };
}
