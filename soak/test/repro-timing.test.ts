// The rule that tells a failure that follows the clock from one that follows the load
// (repro/timing.ts), at its edges: strikes within max(2 s, 10% of the median) of each other,
// request counts 2x apart; a probe that strikes later at a similar count, or passes the
// strike's uptime without failing, clears the clock. Boots nothing (repro-time.test.ts does).
import { describe, expect, it } from "vitest";
import type { Attempt } from "../repro/attempt.ts";
import { judgeTiming, timingEvidence, timingText } from "../repro/timing.ts";

let n = 0;
function attempt(uptimeS: number | undefined, requests: number, more: Partial<Attempt> = {}): Attempt {
  n++;
  return {
    n,
    label: "confirm",
    dir: `attempts/${n}`,
    signature: { kind: "crash", title: "t" },
    reproduced: true,
    seconds: 5,
    requests,
    wallS: 10,
    // the guest's counter at its last read: far behind the load's for an early strike, never compared
    struck: { ...(uptimeS !== undefined && { uptimeS }), sinceBootS: (uptimeS ?? 30) + 1.5, requests: n },
    ...more,
  };
}
const passed = (lastUptimeS: number) => attempt(undefined, 500, { reproduced: false, struck: undefined, lastUptimeS });

describe("repro timing: the clock or the load", () => {
  it("the issue's case: ~25 s of uptime whatever the count (13k to 279k) is time-dependent", () => {
    const t = judgeTiming([attempt(24.2, 13_245), attempt(25.1, 279_000), attempt(24.6, 80_000)]);
    expect(t?.trigger).toBe("uptime");
    expect(t?.clock).toBe("guest uptime");
    expect(t && timingText(t)).toBe("strikes at ~25 s of uptime, not after a request count");
    expect(t && timingEvidence(t)).toMatch(
      /^attempts \d+, \d+ and \d+ struck at 24.2-25.1 s of uptime with 13,245-279,000/,
    );
  });

  it("a probe at a tenth of the load makes the counts differ: same uptime, the clock", () => {
    const probe = attempt(8.4, 6_000, { label: "probe" });
    expect(judgeTiming([attempt(8.1, 30_000)], probe)?.trigger).toBe("uptime");
  });

  it("edges: 2 s apart is the same moment (under 20 s), 2.1 s is not (so not the clock); counts under 2x apart do not differ", () => {
    expect(judgeTiming([attempt(8, 30_000), attempt(10, 15_000)])?.trigger).toBe("uptime");
    expect(judgeTiming([attempt(8, 30_000), attempt(10.1, 15_000)])?.trigger).toBe("load");
    expect(judgeTiming([attempt(8, 30_000), attempt(8.2, 15_001)])?.trigger).toBe("unclear");
    // 10% of the median above 20 s: 100 s and 109 s are the same moment
    expect(judgeTiming([attempt(100, 30_000), attempt(109, 10_000)])?.trigger).toBe("uptime");
    // the same count within 1% a second or more apart: the count, without a probe (tx-wrap-hang's)
    expect(judgeTiming([attempt(12, 52_888), attempt(13.2, 52_926)])?.trigger).toBe("load");
    expect(judgeTiming([attempt(12, 52_888), attempt(12.5, 52_926)])?.trigger).toBe("unclear");
    // 5 s apart at the same count: the clock is cleared without a probe
    expect(judgeTiming([attempt(12, 52_900), attempt(17.4, 52_850)])?.trigger).toBe("load");
  });

  it("a probe that strikes later at a similar count, or passes the strike's uptime, clears the clock", () => {
    expect(judgeTiming([attempt(8, 50_000)], attempt(30, 49_000))?.trigger).toBe("load");
    expect(judgeTiming([attempt(8, 50_000), attempt(8.3, 51_000)], passed(25))?.trigger).toBe("load");
    // a probe that ended before the strike's uptime shows nothing
    expect(judgeTiming([attempt(8, 50_000)], passed(9))?.trigger).toBe("unclear");
  });

  it("without an uptime counter the wall's time since boot is the clock, and it says so", () => {
    const t = judgeTiming([attempt(undefined, 30_000), attempt(undefined, 9_000)]);
    expect(t?.clock).toBe("wall time since boot");
    expect(t && timingText(t)).toMatch(/^strikes at ~32 s after boot \(wall time/);
  });

  it("nothing to compare: one strike and no probe, or none", () => {
    expect(judgeTiming([attempt(8, 30_000)])).toBeUndefined();
    expect(judgeTiming([passed(20)])).toBeUndefined();
  });
});
