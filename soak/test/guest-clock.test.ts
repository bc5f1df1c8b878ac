// The guest's clock against the wall's (watch/guest-clock.ts) and what goes by it
// (watch/guest-time.ts): estimates between and after readings, readings out of order or
// hostile, the pace of --rate, the goal of --uptime, and a clock that stands still.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Finding } from "../verdict.ts";
import { GuestClock, serialUptimeMs } from "../watch/guest-clock.ts";
import { GuestTime, STUCK_MS } from "../watch/guest-time.ts";

describe("the guest's clock", () => {
  it("estimates the uptime between readings, and after the last at the recent rate for 5 s at most", () => {
    const c = new GuestClock();
    c.add(1000, 0);
    c.add(2000, 80_000); // 80 guest seconds a wall second: the warp
    expect(c.rate).toBe(80);
    expect(c.uptimeAt(1500)).toBe(40_000);
    expect(c.uptimeAt(2500)).toBe(120_000);
    expect(c.uptimeAt(60_000)).toBe(80_000 + 5000 * 80); // no clock for a guest that stopped answering
    expect(new GuestClock().uptimeAt(1)).toBeUndefined();
  });

  it("drops readings behind the last (two sources with delays of their own, or a guest that rebooted)", () => {
    const c = new GuestClock();
    c.add(1000, 5000);
    c.add(1100, 4000);
    c.add(900, 6000);
    c.add(1200, Number.NaN);
    c.add(1300, -1);
    expect(c.last).toEqual({ at: 1000, uptimeMs: 5000 });
  });

  it.each([
    ["heartbeat uptime_ms=5040000 requests=3", 5040000],
    ["uptime_ms=12", 12],
    ["x uptime_ms=99999999999999999999", undefined],
    ["uptime_ms=12abc", undefined],
    ["not_uptime_ms=5", undefined],
    ["uptime_ms=-5", undefined],
  ])("reads a serial line's uptime: %j", (line, ms) => {
    expect(serialUptimeMs(line)).toBe(ms);
  });
});

describe("what goes by the guest's clock", () => {
  afterEach(() => vi.useRealTimers());

  function start(o: { rate: number; uptimeS: number }) {
    vi.useFakeTimers({ now: 0 });
    const clock = new GuestClock();
    const grants: number[] = [];
    const findings: Finding[] = [];
    clock.add(0, 10_000);
    const t = new GuestTime(
      clock,
      { ...o, counter: "uptime_ms" },
      (n) => grants.push(n),
      (f) => findings.push(f),
    );
    t.start();
    return { clock, t, grants, findings };
  }

  it("grants --rate requests a second of the guest's time from where its clock stood at the start", () => {
    const { clock, t, grants } = start({ rate: 3, uptimeS: 0 });
    vi.setSystemTime(1000);
    clock.add(1000, 70_000); // 60 guest seconds in one wall second
    vi.advanceTimersByTime(50);
    t.stop();
    // 60 s + the recent rate's 50 ms of estimate past the reading (60x: 3 s more)
    expect(grants.at(-1)).toBe(Math.floor(3 * 63));
  });

  it("reaches --uptime when the guest's counter says so, not before", async () => {
    const { clock, t } = start({ rate: 0, uptimeS: 3600 });
    clock.add(1000, 3_599_000);
    vi.advanceTimersByTime(100);
    expect(t.done).toBe(false);
    clock.add(1100, 3_600_000);
    vi.advanceTimersByTime(100);
    expect(t.done).toBe(true);
    await t.reached;
    t.stop();
  });

  it("names a clock that stands still while the guest answers (neither goal can be met)", () => {
    const { clock, t, findings } = start({ rate: 3, uptimeS: 0 });
    for (let at = 1000; at <= STUCK_MS + 5000; at += 1000) {
      clock.add(at, 10_000);
      vi.advanceTimersByTime(1000);
    }
    t.stop();
    expect(findings.map((f) => f.kind)).toEqual(["stats"]);
    expect(findings[0].message).toMatch(/uptime_ms has stood at 10000 for 60 s of wall time/);
  });
});
