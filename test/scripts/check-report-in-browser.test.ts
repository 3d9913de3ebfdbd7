import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ComplianceReport } from '../../constructs/governance/compliance-report';
import { renderComplianceReport } from '../../lib/ops/compliance-report-render';
import { REPOSITORY_ROOT } from '../helpers/repository-copy';
import { removeTempDirs, tempDir } from '../helpers/temp-dir';

afterAll(removeTempDirs);

/** Deep construct paths, one with a 120-character segment nothing can break but overflow-wrap. */
const constructPath = (i: number) =>
  `PaymentsReconciliation-production-eu-west-1/Service/Handlers/SettlementBatchProcessor${i}/` +
  `${i % 5 === 0 ? 'Z'.repeat(120) : 'ServiceRole/DefaultPolicy'}/Resource`;

/** 160 findings over 12 rules in 3 packs, 90 acknowledgments: 40 expiring on one day, 5 expired, 10 within 30 days. */
function busyReport(): ComplianceReport {
  const rules = Array.from({ length: 12 }, (_, r) => {
    const source = ['AwsSolutions', 'NIST.800.53.R5', 'Serverless'][r % 3];
    const paths = Array.from({ length: r === 0 ? 60 : 9 }, (_, i) => constructPath(r * 100 + i));
    return {
      ruleId: `${source}-Rule${r}${r % 4 === 0 ? '[Resource::arn:aws:s3:::a-bucket-with-a-long-name/*]' : ''}`,
      source,
      severity: 'error',
      info: `What rule ${r} checks.`,
      open: r === 5 ? [{ path: paths[0], findingId: `${source}-Rule${r}` }] : [],
      acknowledged: paths
        .slice(r === 5 ? 1 : 0)
        .map((p) => ({ path: p, findingId: `${source}-Rule${r}`, acknowledgedAt: p })),
    };
  });
  const daysLeft = (i: number) => (i < 40 ? 45 : i < 45 ? -3 : i < 55 ? 12 : 60 + ((i * 37) % 200));
  const expires = (i: number) =>
    new Date(Date.parse('2027-01-10') + daysLeft(i) * 86_400_000).toISOString().slice(0, 10);
  return {
    version: 1,
    generatedAt: '2027-01-10T09:30:00.000Z',
    enabled: true,
    result: 'fail',
    packs: ['AwsSolutions', 'NIST.800.53.R5', 'Serverless'].map((name) => ({
      name,
      stacks: ['PaymentsReconciliation-production-eu-west-1'],
      resourcesChecked: 900,
    })),
    stacks: 1,
    resourcesChecked: 900,
    findings: { total: 159, acknowledged: 158, open: 1 },
    rules,
    acknowledgments: Array.from({ length: 90 }, (_, i) => ({
      id: rules[i % 12].ruleId,
      path: constructPath(i),
      reason: `Acceptable because ${'the settlement batch runs once a night behind the VPC endpoint '.repeat(2)}(#${i}).`,
      owner: 'payments-reconciliation',
      expires: expires(i),
      site: `lib/services/payments/reconciliation/settlement-batch-processor.ts:${i + 10}`,
      daysLeft: daysLeft(i),
      findingsCovered: 1,
      evaluated: true,
      stale: false,
    })),
    warnings: [],
  };
}

// KEEL_BROWSER_CHECK=off only in the service pipelines' build image, which has no Chromium (scripts/install-chromium.cjs).
const browserTest = process.env.KEEL_BROWSER_CHECK === 'off' ? test.skip : test;

browserTest('passes the real report in Chromium at 1280 and 390 px and in print, and fails planted bad pages', () => {
  const dir = tempDir('keel-report-check-');
  const assembly = path.join(dir, 'cdk.out');
  fs.mkdirSync(assembly);
  fs.writeFileSync(path.join(assembly, 'keel-compliance.json'), JSON.stringify(busyReport()));
  const small = renderComplianceReport({ ...busyReport(), rules: [], acknowledgments: [] }, 'html');
  const plant = (name: string, markup: string) => {
    fs.writeFileSync(path.join(dir, name), small.replace('</main>', `${markup}</main>`));
    return path.join(dir, name);
  };
  const pages = [
    assembly,
    plant('wide.html', `<table><tr><td style="white-space:nowrap">${'W'.repeat(300)}</td></tr></table>`),
    plant(
      'misbehaves.html',
      '<img src="http://example.com/logo.png" alt=""><script>console.error("planted"); null.planted;</script>',
    ),
  ];
  const out = path.join(dir, 'out');

  const result = spawnSync(process.execPath, ['scripts/check-report-in-browser.cjs', '--out-dir', out, ...pages], {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
  });

  expect(result.stdout.split('\n')[0]).toBe(
    `ok ${assembly}: no console error, failed request or overflow at 1280px, 390px and print; saved ` +
      ['cdk.out-1280.png', 'cdk.out-390.png', 'cdk.out.pdf']
        .map((f) => path.relative(REPOSITORY_ROOT, path.join(out, f)))
        .join(', '),
  );
  const [wide, misbehaves, ...more] = result.stderr.trim().split('\n');
  expect(wide).toMatch(
    new RegExp(
      `^keel: report check failed for ${pages[1]}: horizontal overflow at 1280px: the page is \\d+px wide in 1280px; ` +
        'the innermost element past the edge: td; horizontal overflow at 390px: .*; horizontal overflow in print \\(A4\\): ',
    ),
  );
  const prefix = `keel: report check failed for ${pages[2]}: `;
  expect(misbehaves.startsWith(prefix)).toBe(true);
  expect(misbehaves.slice(prefix.length).split('; ').sort()).toEqual([
    'console error: planted',
    "page error: Cannot read properties of null (reading 'planted')",
    'requested http://example.com/logo.png (the report must be self-contained)',
  ]);
  expect(more).toEqual([]);
  expect(result.status).toBe(1);
  // What it saved is what it says: PNGs 1280 and 390 pixels wide (IHDR), and a PDF of more than one A4 page.
  const pngWidth = (file: string) => fs.readFileSync(path.join(out, file)).readUInt32BE(16);
  expect([pngWidth('cdk.out-1280.png'), pngWidth('cdk.out-390.png')]).toEqual([1280, 390]);
  const pdf = fs.readFileSync(path.join(out, 'cdk.out.pdf'), 'latin1');
  expect(pdf.startsWith('%PDF-')).toBe(true);
  expect(pdf.match(/\/Type\s*\/Page\b/g)?.length).toBeGreaterThan(1);
  expect(pdf).toMatch(/\/MediaBox\s*\[\s*0 0 59[45]\.\d* 84[12]\.\d*\s*\]/);
});
