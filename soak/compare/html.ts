// compare's report.html: the verdict, the same table as summary.md and the rounds as an
// inline SVG chart (A solid, B dashed); no script, nothing fetched. Every text through escapeHtml.
import { escapeHtml as esc } from "../report/html-escape.ts";
import { PAGE_STYLE } from "../report/html-style.ts";
import { svgChart } from "../report/svg-chart.ts";
import { gateText, intervalText, num, ratioText, roundSeries } from "./format.ts";
import type { CompareResult } from "./result.ts";

export function renderCompareHtml(r: CompareResult): string {
  const v = r.verdict;
  const { a, b } = roundSeries(r);
  const points = (vs: number[]) => vs.map((x, i) => ({ t: i + 1, v: x }));
  const side = (s: "A" | "B") => {
    const x = r.sides[s];
    return `<li><b>${s}</b> (${esc(x.role)}): <code>${esc(x.kernel)}</code>${x.ref ? ` built from <code>${esc(x.ref)}</code> (<code>${esc((x.commit ?? "").slice(0, 12))}</code>)` : ""}${x.append ? `, append <code>${esc(x.append)}</code>` : ""}</li>`;
  };
  const rows = r.metrics
    .map(
      (m) =>
        `<tr><td>${esc(m.label)} (${esc(m.unit)}, ${m.better} is better)</td><td class="num">${num(m.a.mean)}</td><td class="num">${num(m.b.mean)}</td><td class="num">${esc(ratioText(m))}</td><td>${esc(intervalText(m))}</td><td>${esc(m.verdict)}</td><td>${esc(gateText(m))}</td></tr>`,
    )
    .join("\n");
  const rounds = r.rounds
    .map(
      (x) =>
        `<tr><td class="num">${x.n}${x.warmup ? " (warm-up)" : ""}</td><td>${x.side}</td><td>${esc(x.verdict)}</td><td class="num">${num(x.metrics.guest_us_per_request ?? NaN)}</td><td><a href="${esc(`${x.report}/report.html`)}">${esc(x.report)}</a></td></tr>`,
    )
    .join("\n");
  const chart =
    a.length + b.length
      ? svgChart({
          key: "guest_us_per_request",
          points: points(a),
          also: points(b),
          endS: Math.max(a.length, b.length),
          xAxis: "measured round of each kernel (A solid, B dashed)",
        })
      : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Compare: ${esc(v.kind)}</title>
<style>${PAGE_STYLE}</style></head>
<body>
<header><h1>Compare: ${esc(v.kind)}</h1><span class="exit">exit ${v.exitCode}</span></header>
<ul>${v.reasons.map((x) => `<li>${esc(x)}</li>`).join("")}</ul>
<ul>${side("A")}${side("B")}</ul>
${r.stopped ? `<p class="warn">Stopped early: ${esc(r.stopped)}</p>` : ""}
<section><h2>B against A</h2><table>
<tr><th>metric</th><th>A (mean)</th><th>B (mean)</th><th>B / A (median pair)</th><th>95% interval</th><th>verdict</th><th>gate</th></tr>
${rows}
</table>
<p>How: ${esc(r.statistics.method)}. False alarms: ${esc(r.statistics.falseAlarmBound)}.</p></section>
<section><h2>Guest CPU per request by round (µs)</h2>${chart}</section>
<section><h2>Rounds</h2><table>
<tr><th>round</th><th>kernel</th><th>verdict</th><th>guest µs/request</th><th>report</th></tr>
${rounds}
</table></section>
<footer>${esc(r.tool.name)} ${esc(r.tool.version)} · started ${esc(r.startedAt)} · ${r.wallS} s</footer>
</body></html>
`;
}
