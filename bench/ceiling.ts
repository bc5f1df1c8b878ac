// The load's ceiling (BENCHMARKS.md, "The load's ceiling"): the engine's load workers against
// an "infinitely fast guest", the Linux guest's epoll server (scripts/linux-guest/server.c)
// built for the host and run in a network namespace made for the run, with the workers in it
// (LoadPool's `enter`). One worker pinned to one core with the server on the other is the
// ceiling per worker and core; two unpinned workers share both cores with the server.
// Medians of RUNS runs, in turns. Root only (the namespace). The server answers /health and
// /api/stats.json only, so those are the paths (small answers, as most of the default mix).
// Usage: npx tsx bench/ceiling.ts [RUNS=3] [REQUESTS=1000000]
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { LoadPool, parsePaths } from "../soak/index.ts";
import { processCpu } from "./threads.ts";

const run = promisify(execFile);
const [runs, requests] = [3, 1_000_000].map((d, i) => Number(process.argv[2 + i] ?? d));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = await mkdtemp(join(tmpdir(), "bench-ceiling-"));
const ns = `uksceil${randomBytes(3).toString("hex")}`;
const server = join(dir, "server");
await run("cc", ["-O2", "-o", server, resolve(import.meta.dirname, "../scripts/linux-guest/server.c")]);
await run("ip", ["netns", "add", ns]);
const inNs = ["ip", "netns", "exec", ns];
await run(inNs[0], [...inNs.slice(1), "ip", "link", "set", "lo", "up"]);
const child = spawn(inNs[0], [...inNs.slice(1), "taskset", "-c", "0", server], { stdio: "ignore" });
try {
  await new Promise((r) => setTimeout(r, 500));
  const variants = [
    { name: "1 worker on core 1, the server on core 0", workers: 1, enter: [...inNs, "taskset", "-c", "1"] },
    { name: "2 workers on both cores, with the server", workers: 2, enter: inNs },
  ];
  const results = new Map(
    variants.map((v) => [v.name, [] as { rps: number; p99: number; server: number; workers: number }[]]),
  );
  for (let r = 0; r < runs; r++)
    for (const v of variants) {
      const pool = new LoadPool(
        {
          workers: v.workers,
          enter: v.enter,
          urls: Array.from({ length: 4 }, (_, i) => `http://127.0.0.1:${8000 + i}`),
          requests,
          durationS: 300,
          connections: 50,
          churn: { share: 0.01, urls: [`http://127.0.0.1:8100`] },
          pipelining: 1,
          timeoutS: 10,
          paths: parsePaths("/health=1,/api/stats.json=1"),
          etags: new Map(),
        },
        () => {},
      );
      // CPU per wall second of the server and of the workers (`ip netns exec` and taskset exec them)
      const cpuOf = async () => [
        await processCpu(child.pid),
        (await Promise.all(pool.pids.map(processCpu))).reduce((a, x) => a + x, 0),
      ];
      const [server0, workers0] = await cpuOf();
      const started = performance.now();
      let last = [server0, workers0];
      const sampler = setInterval(async () => (last = await cpuOf()), 500);
      const { rps, errors, latencyMs } = await pool.done;
      clearInterval(sampler);
      const wall = (performance.now() - started) / 1000;
      const [server, workers] = [(last[0] - server0) / wall, (last[1] - workers0) / wall];
      console.error(
        `${v.name}: ${Math.round(rps)} req/s, p99 ${latencyMs.p99} ms, ${errors} errors, CPU server ${server.toFixed(2)} workers ${workers.toFixed(2)}`,
      );
      results.get(v.name)?.push({ rps, p99: latencyMs.p99, server, workers });
    }
  console.log(
    `${cpus()[0].model}, ${cpus().length} cores; ${runs} runs of ${requests} requests, 50 connections, 1% churn`,
  );
  console.log(
    "\n| load | req/s (median) | p99, ms (median) | CPU s/s: server | CPU s/s: workers |\n|---|---:|---:|---:|---:|",
  );
  for (const [name, xs] of results) {
    const m = (f: (x: (typeof xs)[number]) => number) => median(xs.map(f));
    console.log(
      `| ${name} | ${Math.round(m((x) => x.rps))} | ${m((x) => x.p99)} | ${m((x) => x.server).toFixed(2)} | ${m((x) => x.workers).toFixed(2)} |`,
    );
  }
} finally {
  child.kill();
  await run("ip", ["netns", "del", ns]);
  await rm(dir, { recursive: true, force: true });
}
