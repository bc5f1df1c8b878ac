// The summary's trend table: each series' Theil–Sen slope over the steady phase, with its
// 99.9% interval and the budget it is judged against (watch/trend-monitor.ts).
import { mdText } from "./guest-text.ts";
import type { TrendReport } from "./types.ts";

const signed = (v: number) => `${v > 0 ? "+" : ""}${Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(2)}`;

export function trendTable(trends: Record<string, TrendReport>): string[] {
  const rows = Object.entries(trends);
  if (rows.length === 0) return [];
  return [
    "## Trends over the steady load",
    "",
    "| series | per minute | 99.9% interval | over | budget per hour | verdict |",
    // the clock each row's minutes and hours are of
    "|---|---:|---:|---:|---:|---|",
    ...rows.map(
      ([name, t]) =>
        `| ${mdText(name)} | ${signed(t.perMin)} ${mdText(t.unit)} | ${signed(t.lowerPerMin)} … ${signed(t.upperPerMin)} | ${t.spanS} s of ${t.base === "guest" ? "the guest's uptime" : "wall time"} (${t.points} points) | ${t.budgetPerHour > 0 ? `${t.budgetPerHour} ${mdText(t.unit)}` : "not judged"} | ${t.flagged ? "❌ growing" : "flat"} |`,
    ),
    "",
  ];
}
