/** What the files of a new service are made from. */
export interface ServiceTemplateInput {
  /** Kebab-case service name, e.g. `payment-links`. */
  readonly name: string;
  /** `PaymentLinks`. */
  readonly pascal: string;
  readonly team: { readonly id: string; readonly onCallEndpoint: string };
}

/** A file of the new service: its path from the repository root and its text. */
export interface TemplateFile {
  readonly path: string;
  readonly text: string;
}

/**
 * The alarms a new service's stack defines in its own runbook file, in the order its runbook lists them: the
 * failure-rate alarm, the availability SLO's two burn-rate alarms, and the health composite every service gets.
 */
export const SCAFFOLD_RUNBOOK_SECTIONS = [
  'failure-rate',
  'availability-fast-burn',
  'availability-slow-burn',
  'health',
] as const;

const constantCase = (name: string) => name.toUpperCase().replaceAll('-', '_');
const camelCase = (pascal: string) => `${pascal.charAt(0).toLowerCase()}${pascal.slice(1)}`;

/** Every file of a new service, in the order they are listed to the user. */
export function serviceFiles(input: ServiceTemplateInput): TemplateFile[] {
  const { name } = input;
  return [
    { path: `lib/services/${name}/${name}-stack.ts`, text: stackFile(input) },
    { path: `lib/services/${name}/metrics.ts`, text: metricsFile(input) },
    { path: `lib/services/${name}/handler.ts`, text: handlerFile(input) },
    { path: `test/lib/services/${name}/${name}-stack.test.ts`, text: stackTestFile(input) },
    { path: `test/lib/services/${name}/handler.test.ts`, text: handlerTestFile(input) },
    { path: `runbooks/${name}.md`, text: runbookFile(input) },
  ];
}

function stackFile({ name, pascal, team }: ServiceTemplateInput): string {
  return `import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import {
  CanaryDeployment,
  ProductionService,
  ServiceMonitoring,
  SloIndicator,
  defineBusinessMetrics,
  type ServiceFunction,
} from '../../../constructs';
import type { ServiceStackProps } from '../index';
import { ${constantCase(name)}_METRIC_SPECS } from './metrics';

/**
 * The ${name} service, owned by ${team.id}: GET /${name} on a ProductionService, an alarm on its failure rate, an
 * availability SLO, and deployments through CodeDeploy that roll back on any critical alarm. Scaffolded by
 * \`keel new-service\`: grow it with addFunction, addRoute, addTable and addSecret, and give every alarm you add a
 * section in runbooks/${name}.md.
 */
export class ${pascal}Stack extends Stack {
  public readonly service: ProductionService;
  public readonly handler: ServiceFunction;
  public readonly monitoring: ServiceMonitoring;
  public readonly deployment: CanaryDeployment;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    // props.defaults carries the environment's protection and the ${team.id} team's profile.
    this.service = new ProductionService(this, 'Service', props.defaults.service);
    this.handler = this.service.addFunction('Handler', { entry: path.join(__dirname, 'handler.ts') });
    this.service.addRoute('GET', '/${name}', this.handler);

    this.monitoring = new ServiceMonitoring(this, 'Monitoring', { ...props.defaults.monitoring, service: this.service });
    const metrics = defineBusinessMetrics(props.service.name, ${constantCase(name)}_METRIC_SPECS);
    this.monitoring.addBusinessMetrics(metrics, [this.handler]);
    this.monitoring.addRatioAlarm(metrics.failures, metrics.requests, {
      slug: 'failure-rate',
      severity: 'critical',
      description: 'More than 5% of ${name} requests fail with an unexpected error.',
      above: 0.05,
      minSamples: 20,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.monitoring.addServiceLevelObjective('Availability', {
      slug: 'availability',
      description: '${name} API availability',
      indicator: SloIndicator.availability(this.service.api.metricServerError(), this.service.api.metricCount()),
      target: 0.999,
    });

    this.deployment = new CanaryDeployment(this, 'Deployment', {
      ...props.defaults.deployment,
      monitoring: this.monitoring,
    });
  }
}
`;
}

function metricsFile({ name, pascal }: ServiceTemplateInput): string {
  return `import { defineBusinessMetrics, type BusinessMetricSpec } from '../../../constructs/observability/business-metric';

/**
 * The ${name} service's business metrics, defined once: the handler emits them through Powertools Metrics (EMF,
 * namespace \`Keel/${pascal}\`) and the stack alarms on the same definitions. Add what the business counts here.
 */
export const ${constantCase(name)}_METRIC_SPECS = {
  requests: {
    name: 'Requests',
    unit: 'Count',
    statistic: 'Sum',
    description: 'Requests received, valid or not',
  },
  failures: {
    name: 'Failures',
    unit: 'Count',
    statistic: 'Sum',
    description: 'Requests that failed with an unexpected error',
  },
} as const satisfies Record<string, BusinessMetricSpec>;

export const ${camelCase(pascal)}Metrics = defineBusinessMetrics('${name}', ${constantCase(name)}_METRIC_SPECS);
`;
}

function handlerFile({ name, pascal }: ServiceTemplateInput): string {
  const metrics = `${camelCase(pascal)}Metrics`;
  return `import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { BusinessMetric } from '../../../constructs/observability/business-metric';
import { ${metrics} } from './metrics';

// Powertools reads the service name, metrics namespace and log level from the environment ServiceFunction sets.
const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();

function emit(metric: BusinessMetric, value = 1): void {
  metrics.addMetric(metric.name, metric.unit, value);
}

function respond(statusCode: number, body: unknown, contentType = 'application/json'): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': contentType }, body: JSON.stringify(body) };
}

/** RFC 9457 problem details. */
function problem(status: number, title: string, detail: string): APIGatewayProxyResult {
  return respond(status, { type: 'about:blank', title, status, detail }, 'application/problem+json');
}

/** GET /${name}: says who answers. Replace it with the service's first real route; keep the metrics. */
async function describeService(correlationId: string): Promise<APIGatewayProxyResult> {
  return respond(200, { service: '${name}', correlationId });
}

export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const correlationId = headers['x-correlation-id'] ?? event.requestContext?.requestId ?? context.awsRequestId;
  logger.addContext(context);
  logger.appendKeys({ correlationId });
  tracer.putAnnotation('correlationId', correlationId);
  emit(${metrics}.requests);
  try {
    if (event.httpMethod === 'GET' && event.resource === '/${name}') return await describeService(correlationId);
    return problem(405, 'Method not allowed', \`\${event.httpMethod} \${event.resource} is not supported\`);
  } catch (error) {
    emit(${metrics}.failures);
    logger.error('request failed', { error: error as Error, method: event.httpMethod, resource: event.resource });
    return problem(500, 'Internal error', \`the request failed; quote \${correlationId} when you report it\`);
  } finally {
    metrics.publishStoredMetrics();
    logger.resetKeys();
  }
}
`;
}

function stackTestFile({ name, pascal, team }: ServiceTemplateInput): string {
  return `import { Match } from 'aws-cdk-lib/assertions';
import { serviceTemplate } from '../../../helpers/service-stack';

const dev = serviceTemplate('${name}', 'dev');
const prod = serviceTemplate('${name}', 'prod');

test('serves GET /${name} through the live alias, authorized by IAM', () => {
  dev.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationType: 'AWS_IAM' });
  dev.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live' });
});

test("pages ${team.id}'s on-call when more than 5% of requests fail, linking the runbook", () => {
  prod.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: '${name}-prod-failure-rate-critical',
    Threshold: 0.05,
    AlarmDescription: Match.stringLikeRegexp('runbooks/${name}\\\\.md#failure-rate'),
  });
  prod.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: '${team.onCallEndpoint}' });
});

test('rolls a prod deployment back when the health composite fires', () => {
  prod.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
    AlarmConfiguration: Match.objectLike({
      Enabled: true,
      Alarms: Match.arrayWith([{ Name: { Ref: Match.stringLikeRegexp('^MonitoringHealth') } }]),
    }),
    AutoRollbackConfiguration: Match.objectLike({ Enabled: true }),
  });
});

test('keeps the ${pascal} API, key and logs apart per environment', () => {
  dev.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: '${name}-dev' });
  prod.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/${name}-prod' });
});
`;
}

function handlerTestFile({ name, pascal }: ServiceTemplateInput): string {
  return `import type { APIGatewayProxyEvent } from 'aws-lambda';
import { emfDocuments, lambdaContext } from '../../../helpers/lambda';
import type { handler as Handler } from '../../../../lib/services/${name}/handler';

// Powertools reads these when the handler loads, so it is required (below) only after they are set.
Object.assign(process.env, {
  POWERTOOLS_SERVICE_NAME: '${name}',
  POWERTOOLS_METRICS_NAMESPACE: 'Keel/${pascal}',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
});
const { handler } = jest.requireActual<{ handler: typeof Handler }>('../../../../lib/services/${name}/handler');

function request(httpMethod: string, resource: string): APIGatewayProxyEvent {
  return {
    httpMethod,
    resource,
    path: resource,
    headers: { 'X-Correlation-Id': 'c-1' },
    requestContext: { requestId: 'req-1' },
  } as unknown as APIGatewayProxyEvent;
}

let stdout: jest.SpiedFunction<typeof process.stdout.write>;
beforeEach(() => {
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => stdout.mockRestore());

test('answers GET /${name} and counts the request in Keel/${pascal}', async () => {
  const response = await handler(request('GET', '/${name}'), lambdaContext('${name}-handler'));
  expect(response.statusCode).toBe(200);
  expect(JSON.parse(response.body)).toEqual({ service: '${name}', correlationId: 'c-1' });
  expect(emfDocuments(stdout)).toContainEqual(
    expect.objectContaining({
      Requests: 1,
      _aws: expect.objectContaining({ CloudWatchMetrics: [expect.objectContaining({ Namespace: 'Keel/${pascal}' })] }),
    }),
  );
});

test('refuses a method it does not serve with problem details, and counts no failure', async () => {
  const response = await handler(request('DELETE', '/${name}'), lambdaContext('${name}-handler'));
  expect(response.statusCode).toBe(405);
  expect(response.headers).toEqual({ 'content-type': 'application/problem+json' });
  expect(emfDocuments(stdout)).not.toContainEqual(expect.objectContaining({ Failures: 1 }));
});
`;
}

function runbookFile({ name, pascal, team }: ServiceTemplateInput): string {
  const section = (
    anchor: string,
    parts: Record<'meaning' | 'impact' | 'diagnosis' | 'mitigation' | 'escalation', string>,
  ) =>
    `## ${anchor}

### Meaning

${parts.meaning}

### Impact

${parts.impact}

### Diagnosis

${parts.diagnosis}

### Mitigation

${parts.mitigation}

### Escalation

${parts.escalation}
`;
  const sections: Record<(typeof SCAFFOLD_RUNBOOK_SECTIONS)[number], string> = {
    'failure-rate': section('failure-rate', {
      meaning: `More than 5% of ${name} requests failed with an unexpected error (500) over 15 minutes, with at least 20
requests per 5 minutes (\`Failures\` ÷ \`Requests\` in \`Keel/${pascal}\`). Critical: it pages and rolls back a deployment.`,
      impact: `Callers of ${name} get errors.`,
      diagnosis: `1. \`npx keel status ${name} --env <env>\`: compare \`Failures\` with \`Requests\`; which other alarms fire?
2. \`aws logs tail <handler log group> --since 30m --filter-pattern '{ $.level = "ERROR" }'\`: every failure is logged
   with its correlation id and error.
3. Check the function and table standard alarms: throttles and system errors explain most failures.`,
      mitigation: `Roll back a recent deployment: \`npx keel rollback ${name} --env <env>\`. Otherwise fix forward.`,
      escalation: `${team.id} on-call (${team.onCallEndpoint}); the platform team if API Gateway or Lambda is at fault.`,
    }),
    'availability-fast-burn': section('availability-fast-burn', {
      meaning: `The ${name} API's 5xx rate burns the 99.9% availability budget 14.4 times too fast over both the last
hour and the last 5 minutes: 2% of a month's budget per hour.`,
      impact: `Callers are failing right now; at this rate the month's budget is gone in about two days.`,
      diagnosis: `1. \`npx keel status ${name} --env <env>\`: which critical alarms fire with it?
2. \`aws cloudwatch describe-alarm-history --alarm-name ${name}-<env>-availability-fast-burn-critical --max-records 5\`.`,
      mitigation: `Roll back first, investigate second: \`npx keel rollback ${name} --env <env>\`.`,
      escalation: `${team.id} on-call (${team.onCallEndpoint}); the platform team if API Gateway itself returns the errors.`,
    }),
    'availability-slow-burn': section('availability-slow-burn', {
      meaning: `The 5xx rate burns the availability budget 6 times too fast over the last 6 hours and the last 30 minutes.`,
      impact: `A steady trickle of failures; 5% of the month's budget goes every 6 hours.`,
      diagnosis: `1. \`npx keel status ${name} --env <env> --since 6h\`: since when, and with which alarms?
2. Correlate with deployments: \`aws cloudformation describe-stack-events --stack-name ${pascal}-<env> --max-items 20\`.`,
      mitigation: `Roll back if it started with a deployment (\`npx keel rollback ${name} --env <env>\`); otherwise fix
forward within the day.`,
      escalation: `${team.id} (ticket); page the on-call if the fast burn fires too.`,
    }),
    health: section('health', {
      meaning: `At least one critical alarm of ${name} in this environment is in ALARM. This composite is the rollback
signal deployments and the pipeline watch.`,
      impact: `Whatever the firing critical alarm says; deployments to this environment stop and roll back while it fires.`,
      diagnosis: `1. \`npx keel status ${name} --env <env>\` lists the critical alarms in ALARM.
2. Follow the runbook section of each firing alarm.`,
      mitigation: `Mitigate the firing alarms; \`npx keel rollback ${name} --env <env>\` if a deployment caused them.`,
      escalation: `${team.id} on-call (${team.onCallEndpoint}).`,
    }),
  };
  return `# ${name} runbook

Alarms of the ${name} service, one section per alarm. Replace \`<env>\` with \`dev\`, \`staging\` or \`prod\`. The owner is
the **${team.id}** team; the platform team owns the standard alarms (API, functions, tables) in
[standard-alarms.md](standard-alarms.md). Every alarm added to the stack needs a section here: synth checks it.

${SCAFFOLD_RUNBOOK_SECTIONS.map((anchor) => sections[anchor]).join('\n')}`;
}
