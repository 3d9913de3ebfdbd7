import {
  EXPIRY_WARNING_DAYS,
  nearestExpiry,
  type AcknowledgmentStatus,
  type ComplianceReport,
} from '../../constructs/governance/compliance-report';
import { REPORT_STYLE } from './compliance-report-html-style';

/**
 * The compliance report as one self-contained HTML page for an auditor: the result and its numbers first, a chart
 * of findings per pack and rule, a timeline of acknowledgments by expiry month, then tables grouped by stack. Inline
 * CSS and inline SVG only (nothing is fetched when it is viewed), a print stylesheet, and every chart's numbers as
 * text beside its bars. Days left are the report's own (counted from its generation), never the viewer's clock.
 */

/** Escapes text for HTML element content and attribute values. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const esc = escapeHtml;
/** Escaped, with a line-break opportunity after each separator, so ids and paths wrap at their joints first. */
const breakable = (text: string) =>
  text
    .split(/(?<=[/.:_|\]-])/)
    .map(esc)
    .join('<wbr>');
/** A rule id, construct path or file:line. */
const code = (text: string) => `<code>${breakable(text)}</code>`;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Past this many months, the timeline lists only the months something expires in (and the report's own). */
const MAX_CONTIGUOUS_MONTHS = 36;
const APP_ROOT = '(app)';

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const monthName = (month: string) => `${MONTHS[Number(month.slice(5, 7)) - 1] ?? '?'} ${month.slice(0, 4)}`;
const dayName = (date: string) => `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1] ?? '?'}`;
const isDate = (date: string) => /^\d{4}-(0[1-9]|1[0-2])-\d{2}$/.test(date);
const soon = (a: AcknowledgmentStatus) => a.daysLeft >= 0 && a.daysLeft <= EXPIRY_WARNING_DAYS;
const daysText = (daysLeft: number) =>
  daysLeft < 0 ? `expired ${count(-daysLeft, 'day')} before` : daysLeft === 0 ? 'last day' : count(daysLeft, 'day');
const stackOf = (constructPath: string) => constructPath.split('/', 1)[0] || APP_ROOT;
const rowClass = (a: AcknowledgmentStatus) =>
  a.daysLeft < 0 ? ' class="expired"' : soon(a) ? ' class="expiring"' : '';

interface Segment {
  readonly value: number;
  readonly cls: string;
  readonly title?: string;
  /** Drawn with a white edge, between days. */
  readonly separated?: boolean;
}

/** A horizontal bar as inline SVG, scaled to `max`; decorative, since the numbers stand beside it as text. */
function bar(segments: readonly Segment[], max: number): string {
  let x = 0;
  const rects = segments
    .filter((s) => s.value > 0)
    .map((s) => {
      const width = Math.max((s.value / Math.max(max, 1)) * 100, 0.8);
      // A white edge between day segments, only where a segment is wide enough to keep its colour beside it.
      const cls = s.separated && width >= 3 ? `${s.cls} edge` : s.cls;
      const rect = `<rect class="${cls}" x="${x.toFixed(2)}" width="${width.toFixed(2)}" height="1">${
        s.title ? `<title>${esc(s.title)}</title>` : ''
      }</rect>`;
      x += width;
      return rect;
    });
  return `<svg class="bar" viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true" focusable="false">${rects.join('')}</svg>`;
}

/** A table whose rows turn into labelled blocks on a narrow screen (`data-label` names each cell there). */
function table(
  cls: string,
  columns: readonly { readonly head: string; readonly width: string; readonly numeric?: boolean }[],
  rows: readonly { readonly cells: readonly string[]; readonly attributes?: string }[],
  caption?: string,
): string {
  const cellClass = (i: number) => (columns[i]?.numeric ? ' class="n"' : '');
  return `<table class="${cls}">${caption ? `<caption>${caption}</caption>` : ''}<colgroup>${columns
    .map((c) => `<col style="width:${c.width}">`)
    .join(
      '',
    )}</colgroup><thead><tr>${columns.map((c, i) => `<th scope="col"${cellClass(i)}>${esc(c.head)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr${r.attributes ?? ''}>${r.cells
          .map((cell, i) => `<td${cellClass(i)} data-label="${esc(columns[i]?.head ?? '')}">${cell}</td>`)
          .join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
}

/** The result, a sentence on what it means, and the numbers an auditor looks for first. */
function header(report: ComplianceReport, stacks: readonly StackGroup[]): string {
  const acks = report.acknowledgments;
  const expiring = acks.filter(soon).length;
  const expired = acks.filter((a) => a.daysLeft < 0).length;
  const stale = acks.filter((a) => a.stale).length;
  const notRun = acks.filter((a) => !a.evaluated).length;
  const nearest = nearestExpiry(acks);
  const busiest = busiestDay(acks);
  const { total, open, acknowledged } = report.findings;
  const verdict =
    report.result === 'off'
      ? 'Compliance was OFF for this synth (<code>-c keel:compliance=off</code>): no rule pack ran. Never deploy what it produced.'
      : report.result === 'fail'
        ? `${count(open, 'finding is', 'findings are')} open of ${total}: each fails the synth until its resource is fixed or the finding is acknowledged.`
        : total === 0
          ? 'No rule found anything.'
          : `All ${count(total, 'finding is', 'findings are')} acknowledged, each with an owner, a reason and an expiry.`;
  const stat = (label: string, value: string, note = '', tone = '') =>
    `<div${tone ? ` class="${tone}"` : ''}><dt>${esc(label)}</dt><dd>${value}${note ? ` <small>${note}</small>` : ''}</dd></div>`;
  const stats = [
    stat('Stacks', String(report.stacks)),
    stat('Resources checked', report.resourcesChecked.toLocaleString('en-US')),
    stat('Findings', total.toLocaleString('en-US')),
    stat('Open', String(open), '', open > 0 ? 'bad' : 'good'),
    stat('Acknowledged', acknowledged.toLocaleString('en-US')),
    stat('Acknowledgments', String(acks.length), notRun > 0 ? `${notRun} where their rule did not run` : ''),
    stat(`Expiring within ${EXPIRY_WARNING_DAYS} days`, String(expiring), '', expiring > 0 ? 'warn' : ''),
    stat('Expired', String(expired), '', expired > 0 ? 'bad' : ''),
    stat('Stale', String(stale), stale > 0 ? 'cover nothing: remove them' : '', stale > 0 ? 'warn' : ''),
    ...(nearest
      ? [
          stat(
            'Next expiry',
            esc(nearest.expires),
            esc(daysText(nearest.daysLeft)),
            `date${soon(nearest) ? ' warn' : ''}`,
          ),
        ]
      : []),
    ...(busiest
      ? [
          stat(
            'Most expiring on one day',
            String(busiest.count),
            `on ${esc(busiest.date)}, ${Math.round((busiest.count / acks.length) * 100)}% of them`,
            'cliff',
          ),
        ]
      : []),
  ];
  const warnings = report.warnings.length
    ? `<ul class="warnings">${report.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`
    : '';
  const nav = `<nav class="contents" aria-label="Contents"><a href="#findings">Findings per pack</a><a href="#expiry">Expiry timeline</a><a href="#rules">Findings per rule</a>${
    open > 0 ? '<a href="#open">Open findings</a>' : ''
  }<a href="#expires-next">Expires next</a>${stacks
    .map((s) => `<a href="#${s.anchor}">${esc(s.name)} <small>${s.acks.length}</small></a>`)
    .join('')}<a href="#packs">Packs run</a></nav>`;
  return `<header class="top"><div class="headline"><span class="result ${report.result}">${report.result.toUpperCase()}</span><h1>Keel compliance report</h1></div><p class="meta">Generated <time datetime="${esc(report.generatedAt)}">${esc(generatedText(report))}</time> by the synth; ${count(report.packs.length, 'pack')} over ${count(report.stacks, 'stack')}. Days left are counted from then.</p><p class="verdict">${verdict}</p><dl class="numbers">${stats.join('')}</dl>${warnings}${nav}</header>`;
}

const generatedText = (report: ComplianceReport) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(report.generatedAt)
    ? `${report.generatedAt.slice(0, 10)} ${report.generatedAt.slice(11, 16)} UTC`
    : report.generatedAt;

/** The day the most acknowledgments expire on, when more than one share a day: the cliff to plan for. */
function busiestDay(acks: readonly AcknowledgmentStatus[]) {
  const byDay = new Map<string, number>();
  for (const a of acks) byDay.set(a.expires, (byDay.get(a.expires) ?? 0) + 1);
  const [date, n] = [...byDay].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? ['', 0];
  return n > 1 ? { date, count: n } : undefined;
}

/** Findings per pack, and per rule grouped by pack: open and acknowledged bars with their numbers. */
function findingsCharts(report: ComplianceReport): [packs: string, rules: string] {
  const sources = [...new Set([...report.packs.map((p) => p.name), ...report.rules.map((r) => r.source)])];
  const perPack = sources.map((name) => {
    const rules = report.rules.filter((r) => r.source === name);
    return {
      name,
      rules,
      open: rules.reduce((n, r) => n + r.open.length, 0),
      acked: rules.reduce((n, r) => n + r.acknowledged.length, 0),
    };
  });
  const packMax = Math.max(1, ...perPack.map((p) => p.open + p.acked));
  const ruleMax = Math.max(1, ...report.rules.map((r) => r.open.length + r.acknowledged.length));
  const head = (what: string) =>
    `<colgroup><col class="label"><col class="num"><col class="num"><col></colgroup><thead><tr><th scope="col">${what}</th><th scope="col" class="n">Open</th><th scope="col" class="n"><abbr title="Acknowledged">Acked</abbr></th><th scope="col"><span class="sr">Bar</span></th></tr></thead>`;
  const row = (label: string, open: number, acked: number, max: number, scope = '') =>
    `<tr${scope ? ' class="group"' : ''}><th scope="${scope || 'row'}">${label}</th><td class="n${open > 0 ? ' bad' : ''}">${open}</td><td class="n">${acked}</td><td>${bar(
      [
        { value: open, cls: 'open' },
        { value: acked, cls: 'acked' },
      ],
      max,
    )}</td></tr>`;
  const packs = `<table class="chart">${head('Pack')}<tbody>${perPack
    .map((p) => row(esc(p.name), p.open, p.acked, packMax))
    .join('')}</tbody></table>`;
  const rules = `<table class="chart">${head('Rule')}${perPack
    .filter((p) => p.rules.length > 0)
    .map(
      (p) =>
        `<tbody><tr class="group"><th scope="rowgroup" colspan="4">${esc(p.name)} <small>${count(p.rules.length, 'rule')}, ${count(p.open + p.acked, 'finding')}</small></th></tr>${p.rules
          .map((r) =>
            row(
              `<span title="${esc(r.info)}">${breakable(r.ruleId)}</span>`,
              r.open.length,
              r.acknowledged.length,
              ruleMax,
            ),
          )
          .join('')}</tbody>`,
    )
    .join('')}</table>`;
  const legend = `<p class="legend"><span><span class="swatch open"></span>open</span><span><span class="swatch acked"></span>acknowledged</span></p>`;
  return [
    `<section id="findings" class="pack-chart"><h2>Findings per pack</h2>${legend}<figure><figcaption>Every pack that ran, and what it found: ${count(report.findings.total, 'finding')} in all</figcaption>${packs}</figure></section>`,
    `<section id="rules" class="rule-chart"><h2>Findings per rule</h2>${legend}<figure><figcaption>By pack, all bars to one scale; hover a rule for what it checks</figcaption>${
      report.rules.length > 0 ? rules : '<p>No rule found anything.</p>'
    }</figure></section>`,
  ];
}

/** One row per month from the report's own month to the last expiry: a cliff shows as one long segment. */
function expiryTimeline(report: ComplianceReport): string {
  const acks = report.acknowledgments;
  const byMonth = new Map<string, AcknowledgmentStatus[]>();
  for (const a of acks.filter((x) => isDate(x.expires))) {
    const month = a.expires.slice(0, 7);
    byMonth.set(month, [...(byMonth.get(month) ?? []), a]);
  }
  const generated = report.generatedAt.slice(0, 7);
  const present = [...byMonth.keys(), ...(isDate(`${generated}-01`) ? [generated] : [])].sort();
  const months = contiguous(present);
  const max = Math.max(1, ...[...byMonth.values()].map((m) => m.length));
  const rows = months.map((month) => {
    const inMonth = byMonth.get(month) ?? [];
    const days = [...new Set(inMonth.map((a) => a.expires))].sort();
    const segments = days.map((day) => {
      const onDay = inMonth.filter((a) => a.expires === day);
      const first = onDay[0];
      const cls = first.daysLeft < 0 ? 'expired' : soon(first) ? 'soon' : 'later';
      return {
        day,
        value: onDay.length,
        cls,
        separated: true,
        title: `${day}: ${count(onDay.length, 'acknowledgment')}`,
      };
    });
    const top = segments.reduce<(typeof segments)[number] | undefined>(
      (b, s) => (!b || s.value > b.value ? s : b),
      undefined,
    );
    const busiest =
      !top || top.value < 2
        ? ''
        : days.length > 1
          ? `most on ${dayName(top.day)}: ${top.value}`
          : `all on ${dayName(top.day)}`;
    const note = month === generated ? ' <small>(report generated)</small>' : '';
    return `<tr${month === generated ? ' class="now"' : ''}><th scope="row">${monthName(month)}${note}${busiest ? ` <small>${esc(busiest)}</small>` : ''}</th><td class="n">${inMonth.length}</td><td>${bar(segments, max)}</td></tr>`;
  });
  const undated = acks.filter((a) => !isDate(a.expires)).length;
  const legend = `<p class="legend"><span><span class="swatch expired"></span>expired</span><span><span class="swatch soon"></span>within ${EXPIRY_WARNING_DAYS} days</span><span><span class="swatch later"></span>later</span><span>one segment per expiry day</span></p>`;
  return `<section id="expiry" class="expiry-chart"><h2>Acknowledgments by expiry month</h2>${legend}<figure><figcaption>${count(acks.length, 'acknowledgment')} by the month they expire${
    undated > 0 ? `; ${undated} with no valid date` : ''
  }</figcaption><table class="chart timeline"><colgroup><col class="label"><col class="num"><col></colgroup><thead><tr><th scope="col">Month</th><th scope="col" class="n">Expiring</th><th scope="col"><span class="sr">Bar</span></th></tr></thead><tbody>${rows.join(
    '',
  )}</tbody></table></figure></section>`;
}

/** Every month from the first to the last (`YYYY-MM`, sorted), or only those given when that would be too many. */
function contiguous(sorted: readonly string[]): string[] {
  if (sorted.length === 0) return [];
  const index = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
  const first = index(sorted[0]);
  const last = index(sorted[sorted.length - 1]);
  if (last - first >= MAX_CONTIGUOUS_MONTHS) return [...new Set(sorted)];
  return Array.from({ length: last - first + 1 }, (_, i) => {
    const m = first + i;
    return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
  });
}

interface StackGroup {
  readonly name: string;
  readonly anchor: string;
  readonly acks: readonly AcknowledgmentStatus[];
}

/** Acknowledgments by the stack (first path segment) they are made in, in the report's order. */
function byStack(acks: readonly AcknowledgmentStatus[]): StackGroup[] {
  const groups = new Map<string, AcknowledgmentStatus[]>();
  for (const a of acks) groups.set(stackOf(a.path), [...(groups.get(stackOf(a.path)) ?? []), a]);
  return [...groups].map(([name, list], i) => ({
    name,
    anchor: `stack-${i + 1}`,
    acks: [...list].sort((a, b) => a.daysLeft - b.daysLeft || a.id.localeCompare(b.id) || a.path.localeCompare(b.path)),
  }));
}

const relative = (constructPath: string, stack: string) =>
  constructPath === stack || (stack === APP_ROOT && constructPath === '')
    ? '<small>the whole stack</small>'
    : code(constructPath.startsWith(`${stack}/`) ? constructPath.slice(stack.length + 1) : constructPath);

const renewalText = (renewal: NonNullable<AcknowledgmentStatus['renewal']>): string =>
  `renewed from ${renewal.previousExpiry}, ${
    renewal.reviewer
      ? `reviewed by ${renewal.reviewer}`
      : renewal.previousReason
        ? 'with a new reason'
        : `emergency ${renewal.emergency ?? ''}`
  }`;

const coversText = (a: AcknowledgmentStatus) =>
  a.stale
    ? '<strong class="warn">stale: covers nothing</strong>'
    : a.evaluated
      ? count(a.findingsCovered, 'finding')
      : '<small>rule not run here</small>';

const expiresCell = (a: AcknowledgmentStatus) => `${esc(a.expires)}<br><small>${esc(daysText(a.daysLeft))}</small>`;

/** One section per stack, its acknowledgments soonest first, in a table that fits the page. */
function stackTables(groups: readonly StackGroup[]): string {
  const columns = [
    { head: 'Rule', width: '18%' },
    { head: 'Construct', width: '22%' },
    { head: 'Owner', width: '9%' },
    { head: 'Expires', width: '10%' },
    { head: 'Covers', width: '8%' },
    { head: 'Reason', width: '33%' },
  ];
  return `<section id="acknowledgments"><h2>Acknowledgments by stack</h2>${groups
    .map((g) => {
      const expiring = g.acks.filter(soon).length;
      const expired = g.acks.filter((a) => a.daysLeft < 0).length;
      const summary = [
        count(g.acks.length, 'acknowledgment'),
        `${expiring} within ${EXPIRY_WARNING_DAYS} days`,
        `${expired} expired`,
        `${g.acks.filter((a) => a.stale).length} stale`,
      ].join(' · ');
      const rows = g.acks.map((a) => ({
        attributes: rowClass(a),
        cells: [
          code(a.id),
          relative(a.path, g.name),
          esc(a.owner),
          expiresCell(a),
          coversText(a),
          `${esc(a.reason)}${a.site ? `<br><small>at ${breakable(a.site)}</small>` : ''}${
            a.renewal ? `<br><small>${esc(renewalText(a.renewal))}</small>` : ''
          }`,
        ],
      }));
      return `<section class="stack" aria-labelledby="${g.anchor}"><h3 id="${g.anchor}">${esc(g.name)}</h3><p class="sub">${summary}</p>${table('rows', columns, rows)}</section>`;
    })
    .join('')}</section>`;
}

/** What expires next, expired first: each with where the decision is written and how it was renewed. */
function expiresNextTable(report: ComplianceReport, next: readonly AcknowledgmentStatus[]): string {
  const columns = [
    { head: 'Expires', width: '12%' },
    { head: 'Rule', width: '20%' },
    { head: 'Construct', width: '30%' },
    { head: 'Owner', width: '10%' },
    { head: 'Acknowledged at', width: '28%' },
  ];
  const rows = next.map((a) => ({
    attributes: rowClass(a),
    cells: [
      expiresCell(a),
      code(a.id),
      code(a.path || APP_ROOT),
      esc(a.owner),
      `${a.site ? code(a.site) : '-'}${a.renewal ? `<br><small>${esc(renewalText(a.renewal))}</small>` : ''}`,
    ],
  }));
  return `<section id="expires-next"><h2>Expires next (${next.length} of ${report.acknowledgments.length})</h2>${
    rows.length > 0 ? table('rows', columns, rows) : '<p>No acknowledgments.</p>'
  }</section>`;
}

/** Findings nobody acknowledged, by stack: what fails the synth. */
function openFindings(report: ComplianceReport): string {
  const open = report.rules.flatMap((r) => r.open.map((f) => ({ ...f, rule: r })));
  if (open.length === 0) return '';
  const stacks = [...new Set(open.map((f) => stackOf(f.path)))];
  const columns = [
    { head: 'Rule', width: '24%' },
    { head: 'Construct', width: '36%' },
    { head: 'What it checks', width: '40%' },
  ];
  return `<section id="open"><h2>Open findings (${open.length})</h2>${stacks
    .map((stack) => {
      const rows = open
        .filter((f) => stackOf(f.path) === stack)
        .map((f) => ({
          attributes: ' class="expired"',
          cells: [code(f.findingId), relative(f.path, stack), esc(f.rule.info)],
        }));
      return `<h3>${esc(stack)} <small>${count(rows.length, 'open finding')}</small></h3>${table('rows', columns, rows)}`;
    })
    .join('')}</section>`;
}

function packsTable(report: ComplianceReport): string {
  const columns = [
    { head: 'Pack', width: '24%' },
    { head: 'Resources checked', width: '16%', numeric: true },
    { head: 'Stacks', width: '60%' },
  ];
  const rows = report.packs.map((p) => ({
    cells: [esc(p.name), String(p.resourcesChecked), p.stacks.length ? esc(p.stacks.join(', ')) : '-'],
  }));
  return `<section id="packs"><h2>Packs run</h2>${table('rows', columns, rows)}</section>`;
}

/** The whole page. `next` is what the other formats list as expiring next (`expiresNext`). */
export function renderComplianceReportHtml(report: ComplianceReport, next: readonly AcknowledgmentStatus[]): string {
  const stacks = byStack(report.acknowledgments);
  const [packChart, ruleChart] = findingsCharts(report);
  const title = `Keel compliance report: ${report.result.toUpperCase()}, ${generatedText(report)}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${REPORT_STYLE}</style></head><body>${header(
    report,
    stacks,
  )}<main><div class="overview">${packChart}${expiryTimeline(report)}${ruleChart}</div>${openFindings(report)}${expiresNextTable(report, next)}${stackTables(
    stacks,
  )}${packsTable(report)}</main><footer>From <code>keel-compliance.json</code> (report version ${report.version}), written by the synth at ${esc(
    report.generatedAt,
  )}. Rows expiring within ${EXPIRY_WARNING_DAYS} days are marked amber; expired and open, red.</footer></body></html>\n`;
}
