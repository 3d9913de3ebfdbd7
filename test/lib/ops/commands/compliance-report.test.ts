import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ComplianceReport } from '../../../../constructs/governance/compliance-report';
import { oneLine, runKeel as run } from '../../../helpers/cli';
import { removeTempDirs, tempDir } from '../../../helpers/manifest';

afterAll(() => {
  removeTempDirs();
});

describe('keel compliance report', () => {
  const report: ComplianceReport = {
    version: 1,
    generatedAt: '2025-01-01T00:00:00.000Z',
    enabled: true,
    result: 'pass',
    packs: [{ name: 'AwsSolutions', stacks: ['Shop-prod'], resourcesChecked: 12 }],
    stacks: 1,
    resourcesChecked: 12,
    findings: { total: 2, acknowledged: 2, open: 0 },
    rules: [
      {
        ruleId: 'AwsSolutions-IAM5',
        source: 'AwsSolutions',
        severity: 'error',
        info: 'Wildcard permissions.',
        open: [],
        acknowledged: [
          { path: 'Shop-prod/Service/Role', findingId: 'AwsSolutions-IAM5[Resource::*]', acknowledgedAt: 'Shop-prod' },
        ],
      },
    ],
    acknowledgments: [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        path: 'Shop-prod',
        reason: 'X-Ray needs a wildcard resource for PutTraceSegments',
        owner: 'team-shop',
        expires: '2025-01-11',
        daysLeft: 10,
        findingsCovered: 1,
        evaluated: true,
        stale: false,
      },
      {
        id: 'AwsSolutions-SQS3',
        path: 'Shop-prod/Queue',
        reason: 'The queue is itself the dead-letter queue of the service',
        owner: 'team-shop',
        expires: '2026-01-01',
        daysLeft: 365,
        findingsCovered: 1,
        evaluated: true,
        stale: false,
      },
    ],
    warnings: [],
  };

  function reportDir(): string {
    const dir = tempDir('keel-compliance-');
    fs.writeFileSync(path.join(dir, 'keel-compliance.json'), JSON.stringify(report));
    return dir;
  }

  test('prints markdown with the expiring acknowledgment in bold', async () => {
    const result = await run(['compliance', 'report', reportDir(), '--format', 'md']);

    expect(result.code).toBe(0);
    const md = result.out[0];
    expect(md).toContain('# Keel compliance report');
    const expiring = md.split('\n').find((l) => l.includes('2025-01-11'));
    const later = md.split('\n').find((l) => l.includes('2026-01-01'));
    expect(expiring).toContain('**10 (expiring soon)**');
    expect(expiring).toContain('**team-shop**');
    expect(later).not.toContain('**');
  });

  test('prints markdown by default', async () => {
    const result = await run(['compliance', 'report', reportDir()]);

    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/^# Keel compliance report/);
  });

  test('prints HTML with the expiring acknowledgment highlighted', async () => {
    const result = await run(['compliance', 'report', reportDir(), '--format', 'html']);

    expect(result.code).toBe(0);
    const html = result.out[0];
    expect(html).toMatch(/^<!doctype html>/);
    // Marked wherever it is listed: in what expires next and in its stack's table.
    const expiring = html.match(/<tr class="expiring">.*?<\/tr>/g) ?? [];
    expect(expiring).toHaveLength(2);
    for (const row of expiring) {
      expect(row).toContain('AwsSolutions-<wbr>IAM5[Resource:<wbr>:<wbr>*]');
      expect(row).toContain('2025-01-11');
    }
  });

  test('prints the report as parseable JSON', async () => {
    const result = await run(['compliance', 'report', reportDir(), '--format', 'json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.out[0])).toEqual(report);
  });

  test('fails when the format is unknown, with exit code 2', async () => {
    const result = await run(['compliance', 'report', reportDir(), '--format', 'xml']);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toBe('keel: --format "xml" is not md, html, json or sarif; pass one of them');
  });

  test('writes the report to the --out file, making its directory, and says where on stderr', async () => {
    const file = path.join(tempDir('keel-compliance-out-'), 'reports', 'compliance.html');

    const result = await run(['compliance', 'report', reportDir(), '--format', 'html', '--out', file]);

    expect(result.code).toBe(0);
    expect(result.out).toEqual([]);
    expect(result.err).toEqual([`wrote the html compliance report to ${file}`]);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^<!doctype html>[^]*class="expiring"/);
  });

  test('fails when the --out file cannot be written, naming it, with exit code 2', async () => {
    const dir = reportDir();

    const result = await run(['compliance', 'report', dir, '--out', path.join(dir, 'keel-compliance.json', 'x.md')]);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toBe(
      `keel: --out "${path.join(dir, 'keel-compliance.json', 'x.md')}" cannot be written (EEXIST); pass a writable file path`,
    );
  });

  test('fails when the report is missing, with exit code 2', async () => {
    const result = await run(['compliance', 'report', tempDir()]);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toContain('no keel-compliance.json in');
  });
});
