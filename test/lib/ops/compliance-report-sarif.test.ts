import '@microsoft/jest-sarif';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { DISABLE_CREATION_STACK_TRACES } from 'aws-cdk-lib/cx-api';
import type { ComplianceReport } from '../../../constructs/governance/compliance-report';
import {
  SARIF_TOOL_NAME,
  readConstructSources,
  renderComplianceSarif,
  type ConstructSources,
} from '../../../lib/ops/compliance-report-sarif';
import { runKeel } from '../../helpers/cli';
import { tempDir } from '../../helpers/temp-dir';

/** The parts of a SARIF log these tests read. */
interface Location {
  physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } };
  logicalLocations?: { fullyQualifiedName: string; kind: string }[];
}
interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Location[];
  stacks?: { frames: { location: Location }[] }[];
  suppressions?: { kind: string; status: string; justification: string; location?: Location; properties: object }[];
}
interface Log {
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; rules: { id: string; defaultConfiguration: object }[] } };
    results: Result[];
  }[];
}

const ack = (
  id: string,
  at: string,
  expires: string,
  daysLeft: number,
  site?: string,
): ComplianceReport['acknowledgments'][number] => ({
  id,
  path: at,
  reason: `Accepted for ${id} at ${at}, as the team decided`,
  owner: 'team-shop',
  expires,
  ...(site ? { site } : {}),
  daysLeft,
  findingsCovered: 1,
  evaluated: true,
  stale: false,
});

/** Every kind of finding: open, acknowledged (by id, by family, expired, with no Keel record), of each severity. */
const report: ComplianceReport = {
  version: 1,
  generatedAt: '2025-01-01T00:00:00.000Z',
  enabled: true,
  result: 'fail',
  packs: [{ name: 'AwsSolutions', stacks: ['Shop-dev', 'Shop-prod'], resourcesChecked: 12 }],
  stacks: 2,
  resourcesChecked: 12,
  findings: { total: 6, acknowledged: 5, open: 1 },
  rules: [
    {
      ruleId: 'AwsSolutions-SQS3',
      source: 'AwsSolutions',
      severity: 'error',
      info: 'The SQS queue does not have a DLQ enabled. Attach one.',
      open: [{ path: 'Shop-dev/Service/Queue', findingId: 'AwsSolutions-SQS3' }],
      acknowledged: [
        { path: 'Shop-prod/Service/Queue', findingId: 'AwsSolutions-SQS3', acknowledgedAt: 'Shop-prod/Service/Queue' },
      ],
    },
    {
      ruleId: 'KeelChecks-LogGroupRetention',
      source: 'KeelChecks',
      severity: 'info',
      info: 'The log group keeps logs for less than a year.',
      open: [],
      acknowledged: [
        {
          path: 'Shop-prod/Service/Logs/Resource',
          findingId: 'KeelChecks-LogGroupRetention',
          acknowledgedAt: 'Shop-prod/Service/Logs',
        },
      ],
    },
    {
      ruleId: 'AwsSolutions-IAM5',
      source: 'AwsSolutions',
      severity: 'error',
      info: 'The IAM entity contains wildcard permissions.',
      open: [],
      acknowledged: [
        {
          path: 'Shop-staging/Service/Role/Resource',
          findingId: 'AwsSolutions-IAM5[Resource::*]',
          acknowledgedAt: 'Shop-staging/Service',
        },
        {
          path: 'Shop-prod/Service/Role/Resource',
          findingId: 'AwsSolutions-IAM5[Resource::*]',
          acknowledgedAt: 'Shop-prod/Service',
        },
      ],
    },
    {
      ruleId: 'ControlTower::CT.LAMBDA.PR.3',
      source: 'ControlTower',
      severity: 'warning',
      info: 'The Lambda function is not in a VPC.',
      open: [],
      acknowledged: [
        {
          path: 'Shop-prod/Service/Handler/Resource',
          findingId: 'ControlTower::CT.LAMBDA.PR.3',
          acknowledgedAt: '(unknown)',
        },
      ],
    },
  ],
  acknowledgments: [
    ack('AwsSolutions-SQS3', 'Shop-prod/Service/Queue', '2026-01-01', 365, 'lib/services/shop/shop-stack.ts:42'),
    ack('AwsSolutions-IAM5[*]', 'Shop-prod/Service', '2025-06-01', 151, 'constructs/private/decisions.ts:71'),
    ack('AwsSolutions-IAM5[Resource::*]', 'Shop-staging/Service', '2024-12-29', -3),
    ack('KeelChecks-LogGroupRetention', 'Shop-prod/Service/Logs', '2025-03-01', 59),
  ],
  warnings: ["acknowledgment 'AwsSolutions-IAM5[Resource::*]' at Shop-staging/Service expired on 2024-12-29"],
};

/** The dev queue was made on line 12 of the shop stack, called from the platform. */
const sources: ConstructSources = new Map([
  [
    'Shop-dev/Service/Queue',
    [
      { file: 'lib/services/shop/shop-stack.ts', line: 12, function: 'new ShopStack' },
      { file: 'lib/platform.ts', line: 198, function: 'buildServiceStage' },
    ],
  ],
]);

const parse = (text: string): Log => JSON.parse(text) as Log;
const resultFor = (log: Log, findingPath: string, ruleId: string): Result | undefined =>
  log.runs[0].results.find(
    (r) => r.ruleId === ruleId && r.locations[0].logicalLocations?.[0].fullyQualifiedName === findingPath,
  );

describe('compliance report as SARIF', () => {
  test('writes a valid SARIF 2.1.0 log: one rule per rule, one result per open or acknowledged finding', () => {
    const log = parse(renderComplianceSarif(report, { sources, toolVersion: '1.2.3' }));

    expect(log).toBeValidSarifLog();
    const run = log.runs[0];
    expect(run.tool.driver).toMatchObject({ name: SARIF_TOOL_NAME, version: '1.2.3' });
    expect(run.tool.driver.rules.map((r) => [r.id, r.defaultConfiguration])).toEqual([
      ['AwsSolutions-IAM5', { level: 'error' }],
      ['AwsSolutions-SQS3', { level: 'error' }],
      ['ControlTower::CT.LAMBDA.PR.3', { level: 'warning' }],
      ['KeelChecks-LogGroupRetention', { level: 'note' }],
    ]);
    expect(run.results).toHaveLength(6);
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
  });

  test('an open finding is an error with its construct path and, where known, the file and line that made it', () => {
    const log = parse(renderComplianceSarif(report, { sources }));

    const open = resultFor(log, 'Shop-dev/Service/Queue', 'AwsSolutions-SQS3');
    expect(open).toMatchObject({
      level: 'error',
      message: { text: expect.stringContaining('AwsSolutions-SQS3 on Shop-dev/Service/Queue: The SQS queue') },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: 'lib/services/shop/shop-stack.ts' }, region: { startLine: 12 } },
          logicalLocations: [{ fullyQualifiedName: 'Shop-dev/Service/Queue', kind: 'resource' }],
        },
      ],
    });
    expect(open?.message.text).toContain('Open: it fails the synth');
    expect(open?.suppressions).toBeUndefined();
    expect(open?.stacks?.[0].frames.map((f) => f.location.physicalLocation?.artifactLocation.uri)).toEqual([
      'lib/services/shop/shop-stack.ts',
      'lib/platform.ts',
    ]);
    // No creation stack known for the prod queue: its construct path, and no file or line made up for it.
    expect(
      resultFor(log, 'Shop-prod/Service/Queue', 'AwsSolutions-SQS3')?.locations[0].physicalLocation,
    ).toBeUndefined();
  });

  test('an acknowledged finding is suppressed with the reason, owner and expiry, located at the acknowledgment', () => {
    const log = parse(renderComplianceSarif(report, { sources }));

    expect(resultFor(log, 'Shop-prod/Service/Queue', 'AwsSolutions-SQS3')).toMatchObject({
      level: 'error',
      message: {
        text: expect.stringContaining('Acknowledged at Shop-prod/Service/Queue by team-shop until 2026-01-01'),
      },
      suppressions: [
        {
          kind: 'external',
          status: 'accepted',
          justification: 'Accepted for AwsSolutions-SQS3 at Shop-prod/Service/Queue, as the team decided',
          location: {
            physicalLocation: {
              artifactLocation: { uri: 'lib/services/shop/shop-stack.ts' },
              region: { startLine: 42 },
            },
          },
          properties: { owner: 'team-shop', expires: '2026-01-01', acknowledgedAt: 'Shop-prod/Service/Queue' },
        },
      ],
    });
    // Acknowledged for the whole rule family (AwsSolutions-IAM5[*]) on an ancestor.
    expect(resultFor(log, 'Shop-prod/Service/Role/Resource', 'AwsSolutions-IAM5')?.suppressions).toMatchObject([
      { justification: expect.stringContaining('AwsSolutions-IAM5[*]'), properties: { expires: '2025-06-01' } },
    ]);
    expect(resultFor(log, 'Shop-prod/Service/Logs/Resource', 'KeelChecks-LogGroupRetention')).toMatchObject({
      level: 'note',
      suppressions: [{ properties: { owner: 'team-shop' } }],
    });
    // aws-cdk-lib suppressed it, but Keel holds no reason, owner or expiry for it: the log says so.
    const unknown = resultFor(log, 'Shop-prod/Service/Handler/Resource', 'ControlTower::CT.LAMBDA.PR.3');
    expect(unknown).toMatchObject({ level: 'warning', suppressions: [{ status: 'accepted' }] });
    expect(unknown?.suppressions?.[0].justification).toContain("outside Keel's acknowledge()");
    expect(unknown?.suppressions?.[0].properties).not.toHaveProperty('owner');
  });

  test('a finding whose acknowledgment has expired is open again: an error with no suppression', () => {
    const log = parse(renderComplianceSarif(report, { sources }));

    const expired = resultFor(log, 'Shop-staging/Service/Role/Resource', 'AwsSolutions-IAM5');
    expect(expired?.level).toBe('error');
    expect(expired?.suppressions).toBeUndefined();
    expect(expired?.message.text).toContain('expired on 2024-12-29: it fails the synth');
  });

  test('the schema check is real: a result without a message or with an unknown level is refused', () => {
    const log = parse(renderComplianceSarif(report, { sources }));
    const withoutMessage = structuredClone(log) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    delete withoutMessage.runs[0].results[0].message;
    const badLevel = structuredClone(log) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    badLevel.runs[0].results[0].level = 'critical';

    expect(withoutMessage).not.toBeValidSarifLog();
    expect(badLevel).not.toBeValidSarifLog();
  });

  test('the same report gives the same bytes, whatever the order of its rules, findings and acknowledgments', () => {
    const shuffled: ComplianceReport = {
      ...report,
      rules: [...report.rules].reverse().map((rule) => ({ ...rule, acknowledged: [...rule.acknowledged].reverse() })),
      acknowledgments: [...report.acknowledgments].reverse(),
    };

    expect(renderComplianceSarif(shuffled, { sources, toolVersion: '1' })).toBe(
      renderComplianceSarif(report, { sources, toolVersion: '1' }),
    );
  });
});

describe('keel compliance report --format sarif', () => {
  const testFile = path.relative(process.cwd(), __filename).split(path.sep).join('/');
  const queueLine =
    fs
      .readFileSync(__filename, 'utf8')
      .split('\n')
      .findIndex((l) => l.trim().startsWith('new CfnResource(')) + 1;

  /** A real cloud assembly with one queue in a Stage, as aws-cdk-lib writes it; `debug`: with creation stacks. */
  function synth(debug: boolean): string {
    const context = debug ? {} : { [DISABLE_CREATION_STACK_TRACES]: true };
    const app = new App({ outdir: tempDir('keel-sarif-'), context, builtinCloudFormationValidation: false });
    const stack = new Stack(new Stage(app, 'Shop-dev'), 'Service');
    new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue' });
    return app.synth().directory;
  }

  test('reads the line that made each resource from a debug synth, and nothing from a synth without --debug', () => {
    const debug = synth(true);

    expect(readConstructSources(debug).get('Shop-dev/Service/Queue')?.[0]).toEqual({
      file: testFile,
      line: queueLine,
      function: 'synth',
    });
    // Frames outside the repository root are left out.
    expect(readConstructSources(debug, path.join(process.cwd(), 'lib')).size).toBe(0);
    expect(readConstructSources(synth(false)).size).toBe(0);
  });

  test('writes a valid SARIF file whose open finding points at the line of the resource', async () => {
    const dir = synth(true);
    const single: ComplianceReport = {
      ...report,
      findings: { total: 1, acknowledged: 0, open: 1 },
      rules: [{ ...report.rules[0], acknowledged: [] }],
      acknowledgments: [],
      warnings: [],
    };
    fs.writeFileSync(path.join(dir, 'keel-compliance.json'), JSON.stringify(single));
    const file = path.join(tempDir('keel-sarif-out-'), 'reports', 'keel.sarif');

    const result = await runKeel(['compliance', 'report', dir, '--format', 'sarif', '--out', file]);

    expect(result.code).toBe(0);
    expect(result.err).toEqual([`wrote the sarif compliance report to ${file}`]);
    const log = parse(fs.readFileSync(file, 'utf8'));
    expect(log).toBeValidSarifLog();
    expect(log.runs[0].results).toMatchObject([
      {
        ruleId: 'AwsSolutions-SQS3',
        level: 'error',
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: testFile }, region: { startLine: queueLine } },
            logicalLocations: [{ fullyQualifiedName: 'Shop-dev/Service/Queue' }],
          },
        ],
      },
    ]);
  });
});
