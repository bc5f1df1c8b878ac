import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../options.ts";
import { decide, type Finding } from "../verdict.ts";
import { StatsWatcher } from "../watch/guest-stats.ts";

const f = (kind: Finding["kind"], at = 1): Finding => ({ kind, at, message: kind });

describe("decide", () => {
  it("passes with no findings, exit 0", () => {
    expect(decide([])).toEqual({ kind: "pass", exitCode: 0, reasons: [] });
  });

  it("names the most specific finding and keeps every reason", () => {
    const v = decide([f("load", 1), f("hang", 2), f("crash", 3)]);
    expect(v.kind).toBe("crash");
    expect(v.exitCode).toBe(1);
    expect(v.reasons.map((r) => r.kind)).toEqual(["crash", "hang", "load"]);
  });

  it("makes infrastructure errors exit 2", () => {
    expect(decide([f("error"), f("crash")]).exitCode).toBe(2);
  });
});

describe("guest counters", () => {
  const sample = (over: Record<string, number>) => ({
    boot_id: 7,
    uptime_ms: 1000,
    tx_stalls: 0,
    pmm_pages_used: 256,
    tcp_open: 0,
    ...over,
  });

  it("calls a boot_id change a reset", () => {
    const w = new StatsWatcher(DEFAULTS);
    w.check(sample({}), 1);
    const [r] = w.check(sample({ boot_id: 8, uptime_ms: 2000 }), 2);
    expect(r.kind).toBe("reset");
    expect(r.message).toContain("boot_id changed from 7 to 8");
  });

  it("calls uptime going backwards a reset", () => {
    const w = new StatsWatcher(DEFAULTS);
    w.check(sample({ uptime_ms: 5000 }), 1);
    expect(w.check(sample({ uptime_ms: 100 }), 2)[0].kind).toBe("reset");
  });

  it("flags tx_stalls growth beyond the budget, once", () => {
    const w = new StatsWatcher(DEFAULTS);
    w.check(sample({}), 1);
    expect(w.check(sample({ tx_stalls: 1 }), 2)[0].message).toMatch(/tx_stalls grew by 1/);
    expect(w.check(sample({ tx_stalls: 2 }), 3)).toEqual([]);
  });

  it("flags pages not given back once the load has stopped", () => {
    const w = new StatsWatcher(DEFAULTS);
    w.check(sample({}), 1);
    expect(w.checkSettled(sample({ pmm_pages_used: 256 + DEFAULTS.pageGrowth }), 2)).toEqual([]);
    expect(w.checkSettled(sample({ pmm_pages_used: 400 }), 2)[0].kind).toBe("leak");
  });

  it("under load, judges the fewest pages over a few samples, with room for churn's handshakes", () => {
    const o = { ...DEFAULTS, warmupS: 0, churnPercent: 100, connections: 10 };
    const w = new StatsWatcher(o);
    w.check(sample({ tcp_open: 0 }), 0);
    w.startLoad(0);
    // 10 connections opened by the warm-up, 4 pages each: 10 churn workers may hold 40 pages unseen
    const spiky = [296, 330, 296, 340, 300, 296, 336, 330, 298, 296, 330, 300];
    const found = spiky.flatMap((pages, i) => w.check(sample({ pmm_pages_used: pages, tcp_open: 10 }), i + 1));
    expect(found).toEqual([]);
    const leaking = [360, 380, 400, 420, 440, 460].flatMap((pages, i) =>
      w.check(sample({ pmm_pages_used: pages, tcp_open: 10 }), 20 + i),
    );
    expect(leaking.map((f) => f.kind)).toEqual(["leak"]);
    expect(leaking[0].message).toMatch(/the fewest in use over 3 samples: 296 -> 360/);
  });
});
