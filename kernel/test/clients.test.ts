// HTTP clients no one here wrote, against the bundled kernel: ApacheBench (keep-alive, and a
// new connection a request), h2load over HTTP/1.1 with pipelining, siege, and curl reusing
// one connection for several paths (installed by scripts/setup.mjs --tests). Each must have
// every request answered 2xx with none failed, and afterwards the guest must have counted
// them, with no TX stall, no crash, and its connections back to idle.
import { execFile } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  crashLines,
  getStats,
  type HttpGuest,
  pollUntil,
  type Stats,
  startHttpGuest,
  stopHttpGuest,
} from "../../test/http-guest.ts";

const run = promisify(execFile);
const elf = inject("kernelElf");

let guest: HttpGuest;
let before: Stats;
let sent = 0;
/** a $HOME of this file's own, for siege's settings */
let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "clients-home-"));
  // a port each: QEMU user networking accepts on a forwarded port with a backlog of one
  guest = await startHttpGuest(elf, { loadPorts: 4 });
  before = await getStats(guest.port);
});
afterAll(async () => {
  if (guest) expect(await crashLines(guest.vm)).toEqual([]);
  await stopHttpGuest(guest);
  await rm(home, { recursive: true, force: true });
});

/** `path` on the i-th forwarded port */
const url = (i: number, path: string) => `http://127.0.0.1:${guest.ports[i]}${path}`;

/** A client's run, bounded in time; its output whatever its exit code (asserted by the caller). */
async function client(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = await run(cmd, args, { timeout: 60_000, env }).then(
    (x) => ({ code: 0, ...x }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
  return { code: r.code, out: `${r.stdout}\n${r.stderr}` };
}

/** The number after `label` in a client's report ("Complete requests:      2000"). */
function figure(out: string, label: string): number | undefined {
  const m = new RegExp(`^${label}:?\\s+(\\d+)`, "m").exec(out);
  return m ? Number(m[1]) : undefined;
}

describe("real HTTP clients against the bundled kernel", () => {
  it("ApacheBench, keep-alive: 2,000 requests over 4 connections, all answered", async () => {
    const { code, out } = await client("ab", ["-n", "2000", "-c", "4", "-k", url(2, "/health")]);
    expect(code, out).toBe(0);
    expect(figure(out, "Complete requests"), out).toBe(2000);
    expect(figure(out, "Failed requests"), out).toBe(0);
    expect(figure(out, "Keep-Alive requests"), out).toBe(2000);
    expect(out).not.toMatch(/Non-2xx responses/);
    sent += 2000;
  });

  it("ApacheBench, a new connection a request, on the counters' JSON (its length moves: -l)", async () => {
    const { code, out } = await client("ab", ["-n", "500", "-c", "4", "-l", url(3, "/api/stats.json")]);
    expect(code, out).toBe(0);
    expect(figure(out, "Complete requests"), out).toBe(500);
    expect(figure(out, "Failed requests"), out).toBe(0);
    expect(out).not.toMatch(/Non-2xx responses/);
    sent += 500;
  });

  it("h2load over HTTP/1.1, four requests pipelined on each of 4 connections", async () => {
    const { code, out } = await client("h2load", ["--h1", "-n", "2000", "-c", "4", "-m", "4", url(4, "/style.css")]);
    expect(code, out).toBe(0);
    expect(out).toMatch(
      /^requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored, 0 timeout$/m,
    );
    expect(out).toMatch(/^status codes: 2000 2xx, 0 3xx, 0 4xx, 0 5xx$/m);
    sent += 2000;
  });

  it("siege, parsing the page: 4 users, 100 times each, the page and its two assets, all answered", async () => {
    // its settings pinned (a first run writes a template under $HOME, whose defaults vary)
    const rc = join(home, "siegerc");
    await writeFile(rc, "json_output = true\nparser = true\ncache = false\n");
    const { code, out } = await client("siege", ["-R", rc, "-b", "-c", "4", "-r", "100", url(5, "/")], {
      ...process.env,
      HOME: home,
    });
    expect(code, out).toBe(0);
    const summary = JSON.parse(/\{[^{}]*\}/.exec(out)?.[0] ?? "{}");
    expect(summary, out).toMatchObject({ transactions: 1200, successful_transactions: 1200, failed_transactions: 0 });
    expect(summary.availability).toBe(100);
    sent += 1200;
  });

  it("curl: three paths on one connection, the large one whole", async () => {
    const paths = ["/health", "/", "/large.txt"];
    const args = ["-s", "--http1.1", "-w", "%{http_code} %{num_connects} %{size_download}\\n"];
    for (const p of paths) args.push("-o", "/dev/null", url(2, p));
    const { code, out } = await client("curl", args);
    expect(code, out).toBe(0);
    const lines = out
      .trim()
      .split("\n")
      .map((l) => l.split(" ").map(Number));
    expect(lines.map(([status]) => status)).toEqual([200, 200, 200]);
    expect(lines.map(([, connects]) => connects)).toEqual([1, 0, 0]);
    expect(lines[2][2]).toBe((await stat(join(import.meta.dirname, "../assets/large.txt"))).size);
    sent += paths.length;
  });

  it("afterwards: the guest counted them, no TX stall, its connections back to idle", async () => {
    const after = await pollUntil(
      () => getStats(guest.port),
      (s) => s.tcp_open <= before.tcp_open,
      15_000,
      `tcp_open back to ${before.tcp_open}`,
    );
    // (the counters' own requests count too: at least what the clients sent)
    expect(after.requests - before.requests).toBeGreaterThanOrEqual(sent);
    expect(after.tx_stalls).toBe(before.tx_stalls);
  });
});
