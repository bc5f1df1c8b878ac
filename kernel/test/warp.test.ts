// The kernel under time warp (QEMU -icount shift=auto,sleep=off: while the guest halts, its
// time jumps to the next timer deadline). With no periodic tick an idle guest halts only
// for its own deadlines, so its time flies; the TCP timers still fire, and never close a
// keep-alive connection whose client is busy, however fast the guest's time runs.
import { afterEach, describe, expect, inject, it } from "vitest";
import {
  crashLines,
  getStats,
  type HttpGuest,
  RawConnection,
  sleep,
  startHttpGuest,
  stopHttpGuest,
} from "../../test/http-guest.ts";

const elf = inject("kernelElf");
const WARP = ["-icount", "shift=auto,sleep=off"];

let guest: HttpGuest | undefined;
afterEach(async () => {
  if (guest) expect(await crashLines(guest.vm)).toEqual([]);
  await stopHttpGuest(guest);
  guest = undefined;
});

describe("time warp", () => {
  it("an idle guest halts only for its deadlines (heartbeat, the 1 s cap), so its time flies", async () => {
    guest = await startHttpGuest(elf, { extraArgs: WARP });
    const a = await getStats(guest.port);
    const wallStart = Date.now();
    await sleep(2000);
    const b = await getStats(guest.port);
    const guestS = (b.uptime_ms - a.uptime_ms) / 1000;
    const wallS = (Date.now() - wallStart) / 1000;
    // a 100 Hz tick halts 100 times a guest second; the deadlines about 1.2 times
    expect((b.idle_halts - a.idle_halts) / guestS).toBeLessThan(3);
    expect(guestS / wallS, `${guestS} guest s in ${wallS} wall s`).toBeGreaterThan(20);
  });

  it("an idle keep-alive connection is still closed at tcp_idle_ms, with no tick to notice it", async () => {
    guest = await startHttpGuest(elf, { extraArgs: WARP, append: "tcp_idle_ms=30000" });
    // read before the connection's last activity: between the answer and a reading taken
    // after it the idle guest's time may already have flown on by seconds
    const before = await getStats(guest.port);
    const c = await RawConnection.open(guest.port);
    await c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    expect((await c.waitForResponses(1))[0]?.status).toBe(200);
    await c.waitForClose(20_000);
    const closed = await getStats(guest.port);
    expect(closed.tcp_idle_timeouts).toBe(before.tcp_idle_timeouts + 1);
    expect(closed.uptime_ms - before.uptime_ms).toBeGreaterThanOrEqual(30_000);
  });

  it("busy keep-alive connections, a request every 20 ms each, are never idle-closed while guest time flies", async () => {
    guest = await startHttpGuest(elf, { extraArgs: WARP, loadPorts: 4 });
    const before = await getStats(guest.port);
    const ports = guest.ports.slice(2);
    const conns = await Promise.all(ports.map((p) => RawConnection.open(p)));
    const until = Date.now() + 4000;
    let sent = 0;
    await Promise.all(
      conns.map(async (c) => {
        for (let n = 1; Date.now() < until && !c.closed; n++) {
          await c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
          await c.waitForResponses(n);
          sent++;
          await sleep(20);
        }
      }),
    );
    const after = await getStats(guest.port);
    for (const c of conns) c.destroy();
    expect(conns.map((c) => c.closed)).toEqual(conns.map(() => false));
    expect(after.tcp_idle_timeouts).toBe(before.tcp_idle_timeouts);
    expect(sent).toBeGreaterThan(4 * 50);
    // time did fly meanwhile (else this proves nothing): more guest time than wall time
    expect(after.uptime_ms - before.uptime_ms).toBeGreaterThan(4000);
  });
});
