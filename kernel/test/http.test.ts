// HTTP/1.1 as real clients that nobody here wrote see it: the system curl for
// keep-alive, HEAD, revalidation, the large asset and the error statuses, then
// the engine's own load (autocannon inside) for a bounded load after which no
// connection, page or TX stall is left.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freeLoopbackPorts, readElfInfo } from "../../soak/index.ts";
import { engineLoad } from "../../test/default-mix.ts";
import {
  crashLines,
  getStats,
  type HttpGuest,
  httpGet,
  parseHead,
  pollUntil,
  RawConnection,
  startHttpGuest,
  stopHttpGuest,
} from "../../test/http-guest.ts";

const run = promisify(execFile);
const elf = inject("kernelElf");
const LARGE = join(import.meta.dirname, "../assets/large.txt");

interface CurlRun {
  stdout: Buffer;
  /** curl -v's trace */
  stderr: string;
}

/** Runs curl with a hard time limit; a non-zero exit throws with curl's own message. */
async function curl(...args: string[]): Promise<CurlRun> {
  const { stdout, stderr } = await run("curl", ["--silent", "--show-error", "--max-time", "30", ...args], {
    encoding: "buffer",
    maxBuffer: 4 << 20,
    timeout: 40_000,
  });
  return { stdout, stderr: stderr.toString() };
}

/** What `curl --include` (or `--head`) printed: status and headers, then every byte after the blank line. */
function included(stdout: Buffer) {
  const head = parseHead(stdout);
  expect(head, stdout.toString()).not.toBeNull();
  const { status, headers, end } = head ?? { status: 0, headers: {}, end: 0 };
  return { status, headers, rest: stdout.subarray(end) };
}

describe("HTTP/1.1 with curl", () => {
  let guest: HttpGuest;
  beforeAll(async () => {
    guest = await startHttpGuest(elf);
  });
  afterAll(async () => {
    if (guest) expect(await crashLines(guest.vm)).toEqual([]);
    await stopHttpGuest(guest);
  });

  it("keeps the connection alive: two URLs in one curl go over one connection", async () => {
    const { stdout, stderr } = await curl("-v", `${guest.base}/health`, `${guest.base}/api/stats.json`);
    expect(stderr).toMatch(/Re-using existing connection/);
    expect(stderr.match(/^\* Connected to /gm)).toHaveLength(1);
    const [health, stats] = [stdout.subarray(0, 3).toString(), stdout.subarray(3).toString()];
    expect(health).toBe("ok\n");
    expect(JSON.parse(stats)).toMatchObject({ requests: expect.any(Number), tcp_open: expect.any(Number) });
  });

  // After HEAD and 304 a GET /health goes on the same connection (--next): a body
  // sent where none belongs would be read as the start of that next response.
  it("HEAD gives the full Content-Length and no body", async () => {
    const { stdout, stderr } = await curl("-v", "--head", `${guest.base}/large.txt`, "--next", `${guest.base}/health`);
    const head = included(stdout);
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe("307230");
    expect(head.headers.etag).toMatch(/^"[^"]+"$/);
    expect(head.rest.toString()).toBe("ok\n");
    expect(stderr).toMatch(/Re-using existing connection/);
  });

  it("If-None-Match with the ETag of a first response gives 304 with no body", async () => {
    const first = included((await curl("--include", `${guest.base}/style.css`)).stdout);
    expect(first.status).toBe(200);
    const etag = first.headers.etag;
    expect(etag).toMatch(/^"[^"]+"$/);
    const { stdout, stderr } = await curl(
      "-v",
      "--include",
      "-H",
      `If-None-Match: ${etag}`,
      `${guest.base}/style.css`,
      "--next",
      `${guest.base}/health`,
    );
    const revalidated = included(stdout);
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.etag).toBe(etag);
    expect(revalidated.rest.toString()).toBe("ok\n");
    expect(stderr).toMatch(/Re-using existing connection/);
  });

  it("serves the large asset byte for byte", async () => {
    const { stdout } = await curl("--fail", `${guest.base}/large.txt`);
    const expected = await readFile(LARGE);
    expect(stdout.length).toBe(expected.length);
    expect(stdout.equals(expected)).toBe(true);
  });

  it("answers an unknown path with 404", async () => {
    const res = included((await curl("--include", `${guest.base}/no/such/page`)).stdout);
    expect(res.status).toBe(404);
  });

  it.each(["POST", "PUT", "DELETE"])("answers %s with 405 and an Allow header", async (method) => {
    const res = included((await curl("--include", "-X", method, "--data", "x=1", `${guest.base}/health`)).stdout);
    expect(res.status).toBe(405);
    expect(res.headers.allow?.split(/\s*,\s*/).sort()).toEqual(["GET", "HEAD"]);
  });
});

// QEMU's user networking hands the guest each forwarded connection from 10.0.2.2 with the
// host client's own source port, and the host may reuse a source port towards another
// forwarded port. The kernel therefore serves on 80 and on the range its ELF note
// announces, and the engine gives each forwarded port its own guest port.
describe("guest ports", () => {
  const [first, count] = [8000, 256];
  let guest: HttpGuest;
  beforeAll(async () => {
    guest = await startHttpGuest(elf, {
      loadPorts: 3,
      guestPorts: [80, first, first + count - 1, first + count, 8080],
    });
  });
  afterAll(async () => {
    if (guest) expect(await crashLines(guest.vm)).toEqual([]);
    await stopHttpGuest(guest);
  });

  it("the ELF note announces the range the kernel serves", async () => {
    const ports = (await readElfInfo(elf)).httpPorts ?? [];
    expect([ports[0], ports.length]).toEqual([first, count]);
  });

  it("serves on 80 and on both ends of the range, and resets a connection to a port past it", async () => {
    const [p80, pFirst, pLast, pPast] = guest.ports;
    for (const port of [p80, pFirst, pLast]) expect((await httpGet(port, "/health")).status, `port ${port}`).toBe(200);
    const c = await RawConnection.open(pPast);
    await c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    await c.waitForClose();
    expect(c.received.length).toBe(0);
  });

  it("two host clients with the same source port on two forwarded ports are two connections", async () => {
    const [, pFirst, pLast] = guest.ports;
    const [localPort] = await freeLoopbackPorts(1);
    const a = await RawConnection.open(pFirst, 5_000, { localAddress: "127.0.0.1", localPort });
    const b = await RawConnection.open(pLast, 5_000, { localAddress: "127.0.0.2", localPort });
    try {
      for (let round = 1; round <= 3; round++) {
        await Promise.all([a, b].map((c) => c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")));
        for (const c of [a, b]) {
          const answers = await c.waitForResponses(round, 5_000);
          expect(answers.map((r) => r.status)).toEqual(Array(round).fill(200));
        }
      }
    } finally {
      a.destroy();
      b.destroy();
    }
  });
});

// A burst of new connections to a guest that has been up for a while is not a TX stall:
// the stall clock of a connection starts when it is accepted, and a handshake in progress
// is the retransmission timer's business (a CI run once saw 49 false stalls here).
describe("bursts of new connections", () => {
  let guest: HttpGuest;
  beforeAll(async () => {
    guest = await startHttpGuest(elf, { loadPorts: 23 });
  });
  afterAll(async () => {
    if (guest) expect(await crashLines(guest.vm)).toEqual([]);
    await stopHttpGuest(guest);
  });

  it("20 bursts of 50 connections, each one GET, count no TX stall", async () => {
    await pollUntil(
      () => getStats(guest.port),
      (s) => s.uptime_ms > 1500,
      10_000,
      "uptime past the 1 s stall bound",
    );
    for (let burst = 0; burst < 20; burst++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => httpGet(guest.ports[i % guest.ports.length], "/health")),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    }
    const stats = await getStats(guest.port);
    expect(stats.tx_stalls, (await readFile(join(guest.vm.config.dir, "serial.log"), "latin1")).slice(-2000)).toBe(0);
  });
});

describe("HTTP/1.1 under the engine's load", () => {
  const CONNECTIONS = 50;
  const REQUESTS = 20_000;
  const CAP_S = 150;
  let guest: HttpGuest;
  beforeAll(async () => {
    // one load port per two connections, as the soak engine does
    guest = await startHttpGuest(elf, { loadPorts: CONNECTIONS / 2 });
  });
  afterAll(async () => {
    await stopHttpGuest(guest);
  });

  it(`answers ${REQUESTS} keep-alive requests on ${CONNECTIONS} connections with no error, then holds no more pages`, {
    timeout: (CAP_S + 60) * 1000,
  }, async () => {
    const before = await getStats(guest.port);
    const result = await engineLoad(guest, {
      requests: REQUESTS,
      connections: CONNECTIONS,
      paths: [
        { path: "/health", weight: 1, revalidate: false },
        { path: "/api/stats.json", weight: 1, revalidate: false },
        { path: "/style.css", weight: 1, revalidate: false },
        { path: "/style.css", weight: 1, revalidate: true },
      ],
      capS: CAP_S,
    });
    console.log(
      `engine load: ${result.requests} requests in ${result.durationS.toFixed(1)} s, statuses ${JSON.stringify(result.statuses)}`,
    );

    expect({ errors: result.errors, timeouts: result.timeouts }).toEqual({ errors: 0, timeouts: 0 });
    expect(Object.keys(result.statuses).sort()).toEqual(["200", "304"]);
    expect(result.requests).toBeGreaterThanOrEqual(REQUESTS);

    // Every load connection closes; then the guest holds exactly the pages it held before.
    const after = await pollUntil(
      () => getStats(guest.port),
      (s) => s.tcp_open === before.tcp_open,
      30_000,
      `tcp_open back to ${before.tcp_open}`,
    );
    expect(after.pmm_pages_used).toBe(before.pmm_pages_used);
    expect(after.tx_stalls).toBe(0);
    expect(await crashLines(guest.vm)).toEqual([]);
  });
});
