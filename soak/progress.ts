// The progress line the front doors print, sensible from seconds to hours: elapsed time
// as h:mm:ss, the share done by requests or by the time cap (whichever ends the load
// first), and a pace that thins out on long soaks (a line every 10 s, every minute
// after the first ten).
import type { Progress } from "./context.ts";

const en = (n: number) => n.toLocaleString("en-US");

/** "45s", "12:05", "1:02:03" */
export function clock(s: number): string {
  const t = Math.max(0, Math.round(s));
  const [h, m, sec] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  const two = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h}:${two(m)}:${two(sec)}`;
  return m > 0 ? `${m}:${two(sec)}` : `${sec}s`;
}

/** Share done (0-1) and the time left: by requests, the time cap or the guest's uptime goal, whichever comes first. */
function outlook(p: Progress): { done: number; etaS?: number } {
  const ways = [{ done: p.requests / p.asked, etaS: p.rps > 0 ? (p.asked - p.requests) / p.rps : undefined }];
  if (p.capS) ways.push({ done: p.elapsedS / p.capS, etaS: p.capS - p.elapsedS });
  if (p.uptimeGoalS && p.uptimeS !== undefined) {
    const left = Math.max(0, p.uptimeGoalS - p.uptimeS);
    ways.push({ done: p.uptimeS / p.uptimeGoalS, etaS: p.warp ? left / p.warp : undefined });
  }
  return ways.reduce((a, b) => (b.etaS !== undefined && (a.etaS === undefined || b.etaS < a.etaS) ? b : a));
}

/** " | uptime 0:42:10 of 1:24:00 (38x)": the guest's own clock, when its counters say it */
function uptimePart(p: Progress): string {
  if (p.uptimeS === undefined) return "";
  const goal = p.uptimeGoalS ? ` of ${clock(p.uptimeGoalS)}` : "";
  const warp = p.warp !== undefined ? ` (${p.warp >= 10 ? Math.round(p.warp) : p.warp.toFixed(1)}x)` : "";
  return ` | uptime ${clock(p.uptimeS)}${goal}${warp}`;
}

export function progressLine(p: Progress): string {
  const { done, etaS } = outlook(p);
  const of = p.capS ? ` of ${clock(p.capS)}` : "";
  const count = p.asked < 1e12 ? `${en(p.requests)}/${en(p.asked)}` : `${en(p.requests)} requests`;
  return `[${clock(p.elapsedS)}${of}] ${count} (${(100 * Math.min(1, done)).toFixed(1)}%) ${en(p.rps)} req/s eta ${etaS !== undefined ? clock(etaS) : "?"} | p99 ${p.p99Ms ?? "-"} ms | health ${p.healthMs ?? "-"} ms | tx_stalls ${p.txStalls ?? "?"} | QEMU RSS ${p.rssMiB?.toFixed(0) ?? "?"} MiB${uptimePart(p)}`;
}

/** Whether a line is due at `elapsedS`, the last having been printed at `lastS`. */
export const progressDue = (elapsedS: number, lastS: number) => elapsedS - lastS >= (elapsedS < 600 ? 10 : 60);
