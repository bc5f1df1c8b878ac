// The network paths into the guest, side by side, with the same load generator (wrk:
// autocannon cannot enter a network namespace) and the same kernel, measured in turns:
//   user   QEMU user networking (slirp), a loopback port forward: what the engine uses
//   passt  passt over -netdev stream (a unix socket), a loopback port forward
//   tap    the engine's tap path (soak/vm/tap-network.ts): a tap device in a network
//          namespace made for the run, wrk inside it (root only; the guest's address
//          exists only in that namespace)
import { execFile, spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Accel, freeLoopbackPort, GUEST_IP, TapNetwork, tapPrivilege, Vm } from "../soak/index.ts";
import type { Kernel } from "./measure.ts";
import { cpuBetween, processCpu, selfCpu, threadCpu, vcpuSeconds } from "./threads.ts";

const run = promisify(execFile);
export const NETWORKS = ["user", "passt", "tap"] as const;
export type Network = (typeof NETWORKS)[number];

export interface NetSample {
  rps: number;
  p99Ms: number;
  errors: number;
  /** CPU seconds per wall second: the guest's vCPU, QEMU's main loop, passt, wrk */
  cpu: { vcpu: number; mainLoop: number; passt: number; wrk: number };
}

const GUEST_PORT = 8000;

interface Booted {
  vm: Vm;
  url: string;
  /** wrk's argv prefix: where it runs */
  prefix: string[];
  passtPid?: number;
  stop: () => Promise<void>;
}

/** How QEMU boots `kernel`, and the serial line that says it serves (Linux takes 10-20 s under TCG). */
function kernelConfig(kernel: Kernel) {
  if (typeof kernel === "string") return { config: { kernel }, ready: /^ready$/, readyMs: 30_000 };
  const { bzImage, initrd, append } = kernel;
  return {
    config: { kernel: bzImage, bzImage: true, initrd, append },
    ready: /soak-guest: serving HTTP/,
    readyMs: 120_000,
  };
}

async function boot(network: Network, kernel: Kernel, accel: Accel, dir: string): Promise<Booted> {
  const base = { ...kernelConfig(kernel).config, accel, dir }; // its threads named (vm/qemu.ts)
  const device = ["-device", "virtio-net-device,netdev=n0"];
  if (network === "user") {
    const port = await freeLoopbackPort();
    const vm = await Vm.start({ ...base, hostPorts: [port], guestPorts: [GUEST_PORT] });
    return { vm, url: `http://127.0.0.1:${port}`, prefix: [], stop: () => vm.stop().then(() => {}) };
  }
  if (network === "passt") {
    const port = await freeLoopbackPort();
    // passt drops root for "nobody", which must be able to make its socket here
    await chmod(dir, 0o777);
    const socket = join(dir, "passt.sock");
    const passt = spawn(
      "passt",
      ["-f", "-1", "-s", socket, "-a", "10.0.2.15", "-g", "10.0.2.2", "-t", `127.0.0.1/${port}:${GUEST_PORT}`],
      { stdio: "ignore" },
    );
    await waitFor(
      async () =>
        run("test", ["-S", socket]).then(
          () => true,
          () => false,
        ),
      "passt's socket",
    );
    const netdev = ["-netdev", `stream,id=n0,server=off,addr.type=unix,addr.path=${socket}`];
    const vm = await Vm.start({ ...base, extraArgs: [...netdev, ...device] });
    const stop = async () => {
      await vm.stop();
      passt.kill();
    };
    return { vm, url: `http://127.0.0.1:${port}`, prefix: [], passtPid: passt.pid, stop };
  }
  const privilege = await tapPrivilege();
  if (typeof privilege === "string") throw new Error(privilege);
  const tap = await TapNetwork.open([], privilege);
  try {
    const vm = await Vm.start({ ...base, tap: tap.ifname, enter: tap.enter });
    const stop = async () => {
      await vm.stop();
      await tap.stop();
    };
    return { vm, url: `http://${GUEST_IP}:${GUEST_PORT}`, prefix: tap.enter, stop };
  } catch (err) {
    await tap.stop();
    throw err;
  }
}

async function waitFor(ok: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`net bench: no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function wrk(b: Booted, path: string, connections: number, seconds: number) {
  const argv = [...b.prefix, "wrk", "-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "--latency"];
  const { stdout } = await run(argv[0], [...argv.slice(1), `${b.url}${path}`], { timeout: (seconds + 30) * 1000 });
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(stdout);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s) *$/m.exec(stdout);
  if (!rps || !p99) throw new Error(`wrk printed no rate or p99:\n${stdout}`);
  const unit = { us: 0.001, ms: 1, s: 1000 }[p99[2]] ?? Number.NaN;
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    rps: Number(rps[1]),
    p99Ms: Number(p99[1]) * unit,
    errors: (errs?.slice(1) ?? []).reduce((a, b) => a + Number(b), 0),
  };
}

/** Samples by network, then by path. */
export type NetResults = Map<Network, Map<string, NetSample[]>>;

/** Per round, each kernel on each network booted in turn and every path measured on it; results per kernel. */
export async function compareNetworks(
  kernels: Kernel[],
  accel: Accel,
  o: { paths: string[]; connections: number; runs: number; seconds: number; networks: Network[] },
  log: (line: string) => void,
): Promise<NetResults[]> {
  const out: NetResults[] = kernels.map(
    () => new Map(o.networks.map((n) => [n, new Map(o.paths.map((p) => [p, []]))])),
  );
  for (let round = 1; round <= o.runs; round++)
    for (const network of o.networks)
      for (const [k, kernel] of kernels.entries()) {
        const dir = await mkdtemp(join(tmpdir(), "bench-net-"));
        const b = await boot(network, kernel, accel, dir);
        try {
          const { ready, readyMs } = kernelConfig(kernel);
          await b.vm.serial.waitFor(ready, readyMs);
          await wrk(b, o.paths[0], 1, 1); // the first connection also answers the guest's ARP
          const samples = out[k].get(network) as Map<string, NetSample[]>;
          for (const path of o.paths) samples.get(path)?.push(await measure(b, path, o.connections, o.seconds));
          log(`net ${network}, kernel ${k + 1}, round ${round} done`);
        } finally {
          await b.stop();
          await rm(dir, { recursive: true, force: true });
        }
      }
  return out;
}

async function measure(b: Booted, path: string, connections: number, seconds: number): Promise<NetSample> {
  const pid = b.vm.pid;
  const [q0, p0, w0, t0] = [
    await threadCpu(pid),
    await processCpu(b.passtPid),
    (await selfCpu()).children,
    performance.now(),
  ];
  const r = await wrk(b, path, connections, seconds);
  const [q1, p1, w1] = [await threadCpu(pid), await processCpu(b.passtPid), (await selfCpu()).children];
  const wall = (performance.now() - t0) / 1000;
  const q = cpuBetween(q0, q1);
  const cpu = {
    vcpu: vcpuSeconds(q) / wall,
    mainLoop: (q.get("qemu-system-x86") ?? 0) / wall,
    passt: (p1 - p0) / wall,
    wrk: (w1 - w0) / wall,
  };
  return { ...r, cpu };
}
