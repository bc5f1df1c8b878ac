// Requests per second through QEMU user networking (TCG) into the bundled kernel:
// with the engine's own load driver (autocannon) keep-alive and with a new connection
// per request, and with wrk keep-alive on one forwarded port, the set-up of the issue's
// Linux reference figure. Medians of RUNS runs of SECONDS each, the machine recorded.
// Run: npm run bench (BENCH_RUNS, BENCH_SECONDS override).
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildKernel } from "../kernel/build.ts";
import { readElfInfo } from "../soak/elf.ts";
import { LoadRun } from "../soak/load/driver.ts";
import { freeLoopbackPorts } from "../soak/vm/ports.ts";
import { Vm } from "../soak/vm/qemu.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;

interface Mode {
  name: string;
  /** loopback ports forwarded to the guest */
  ports: number;
  run: (ports: number[]) => Promise<number>;
}

const autocannon = (path: string, close: boolean) => async (ports: number[]) => {
  const load = new LoadRun(
    {
      urls: ports.map((p) => `http://127.0.0.1:${p}`),
      requests: 100_000_000,
      durationS: SECONDS,
      connections: CONNECTIONS,
      pipelining: 1,
      timeoutS: 10,
      paths: [{ path, weight: 1, revalidate: false }],
      etags: new Map(),
      headers: close ? { connection: "close" } : {},
    },
    () => {},
  );
  const r = await load.done;
  if (r.errors) console.error(`    ${r.errors} errors`);
  return r.rps;
};

const wrk = (path: string) => async (ports: number[]) => {
  const args = ["-t2", `-c${CONNECTIONS}`, `-d${SECONDS}s`, "--timeout", "10s", `http://127.0.0.1:${ports[0]}${path}`];
  const { stdout } = await promisify(execFile)("wrk", args, { timeout: (SECONDS + 30) * 1000 });
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(stdout);
  if (!rps) throw new Error(`wrk printed no Requests/sec:\n${stdout}`);
  if (/Non-2xx|Socket errors/.test(stdout)) console.error(`    ${stdout.trim().split("\n").slice(-4).join("\n    ")}`);
  return Number(rps[1]);
};

const MODES: Mode[] = [
  { name: "autocannon, keep-alive, /health", ports: CONNECTIONS / 2, run: autocannon("/health", false) },
  {
    name: "autocannon, keep-alive, /api/stats.json",
    ports: CONNECTIONS / 2,
    run: autocannon("/api/stats.json", false),
  },
  { name: "autocannon, new connection per request, /health", ports: CONNECTIONS / 2, run: autocannon("/health", true) },
  { name: "wrk, keep-alive, /health, one port", ports: 1, run: wrk("/health") },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(mode: Mode, elf: string): Promise<number[]> {
  const dir = await mkdtemp(join(tmpdir(), "bench-http-"));
  const ports = await freeLoopbackPorts(mode.ports);
  const { httpPorts } = await readElfInfo(elf);
  const vm = await Vm.start({ kernel: elf, accel: "tcg", dir, hostPorts: ports, guestPorts: httpPorts });
  try {
    await vm.serial.waitFor(/^ready$/, 30_000);
    const rates: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      rates.push(Math.round(await mode.run(ports)));
      console.error(`  ${mode.name}: run ${i + 1}: ${rates.at(-1)} req/s`);
    }
    return rates;
  } finally {
    await vm.stop();
  }
}

const { elf } = await buildKernel();
console.log(
  `machine: ${cpus().length} × ${cpus()[0].model}, Node ${process.version}, QEMU TCG, ${new Date().toISOString().slice(0, 10)}`,
);
console.log(`${CONNECTIONS} connections, ${RUNS} runs × ${SECONDS} s each\n`);
console.log("| load | median req/s | min | max |");
console.log("|---|---:|---:|---:|");
for (const mode of MODES) {
  const rates = await measure(mode, elf);
  console.log(`| ${mode.name} | ${median(rates)} | ${Math.min(...rates)} | ${Math.max(...rates)} |`);
}
