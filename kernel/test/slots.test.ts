// Every connection slot comes back: after a request rejected for its size (the kernel
// answers, then drains and closes), after an idle spell, after a close the client never
// finishes, behind a window that never reopens, and after hundreds of rejections in a row.
// The guest runs with short timeouts (kernel command line) so that each case takes seconds.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  crashLines,
  expectHealthy,
  getStats,
  type HttpGuest,
  httpGet,
  pollUntil,
  RawConnection,
  sleep,
  startHttpGuest,
  stopHttpGuest,
} from "../../test/http-guest.ts";

const elf = inject("kernelElf");
const IDLE_MS = 3000;
const FIN_WAIT_MS = 2000;
const ZERO_WINDOW_MS = 3000;
/** how long a slot may take to come back after the client has gone (TIME_WAIT is not counted open) */
const GIVEN_BACK_MS = 3000;

let guest: HttpGuest;
let idle = 0;
const open: RawConnection[] = [];
beforeAll(async () => {
  guest = await startHttpGuest(elf, {
    loadPorts: 11,
    append: `tcp_idle_ms=${IDLE_MS} tcp_fin_wait_ms=${FIN_WAIT_MS} tcp_zero_window_ms=${ZERO_WINDOW_MS}`,
  });
  idle = (await getStats(guest.port)).tcp_open; // the stats request's own connection
});
afterAll(async () => {
  for (const c of open) c.destroy();
  if (guest) expect(await crashLines(guest.vm)).toEqual([]);
  await stopHttpGuest(guest);
});

async function connection(port = guest.port, allowHalfOpen = false): Promise<RawConnection> {
  const c = await RawConnection.open(port, 5_000, undefined, allowHalfOpen);
  open.push(c);
  return c;
}

function backToIdle(withinMs: number, what: string) {
  return pollUntil(
    () => getStats(guest.port),
    (s) => s.tcp_open === idle,
    withinMs,
    `${what}: tcp_open back to ${idle}`,
  );
}

/** Sends `request` without waiting for the guest to take it all, reads the answer, then closes. */
async function rejected(request: Buffer | string, port = guest.port): Promise<number | undefined> {
  const c = await connection(port);
  c.socket.write(request);
  const [res] = await c.waitForResponses(1, 15_000);
  c.socket.end();
  return res?.status;
}

describe("requests rejected for their size give their slot back", () => {
  it.each([
    ["a 70 KB header", 431, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(70_000)}\r\n\r\n`],
    ["a 1 MB request line", 431, `GET /${"a".repeat(1 << 20)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    [
      "a 1 MB POST body",
      405,
      `POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: ${1 << 20}\r\n\r\n${"b".repeat(1 << 20)}`,
    ],
  ])(`%s: answered %i, tcp_open back to idle within ${GIVEN_BACK_MS} ms`, async (_, status, request) => {
    expect(await rejected(request)).toBe(status);
    await backToIdle(GIVEN_BACK_MS, "after the client closed");
  });

  it("520 rejected requests in a row: every one answered, /health served, tcp_open back to idle", async () => {
    const kinds = [
      `GET /health HTTP/1.1\r\nX-Big: ${"a".repeat(9000)}\r\n\r\n`,
      `GET /${"a".repeat(9000)} HTTP/1.1\r\n\r\n`,
      `POST /health HTTP/1.1\r\nContent-Length: 20000\r\n\r\n${"b".repeat(20_000)}`,
    ];
    const deadline = Date.now() + 60_000;
    const statuses: (number | undefined)[] = [];
    for (let i = 0; i < 520 && Date.now() < deadline; i += guest.ports.length) {
      const batch = guest.ports.map((port, k) => rejected(kinds[(i + k) % kinds.length], port));
      statuses.push(...(await Promise.all(batch)));
    }
    expect(statuses.length).toBeGreaterThanOrEqual(520);
    expect(statuses.filter((s) => s !== 431 && s !== 405)).toEqual([]);
    expect((await httpGet(guest.port, "/health", {}, 5_000)).status).toBe(200);
    await backToIdle(GIVEN_BACK_MS, "after 520 rejections");
  });
});

describe("timeouts", () => {
  it(`an idle keep-alive connection is closed after tcp_idle_ms (${IDLE_MS} ms)`, async () => {
    const c = await connection();
    await c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    expect((await c.waitForResponses(1))[0]?.status).toBe(200);
    const since = Date.now();
    await c.waitForClose(IDLE_MS + 3000);
    expect(Date.now() - since).toBeGreaterThan(IDLE_MS - 500);
    await backToIdle(GIVEN_BACK_MS, "after the idle close");
  });

  it("a request that stops half-way is timed out the same way", async () => {
    const c = await connection();
    await c.write("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    await c.waitForClose(IDLE_MS + 3000);
    await backToIdle(GIVEN_BACK_MS, "after the half-way request");
  });

  it(`a client that never closes its half after Connection: close is reset after tcp_fin_wait_ms (${FIN_WAIT_MS} ms)`, async () => {
    const before = (await getStats(guest.port)).tcp_fin_wait_timeouts;
    const c = await connection(guest.port, true);
    await c.write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await c.waitForClose(); // the server's FIN; our half stays open
    expect(c.responses()[0]?.status).toBe(200);
    const after = await pollUntil(
      () => getStats(guest.port),
      (s) => s.tcp_fin_wait_timeouts > before && s.tcp_open === idle,
      FIN_WAIT_MS + GIVEN_BACK_MS,
      "the half-closed connection reset and its slot back",
    );
    expect(after.tcp_fin_wait_timeouts).toBe(before + 1);
  });

  it(`a client that stops reading is probed, then reset after tcp_zero_window_ms (${ZERO_WINDOW_MS} ms)`, async () => {
    const before = (await getStats(guest.port)).tcp_zero_window_resets;
    const c = await connection();
    c.socket.pause(); // nothing is read: the host buffers fill, then the window shuts
    await c.write("GET /large.txt HTTP/1.1\r\nHost: x\r\n\r\n".repeat(100));
    const after = await pollUntil(
      () => getStats(guest.port),
      (s) => s.tcp_zero_window_resets > before,
      30_000,
      "a zero-window reset",
    );
    expect(after.tcp_zero_window_resets).toBe(before + 1);
    c.destroy();
    await backToIdle(GIVEN_BACK_MS, "after the zero-window reset");
  });

  it("the guest is healthy after all of it", async () => {
    await sleep(100);
    await expectHealthy(guest);
  });
});
