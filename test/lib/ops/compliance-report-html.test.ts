import type { AcknowledgmentStatus, ComplianceReport } from '../../../constructs/governance/compliance-report';
import { renderComplianceReportHtml } from '../../../lib/ops/compliance-report-html';
import { expiresNext, renderComplianceReport } from '../../../lib/ops/compliance-report-render';

/** One acknowledgment; `daysLeft` as the synth counted it on 2027-01-10, the report's day. */
function ack(id: string, path: string, expires: string, daysLeft: number, more: Partial<AcknowledgmentStatus> = {}) {
  return {
    id,
    path,
    reason: 'the reason is long enough to be reviewed',
    owner: 'team-shop',
    expires,
    daysLeft,
    findingsCovered: 1,
    evaluated: true,
    stale: false,
    ...more,
  };
}

const finding = (path: string, findingId: string) => ({ path, findingId, acknowledgedAt: path });

const report: ComplianceReport = {
  version: 1,
  generatedAt: '2027-01-10T09:30:00.000Z',
  enabled: true,
  result: 'fail',
  packs: [
    { name: 'AwsSolutions', stacks: ['Shop-dev', 'Shop-prod'], resourcesChecked: 40 },
    { name: 'NIST.800.53.R5', stacks: ['Shop-prod'], resourcesChecked: 20 },
    { name: 'KeelChecks', stacks: ['Shop-dev', 'Shop-prod'], resourcesChecked: 40 },
  ],
  stacks: 2,
  resourcesChecked: 40,
  findings: { total: 9, acknowledged: 7, open: 2 },
  rules: [
    {
      ruleId: 'AwsSolutions-IAM5',
      source: 'AwsSolutions',
      severity: 'error',
      info: 'Wildcard permissions.',
      open: [{ path: 'Shop-prod/Api/<img src=x onerror=alert(1)>', findingId: 'AwsSolutions-IAM5[Resource::*]' }],
      acknowledged: [1, 2, 3, 4].map((i) => finding(`Shop-prod/Fn${i}/Role`, 'AwsSolutions-IAM5[Resource::*]')),
    },
    {
      ruleId: 'AwsSolutions-SQS3',
      source: 'AwsSolutions',
      severity: 'error',
      info: 'No dead-letter queue.',
      open: [],
      acknowledged: [finding('Shop-dev/Queue/Resource', 'AwsSolutions-SQS3')],
    },
    {
      ruleId: 'NIST.800.53.R5-LambdaDLQ',
      source: 'NIST.800.53.R5',
      severity: 'error',
      info: 'No DLQ.',
      open: [{ path: 'Shop-prod/Fn1/Resource', findingId: 'NIST.800.53.R5-LambdaDLQ' }],
      acknowledged: [1, 2].map((i) => finding(`Shop-prod/Fn${i}/Resource`, 'NIST.800.53.R5-LambdaDLQ')),
    },
  ],
  acknowledgments: [
    ack('AwsSolutions-IAM5[Resource::*]', 'Shop-prod', '2027-03-31', 80, { findingsCovered: 4 }),
    ack('AwsSolutions-SQS3', 'Shop-dev/Queue', '2027-01-20', 10),
    ack('NIST.800.53.R5-LambdaDLQ', 'Shop-prod/Fn1', '2027-01-05', -5, {
      reason: 'a reason with </td><script>alert("x")</script> & more',
      site: 'lib/services/shop/index.ts:41',
    }),
    ack('NIST.800.53.R5-LambdaDLQ', 'Shop-prod/Fn2', '2027-03-31', 80, {
      renewal: { previousExpiry: '2027-01-31', reviewer: 'security-review' },
    }),
    ack('NIST.800.53.R5-S3BucketLoggingEnabled', 'Shop-dev/Bucket', '2027-03-31', 80, { evaluated: false }),
    ack('KeelChecks-LogGroupRetention', 'Shop-dev/Logs', '2027-03-02', 51, { findingsCovered: 0, stale: true }),
    ack('AwsSolutions-APIG2', 'Shop-dev/Api', '2027-01-20', 10),
  ],
  warnings: ['AwsSolutions-APIG2 on Shop-dev/Api expires on 2027-01-20'],
};

const html = renderComplianceReport(report, 'html');

/** The visible text of some markup, tags dropped and entities decoded. */
const text = (markup: string) =>
  markup
    .replace(/<wbr>/g, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/\s+/g, ' ')
    .trim();

/** The section with this id, as markup: up to the next top-level section. */
function section(id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = html.slice(start + 1).search(/<section id=|<\/div><section|<\/main>/);
  return html.slice(start, start + 1 + end);
}

/** A chart's rows as [label, open, acknowledged] (or a timeline's as [month, count]), from the text beside its bars. */
const chartRows = (markup: string) =>
  [...markup.matchAll(/<tr[^>]*><th scope="row">(.*?)<\/th>(.*?)<td><svg/g)].map(([, label, cells]) => [
    text(label),
    ...[...cells.matchAll(/>(\d+)</g)].map((m) => Number(m[1])),
  ]);

describe('renderComplianceReportHtml', () => {
  test('puts the result, what it means and the numbers first', () => {
    const top = html.slice(0, html.indexOf('<main>'));
    expect(top).toContain('<span class="result fail">FAIL</span>');
    expect(text(top)).toContain(
      '2 findings are open of 9: each fails the synth until its resource is fixed or the finding is acknowledged.',
    );
    expect(text(top)).toContain('Generated 2027-01-10 09:30 UTC');
    const numbers = [...top.matchAll(/<dt>(.*?)<\/dt><dd>(.*?)<\/dd>/g)].map(
      ([, dt, dd]) => `${text(dt)}: ${text(dd)}`,
    );
    expect(numbers).toEqual([
      'Stacks: 2',
      'Resources checked: 40',
      'Findings: 9',
      'Open: 2',
      'Acknowledged: 7',
      'Acknowledgments: 7 1 where their rule did not run',
      'Expiring within 30 days: 2',
      'Expired: 1',
      'Stale: 1 cover nothing: remove them',
      'Next expiry: 2027-01-20 10 days',
      'Most expiring on one day: 3 on 2027-03-31, 43% of them',
    ]);
    expect(text(top)).toContain('AwsSolutions-APIG2 on Shop-dev/Api expires on 2027-01-20');
  });

  test('charts findings per pack and per rule, with the counts as text beside the bars', () => {
    expect(chartRows(section('findings'))).toEqual([
      ['AwsSolutions', 1, 5],
      ['NIST.800.53.R5', 1, 2],
      ['KeelChecks', 0, 0],
    ]);
    const rules = section('rules');
    expect(chartRows(rules)).toEqual([
      ['AwsSolutions-IAM5', 1, 4],
      ['AwsSolutions-SQS3', 0, 1],
      ['NIST.800.53.R5-LambdaDLQ', 1, 2],
    ]);
    expect(text(rules)).toContain('AwsSolutions 2 rules, 6 findings');
    // Bars are decoration for the numbers: hidden from screen readers, their lengths to one scale (4 is the longest).
    expect(rules.match(/<svg class="bar"[^>]*aria-hidden="true"/g)).toHaveLength(3);
    expect(rules).toContain('<rect class="acked" x="20.00" width="80.00" height="1">');
  });

  test('draws acknowledgments by expiry month from the report month on, each day a segment, naming the cliff', () => {
    const timeline = section('expiry');
    expect(chartRows(timeline)).toEqual([
      ['Jan 2027 (report generated) most on 20 Jan: 2', 3],
      ['Feb 2027', 0],
      ['Mar 2027 most on 31 Mar: 3', 4],
    ]);
    const january = timeline.slice(timeline.indexOf('Jan 2027'), timeline.indexOf('Feb 2027'));
    // Coloured by status, a white edge between days wide enough to keep their colour beside it.
    expect([...january.matchAll(/<rect class="([\w ]+)"/g)].map((m) => m[1])).toEqual(['expired edge', 'soon edge']);
    expect(timeline).toContain('<title>2027-03-31: 3 acknowledgments</title>');
  });

  test('counts days left from the report, not from the clock it is read by', () => {
    jest.useFakeTimers({ now: new Date('2031-06-01T00:00:00Z') });
    try {
      expect(renderComplianceReport(report, 'html')).toBe(html);
    } finally {
      jest.useRealTimers();
    }
    expect(text(section('expires-next'))).toContain('2027-01-05 expired 5 days before');
  });

  test('groups acknowledgments by stack, soonest first, with paths relative to the stack', () => {
    const stacks = section('acknowledgments');
    expect([...stacks.matchAll(/<h3 id="(stack-\d+)">(.*?)<\/h3>/g)].map((m) => [m[1], m[2]])).toEqual([
      ['stack-1', 'Shop-prod'],
      ['stack-2', 'Shop-dev'],
    ]);
    const [prod, dev] = stacks.split('<h3').slice(1);
    const rows = (group: string) =>
      [...group.matchAll(/<tr([^>]*)><td data-label="Rule">(.*?)<\/td><td data-label="Construct">(.*?)<\/td>/g)].map(
        (m) => `${m[1] ? `${m[1].slice(8, -1)} ` : ''}${text(m[2])} @ ${text(m[3])}`,
      );
    expect(rows(prod)).toEqual([
      'expired NIST.800.53.R5-LambdaDLQ @ Fn1',
      'AwsSolutions-IAM5[Resource::*] @ the whole stack',
      'NIST.800.53.R5-LambdaDLQ @ Fn2',
    ]);
    expect(rows(dev)).toEqual([
      'expiring AwsSolutions-APIG2 @ Api',
      'expiring AwsSolutions-SQS3 @ Queue',
      'KeelChecks-LogGroupRetention @ Logs',
      'NIST.800.53.R5-S3BucketLoggingEnabled @ Bucket',
    ]);
    expect(text(prod)).toContain('3 acknowledgments · 0 within 30 days · 1 expired · 0 stale');
    expect(text(prod)).toContain('renewed from 2027-01-31, reviewed by security-review');
    expect(text(dev)).toContain('stale: covers nothing');
    expect(text(dev)).toContain('rule not run here');
    // Tables fit the page: fixed layout with column widths, long words broken anywhere, and on a phone one card a row.
    expect(html).toMatch(/table\{width:100%;border-collapse:collapse;table-layout:fixed/);
    expect(html).toMatch(/overflow-wrap:anywhere/);
    expect(html).toMatch(/@media screen and \(max-width:760px\)\{.*table\.rows td::before\{content:attr\(data-label\)/);
  });

  test('lists open findings by stack, and what expires next as the other formats do', () => {
    expect(text(section('open'))).toContain('Open findings (2) Shop-prod 2 open findings');
    const next = section('expires-next');
    expect(text(next)).toMatch(/^Expires next \(7 of 7\)/);
    const order = [...next.matchAll(/<td data-label="Expires">(\d{4}-\d\d-\d\d)/g)].map((m) => m[1]);
    expect(order).toEqual(expiresNext(report).map((a) => a.expires));
    const passing = { ...report, result: 'pass' as const, rules: report.rules.map((r) => ({ ...r, open: [] })) };
    expect(renderComplianceReport(passing, 'html').match(/id="open"/)).toBeNull();
  });

  test('has a print stylesheet, and fetches nothing when viewed: no script, link, import or external URL', () => {
    expect(html).toMatch(/@media print\{@page\{size:A4;margin:12mm\}/);
    expect(html).toMatch(/@media print\{.*thead\{display:table-header-group\}/);
    expect(html.match(/<(script|link|img|iframe|object|embed)\b/i)).toBeNull();
    expect(html.match(/(?:src|href)=["']?https?:/i)).toBeNull();
    expect(html.match(/(?:src|href)=["']?\/\//i)).toBeNull();
    expect(html.match(/@import|url\(/i)).toBeNull();
    expect(html.match(/https?:\/\//)).toBeNull();
  });

  test('escapes construct paths, reasons and rule text, in content and attributes', () => {
    const hostile = renderComplianceReportHtml(
      {
        ...report,
        rules: [{ ...report.rules[0], info: '"><b onmouseover=alert(1)>' }],
        acknowledgments: [ack("AwsSolutions-IAM5[Resource::<i>'*'</i>]", 'Shop-prod/"a"&<b>', '2027-03-31', 80)],
      },
      [],
    );
    expect(html).toContain('a reason with &#60;/td&#62;&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; more');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(hostile).toContain('title="&#34;&#62;&#60;b onmouseover=alert(1)&#62;"');
    expect(hostile).toContain('&#34;a&#34;&#38;&#60;b&#62;');
    expect(hostile).toContain('&#60;i&#62;&#39;*&#39;&#60;/<wbr>i&#62;');
    expect(text(hostile)).toContain(`AwsSolutions-IAM5[Resource::<i>'*'</i>]`);
    expect(`${html}${hostile}`.match(/<(script|img|b|i)\b/)).toBeNull();
  });

  test('says plainly when compliance was off', () => {
    const off = renderComplianceReport(
      { ...report, enabled: false, result: 'off', rules: [], acknowledgments: [], warnings: [] },
      'html',
    );
    expect(off).toContain('<span class="result off">OFF</span>');
    expect(text(off)).toContain('Compliance was OFF for this synth');
    expect(text(off)).toContain('No rule found anything.');
  });
});
