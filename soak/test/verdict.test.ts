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
});
