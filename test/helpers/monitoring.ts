import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import {
  defineBusinessMetrics,
  type BusinessMetricSet,
  ProductionService,
  REQUIRED_RUNBOOK_HEADINGS,
  ServiceMonitoring,
  type ProtectionLevel,
  type ServiceFunction,
  type ServiceMonitoringProps,
} from '../../constructs';
import type { Construct } from 'constructs';
import type { IMonitoredService } from '../../constructs/service/monitored-service';
import { ECHO_HANDLER, testStack, unbundledTestApp } from './app';
import { tempDir } from './temp-dir';

/** The repository's real `runbooks/` directory. */
export const REPOSITORY_RUNBOOKS = path.join(__dirname, '..', '..', 'runbooks');

export const RUNBOOK_REPOSITORY_URL = 'https://github.com/example-org/keel';
export const ON_CALL_ENDPOINT = 'oncall@example.com';
export const TICKET_ENDPOINT = 'tickets@example.com';

/** One `## <anchor>` runbook section with the given `### ` headings (all required ones unless told). */
export function runbookSection(anchor: string, headings: readonly string[] = REQUIRED_RUNBOOK_HEADINGS): string {
  return [`## ${anchor}`, '', ...headings.flatMap((heading) => [`### ${heading}`, '', `${heading} of ${anchor}.`, ''])]
    .join('\n')
    .concat('\n');
}

/** A runbook file with one complete section per anchor. */
export function runbookFile(title: string, anchors: readonly string[]): string {
  return [`# ${title} runbook`, '', ...anchors.map((anchor) => runbookSection(anchor))].join('\n');
}

/**
 * A temporary runbooks directory (removed after the test file) holding the repository's `standard-alarms.md` and
 * the given files (name to markdown).
 */
export function runbooksDirectory(files: Readonly<Record<string, string>> = {}): string {
  const directory = tempDir('keel-runbooks-');
  fs.copyFileSync(path.join(REPOSITORY_RUNBOOKS, 'standard-alarms.md'), path.join(directory, 'standard-alarms.md'));
  for (const [name, markdown] of Object.entries(files)) fs.writeFileSync(path.join(directory, name), markdown);
  return directory;
}

/** The keys of the shop's business metrics. */
export type ShopMetric = 'placed' | 'failed' | 'requests' | 'value';

/** The business metrics of the test service `shop`. */
export function shopMetrics(): BusinessMetricSet<ShopMetric> {
  return defineBusinessMetrics('shop', {
    placed: { name: 'OrdersPlaced', unit: 'Count', statistic: 'Sum', description: 'An order was placed.' },
    failed: { name: 'OrderFailures', unit: 'Count', statistic: 'Sum', description: 'An order request failed.' },
    requests: { name: 'OrderRequests', unit: 'Count', statistic: 'Sum', description: 'An order request arrived.' },
    value: { name: 'OrderValue', unit: 'None', statistic: 'Average', description: 'What one order is worth.' },
  });
}

export interface MonitoredShopOptions {
  readonly environment?: string;
  readonly protection?: ProtectionLevel;
  /** The app to build in; a fresh unbundled test app by default. */
  readonly app?: App;
  /** The stack id, for several stacks in one app. */
  readonly stackId?: string;
  /** The stack to build in, e.g. an environment-agnostic one; overrides `app` and `stackId`. */
  readonly stack?: Stack;
  /** The runbooks directory; by default one with `standard-alarms.md` and a `shop.md` with `shopAnchors`. */
  readonly runbooksDirectory?: string;
  /** The sections of the default `shop.md`. */
  readonly shopAnchors?: readonly string[];
  readonly monitoringProps?: Partial<ServiceMonitoringProps>;
  /** Grows the service (more functions, tables) before the monitoring is created. */
  readonly beforeMonitoring?: (service: ProductionService) => void;
}

export interface MonitoredShop {
  readonly app: App;
  readonly stack: Stack;
  readonly service: ProductionService;
  readonly fn: ServiceFunction;
  readonly table: dynamodb.Table;
  readonly monitoring: ServiceMonitoring;
  readonly runbooksDirectory: string;
}

/**
 * The `shop` service (one function behind `POST /orders`, one table) with its ServiceMonitoring, in an unbundled
 * test app. Nothing is synthesized.
 */
export function monitoredShop(options: MonitoredShopOptions = {}): MonitoredShop {
  const stack = options.stack ?? testStack(options.app ?? unbundledTestApp(), options.stackId);
  const app = stack.node.root as App;
  const service = new ProductionService(stack, 'Service', {
    serviceName: 'shop',
    environment: options.environment ?? 'dev',
    protection: options.protection ?? 'basic',
  });
  const fn = service.addFunction('Handler', { entry: ECHO_HANDLER });
  service.addRoute('POST', '/orders', fn);
  const table = service.addTable('Orders', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  options.beforeMonitoring?.(service);
  const { monitoring, runbooksDirectory: directory } = monitorShop(stack, service, options);
  return { app, stack, service, fn, table, monitoring, runbooksDirectory: directory };
}

/**
 * The shop's ServiceMonitoring of `service` (a ProductionService or a container service) as `Monitoring` in `scope`:
 * the test alert endpoints, and runbooks in `options.runbooksDirectory` or a fresh `shop.md` with `health` and
 * `options.shopAnchors`.
 */
export function monitorShop<S extends IMonitoredService>(
  scope: Construct,
  service: S,
  options: Pick<MonitoredShopOptions, 'runbooksDirectory' | 'shopAnchors'> & {
    readonly monitoringProps?: Partial<ServiceMonitoringProps<S>>;
  } = {},
): { monitoring: ServiceMonitoring<S>; runbooksDirectory: string } {
  const directory =
    options.runbooksDirectory ??
    runbooksDirectory({ 'shop.md': runbookFile('shop', ['health', ...(options.shopAnchors ?? [])]) });
  const monitoring = new ServiceMonitoring<S>(scope, 'Monitoring', {
    service,
    onCallEndpoint: ON_CALL_ENDPOINT,
    ticketEndpoint: TICKET_ENDPOINT,
    runbooks: { repositoryUrl: RUNBOOK_REPOSITORY_URL, directory },
    ...options.monitoringProps,
  });
  return { monitoring, runbooksDirectory: directory };
}
