import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ComplianceReport, RuleFindings } from '../../constructs/governance/compliance-report';

/** The `tool.driver.name` of Keel's SARIF log: code scanning groups alerts by it. */
export const SARIF_TOOL_NAME = 'Keel compliance';

/** aws-cdk-lib's metadata type for where a CloudFormation element was made (cloud-assembly-schema CREATION_STACK). */
export const CREATION_STACK_METADATA = 'aws:cdk:creationStack';

/** One frame of a construct's creation stack that lies in the repository: a file relative to it, and a line. */
export interface SourceFrame {
  /** Relative to the repository root, with `/` separators. */
  readonly file: string;
  readonly line: number;
  /** The function as the stack names it, e.g. `new OrdersStack`. */
  readonly function?: string;
}

/** The repository frames of each construct's creation stack, innermost first, by construct path (no leading `/`). */
export type ConstructSources = ReadonlyMap<string, readonly SourceFrame[]>;

/** What the SARIF log needs besides the report. */
export interface SarifInputs {
  /** @default - no construct has a known source line: results carry logical locations only */
  readonly sources?: ConstructSources;
  /** Keel's version, for `tool.driver.version`. @default - Keel's package.json version */
  readonly toolVersion?: string;
}

// The subset of SARIF 2.1.0 this log writes (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html).
type Level = 'error' | 'warning' | 'note';
interface PhysicalLocation {
  readonly artifactLocation: { readonly uri: string };
  readonly region: { readonly startLine: number };
}
interface Suppression {
  readonly kind: 'external';
  readonly status: 'accepted';
  readonly justification: string;
  readonly location?: { readonly physicalLocation: PhysicalLocation };
  readonly properties: Readonly<Record<string, string>>;
}

/**
 * Reads the creation stack aws-cdk-lib records on every CloudFormation element when synth runs in debug mode
 * (`npx cdk synth --debug`; Keel's synth leaves them out otherwise, lib/synth.ts), from the stack artifacts of the
 * cloud assembly in `assemblyDir` and of its nested Stage assemblies, as their manifest.json files declare them.
 * Keeps the frames whose file lies under `root` and outside node_modules, relative to `root`: the repository's own
 * lines, innermost (the line that made the resource) first. Empty for an assembly synthesized without `--debug`.
 */
export function readConstructSources(assemblyDir: string, root: string = process.cwd()): Map<string, SourceFrame[]> {
  const sources = new Map<string, SourceFrame[]>();
  const visit = (dir: string): void => {
    const manifest = readJson(path.join(dir, 'manifest.json')) as { artifacts?: Record<string, Artifact> } | undefined;
    for (const artifact of Object.values(manifest?.artifacts ?? {})) {
      const nested = artifact.properties?.directoryName;
      if (artifact.type === 'cdk:cloud-assembly' && typeof nested === 'string') visit(path.join(dir, nested));
      if (artifact.type !== 'aws:cloudformation:stack') continue;
      const file = artifact.additionalMetadataFile;
      const extra = typeof file === 'string' ? (readJson(path.join(dir, file)) as MetadataMap | undefined) : undefined;
      for (const metadata of [artifact.metadata, extra]) {
        for (const [constructPath, entries] of Object.entries(metadata ?? {})) {
          const stack = entries.find((entry) => entry.type === CREATION_STACK_METADATA)?.data;
          if (!Array.isArray(stack)) continue;
          const frames = stack.flatMap((frame) => (typeof frame === 'string' ? repositoryFrame(frame, root) : []));
          if (frames.length > 0) sources.set(constructPath.replace(/^\//, ''), frames);
        }
      }
    }
  };
  visit(assemblyDir);
  return sources;
}

type MetadataMap = Record<string, readonly { readonly type: string; readonly data?: unknown }[]>;
interface Artifact {
  readonly type?: string;
  readonly properties?: { readonly directoryName?: unknown };
  readonly metadata?: MetadataMap;
  readonly additionalMetadataFile?: unknown;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** `new OrdersStack (/repo/lib/services/orders/orders-stack.ts:53:20)` as a frame in `root`; none when outside it. */
function repositoryFrame(frame: string, root: string): SourceFrame[] {
  const match = /^(?:(.*?) \()?((?:file:\/\/)?[^()\s]+?):(\d+):\d+\)?$/.exec(frame.trim());
  if (!match) return [];
  const file = match[2].replace(/^file:\/\//, '');
  const relative = path.relative(root, file);
  if (!path.isAbsolute(file) || relative.startsWith('..') || path.isAbsolute(relative)) return [];
  if (/(^|[\\/])node_modules[\\/]/.test(relative)) return [];
  return [
    { file: relative.split(path.sep).join('/'), line: Number(match[3]), ...(match[1] ? { function: match[1] } : {}) },
  ];
}

/** `constructs/private/decisions.ts:78`, as acknowledgments record their site, as a location. */
function siteLocation(site: string | undefined): { physicalLocation: PhysicalLocation } | undefined {
  const match = site === undefined ? null : /^(.+):(\d+)$/.exec(site);
  if (!match || path.isAbsolute(match[1]) || match[1].startsWith('..')) return undefined;
  return { physicalLocation: physical(match[1], Number(match[2])) };
}

const physical = (file: string, line: number): PhysicalLocation => ({
  artifactLocation: { uri: file.split(/[\\/]/).map(encodeURIComponent).join('/') },
  region: { startLine: line },
});

/** Keel's (and cdk-nag's) severities as SARIF levels; a validator's unknown severity counts as a warning. */
export function sarifLevel(severity: string): Level {
  const lower = severity.toLowerCase();
  if (lower === 'error' || lower === 'high' || lower === 'critical') return 'error';
  if (lower === 'info' || lower === 'informational' || lower === 'low' || lower === 'note') return 'note';
  return 'warning';
}

/** `AwsSolutions-IAM5[Action::s3:*]` belongs to the family `AwsSolutions-IAM5[*]` (as finding-log.ts ruleFamilyOf). */
const familyOf = (findingId: string): string => {
  const bracket = findingId.indexOf('[');
  return bracket > 0 ? `${findingId.slice(0, bracket)}[*]` : findingId;
};

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const firstSentence = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = /\.(\s|$)/.exec(flat);
  return end ? flat.slice(0, end.index + 1) : flat;
};

function keelVersion(): string {
  const file = path.join(__dirname, '..', '..', 'package.json');
  return (readJson(file) as { version?: string } | undefined)?.version ?? '0.0.0';
}

interface Finding {
  readonly path: string;
  readonly findingId: string;
  readonly acknowledgedAt?: string;
}

/**
 * The compliance report as a SARIF 2.1.0 log, for code scanning: one run, one rule per rule that found something,
 * one result per finding, open or acknowledged.
 *
 * - An open finding, and a finding whose acknowledgment has expired, is an `error` with no suppression: each fails
 *   the synth. An acknowledged finding keeps its rule's level and carries an accepted external suppression with
 *   the acknowledgment's reason, owner and expiry, located at the `acknowledge()` call when Keel recorded it.
 * - Every result names its construct path as a logical location. It names a file and line only where Keel knows
 *   them: the innermost repository frame of the resource's creation stack, which aws-cdk-lib records when synth ran
 *   with `--debug` (`sources`); its other repository frames follow as the result's stack. Nothing else (a service's
 *   folder, a stack's file) is offered as the construct's line.
 * - The same report gives the same bytes: rules sorted by id, results by rule, path and finding id.
 */
export function renderComplianceSarif(report: ComplianceReport, inputs: SarifInputs = {}): string {
  const sources = inputs.sources ?? new Map<string, readonly SourceFrame[]>();
  const rules = [...report.rules]
    .filter((rule) => rule.open.length + rule.acknowledged.length > 0)
    .sort((a, b) => byText(a.ruleId, b.ruleId) || byText(a.source, b.source));
  // A rule id two sources share (none do today) gets its source added, so that every rule's id is unique.
  const shared = new Set(rules.map((r) => r.ruleId).filter((id, i, ids) => ids.indexOf(id) !== i));
  const ruleIdOf = (rule: RuleFindings) => (shared.has(rule.ruleId) ? `${rule.ruleId} (${rule.source})` : rule.ruleId);

  const results = rules.flatMap((rule, ruleIndex) =>
    [...rule.open, ...rule.acknowledged]
      .sort((a: Finding, b: Finding) => byText(a.path, b.path) || byText(a.findingId, b.findingId))
      .map((finding: Finding) => ({
        ruleId: ruleIdOf(rule),
        ruleIndex,
        ...findingResult(report, rule, finding, sources.get(finding.path) ?? []),
      })),
  );
  const notifications = [
    ...(report.enabled
      ? []
      : ['Keel compliance was off (-c keel:compliance=off): no rule pack ran, so this log holds no finding.']),
    ...report.warnings,
  ].map((text) => ({ level: 'warning' as Level, message: { text } }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: SARIF_TOOL_NAME,
            version: inputs.toolVersion ?? keelVersion(),
            rules: rules.map((rule) => ({ id: ruleIdOf(rule), ...ruleDescriptor(rule) })),
          },
        },
        invocations: [
          {
            executionSuccessful: report.enabled,
            endTimeUtc: report.generatedAt,
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        results,
        properties: {
          result: report.result,
          stacks: report.stacks,
          resourcesChecked: report.resourcesChecked,
          packs: report.packs.map((pack) => pack.name),
        },
      },
    ],
  };
  return `${JSON.stringify(log, undefined, 2)}\n`;
}

const flat = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** A rule as SARIF describes it, with the fix Keel offers for every finding. */
function ruleDescriptor(rule: RuleFindings) {
  return {
    shortDescription: { text: firstSentence(rule.info) },
    fullDescription: { text: flat(rule.info) },
    help: {
      text:
        `${flat(rule.info)} Reported by ${rule.source}. Fix the resource so the rule passes, or, where the finding is ` +
        "acceptable, acknowledge it on its construct (or an ancestor) with Keel: acknowledge(construct, { id: '<finding " +
        "id as shown>', reason: '<why it is acceptable, 20+ characters>', owner: '<team id>', expires: 'YYYY-MM-DD' }).",
    },
    defaultConfiguration: { level: sarifLevel(rule.severity) },
    properties: { source: rule.source, severity: rule.severity, tags: ['compliance', rule.source] },
  };
}

/** One finding as a SARIF result (without its rule): level, message, locations, suppression. */
function findingResult(report: ComplianceReport, rule: RuleFindings, finding: Finding, frames: readonly SourceFrame[]) {
  const at = finding.acknowledgedAt;
  const ack =
    at === undefined
      ? undefined
      : report.acknowledgments.find(
          (a) => a.path === at && (a.id === finding.findingId || a.id === familyOf(finding.findingId)),
        );
  const expired = ack !== undefined && ack.daysLeft < 0;
  const state =
    at === undefined
      ? 'Open: it fails the synth. Fix the resource, or acknowledge the finding with Keel.'
      : expired
        ? `Its acknowledgment at ${ack.path} (owner ${ack.owner}) expired on ${ack.expires}: it fails the synth until the acknowledgment is renewed or the resource fixed.`
        : ack
          ? `Acknowledged at ${ack.path} by ${ack.owner} until ${ack.expires}.`
          : `Acknowledged at ${at}, with no reason, owner or expiry Keel knows of.`;
  const suppressions: Suppression[] = [];
  if (at !== undefined && !expired) {
    const location = siteLocation(ack?.site);
    suppressions.push({
      kind: 'external',
      status: 'accepted',
      justification: ack?.reason ?? `acknowledged at ${at} outside Keel's acknowledge()`,
      ...(location ? { location } : {}),
      properties: {
        acknowledgedAt: at,
        ...(ack ? { owner: ack.owner, expires: ack.expires } : {}),
        ...(ack?.site ? { site: ack.site } : {}),
      },
    });
  }
  const name = finding.path.slice(finding.path.lastIndexOf('/') + 1);
  const stack = {
    message: { text: `Where the repository's code made ${finding.path}, innermost first.` },
    frames: frames.map((frame) => ({
      location: {
        physicalLocation: physical(frame.file, frame.line),
        ...(frame.function ? { message: { text: frame.function } } : {}),
      },
    })),
  };
  return {
    level: suppressions.length === 0 ? 'error' : sarifLevel(rule.severity),
    message: { text: `${finding.findingId} on ${finding.path}: ${flat(rule.info)} ${state}` },
    locations: [
      {
        ...(frames.length > 0 ? { physicalLocation: physical(frames[0].file, frames[0].line) } : {}),
        logicalLocations: [{ name, fullyQualifiedName: finding.path, kind: 'resource' }],
      },
    ],
    ...(frames.length > 1 ? { stacks: [stack] } : {}),
    partialFingerprints: { 'keelFinding/v1': `${finding.findingId} at ${finding.path}` },
    ...(suppressions.length > 0 ? { suppressions } : {}),
    properties: { findingId: finding.findingId, source: rule.source, severity: rule.severity },
  };
}
