// Connection churn (a new connection per request, as the seed's `xargs -P 50 curl`):
// a connection the guest closed first waits in TIME_WAIT, and a new connection may come
// back on the same tuple at once (QEMU's user networking hands the guest the host
// client's source port). The guest must take it as a new connection, not re-acknowledge
// the old one (which costs the client a reset and a SYN retried seconds later), and a
// TIME_WAIT must hold no buffer pages: a burst of closes must not run the allocator dry.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freeLoopbackPorts } from "../../soak/index.ts";
import {
  crashLines,
  getStats,
  type HttpGuest,
  pollUntil,
  RawConnection,
  startHttpGuest,
  stopHttpGuest,
} from "../../test/http-guest.ts";

const elf = inject("kernelElf");
/** a new connection on a tuple in TIME_WAIT is answered at once, not after a SYN retry (1 s or more) */
const PROMPT_MS = 500;
const BURST = 1200;

let guest: HttpGuest;
beforeAll(async () => {
  guest = await startHttpGuest(elf, { loadPorts: 6 });
});
afterAll(async () => {
  if (guest) expect(await crashLines(guest.vm)).toEqual([]);
  await stopHttpGuest(guest);
});

/** One request with `Connection: close` from a fixed source port: the guest closes first. */
async function closedByGuest(port: number, localPort: number): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const c = await RawConnection.open(port, 5_000, { localAddress: "127.0.0.1", localPort });
  try {
    await c.write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const [res] = await c.waitForResponses(1, 10_000);
    await c.waitForClose(5_000);
    return { status: res?.status ?? 0, ms: performance.now() - t0 };
  } finally {
    c.destroy();
  }
}

describe("connection churn", () => {
  it("a new connection on a tuple still in TIME_WAIT is a new connection, answered at once", async () => {
    const before = await getStats(guest.port);
    const [localPort] = await freeLoopbackPorts(1);
    const first = await closedByGuest(guest.ports[1], localPort);
    expect(first.status).toBe(200);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      // both ends have closed (the host no longer holds the tuple but in TIME_WAIT, which it may
      // reuse): the guest's connection has left tcp_open for its 2 s of TIME_WAIT
      await pollUntil(
        () => getStats(guest.port),
        (s) => s.tcp_open === before.tcp_open,
        2_000,
        "the close",
      );
      const again = await closedByGuest(guest.ports[1], localPort);
      expect(again.status).toBe(200);
      times.push(Math.round(again.ms));
    }
    const after = await getStats(guest.port);
    console.log(
      `same tuple again within TIME_WAIT: ${times.join(", ")} ms; resets received ${after.tcp_resets_received - before.tcp_resets_received}`,
    );
    expect(Math.max(...times)).toBeLessThan(PROMPT_MS);
    expect(after.tcp_resets_received - before.tcp_resets_received).toBe(0);
  });

  it(`${BURST} connections closed by the guest give their pages back at once (a TIME_WAIT holds its slot only)`, async () => {
    // idle: no connection but the one asking (the last test's may still be closing)
    const idle = await pollUntil(
      () => getStats(guest.port),
      (s) => s.tcp_open === 1,
      10_000,
      "an idle guest",
    );
    const ports = guest.ports.slice(1);
    let done = 0;
    await Promise.all(
      ports.map(async (port) => {
        while (done < BURST) {
          done++;
          const c = await RawConnection.open(port, 5_000);
          try {
            await c.write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            expect((await c.waitForResponses(1, 10_000))[0]?.status).toBe(200);
            await c.waitForClose(5_000);
          } finally {
            c.destroy();
          }
        }
      }),
    );
    const burst = await getStats(guest.port);
    console.log(
      `after ${done} closes: pmm_pages_used ${idle.pmm_pages_used} -> ${burst.pmm_pages_used}, tcp_open ${burst.tcp_open}`,
    );
    // only the connections still open hold pages (4 each), not the ones in TIME_WAIT
    expect(burst.pmm_pages_used - idle.pmm_pages_used).toBeLessThanOrEqual(4 * (burst.tcp_open - idle.tcp_open + 2));
    await pollUntil(
      () => getStats(guest.port),
      (s) => s.tcp_open === idle.tcp_open && s.pmm_pages_used === idle.pmm_pages_used,
      10_000,
      "tcp_open and pages back to idle",
    );
  });
});
