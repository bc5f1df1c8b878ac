// One-line facts the summary and the HTML report both state the same way.
import { clock } from "../progress.ts";
import type { Report } from "./types.ts";

export const accelLine = (r: Report) =>
  `${r.accel.used ?? "?"}${r.accel.refused ? ` (KVM refused: ${r.accel.refused})` : ""}`;

export const networkLine = (n: NonNullable<Report["network"]>) =>
  `${n.used === "tap" ? "tap device in a private network namespace" : n.used === "user" ? "QEMU user networking" : "?"}${n.via ? `, ${n.via}` : ""}${n.refused ? ` (tap refused: ${n.refused})` : ""}`;

/** What a reader must know before the verdict: what the soak did not watch, what it dropped. */
export function readerNotes(r: Report): string[] {
  const o = r.options as { statsPath?: string; healthPath?: string };
  const notes: string[] = [];
  if (o.statsPath === "none")
    notes.push(
      `Counters off (--stats-path none): tx_stalls, the guest's pages, resets seen by its boot id and the counter trends were not watched; only ${o.healthPath ?? "/health"}, the serial console and QEMU itself were.`,
    );
  if (r.guest.overLimits)
    notes.push(`The guest's counters went beyond the engine's limits: it ${r.guest.overLimits}; the rest were kept.`);
  return notes;
}

/** What the engine did to the guest's boot, and what the load worked around, in words (not findings). */
export function runNotes(r: Report): string[] {
  return [...(r.boot.notes ?? []), ...(r.load?.notes ?? [])];
}

/** The guest's clock against the wall's, and when the failure came on each: [label, text] rows. */
export function clockRows(r: Report): [string, string][] {
  const rows: [string, string][] = [];
  const c = r.clock;
  if (c?.uptimeS) {
    const warp = c.warp !== undefined ? `; ${c.warp} guest seconds a wall second` : "";
    rows.push([
      "guest uptime",
      `${clock(c.uptimeS.first)} → ${clock(c.uptimeS.last)} by its counter${c.timeWarp ? " (time warp)" : ""}${warp}`,
    ]);
  } else if (c?.timeWarp) rows.push(["guest uptime", "time warp, but the counters gave no uptime"]);
  const s = r.struck;
  if (s) {
    const when = [
      s.guestUptimeS !== undefined ? `uptime about ${clock(s.guestUptimeS)} (between counter reads)` : "",
      s.sinceBootS !== undefined ? `${s.sinceBootS} s of wall time after QEMU started` : "",
      s.guestRequests !== undefined
        ? `${s.guestRequests.toLocaleString("en-US")} requests served by the last read`
        : "",
    ].filter(Boolean);
    if (when.length) rows.push(["failure came at", when.join(", ")]);
  }
  return rows;
}
