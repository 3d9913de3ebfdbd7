import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import {
  COMPLIANCE_REPORT_FILE,
  buildManifest,
  defineBusinessMetrics,
  STANDARD_TAG_KEYS,
  missingTagKeys,
  renderedTags,
  type ComplianceReport,
} from '../../constructs';
import { repositoryDefinition } from '../../lib/config/load';
import type { TeamProfile } from '../../lib/config/model';
import { buildPlatform, readSynthOptions } from '../../lib/platform';
import { orders } from '../../lib/services/orders';
import { helloContainer } from '../../lib/services/hello-container';
import { ordersMetrics } from '../../lib/services/orders/metrics';
import { OrdersStack } from '../../lib/services/orders/orders-stack';
import type { ServiceDefinition, ServiceStackProps } from '../../lib/services/service-stack';
import { cfnLintExecutable } from '../../lib/ops/cfn-lint';
import { validate } from '../../lib/ops/validate';
import { SYNTH_APP_PROPS, loadRepositoryConfig, runSynth, withoutBundlingLines } from '../../lib/synth';
import { testApp, unbundledTestApp } from '../helpers/app';
import { tempDir } from '../helpers/temp-dir';

describe('the whole app', () => {
  // As `cdk synth` runs it: the CDK CLI turns version reporting on, which adds a CDK::Metadata resource per stack.
  const app = testApp({ 'aws:cdk:version-reporting': true }, { cloudFormationValidation: true });
  const context = (key: string): unknown => app.node.tryGetContext(key);
  const config = loadRepositoryConfig({ context, env: {} });
  const platform = buildPlatform(app, config, readSynthOptions(context, config));
  const printed: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => printed.push(line));
  const result = platform.compliance.synth();
  spy.mockRestore();

  // cfn-lint, as `keel validate cdk.out` runs it in every pipeline, over every template: in the background while the
  // tests below run (about 2 s a template).
  const lint = validate(app.outdir, {
    cfnLint: cfnLintExecutable(),
    root: path.join(__dirname, '..', '..'),
    now: new Date(),
  }).then(
    (validation) => ({ validation }),
    (error: unknown) => ({ error }),
  );

  const artifacts = result.assembly?.stacksRecursively ?? [];
  const services = artifacts.filter((a) => !a.stackName.endsWith('-pipeline'));

  test('synthesizes a dev, staging and prod stack for each service, each in its Stage, and its pipeline', () => {
    expect(artifacts.map((s) => s.hierarchicalId).sort()).toEqual([
      'HelloContainer-dev/Service',
      'HelloContainer-pipeline',
      'HelloContainer-prod/Service',
      'HelloContainer-staging/Service',
      'Orders-dev/Service',
      'Orders-pipeline',
      'Orders-prod/Service',
      'Orders-staging/Service',
    ]);
    expect(services.map((s) => s.stackName).sort()).toEqual([
      'HelloContainer-dev',
      'HelloContainer-prod',
      'HelloContainer-staging',
      'Orders-dev',
      'Orders-prod',
      'Orders-staging',
    ]);
  });

  test("prints the compliance summary README's quick start shows, line for line, so README cannot go stale", () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const shown = /```\n(Keel compliance: \d+ stack\(s\)[^`]*?)\n```/.exec(readme)?.[1];
    // When this fails after a change to the checks, run `npx cdk synth` and paste its summary into README.md.
    expect(shown?.split('\n')).toEqual(printed.join('\n').split('\n'));
  });

  test('has zero unacknowledged findings across every stack and pack', () => {
    expect(result.report.findings.open).toBe(0);
    expect(result.passed).toBe(true);
    expect(printed.at(-1)).toMatch(/^ {2}PASS: \d+ finding\(s\), all acknowledged$/);
  });

  test('passes cfn-lint in every template, with only reviewed warnings', async () => {
    const linted = await lint;
    if ('error' in linted) throw linted.error;
    const { validation } = linted;
    expect(validation.templates).toHaveLength(8);
    expect(validation.findings.filter((finding) => !finding.acknowledged)).toEqual([]);
    expect(validation).toMatchObject({ errors: 0, openWarnings: 0, passed: true });
  });

  test('tags every taggable resource of every stack with all required tags', () => {
    const resources = [...platform.stacks, ...platform.pipelines].flatMap((stack) =>
      stack.node
        .findAll()
        .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && renderedTags(c) !== undefined),
    );
    expect(resources.length).toBeGreaterThanOrEqual(30);
    expect(resources.filter((r) => missingTagKeys(r, STANDARD_TAG_KEYS).length > 0).map((r) => r.node.path)).toEqual(
      [],
    );
    // Each service's owner and data classification, from its definition (lib/services/<name>/index.ts).
    const owned = {
      Orders: { Service: 'orders', DataClassification: 'confidential' },
      HelloContainer: { Service: 'hello-container', DataClassification: 'internal' },
    };
    for (const artifact of services) {
      const [stackService, env] = artifact.stackName.split('-') as [keyof typeof owned, string];
      for (const resource of Object.values(artifact.template.Resources) as { Properties?: { Tags?: unknown } }[]) {
        const tags = resource.Properties?.Tags;
        if (!Array.isArray(tags)) continue;
        expect(Object.fromEntries(tags.map((t: { Key: string; Value: string }) => [t.Key, t.Value]))).toMatchObject({
          Owner: 'commerce',
          Environment: env,
          CostCenter: 'CC-2040',
          ...owned[stackService],
        });
      }
    }
  });

  test('tags every alarm and composite alarm, and links each to its runbook', () => {
    for (const artifact of services) {
      const alarms = Object.values(
        artifact.template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
      ).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm');
      // Orders' functions, table, API and business alarms; the container service's load balancer and tasks.
      expect(alarms.length).toBeGreaterThan(artifact.stackName.startsWith('Orders-') ? 20 : 10);
      for (const alarm of alarms) {
        const keys = (alarm.Properties.Tags as { Key: string }[] | undefined)?.map((t) => t.Key) ?? [];
        expect(keys).toEqual(
          expect.arrayContaining(['Owner', 'Service', 'Environment', 'CostCenter', 'DataClassification']),
        );
        expect(JSON.stringify(alarm.Properties.AlarmDescription)).toMatch(
          /Runbook: https:\/\/github.com\/example-org\/keel\/blob\/main\/runbooks\/[a-z-]+\.md#[a-z0-9-]+"?$/,
        );
      }
    }
  });

  test('runs NIST 800-53 rev 5 on prod and the pipeline that deploys it, and AwsSolutions and KeelChecks everywhere', () => {
    const stacksOf = (name: string) => result.report.packs.find((p) => p.name === name)?.stacks;
    const all = ['Orders', 'HelloContainer'].flatMap((service) =>
      ['dev', 'staging', 'prod', 'pipeline'].map((env) => `${service}-${env}`),
    );
    expect(stacksOf('NIST.800.53.R5')).toEqual([
      'Orders-prod',
      'Orders-pipeline',
      'HelloContainer-prod',
      'HelloContainer-pipeline',
    ]);
    expect(stacksOf('AwsSolutions')).toEqual(all);
    expect(stacksOf('KeelChecks')).toEqual(all);
    expect(stacksOf('CloudFormation Validate')).toEqual(all);
  });

  test('names the pipeline stage of each environment in keel-manifest.json, for keel rollback', () => {
    const where = { name: 'orders-pipeline', account: '444444444444', region: 'eu-west-1' };
    const orders = buildManifest(app).services.filter((s) => s.service === 'orders');
    expect(orders.map((s) => [s.environment, s.pipeline])).toEqual([
      ['dev', { ...where, stage: 'Orders-dev' }],
      ['staging', { ...where, stage: 'Orders-staging' }],
      ['prod', { ...where, stage: 'Orders-prod' }],
    ]);
  });

  test('deploys orders through its pipeline: dev, staging, prod, each rolled back on failure', () => {
    const template = result.assembly?.getStackByName('Orders-pipeline').template as {
      Resources: Record<string, { Type: string; Properties: { Stages?: { Name: string; OnFailure?: unknown }[] } }>;
    };
    const pipeline = Object.values(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    expect(pipeline?.Properties.Stages?.filter((s) => s.OnFailure).map((s) => s.Name)).toEqual([
      'Orders-dev',
      'Orders-staging',
      'Orders-prod',
    ]);
  });

  test('tags the pipeline stack as owned by the platform team', () => {
    const pipeline = result.assembly?.getStackByName('Orders-pipeline').template as {
      Resources: Record<string, { Properties?: { Tags?: { Key: string; Value: string }[] } }>;
    };
    const tagged = Object.values(pipeline.Resources).filter((r) => Array.isArray(r.Properties?.Tags));
    expect(tagged.length).toBeGreaterThan(10);
    for (const resource of tagged) {
      expect(Object.fromEntries((resource.Properties?.Tags ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({
        Owner: 'platform',
        Service: 'orders',
        Environment: 'delivery',
        CostCenter: 'CC-1000',
      });
    }
  });

  test('writes keel-compliance.json with every acknowledgment, its owner, reason, expiry and days left', () => {
    const written = JSON.parse(
      fs.readFileSync(path.join(app.outdir, COMPLIANCE_REPORT_FILE), 'utf8'),
    ) as ComplianceReport;
    expect(written.result).toBe('pass');
    expect(written.resourcesChecked).toBeGreaterThan(50);
    expect(written.acknowledgments.length).toBeGreaterThan(0);
    for (const ack of written.acknowledgments) {
      expect(['platform', 'commerce']).toContain(ack.owner);
      expect(ack.stale).toBe(false);
      expect(ack.reason.length).toBeGreaterThanOrEqual(20);
      expect(ack.daysLeft).toBeGreaterThanOrEqual(0);
    }
  });

  test('keeps data: the table and key are retained, and staging and prod stacks are termination-protected', () => {
    const prod = platform.stacks.find((s) => s.stackName === 'Orders-prod') as Stack;
    const template = services.find((a) => a.stackName === 'Orders-prod')?.template as {
      Resources: Record<string, { Type: string; DeletionPolicy?: string }>;
    };
    const retained = Object.values(template.Resources).filter((r) =>
      ['AWS::DynamoDB::Table', 'AWS::KMS::Key'].includes(r.Type),
    );
    expect(retained.map((r) => r.DeletionPolicy)).toEqual(['Retain', 'Retain', 'Retain']);
    expect(prod.terminationProtection).toBe(true);
  });
});

/** Runs the synth as `cdk synth` does and returns what it printed on standard error, expecting exit code 1. */
function failedSynth(...args: Parameters<typeof runSynth>): string {
  const errors: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => errors.push(line));
  const before = process.exitCode;
  try {
    runSynth(...args);
    expect(process.exitCode).toBe(1);
  } finally {
    process.exitCode = before;
    spy.mockRestore();
  }
  return errors.join('\n');
}

describe('runSynth', () => {
  test('fails when a runbook section is removed, naming the alarm, the file and the section', () => {
    const runbooks = tempDir('keel-runbooks-');
    for (const file of fs.readdirSync(repositoryDefinition.platform.runbooksDirectory)) {
      fs.copyFileSync(path.join(repositoryDefinition.platform.runbooksDirectory, file), path.join(runbooks, file));
    }
    const orders = fs.readFileSync(path.join(runbooks, 'orders.md'), 'utf8');
    fs.writeFileSync(path.join(runbooks, 'orders.md'), orders.replace(/## order-failure-rate[\s\S]*?(?=\n## )/, ''));
    const output = failedSynth(() => unbundledTestApp({ 'keel:environments': 'dev' }), {
      ...repositoryDefinition,
      platform: { ...repositoryDefinition.platform, runbooksDirectory: runbooks },
    });
    expect(output).toContain(
      "alarm orders-dev-order-failure-rate-critical: runbooks/orders.md has no section '#order-failure-rate'",
    );
  });

  test('reports a runbook section every environment needs for dev, staging and prod in one run', () => {
    const runbooks = tempDir('keel-runbooks-');
    for (const file of fs.readdirSync(repositoryDefinition.platform.runbooksDirectory)) {
      fs.copyFileSync(path.join(repositoryDefinition.platform.runbooksDirectory, file), path.join(runbooks, file));
    }
    const orders = fs.readFileSync(path.join(runbooks, 'orders.md'), 'utf8');
    fs.writeFileSync(path.join(runbooks, 'orders.md'), orders.replace(/## order-failure-rate[\s\S]*?(?=\n## )/, ''));
    const output = failedSynth(() => unbundledTestApp(), {
      ...repositoryDefinition,
      platform: { ...repositoryDefinition.platform, runbooksDirectory: runbooks },
    });
    expect(output).toContain('Synth failed in 3 Stage(s) (Orders-dev, Orders-staging, Orders-prod)');
    for (const environment of ['dev', 'staging', 'prod']) {
      expect(output).toContain(
        `alarm orders-${environment}-order-failure-rate-critical: runbooks/orders.md has no section '#order-failure-rate'`,
      );
    }
    expect(output).not.toMatch(/\n\s+at /);
  });

  test('reports a mistake that stops a Stage being built in every Stage, with the other Stages checked too', () => {
    const duplicate = {
      ...orders,
      stack: (scope: Construct, id: string, props: ServiceStackProps) => {
        const stack = new OrdersStack(scope, id, props);
        stack.monitoring.addThresholdAlarm(ordersMetrics.orderValue, {
          slug: 'order-value-low',
          severity: 'warning',
          description: 'Orders are worth too little.',
          below: 100,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
        return stack;
      },
    };
    const output = failedSynth(() => unbundledTestApp({ 'keel:environments': 'dev,staging' }), repositoryDefinition, [
      duplicate,
      {
        ...orders,
        config: { ...orders.config, name: 'billing' },
        stack: (scope, id, props) => new Stack(scope, id, props),
      },
    ]);
    expect(output).toContain('Synth failed in 4 Stage(s) (Orders-dev, Orders-staging, Billing-dev, Billing-staging)');
    for (const environment of ['dev', 'staging']) {
      expect(output).toContain(
        `Orders-${environment}/Service/Monitoring alarm order-value-low (warning): service orders already has an alarm with slug 'order-value-low' and severity warning, added at lib/services/orders/orders-stack.ts:`,
      );
      expect(output).toContain(`this one is added at test/lib/synth.test.ts:`);
      expect(output).toContain(`Billing-${environment}/Service: has no ServiceMonitoring`);
    }
    expect(output).not.toMatch(/\n\s+at /);
  });

  test('fails when an alarm watches a business metric no handler emits, in every Stage, naming metric and alarm', () => {
    const refunds = defineBusinessMetrics('orders', {
      ordersRefunded: { name: 'OrdersRefunded', unit: 'Count', statistic: 'Sum', description: 'Orders refunded' },
    });
    const unemitted = {
      ...orders,
      stack: (scope: Construct, id: string, props: ServiceStackProps) => {
        const stack = new OrdersStack(scope, id, props);
        stack.monitoring.addBusinessMetrics(refunds, [stack.handler]);
        stack.monitoring.addThresholdAlarm(refunds.ordersRefunded, {
          slug: 'orders-refunded-high',
          runbookAnchor: 'order-value-low',
          severity: 'warning',
          description: 'Many orders are refunded.',
          above: 10,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
        return stack;
      },
    };
    const output = failedSynth(() => unbundledTestApp(), repositoryDefinition, [unemitted]);
    for (const environment of ['dev', 'staging', 'prod']) {
      expect(output).toContain(
        `Orders-${environment}/Service/Monitoring alarm orders-${environment}-orders-refunded-high-warning: watches business metric Keel/Orders/OrdersRefunded (key ordersRefunded), which no function it is attached to emits (Orders-${environment}/Service/Service/Handler; handler lib/services/orders/handler.ts and the files it imports never call emit(metrics, <metrics>.ordersRefunded)): the alarm can never fire`,
      );
    }
    expect(output).toContain("fix: call emit(metrics, <the service's metrics>.ordersRefunded)");
    expect(output).not.toMatch(/\n\s+at /);
  });

  test('fails when a delivered service stack has no health composite for its entry checks and gates to watch', () => {
    const output = failedSynth(() => testApp(), repositoryDefinition, [
      { ...orders, stack: (scope, id, props) => new Stack(scope, id, props) },
    ]);
    expect(output).toContain(
      'Orders-dev/Service: has no ServiceMonitoring, so no health composite for the pipeline to gate promotions on',
    );
    expect(output).toContain("add new ServiceMonitoring(this, 'Monitoring', { service, ... })");
  });

  test('fails when a delivered service has no deployment that rolls it back on its alarms, Lambda or container', () => {
    // A team deletes the stack's `new CanaryDeployment(...)` / `new ContainerDeployment(...)` line.
    const withoutDeployment = (definition: ServiceDefinition): ServiceDefinition => ({
      ...definition,
      stack: (scope, id, props) => {
        const stack = definition.stack(scope, id, props);
        stack.node.tryRemoveChild('Deployment');
        return stack;
      },
    });
    const lambda = failedSynth(() => unbundledTestApp(), repositoryDefinition, [withoutDeployment(orders)]);
    expect(lambda).toContain(
      'Orders-dev/Service/Monitoring: service orders (Orders-dev/Service/Service) has no deployment that rolls it back on its alarms: a failing version would reach every user and stay',
    );
    expect(lambda).toContain(
      "fix: add new CanaryDeployment(this, 'Deployment', { ...props.defaults.deployment, monitoring }) to the service's stack",
    );
    const container = failedSynth(() => unbundledTestApp(), repositoryDefinition, [withoutDeployment(helloContainer)]);
    expect(container).toContain('HelloContainer-dev/Service/Monitoring: service hello-container');
    expect(container).toContain(
      "fix: add new ContainerDeployment(this, 'Deployment', { monitoring }) to the service's stack",
    );
    expect(`${lambda}\n${container}`).not.toMatch(/\n\s+at /);
  });

  test('fails when the config is wrong, with the message and exit code 1 but no stack trace', () => {
    const output = failedSynth(() => testApp(), repositoryDefinition, [
      { ...orders, config: { name: 'orders', owner: 'nobody', dataClassification: 'internal' } },
    ]);
    expect(output).toContain('team "nobody" is not in the team registry');
    expect(output).not.toMatch(/\n\s+at /);
  });

  test("fails when a team profile tries to break the platform's floor, naming the setting, exit code 1", () => {
    // As a profile written in plain JavaScript, or run by tsx without a type check, could say it.
    const profile = { encryption: false, rollbackAlarms: false } as TeamProfile;
    const output = failedSynth(() => testApp(), {
      ...repositoryDefinition,
      teams: repositoryDefinition.teams.map((team) => (team.id === 'commerce' ? { ...team, profile } : team)),
    });
    expect(output).toContain(
      "teams['commerce'].profile.encryption (lib/config/teams.ts): encryption: false tries to change the platform's floor",
    );
    expect(output).toContain(
      "teams['commerce'].profile.rollbackAlarms (lib/config/teams.ts): rollbackAlarms: false tries to change",
    );
    expect(output).not.toMatch(/\n\s+at /);
  });

  test('fails when keel:services names a service the repository does not have, naming it and the known ones', () => {
    const output = failedSynth(() => testApp({ 'keel:services': 'orders,billing' }));
    expect(output).toContain('context keel:services: "orders,billing" names unknown service(s) billing');
    expect(output).toContain('fix: list one or more of orders, hello-container, comma-separated');
    expect(output).not.toMatch(/\n\s+at /);
  });
});

describe('a synth of some services (-c keel:services)', () => {
  // A second service whose stack must never be built: only its config is loaded.
  const invoices: ServiceDefinition = {
    config: { ...orders.config, name: 'invoices' },
    stack: () => {
      throw new Error('invoices was built although -c keel:services left it out');
    },
  };
  const repository = [orders, invoices];

  test("builds only the named services' stacks, in every environment, and their pipelines", () => {
    const app = unbundledTestApp({ 'keel:services': 'orders' });
    const context = (key: string): unknown => app.node.tryGetContext(key);
    const config = loadRepositoryConfig({ context, env: {} }, repositoryDefinition, repository);
    const platform = buildPlatform(app, config, readSynthOptions(context, config), repository);
    expect(platform.stacks.map((s) => s.stackName)).toEqual(['Orders-dev', 'Orders-staging', 'Orders-prod']);
    expect(platform.pipelines.map((s) => s.stackName)).toEqual(['Orders-pipeline']);
    expect(platform.partial).toMatch(/^PARTIAL SYNTH: 1 of 2 services/);
  });

  test('writes only their stacks and ends the summary saying loudly how many services of how many it built', () => {
    let app: App | undefined;
    const printed: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => printed.push(line));
    try {
      runSynth(
        () => (app = unbundledTestApp({ 'keel:services': 'orders', 'keel:environments': 'dev' })),
        repositoryDefinition,
        repository,
      );
    } finally {
      spy.mockRestore();
    }
    expect(process.exitCode ?? 0).toBe(0);
    expect(printed.at(-2)).toMatch(/^ {2}PASS: /);
    expect(printed.at(-1)).toBe(
      '  PARTIAL SYNTH: 1 of 2 services (orders, -c keel:services); the others were not built or checked',
    );
    const manifest = JSON.parse(fs.readFileSync(path.join(app?.outdir ?? '', 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, unknown>;
    };
    expect(Object.keys(manifest.artifacts).filter((id) => id.startsWith('assembly-'))).toEqual(['assembly-Orders-dev']);
  });
});

describe("the synth's App", () => {
  const app = () => new App({ ...SYNTH_APP_PROPS, outdir: tempDir('keel-synth-app-') });
  const creationStacks = (debug: boolean) => {
    const before = process.env.CDK_DEBUG;
    if (debug) process.env.CDK_DEBUG = 'true';
    else delete process.env.CDK_DEBUG;
    try {
      const resource = new CfnResource(new Stack(app(), 'Stack'), 'Thing', { type: 'Test::Thing' });
      return resource.node.metadata.filter((entry) => entry.type === 'aws:cdk:creationStack');
    } finally {
      if (before === undefined) delete process.env.CDK_DEBUG;
      else process.env.CDK_DEBUG = before;
    }
  };

  test('records no creation stack trace per CloudFormation element, unless cdk synth --debug asks for them', () => {
    expect(creationStacks(false)).toEqual([]);
    expect(creationStacks(true)).toHaveLength(1);
  });
});

describe('a quiet screen after cdk synth', () => {
  test("keeps aws-cdk-lib's Bundling asset lines off standard error, and everything else on it", () => {
    const original = process.stderr.write;
    const written: unknown[] = [];
    process.stderr.write = ((chunk: unknown) => written.push(chunk) > 0) as typeof process.stderr.write;
    try {
      const result = withoutBundlingLines(() => {
        process.stderr.write('Bundling asset Orders-dev/Service/Service/Handler/Function/Code/Stage...\n');
        process.stderr.write('a warning\n');
        return 42;
      });
      expect(result).toBe(42);
      expect(written).toEqual(['a warning\n']);
      process.stderr.write('Bundling asset after the synth\n');
      expect(written).toEqual(['a warning\n', 'Bundling asset after the synth\n']);
    } finally {
      process.stderr.write = original;
    }
  });

  test('cdk.json sets quiet, so cdk synth prints no template even when the app has a single top-level stack', () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
      quiet?: boolean;
    };
    expect(cdkJson.quiet).toBe(true);
  });
});
