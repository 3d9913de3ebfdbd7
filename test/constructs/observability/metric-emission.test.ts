import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ProductionService, ServiceFunction } from '../../../constructs';
import {
  addEmittedMetricCheck,
  emittedMetrics,
  unemittedMetricProblems,
} from '../../../constructs/observability/metric-emission';
import { monitoredShop, shopMetrics } from '../../helpers/monitoring';
import { tempDir } from '../../helpers/temp-dir';

const RUNTIME_METRICS = path.join(__dirname, '..', '..', '..', 'lib', 'services', 'runtime', 'metrics');

/** A handler directory with the given files (name to source); returns the path of `handler.ts`. */
function handlerFiles(files: Readonly<Record<string, string>>): string {
  const directory = tempDir('keel-handler-');
  for (const [name, source] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(directory, name)), { recursive: true });
    fs.writeFileSync(path.join(directory, name), source);
  }
  return path.join(directory, 'handler.ts');
}

/** A shop handler that emits `placed` itself and `requests` through a file it imports. */
const SHOP_HANDLER = {
  'handler.ts': [
    `import { emit } from ${JSON.stringify(RUNTIME_METRICS)};`,
    "import { shop } from './metrics';",
    "import { countRequest } from './lib/requests';",
    '// emit(metrics, shop.failed): a comment is not an emit',
    '/* emit(metrics, shop.value) */',
    'export async function handler(): Promise<void> {',
    '  countRequest();',
    '  emit(metrics, shop.placed);',
    '}',
  ].join('\n'),
  'metrics.ts': 'export const shop = {};',
  'lib/requests.ts': [
    "import { emit } from '../../runtime/metrics.js';",
    "export function countRequest(): void { emit(metrics, shop['requests'], 1); }",
  ].join('\n'),
};

describe('what a handler emits', () => {
  test('is read from the emit() calls in it and in every file it imports by a relative path', () => {
    const emitted = emittedMetrics(handlerFiles(SHOP_HANDLER));
    expect([...emitted.keys].sort()).toEqual(['placed', 'requests']);
    expect(emitted.anyMetric).toBe(false);
  });

  test('counts Powertools addMetric() calls by key or by name, and not emit() declarations', () => {
    const entry = handlerFiles({
      'handler.ts': [
        'export function emit(metrics: Metrics, metric: BusinessMetric, value = 1): void {',
        '  metrics.addMetric(metric.name, metric.unit, value);',
        '}',
        "metrics.addMetric(shop.failed.name, 'Count', 1);",
        "metrics.addMetric('OrderValue', 'None', 3);",
      ].join('\n'),
    });
    expect(emittedMetrics(entry)).toEqual({
      keys: new Set(['failed']),
      names: new Set(['OrderValue']),
      anyMetric: false,
    });
  });

  test('may be any metric when an emit() names its metric through a variable', () => {
    const entry = handlerFiles({ 'handler.ts': 'for (const m of all) emit(metrics, m);' });
    expect(emittedMetrics(entry).anyMetric).toBe(true);
  });
});

describe('an alarm on a business metric no function emits', () => {
  function shopEmitting(files: Readonly<Record<string, string>>) {
    let emitter: ServiceFunction | undefined;
    const shop = monitoredShop({
      shopAnchors: ['value-low', 'orders-stopped'],
      beforeMonitoring: (service: ProductionService) => {
        emitter = service.addFunction('Emitter', { entry: handlerFiles(files) });
      },
    });
    const metrics = shopMetrics();
    shop.monitoring.addBusinessMetrics(metrics, [emitter as ServiceFunction]);
    return { ...shop, metrics };
  }

  test('fails synth naming the alarm, the metric, the functions, the handler and the fix', () => {
    const { app, stack, monitoring, metrics } = shopEmitting(SHOP_HANDLER);
    addEmittedMetricCheck(stack);
    monitoring.addHeartbeatAlarm(metrics.placed, { slug: 'orders-stopped', severity: 'critical', description: 'x' });
    monitoring.addThresholdAlarm(metrics.value, {
      slug: 'value-low',
      severity: 'warning',
      description: 'Orders are worth too little.',
      below: 100,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const problems = unemittedMetricProblems(monitoring);
    expect(problems).toHaveLength(1);
    expect(problems[0].where).toBe('Test/Monitoring alarm shop-dev-value-low-warning');
    expect(problems[0].what).toMatch(
      /^watches business metric Keel\/Shop\/OrderValue \(key value\), which no function it is attached to emits \(Test\/Service\/Emitter; handler .*handler\.ts and the files it imports never call emit\(metrics, <metrics>\.value\)\): the alarm can never fire$/,
    );
    expect(problems[0].fix).toBe(
      "call emit(metrics, <the service's metrics>.value) (lib/services/runtime/metrics.ts) in the handler where it happens, or remove the alarm",
    );
    expect(() => app.synth()).toThrow(/Test\/Monitoring alarm shop-dev-value-low-warning: watches business metric/);
  });

  test('is found inside metric math and anomaly bands, and an emitted metric passes', () => {
    const { monitoring, metrics } = shopEmitting(SHOP_HANDLER);
    monitoring.addRatioAlarm(metrics.failed, metrics.requests, {
      slug: 'value-low',
      severity: 'warning',
      description: 'Too many fail.',
      above: 0.1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    monitoring.addAnomalyAlarm(metrics.value, {
      slug: 'orders-stopped',
      severity: 'warning',
      description: 'Order values are unusual.',
      bandWidth: 2,
      direction: 'outside',
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
    expect(unemittedMetricProblems(monitoring).map((p) => p.what)).toEqual([
      expect.stringContaining('Keel/Shop/OrderFailures (key failed)'),
      expect.stringContaining('Keel/Shop/OrderValue (key value)'),
    ]);
  });

  test('passes when the handler emits through a variable: the check refuses only what it can read', () => {
    const { monitoring, metrics } = shopEmitting({ 'handler.ts': 'emit(metrics, chosen);' });
    monitoring.addHeartbeatAlarm(metrics.value, { slug: 'orders-stopped', severity: 'critical', description: 'x' });
    expect(unemittedMetricProblems(monitoring)).toEqual([]);
  });
});
