// report.html's stylesheet, inline: system fonts only, so the page fetches nothing.
export const PAGE_STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2328;max-width:1180px;margin:0 auto;padding:16px 20px 40px}
code,pre{font:12.5px/1.4 ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace}
pre{background:#f5f6f8;border:1px solid #e1e4e8;border-radius:6px;padding:10px;overflow-x:auto;white-space:pre}
h1{font-size:22px;margin:6px 0}h2{font-size:17px;margin:26px 0 8px}h3{font-size:14px;margin:16px 0 6px}
header.verdict{border-radius:8px;padding:14px 18px;border:2px solid}
header.pass{background:#eefaf0;border-color:#2da44e}
header.verdict:not(.pass){background:#fff1f0;border-color:#cf222e}
header.error{background:#fff8e5!important;border-color:#bf8700!important}
.badge{display:inline-block;font-weight:700;font-size:18px;letter-spacing:.05em;color:#fff;background:#cf222e;border-radius:5px;padding:2px 10px}
header.pass .badge{background:#2da44e}header.error .badge{background:#bf8700}
.exit{display:inline-block;margin-left:10px;color:#57606a}
.when{font-size:15px;margin:4px 0}.reasons{margin:6px 0 0;padding-left:20px}
table{border-collapse:collapse}th,td{text-align:left;padding:3px 10px 3px 0;border-bottom:1px solid #eaecef;vertical-align:top}
table.counters td{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:14px}
figure{margin:0;border:1px solid #e1e4e8;border-radius:6px;padding:8px}
figcaption{margin-bottom:2px}figcaption span{color:#57606a;font-size:12.5px;margin-left:6px}
svg.chart{width:100%;height:auto;display:block}
svg .grid{stroke:#eaecef}svg .line{fill:none;stroke:#0969da;stroke-width:1.6;stroke-linejoin:round;stroke-linecap:round}svg .line.also{stroke:#bc4c00;stroke-dasharray:5 3}
svg text{font:11px system-ui,sans-serif;fill:#57606a}svg .ylabel{text-anchor:end}svg .xlabel{text-anchor:middle}
svg .axis{text-anchor:end}svg .nodata{text-anchor:middle;fill:#8c959f}
svg .failure{stroke:#cf222e;stroke-width:2;stroke-dasharray:5 3}
svg .failure-label,svg .miss-label{fill:#cf222e;font-weight:700;font-size:12px;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg .miss{stroke:#cf222e;stroke-width:2}svg .miss-label{font-weight:400;font-size:11px}
pre.dump{background:#fff1f0;border-color:#ffcecb}
pre.code span{display:block}pre.code i{display:inline-block;width:3.5em;color:#8c959f;font-style:normal}
pre.code .hit{background:#ffebe9;font-weight:700}
mark{background:#ffd8d3;font-weight:700}
.note{color:#57606a}.warn{color:#9a6700;font-weight:600}
pre.command{background:#1d2328;color:#f5f6f8;font-size:13px}
footer{margin-top:28px;color:#8c959f;font-size:12px}
`;
