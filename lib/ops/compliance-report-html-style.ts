/**
 * The compliance report page's stylesheet, inlined into it: a screen layout that fits 1280 px and 390 px without
 * sideways scrolling (fixed table layouts, long words broken anywhere, one card a row on a phone) and a print
 * stylesheet (A4, repeated table headers, no row split across pages, bar colours kept).
 */
export const REPORT_STYLE = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--panel:#f6f8fa;--open:#c62828;--acked:#4a6fa5;--expired:#c62828;--soon:#d97706;--later:#4a6fa5;--pass:#1a7f37;--fail:#c62828;--off:#6e2b2b}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0 auto;max-width:1240px;padding:24px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:#fff}
h1,h2,h3,p,li,th,td,dt,dd,figcaption,caption,footer{overflow-wrap:anywhere}
h1{font-size:1.6rem;margin:0}
h2{font-size:1.25rem;margin:2rem 0 .5rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:1.5rem 0 .1rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86em}
small,.sub,.meta,figcaption,caption,.legend,footer{color:var(--muted)}
.sub{margin:0 0 .4rem;font-size:.88rem}
.headline{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem}
.result{font-weight:700;font-size:1.35rem;letter-spacing:.06em;color:#fff;padding:.15rem .8rem;border-radius:6px}
.result.pass{background:var(--pass)}.result.fail{background:var(--fail)}.result.off{background:var(--off)}
.meta{margin:.5rem 0 0}.verdict{font-size:1.1rem;margin:.4rem 0 1rem}
.numbers{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.5rem;margin:0}
.numbers div{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.45rem .7rem}
.numbers dt{font-size:.8rem;color:var(--muted)}
.numbers dd{margin:0;font-size:1.5rem;font-weight:650;font-variant-numeric:tabular-nums}
.numbers dd small{display:block;font-size:.78rem;font-weight:400}
.numbers .bad dd,td.bad,strong.warn{color:var(--fail)}.numbers .good dd{color:var(--pass)}.numbers .warn dd{color:#a15c00}
.numbers .cliff{border-color:var(--later)}.numbers .date dd{font-size:1.15rem;line-height:2.15rem}
.warnings{background:#fff4e0;border:1px solid var(--soon);border-radius:6px;padding:.5rem 1.5rem}
.contents{display:flex;flex-wrap:wrap;gap:.35rem;margin-top:1rem}
.contents a{border:1px solid var(--line);border-radius:999px;padding:.1rem .6rem;text-decoration:none;color:var(--fg);font-size:.88rem}
table{width:100%;border-collapse:collapse;table-layout:fixed;font-size:.9rem}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid var(--line)}
thead th{font-size:.8rem;color:var(--muted);font-weight:600}
.n{text-align:right;font-variant-numeric:tabular-nums}
tr.expiring td{background:#fff4e0}tr.expired td{background:#fdecea}
figure{margin:0}figcaption{font-size:.88rem;margin-bottom:.25rem}
.overview{display:grid;gap:0 2.5rem;grid-template-columns:minmax(0,1fr)}
@media (min-width:900px){.overview{grid-template-columns:minmax(0,2fr) minmax(0,3fr);grid-template-rows:auto auto 1fr;grid-template-areas:"pack rule" "time rule" ". rule"}.pack-chart{grid-area:pack}.expiry-chart{grid-area:time}.rule-chart{grid-area:rule}}
.chart th,.chart td{border-bottom:none;padding:.12rem .4rem;font-weight:400}
.chart tbody th{font-size:.86rem}
.chart tr.group th{font-weight:650;padding-top:.6rem;border-bottom:1px solid var(--line)}
.chart col.label{width:46%}.chart col.num{width:4.2em}.timeline col.label{width:44%}.timeline col.num{width:5.5em}
.chart td{vertical-align:middle}
.timeline tr.now th{font-style:italic}
svg.bar{display:block;width:100%;height:.95rem}
.bar .open,.swatch.open{fill:var(--open);background:var(--open)}.bar .acked,.swatch.acked{fill:var(--acked);background:var(--acked)}
.bar .expired,.swatch.expired{fill:var(--expired);background:var(--expired)}.bar .soon,.swatch.soon{fill:var(--soon);background:var(--soon)}
.bar .later,.swatch.later{fill:var(--later);background:var(--later)}
.bar .edge{stroke:#fff;stroke-width:1.5px;vector-effect:non-scaling-stroke}
.legend{display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.85rem;margin:.25rem 0 .5rem}
.swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;vertical-align:-.05em;margin-right:.3em}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
abbr{text-decoration:none}
footer{margin-top:2.5rem;padding-top:.5rem;border-top:1px solid var(--line);font-size:.85rem}
@media screen and (max-width:760px){
body{padding:12px;font-size:14px}
.numbers{grid-template-columns:repeat(2,minmax(0,1fr))}
table.rows thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
table.rows,table.rows tbody,table.rows tr,table.rows td{display:block;width:auto}
table.rows tr{border:1px solid var(--line);border-radius:6px;margin:.5rem 0;padding:.3rem .6rem}
table.rows td{border:none;padding:.1rem 0}
table.rows td::before{content:attr(data-label) ": ";font-weight:600;color:var(--muted)}
table.rows td.n{text-align:left}
.chart,.chart thead,.chart tbody{display:block}.chart colgroup{display:none}
.chart tr{display:grid;grid-template-columns:3.6em 3.6em minmax(0,1fr);align-items:center}
.chart.timeline tr{grid-template-columns:4.5em minmax(0,1fr)}
.chart tr>th:first-child{grid-column:1/-1;padding-bottom:0}
.chart thead th{font-size:.75rem}
}
@media print{
@page{size:A4;margin:12mm}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
html{font-size:11.5px}body{max-width:none;padding:0;font-size:8.5pt}th,td{padding:.25rem .35rem}
.contents{display:none}
.overview{grid-template-columns:minmax(0,2fr) minmax(0,3fr);grid-template-rows:auto auto 1fr;grid-template-areas:"pack rule" "time rule" ". rule"}.pack-chart{grid-area:pack}.expiry-chart{grid-area:time}.rule-chart{grid-area:rule}
h2,h3{break-after:avoid}
tr,figure,.numbers div,.verdict{break-inside:avoid}
thead{display:table-header-group}
a{color:inherit;text-decoration:none}
}
`
  .trim()
  .replace(/\n/g, '');
