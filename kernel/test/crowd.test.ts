// More idle connections than the kernel has slots (1,536): /health is still served (the
// kernel makes room by resetting the connection that has waited longest on its peer), and
// once the crowd has gone every slot comes back. Default timeouts: nothing times out here.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { expectDefaultMixSoakPasses } from "../../test/default-mix.ts";
import {
  crashLines,
  getStats,
  type HttpGuest,
  httpGet,
  pollUntil,
  RawConnection,
  startHttpGuest,
  stopHttpGuest,
} from "../../test/http-guest.ts";

const elf = inject("kernelElf");
const CROWD = 2000;
const OPEN_DEADLINE_MS = 60_000;
const BACK_WITHIN_MS = 15_000;

let guest: HttpGuest;
const crowd: RawConnection[] = [];
beforeAll(async () => {
  guest = await startHttpGuest(elf, { loadPorts: 62 });
});
afterAll(async () => {
  for (const c of crowd) c.destroy();
  if (guest) expect(await crashLines(guest.vm)).toEqual([]);
  await stopHttpGuest(guest);
});

describe(`${CROWD} idle connections`, () => {
  it("/health answers while they are held, and tcp_open is back to its idle value once they close", async () => {
    const idle = (await getStats(guest.port)).tcp_open;
    const deadline = Date.now() + OPEN_DEADLINE_MS;
    // One connect per forwarded port at a time: QEMU listens on each with a backlog of 1.
    while (crowd.length < CROWD && Date.now() < deadline) {
      const batch = guest.ports.slice(0, CROWD - crowd.length).map((p) => RawConnection.open(p, 10_000));
      crowd.push(...(await Promise.all(batch)));
    }
    expect(crowd.length).toBe(CROWD);

    const health = await httpGet(guest.port, "/health", {}, 10_000);
    expect(health.status).toBe(200);
    const held = await getStats(guest.port);
    console.log(
      `crowd: ${crowd.filter((c) => !c.closed).length} of ${CROWD} still open on the host, guest tcp_open=${held.tcp_open} evictions=${held.tcp_evictions}`,
    );
    expect(held.tcp_evictions).toBeGreaterThan(0);

    for (const c of crowd) c.destroy();
    await pollUntil(
      () => getStats(guest.port),
      (s) => s.tcp_open === idle,
      BACK_WITHIN_MS,
      `tcp_open back to ${idle}`,
    );
  });

  it("then a default-mix soak on the same booted kernel passes, and its slots come back", { timeout: 180_000 }, () =>
    expectDefaultMixSoakPasses(guest),
  );
});
