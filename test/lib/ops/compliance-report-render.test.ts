import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXPIRY_WARNING_DAYS, type ComplianceReport } from '../../../constructs/governance/compliance-report';
import {
  EXPIRES_NEXT_COUNT,
  expiresNext,
  loadComplianceReport,
  renderComplianceReport,
} from '../../../lib/ops/compliance-report-render';
import { removeTempDirs, tempDir } from '../../helpers/manifest';
import { cliFailure } from '../../helpers/refusal';

afterAll(removeTempDirs);

function acknowledgment(
  id: string,
  daysLeft: number,
  overrides: Partial<ComplianceReport['acknowledgments'][number]> = {},
) {
  return {
    id,
    path: 'Shop-prod',
    reason: 'a reason that is long enough to review',
    owner: 'team-shop',
    expires: '2025-01-31',
    daysLeft,
    findingsCovered: 1,
    evaluated: true,
    stale: false,
    ...overrides,
  };
}

const report: ComplianceReport = {
  version: 1,
  generatedAt: '2025-01-01T00:00:00.000Z',
  enabled: true,
  result: 'fail',
  packs: [{ name: 'AwsSolutions', stacks: [], resourcesChecked: 3 }],
  stacks: 1,
  resourcesChecked: 3,
  findings: { total: 2, acknowledged: 1, open: 1 },
  rules: [
    {
      ruleId: 'Keel-Pipe|Rule',
      source: 'KeelChecks',
      severity: 'error',
      info: 'x',
      open: [{ path: 'Shop-prod/A', findingId: 'Keel-Pipe|Rule' }],
      acknowledged: [],
    },
  ],
  acknowledgments: [
    acknowledgment('at-limit', EXPIRY_WARNING_DAYS),
    acknowledgment('past-limit', EXPIRY_WARNING_DAYS + 1, { evaluated: false }),
    acknowledgment('expired', -1, { stale: true, reason: 'uses <b> & "quotes"' }),
  ],
  warnings: [],
};

describe('loadComplianceReport', () => {
  test('reads keel-compliance.json from the assembly directory', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'keel-compliance.json'), JSON.stringify(report));

    expect(loadComplianceReport(dir)).toEqual(report);
  });

  test('fails when the report is missing or of another version, as usage errors', async () => {
    const empty = tempDir();
    const newer = tempDir();
    fs.writeFileSync(path.join(newer, 'keel-compliance.json'), JSON.stringify({ ...report, version: 2 }));

    const missing = await cliFailure(Promise.resolve().then(() => loadComplianceReport(empty)));
    const unknown = await cliFailure(Promise.resolve().then(() => loadComplianceReport(newer)));

    expect(missing).toMatchObject({
      exitCode: 2,
      message: `no keel-compliance.json in ${empty}: run 'npx cdk synth' first`,
    });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.message).toMatch(/keel-compliance\.json has report version 2; this keel reads version 1$/);
  });
});

describe('renderComplianceReport', () => {
  test('writes markdown tables with the result, escaped pipes, and in bold only what expires within 30 days', () => {
    const md = renderComplianceReport(report, 'md').split('\n');

    expect(md[2]).toBe(
      'Result: FAIL. 1 stacks, 3 resources checked; 2 findings, 1 acknowledged, 1 open. Generated 2025-01-01T00:00:00.000Z.',
    );
    expect(md).toContain('| AwsSolutions | - | 3 |');
    expect(md).toContain('| Keel-Pipe\\|Rule | KeelChecks | error | 1 | 0 |');
    expect(md.find((l) => l.includes('at-limit'))).toContain('**30 (expiring soon)**');
    expect(md.find((l) => l.includes('past-limit'))).toBe(
      '| past-limit | Shop-prod | team-shop | a reason that is long enough to review | 2025-01-31 | 31 | rule not run here |',
    );
    expect(md.find((l) => l.includes('| expired |'))).toContain('| -1 | stale |');
    expect(md).toContain(`## Acknowledgments (expiring within ${EXPIRY_WARNING_DAYS} days in bold)`);
  });

  test('writes HTML with the text escaped and the rows expiring soon marked', () => {
    const html = renderComplianceReport(report, 'html');

    expect(html).toMatch(/^<!doctype html>.*<\/html>\n$/s);
    expect(html).toContain('uses &#60;b&#62; &#38; &#34;quotes&#34;');
    // Marked wherever it is listed (what expires next, its stack's table): 30 days left is soon, 31 is not.
    const expiring = html.match(/<tr class="expiring">.*?<\/tr>/g) ?? [];
    const ids = expiring.map((row) => /data-label="Rule"><code>(.*?)<\/code>/.exec(row)?.[1].replace(/<wbr>/g, ''));
    expect(ids).toEqual(['at-limit', 'at-limit']);
  });

  test('lists what expires next, expired first, with the file and line of each acknowledge() call and its renewal', () => {
    const md = renderComplianceReport(
      {
        ...report,
        acknowledgments: [
          acknowledgment('later', 90, { expires: '2025-04-01' }),
          acknowledgment('soon', 12, {
            expires: '2025-01-13',
            site: 'lib/services/shop/index.ts:41',
            renewal: { previousExpiry: '2024-12-31', reviewer: 'security-review' },
          }),
          acknowledgment('gone', -2, { expires: '2024-12-30' }),
        ],
      },
      'md',
    );
    const section = md.slice(md.indexOf('## Expires next (3 of 3)')).split('\n');
    expect(section.slice(2)).toEqual([
      '| expires | days left | rule | construct | owner | acknowledged at | renewal |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      '| 2024-12-30 | -2 | gone | Shop-prod | team-shop | - | - |',
      '| 2025-01-13 | 12 | soon | Shop-prod | team-shop | lib/services/shop/index.ts:41 | from 2024-12-31, reviewed by security-review |',
      '| 2025-04-01 | 90 | later | Shop-prod | team-shop | - | - |',
      '',
    ]);
    expect(renderComplianceReport(report, 'html')).toContain('<h2>Expires next (3 of 3)</h2>');
  });

  test('lists the 10 nearest expiries, and more when more expire within 30 days', () => {
    const many = (daysLeft: number) =>
      Array.from({ length: 12 }, (_, i) => acknowledgment(`ack-${String(i).padStart(2, '0')}`, daysLeft));
    expect(expiresNext({ ...report, acknowledgments: many(100) }).map((a) => a.id)).toHaveLength(EXPIRES_NEXT_COUNT);
    expect(expiresNext({ ...report, acknowledgments: many(EXPIRY_WARNING_DAYS) })).toHaveLength(12);
  });

  test('writes the report itself as JSON', () => {
    expect(JSON.parse(renderComplianceReport(report, 'json'))).toEqual(report);
  });
});
