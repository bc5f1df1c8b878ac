// Malformed and hostile input over raw sockets never crashes the kernel: after
// every case /health still answers 200 and the serial log shows no fault dump.
import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import {
  expectHealthy,
  type HttpGuest,
  RawConnection,
  sleep,
  startHttpGuest,
  stopHttpGuest,
} from "../../test/http-guest.ts";

const elf = inject("kernelElf");
const LARGE_LENGTH = 307_230;

let guest: HttpGuest;
let open: RawConnection[] = [];
beforeAll(async () => {
  guest = await startHttpGuest(elf);
});
afterEach(async () => {
  for (const c of open) c.destroy();
  open = [];
  await expectHealthy(guest);
});
afterAll(async () => {
  await stopHttpGuest(guest);
});

async function connection(): Promise<RawConnection> {
  const c = await RawConnection.open(guest.port);
  open.push(c);
  return c;
}

/** Deterministic pseudo-random bytes (a SHA-256 chain). */
function garbage(length: number, seed: string): Buffer {
  const chunks: Buffer[] = [];
  let block = createHash("sha256").update(seed).digest();
  for (let n = 0; n < length; n += block.length) {
    chunks.push(block);
    block = createHash("sha256").update(block).digest();
  }
  return Buffer.concat(chunks).subarray(0, length);
}

describe("malformed requests", () => {
  it.each([
    "GET",
    "GET /health",
    "GET /health HTTP/1.1",
    "GET /health HTTP/1.1\r\n",
    "GET /health HTTP/1.1\r\nHost: x\r\n",
  ])("a truncated request %j, then the client's FIN: closed, with no answer or a 400", async (partial) => {
    const c = await connection();
    await c.write(partial);
    c.socket.end();
    await c.waitForClose();
    if (c.received.length > 0) expect(c.received.toString("latin1")).toMatch(/^HTTP\/1\.1 400 /);
  });

  it.each([
    "GET\r\n\r\n",
    "GET /health\r\n\r\n",
    "GET health HTTP/1.1\r\n\r\n",
    " GET /health HTTP/1.1\r\n\r\n",
    "GET /health HTTP/9.9\r\n\r\n",
    "GET /health HTTP/1.1\r\nno colon here\r\n\r\n",
    "GET /health HTTP/1.1\r\nX: a\0b\r\n\r\n",
    "GET /health HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    "GET /health HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
  ])("a complete but malformed request %j: 400, then the server closes", async (request) => {
    const c = await connection();
    await c.write(request);
    await c.waitForClose();
    const [res] = c.responses();
    expect(res?.status).toBe(400);
  });

  it.each([
    ["random bytes", garbage(4096, "unikernel-soak")],
    ["NUL bytes", Buffer.alloc(4096)],
    ["a TLS ClientHello", Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]), garbage(506, "tls")])],
  ])("binary garbage (%s): a 4xx answer, then the server closes", async (_, bytes) => {
    const c = await connection();
    await c.write(bytes);
    await c.waitForClose();
    expect(c.received.toString("latin1")).toMatch(/^HTTP\/1\.1 4\d\d /);
  });

  it("a 64 KiB header block: 431 or a close", async () => {
    const c = await connection();
    c.socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`); // the guest stops reading
    await c.until(() => c.closed || c.responses().length > 0, 15_000, "431 or a close");
    const [res] = c.responses();
    if (res) expect(res.status).toBe(431);
  });
});

describe("awkward but valid clients", () => {
  it("a request written one byte at a time gets 200", async () => {
    const c = await connection();
    c.socket.setNoDelay(true);
    for (const byte of Buffer.from("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")) {
      await c.write(Buffer.from([byte]));
      await sleep(5);
    }
    const [res] = await c.waitForResponses(1);
    expect(res?.status).toBe(200);
    expect(res?.body.toString()).toBe("ok\n");
  });

  it("200 pipelined requests in one write get 200 answers, in order", async () => {
    // Every tenth asks for the stats, whose request counter shows the order answered.
    const paths = Array.from({ length: 200 }, (_, i) => (i % 10 === 9 ? "/api/stats.json" : "/health"));
    const last = paths.length - 1;
    const requests = paths.map(
      (p, i) => `GET ${p} HTTP/1.1\r\nHost: x\r\n${i === last ? "Connection: close\r\n" : ""}\r\n`,
    );
    const c = await connection();
    await c.write(requests.join(""));
    await c.waitForClose(30_000);
    const responses = c.responses();
    expect(responses).toHaveLength(paths.length);
    responses.forEach((res, i) => {
      expect(res.status, `response ${i}`).toBe(200);
      expect(res.headers["content-type"], `response ${i}`).toBe(
        paths[i] === "/health" ? "text/plain; charset=utf-8" : "application/json",
      );
    });
    const counters = responses
      .filter((_, i) => paths[i] !== "/health")
      .map((r) => JSON.parse(r.body.toString()).requests);
    expect(counters).toEqual([...counters].sort((a, b) => a - b));
    expect(new Set(counters).size).toBe(counters.length);
  });

  it("a connection reset while /large.txt is streaming", async () => {
    const c = await connection();
    await c.write("GET /large.txt HTTP/1.1\r\nHost: x\r\n\r\n");
    await c.until(() => c.received.length >= 32 * 1024, 10_000, "the first 32 KiB of /large.txt");
    expect(c.received.length).toBeLessThan(LARGE_LENGTH); // mid-response
    c.socket.resetAndDestroy();
    await sleep(500); // let the reset reach the guest before the health check
  });
});
