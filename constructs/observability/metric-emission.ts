import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IConstruct } from 'constructs';
import { problemsToMessages, type Problem } from '../errors';
import { handlerEntryOf } from '../service/bundling';
import type { IMonitoredService } from '../service/monitored-service';
import type { BusinessMetric } from './business-metric';
import { ServiceMonitoring, type MetricEmitter } from './service-monitoring';

/** What a handler's own sources can emit, read from its `emit()` and `addMetric()` calls. */
export interface EmittedMetrics {
  /** Keys of metric sets, from `emit(metrics, ordersMetrics.ordersPlaced)` or `addMetric(ordersMetrics.ordersPlaced.name, ...)`. */
  readonly keys: ReadonlySet<string>;
  /** Metric names, from `addMetric('OrdersPlaced', ...)`. */
  readonly names: ReadonlySet<string>;
  /** True when some `emit()` names its metric in a way this reading cannot follow, e.g. a variable: it may emit any. */
  readonly anyMetric: boolean;
}

const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '/index.ts', '/index.js'];
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s*)['"](\.{1,2}\/[^'"]*)['"]/gm;
const CALL = /(?<!function\s*)\b(emit|addMetric)\s*\(/g;

/**
 * What the handler at `entry` can emit: the `emit()` and `addMetric()` calls in it and in every file it imports by a
 * relative path (its own code, not node_modules), the files esbuild bundles from the repository.
 */
export function emittedMetrics(entry: string): EmittedMetrics {
  const keys = new Set<string>();
  const names = new Set<string>();
  let anyMetric = false;
  const seen = new Set<string>();
  const pending = [path.resolve(entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const source = withoutComments(fs.readFileSync(file, 'utf8'));
    for (const [, specifier] of source.matchAll(RELATIVE_IMPORT)) {
      const resolved = resolveImport(path.dirname(file), specifier);
      if (resolved) pending.push(resolved);
    }
    for (const call of source.matchAll(CALL)) {
      const args = argumentsAt(source, (call.index ?? 0) + call[0].length);
      const metric = call[1] === 'emit' ? args[1] : args[0];
      if (metric === undefined || /^[\w$]+\s*[:?]/.test(metric)) continue; // a declaration: `emit(metrics: Metrics, ...)`
      const key = /^[\w$]+\??\.([\w$]+)$/.exec(metric)?.[1] ?? /^[\w$]+\[\s*['"]([\w$]+)['"]\s*\]$/.exec(metric)?.[1];
      if (call[1] === 'emit') {
        if (key) keys.add(key);
        else anyMetric = true;
        continue;
      }
      const nameOf = /^[\w$]+\??\.([\w$]+)\??\.name$/.exec(metric)?.[1];
      const literal = /^['"`]([^'"`$]+)['"`]$/.exec(metric)?.[1];
      if (nameOf) keys.add(nameOf);
      if (literal) names.add(literal);
    }
  }
  return { keys, names, anyMetric };
}

/** What each handler file emits, by App: the files do not change while an App synthesizes. */
const READ_PER_APP = new WeakMap<IConstruct, Map<string, EmittedMetrics>>();

/**
 * One problem per alarm of `monitoring` that watches a declared business metric no function of its set emits: that
 * alarm can never fire. A function whose handler file is unknown, or which emits through a variable, counts as
 * emitting every metric, so the check never refuses what it cannot read.
 */
export function unemittedMetricProblems(monitoring: ServiceMonitoring<IMonitoredService>): Problem[] {
  // One read of each handler per synth (per App), not per stack: dev, staging and prod share their handlers.
  const root = monitoring.node.root;
  const read = READ_PER_APP.get(root) ?? new Map<string, EmittedMetrics>();
  READ_PER_APP.set(root, read);
  const emits = (fn: MetricEmitter, key: string, metric: BusinessMetric): boolean => {
    const entry = handlerEntryOf(fn);
    if (entry === undefined || !fs.existsSync(entry)) return true;
    const emitted = read.get(entry) ?? emittedMetrics(entry);
    read.set(entry, emitted);
    return emitted.anyMetric || emitted.keys.has(key) || emitted.names.has(metric.name);
  };
  const problems: Problem[] = [];
  for (const alarm of monitoring.alarms) {
    for (const watched of watchedMetrics(alarm.alarm)) {
      const declared = monitoring.businessMetricEmitters.flatMap(({ metrics, functions }) =>
        Object.entries(metrics)
          .filter(([, m]) => m.namespace === watched.namespace && m.name === watched.name)
          .map(([key, metric]) => ({ key, metric, functions })),
      );
      if (declared.length === 0) continue;
      if (declared.some(({ key, metric, functions }) => functions.some((fn) => emits(fn, key, metric)))) continue;
      const { key, metric } = declared[0];
      const functions = declared.flatMap((d) => d.functions);
      const handlers = [...new Set(functions.map((fn) => relative(handlerEntryOf(fn) ?? fn.node.path)))];
      problems.push({
        where: `${monitoring.node.path} alarm ${alarm.name}`,
        what: `watches business metric ${metric.namespace}/${metric.name} (key ${key}), which no function it is attached to emits (${functions.map((fn) => fn.node.path).join(', ')}; handler ${handlers.join(', ')} and the files it imports never call emit(metrics, <metrics>.${key})): the alarm can never fire`,
        fix: `call emit(metrics, <the service's metrics>.${key}) (lib/services/runtime/metrics.ts) in the handler where it happens, or remove the alarm`,
      });
    }
  }
  return problems;
}

/**
 * Refuses, at synth, an alarm on a business metric that no function of the service emits, for every ServiceMonitoring
 * under `scope`. lib/platform.ts adds it to every service stack; add it to any stack you build yourself.
 */
export function addEmittedMetricCheck(scope: IConstruct): void {
  scope.node.addValidation({
    validate: () =>
      problemsToMessages(
        scope.node
          .findAll()
          .filter(ServiceMonitoring.isServiceMonitoring)
          .flatMap((monitoring) => unemittedMetricProblems(monitoring)),
      ),
  });
}

/** The plain metrics an alarm watches, inside metric math and anomaly bands too; none for a composite. */
function watchedMetrics(alarm: cloudwatch.AlarmBase): { namespace: string; name: string }[] {
  const found = new Map<string, { namespace: string; name: string }>();
  const visit = (metric: cloudwatch.IMetric): void => {
    if (metric instanceof cloudwatch.Metric) {
      found.set(`${metric.namespace}/${metric.metricName}`, { namespace: metric.namespace, name: metric.metricName });
    } else if (metric instanceof cloudwatch.MathExpression) {
      Object.values(metric.usingMetrics).forEach(visit);
    }
  };
  if (alarm instanceof cloudwatch.Alarm) visit(alarm.metric);
  return [...found.values()];
}

/** The top-level arguments of the call whose `(` ends just before `start`, trimmed; strings and brackets kept whole. */
function argumentsAt(source: string, start: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let from = start;
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (depth > 0 && ')]}'.includes(c)) depth--;
    else if (c === ',' || c === ')') {
      args.push(source.slice(from, i).trim());
      from = i + 1;
      if (c === ')') break;
    }
  }
  return args.filter((arg) => arg !== '');
}

function resolveImport(directory: string, specifier: string): string | undefined {
  const base = path.resolve(directory, specifier);
  const bases = /\.[cm]?js$/.test(base) ? [base.replace(/js$/, 'ts'), base] : [base];
  for (const candidate of bases.flatMap((b) => EXTENSIONS.map((extension) => b + extension))) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** `source` without its comments, so a commented-out `emit()` does not count. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function relative(file: string): string {
  return path.isAbsolute(file) ? path.relative(process.cwd(), file) : file;
}
