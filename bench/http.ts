// Requests per second through QEMU user networking into the bundled kernel, with the
// engine's own load driver (autocannon): keep-alive, and a new connection per request.
// Medians of RUNS runs of SECONDS each, the machine recorded. Run: npm run bench
import { mkdtemp } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
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
  path: string;
  close: boolean;
}

const MODES: Mode[] = [
  { name: "keep-alive, /health", path: "/health", close: false },
  { name: "keep-alive, /api/stats.json", path: "/api/stats.json", close: false },
  { name: "new connection per request, /health", path: "/health", close: true },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(mode: Mode, elf: string): Promise<number[]> {
  const dir = await mkdtemp(join(tmpdir(), "bench-http-"));
  const ports = await freeLoopbackPorts(Math.ceil(CONNECTIONS / 2));
  const { httpPorts } = await readElfInfo(elf);
  const vm = await Vm.start({ kernel: elf, accel: "tcg", dir, hostPorts: ports, guestPorts: httpPorts });
  try {
    await vm.serial.waitFor(/^ready$/, 30_000);
    const rates: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const load = new LoadRun(
        {
          urls: ports.map((p) => `http://127.0.0.1:${p}`),
          requests: 100_000_000,
          durationS: SECONDS,
          connections: CONNECTIONS,
          pipelining: 1,
          timeoutS: 10,
          paths: [{ path: mode.path, weight: 1, revalidate: false }],
          etags: new Map(),
          headers: mode.close ? { connection: "close" } : {},
        },
        () => {},
      );
      const r = await load.done;
      rates.push(Math.round(r.rps));
      console.error(
        `  ${mode.name}: run ${i + 1}: ${Math.round(r.rps)} req/s, p99 ${r.latencyMs.p99} ms, errors ${r.errors}`,
      );
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
