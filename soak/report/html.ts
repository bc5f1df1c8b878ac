// report.html: the report folder as one page to look at, opened from file:// with no
// network and no script: the verdict and where it struck at the top, the timeline as
// inline SVG charts with the failure marked, the triage, the counters, the command.

import { PROFILE_STYLE, profileSection } from "../profile/html.ts";
import type { Profile } from "../profile/profile.ts";
import { accelLine, clockRows, networkLine, readerNotes, runNotes } from "./facts.ts";
import { escapeHtml as esc } from "./html-escape.ts";
import { PAGE_STYLE } from "./html-style.ts";
import { crashSection, hangSection, type SourceExcerpt, sourceSection } from "./html-triage.ts";
import { downsample, failureAt, humanDuration, loadClock, metricsFor, seriesOf } from "./series.ts";
import { svgChart } from "./svg-chart.ts";
import type { Report, TimelineEntry } from "./types.ts";

/** Points per chart: about one per two pixels of its width. */
export const HTML_CHART_POINTS = 300;

const thousands = (v: number) => v.toLocaleString("en-US");

export function renderHtml(r: Report, timeline: TimelineEntry[], excerpt?: SourceExcerpt, profile?: Profile): string {
  const v = r.verdict;
  const title = `Soak ${v.kind}${r.crash ? `: ${r.crash.title}` : ""}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${PAGE_STYLE}${profile ? PROFILE_STYLE : ""}</style></head>
<body>
${verdictHeader(r, timeline)}
${readerNotes(r)
  .map((n) => `<p class="warn">${esc(n)}</p>`)
  .join("\n")}
${excerpt ? sourceSection(excerpt) : ""}
${chartsSection(r, timeline)}
${runFacts(r)}
${r.crash ? crashSection(r.crash) : ""}
${r.hang ? hangSection(r.hang, r.files.kernel ?? "kernel.elf") : ""}
${profile ? profileSection(profile) : ""}
${countersSection(r)}
<section><h2>Reproduce</h2><p>In this folder (it holds the kernel that ran):</p><pre class="command">${esc(r.command)}</pre></section>
<footer>${esc(r.tool.name)} ${esc(r.tool.version)} · started ${esc(r.startedAt)} · ${r.wallS} s</footer>
</body></html>
`;
}

function verdictHeader(r: Report, timeline: TimelineEntry[]): string {
  const v = r.verdict;
  const clock = loadClock(timeline);
  const when = (at: number) => (clock ? `${humanDuration(clock(at))} into the load` : new Date(at).toISOString());
  const first = v.reasons[0];
  let headline = "No fault, hang, reset, tx_stalls growth or memory growth";
  if (r.crash) headline = r.crash.title;
  else if (first) headline = first.message;
  const where = r.crash?.asSource ? `${r.crash.asSource.file}:${r.crash.asSource.line}` : r.crash?.source;
  const facts = [
    where ? `at <code>${esc(where)}</code>` : "",
    first ? `struck ${esc(when(first.at))}` : "",
    r.load
      ? `${thousands(r.load.requests)} of ${thousands(r.load.asked)} requests served in ${humanDuration(r.load.durationS)}`
      : "",
  ].filter(Boolean);
  const reasons = v.reasons
    .filter((x) => x.message !== headline)
    .map((x) => `<li><b>${esc(x.kind)}</b> at ${esc(when(x.at))}: ${esc(x.message)}</li>`);
  return `<header class="verdict ${esc(v.kind)}">
<div class="badge">${esc(v.kind.toUpperCase())}</div><div class="exit">exit ${v.exitCode}</div>
<h1>${esc(headline)}</h1>
${facts.length ? `<p class="when">${facts.join(" · ")}</p>` : ""}
${reasons.length ? `<ul class="reasons">${reasons.join("")}</ul>` : ""}
</header>`;
}

function runFacts(r: Report): string {
  const rows: [string, string][] = [];
  const l = r.load;
  if (l) {
    rows.push(["rate", `${thousands(Math.round(l.rps))} req/s over ${l.durationS} s`]);
    const p = l.latencyMs;
    rows.push(["latency", `p50 ${p.p50} ms · p90 ${p.p90} ms · p99 ${p.p99} ms · max ${p.max} ms`]);
    rows.push(["errors / timeouts / unexpected", `${l.errors} / ${l.timeouts} / ${l.unexpectedStatuses}`]);
    rows.push([
      "statuses",
      Object.entries(l.statuses)
        .map(([k, c]) => `${k}: ${thousands(c)}`)
        .join(", "),
    ]);
  }
  rows.push(["accelerator", accelLine(r)]);
  if (r.network) rows.push(["network", networkLine(r.network)]);
  if (r.boot.readyMs !== undefined) rows.push(["boot to ready", `${r.boot.readyMs} ms`]);
  rows.push(...clockRows(r));
  if (r.host.qemu) rows.push(["QEMU", r.host.qemu]);
  const rss = r.host.rssMiB;
  const mib = (x: number) => `${x.toFixed(1)} MiB`;
  if (rss) rows.push(["QEMU RSS", `first ${mib(rss.first)} · max ${mib(rss.max)} · last ${mib(rss.last)}`]);
  rows.push(["kernel", `${r.kernel.path ?? "?"}${r.kernel.buildId ? ` (build-id ${r.kernel.buildId})` : ""}`]);
  const body = rows.map(([k, x]) => `<tr><th>${esc(k)}</th><td>${esc(x)}</td></tr>`).join("");
  const notes = runNotes(r).map((n) => `<li>${esc(n)}</li>`);
  return `<section><h2>The run</h2><table class="facts">${body}</table>${notes.length ? `<h3>Notes</h3><ul>${notes.join("")}</ul>` : ""}</section>`;
}

function chartsSection(r: Report, timeline: TimelineEntry[]): string {
  if (timeline.length === 0)
    return `<section><h2>Over time</h2><p>No timeline: the soak stopped before the load started.</p></section>`;
  const failure = failureAt(r, timeline);
  const endS = timeline[timeline.length - 1].t;
  const label =
    failure === undefined ? undefined : { t: failure, label: `${r.verdict.kind} at ${humanDuration(failure)}` };
  const figures = metricsFor(r).map((m) => {
    const points = downsample(seriesOf(timeline, m), HTML_CHART_POINTS, failure === undefined ? [] : [failure]);
    const values = points.map((p) => p.v).filter((x): x is number => x !== null);
    const last = values.at(-1);
    const caption = values.length ? `max ${thousands(Math.max(...values))} · last ${thousands(last as number)}` : "";
    const misses = m.key === "health" ? timeline.filter((e) => e.health?.ok === false).map((e) => e.t) : undefined;
    const chart = svgChart({ key: m.key, points, endS, failure: label, misses });
    return `<figure><figcaption><b>${esc(m.title)}</b> (${esc(m.unit)}) <span>${caption}</span></figcaption>${chart}</figure>`;
  });
  const note =
    timeline.length > HTML_CHART_POINTS
      ? `<p class="note">${thousands(timeline.length)} samples, drawn as at most ${HTML_CHART_POINTS} points per chart: each span's lowest and highest value.</p>`
      : "";
  return `<section><h2>Over time</h2>${note}<div class="charts">${figures.join("")}</div></section>`;
}

function countersSection(r: Report): string {
  const { first, last, settled } = r.guest;
  if (!first || !last) return "";
  const rows = Object.keys(last).map((k) => {
    const delta = last[k] - (first[k] ?? 0);
    const cells = [first[k], last[k], settled?.[k]]
      .map((x) => `<td>${x === undefined ? "" : thousands(x)}</td>`)
      .join("");
    return `<tr><th>${esc(k)}</th>${cells}<td>${delta > 0 ? "+" : ""}${thousands(delta)}</td></tr>`;
  });
  return `<section><h2>Guest counters</h2><table class="counters"><tr><th>counter</th><th>first</th><th>last</th><th>settled</th><th>last − first</th></tr>${rows.join("")}</table></section>`;
}
