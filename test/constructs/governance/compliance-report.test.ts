import {
  fromPackFinding,
  groupByRule,
  isUnder,
  renderSummary,
  type ComplianceReport,
  type Finding,
} from '../../../constructs/governance/compliance-report';

function finding(ruleId: string, path: string, acknowledgedAt?: string): Finding {
  return {
    source: ruleId.split('-')[0],
    ruleId,
    findingId: ruleId,
    path,
    severity: 'error',
    info: `${ruleId} is broken.`,
    ...(acknowledgedAt ? { acknowledgedAt } : {}),
  };
}

/** A report of one stack that passes, with `overrides`. */
function report(overrides: Partial<ComplianceReport> = {}): ComplianceReport {
  return {
    version: 1,
    generatedAt: '2027-01-01T00:00:00.000Z',
    enabled: true,
    result: 'pass',
    packs: [{ name: 'AwsSolutions', stacks: ['Orders-dev'], resourcesChecked: 12 }],
    stacks: 1,
    resourcesChecked: 12,
    findings: { total: 0, acknowledged: 0, open: 0 },
    rules: [],
    acknowledgments: [],
    warnings: [],
    ...overrides,
  };
}

test('takes a rule-pack finding in the shape of any source, the pack as its source', () => {
  const packFinding = {
    pack: 'AwsSolutions',
    ruleId: 'AwsSolutions-SQS3',
    findingId: 'AwsSolutions-SQS3',
    path: 'Orders-dev/Queue',
    severity: 'error' as const,
    info: 'No dead-letter queue.',
  };
  expect(fromPackFinding(packFinding)).toEqual({ ...packFinding, source: 'AwsSolutions' });
});

describe('groupByRule', () => {
  test('groups findings by source and rule, open ones apart from acknowledged ones', () => {
    expect(
      groupByRule([
        finding('AwsSolutions-IAM5', 'App/A'),
        finding('AwsSolutions-IAM5', 'App/B', 'App'),
        finding('AwsSolutions-IAM5', 'App/C'),
      ]),
    ).toEqual([
      {
        ruleId: 'AwsSolutions-IAM5',
        source: 'AwsSolutions',
        severity: 'error',
        info: 'AwsSolutions-IAM5 is broken.',
        open: [
          { path: 'App/A', findingId: 'AwsSolutions-IAM5' },
          { path: 'App/C', findingId: 'AwsSolutions-IAM5' },
        ],
        acknowledged: [{ path: 'App/B', findingId: 'AwsSolutions-IAM5', acknowledgedAt: 'App' }],
      },
    ]);
  });

  test('lists the rules with the most open findings first, then by rule id', () => {
    const rules = groupByRule([
      finding('KeelChecks-B', 'App/X', 'App'),
      finding('KeelChecks-A', 'App/X', 'App'),
      finding('AwsSolutions-Z', 'App/X'),
      finding('AwsSolutions-Z', 'App/Y'),
      finding('Serverless-C', 'App/X'),
    ]);
    expect(rules.map((rule) => rule.ruleId)).toEqual([
      'AwsSolutions-Z',
      'Serverless-C',
      'KeelChecks-A',
      'KeelChecks-B',
    ]);
  });
});

test('isUnder: a path is under itself and its ancestors, not under a sibling that shares its prefix', () => {
  expect(isUnder('Orders-dev/Service/Fn', 'Orders-dev/Service')).toBe(true);
  expect(isUnder('Orders-dev/Service', 'Orders-dev/Service')).toBe(true);
  expect(isUnder('Orders-dev/Service', '')).toBe(true);
  expect(isUnder('Orders-dev/ServiceTwo', 'Orders-dev/Service')).toBe(false);
  expect(isUnder('Orders-dev', 'Orders-dev/Service')).toBe(false);
});

describe('renderSummary', () => {
  test('says what was checked and that everything passed', () => {
    expect(renderSummary(report())).toEqual([
      'Keel compliance: 1 stack(s), 12 resource(s) checked by AwsSolutions',
      '  acknowledgments: 0 (0 expiring within 30 days, 0 stale)',
      '  PASS: 0 finding(s), all acknowledged',
    ]);
  });

  test('fails listing each open finding with its rule, and how to fix or acknowledge it', () => {
    const findings = [
      finding('AwsSolutions-SQS3', 'Orders-dev/Queue'),
      finding('AwsSolutions-SQS3', 'Orders-dev/Dlq', 'Orders-dev'),
    ];
    const lines = renderSummary(
      report({
        result: 'fail',
        findings: { total: 2, acknowledged: 1, open: 1 },
        rules: groupByRule(findings),
        warnings: ['acknowledgment x is stale'],
      }),
    );
    expect(lines).toContain(`  ${'AwsSolutions-SQS3'.padEnd(58)} ${'AwsSolutions'.padEnd(16)}     1      1`);
    expect(lines).toContain('  warning: acknowledgment x is stale');
    expect(lines).toContain('  ✗ AwsSolutions-SQS3 on Orders-dev/Queue: AwsSolutions-SQS3 is broken.');
    expect(lines.join('\n')).toContain("acknowledge(construct, { id: '<rule id as shown>'");
    expect(lines.at(-1)).toBe('  FAIL: 1 unacknowledged finding(s) of 2');
  });

  test('counts acknowledgments that expire within 30 days and stale ones', () => {
    const ack = {
      id: 'AwsSolutions-IAM5',
      reason: 'X-Ray accepts no resource-level permissions.',
      owner: 'platform',
      expires: '2027-01-20',
      path: 'Orders-dev',
      findingsCovered: 0,
      evaluated: true,
    };
    const lines = renderSummary(
      report({
        acknowledgments: [
          { ...ack, daysLeft: 19, stale: true },
          { ...ack, daysLeft: 200, stale: false },
          { ...ack, daysLeft: -1, stale: false },
        ],
      }),
    );
    expect(lines).toContain('  acknowledgments: 3 (1 expiring within 30 days, 1 stale)');
    expect(lines).toContain(
      '  expiring: 1 within 30 days, 1 expired; the nearest on 2027-01-20 (19 day(s) left), each named below',
    );
  });

  test('names no nearest expiry when nothing expires within 30 days', () => {
    const ack = {
      id: 'AwsSolutions-IAM5',
      reason: 'X-Ray accepts no resource-level permissions.',
      owner: 'platform',
      expires: '2027-06-20',
      path: 'Orders-dev',
      findingsCovered: 1,
      evaluated: true,
      stale: false,
      daysLeft: 31,
    };
    expect(renderSummary(report({ acknowledgments: [ack] })).join('\n')).not.toContain('expiring:');
  });

  test('shouts that compliance is off, and that nothing it synthesized may be deployed', () => {
    const lines = renderSummary(report({ enabled: false, result: 'off' })).join('\n');
    expect(lines).toContain('Keel compliance is OFF (-c keel:compliance=off). No rule pack ran.');
    expect(lines).toContain('never deploy what this synth produced');
  });
});
