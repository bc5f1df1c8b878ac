// When an attempt's failure struck, from its report: report.struck and report.clock hold
// figures that came from the guest's counters, so each is kept only as a finite number ≥ 0.
import type { Report } from "../report/types.ts";

export interface Strike {
  /** the guest's uptime (its counter) when the failure came */
  uptimeS?: number;
  /** wall seconds since QEMU started */
  sinceBootS?: number;
  /** the guest's request counter at its last read before it */
  requests?: number;
}

const plain = (x: unknown): number | undefined =>
  typeof x === "number" && Number.isFinite(x) && x >= 0 ? x : undefined;

export function strikeOf(r: Report): Strike | undefined {
  const s = r.struck;
  if (typeof s !== "object" || s === null) return undefined;
  const strike: Strike = {};
  const [uptimeS, sinceBootS, requests] = [plain(s.guestUptimeS), plain(s.sinceBootS), plain(s.guestRequests)];
  if (uptimeS !== undefined) strike.uptimeS = uptimeS;
  if (sinceBootS !== undefined) strike.sinceBootS = sinceBootS;
  if (requests !== undefined) strike.requests = requests;
  return Object.keys(strike).length ? strike : undefined;
}

/** The guest's uptime at the last counters read: how far a run got on the guest's clock. */
export const lastUptimeOf = (r: Report): number | undefined => plain(r.clock?.uptimeS?.last);
