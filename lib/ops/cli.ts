import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { repositoryDefinition } from '../config/load';
import { cloudWatchClient, codePipelineClient, type AwsOptions } from './aws';
import { cfnLintExecutable } from './cfn-lint';
import { loadComplianceReport, renderComplianceReport, type ReportFormat } from './compliance-report';
import { parseDuration } from './duration';
import { EXIT, KeelCliError, usageError, type ExitCode } from './errors';
import { checkGateTimes, gate } from './gate';
import { findService, loadManifest } from './manifest';
import {
  formatWritten,
  planNewService,
  renderServicePlan,
  writeServicePlan,
  type ServiceRegistry,
} from './new-service';
import { planRollback, renderPlan, rollback } from './rollback';
import { checkRunbooks } from './runbooks-check';
import { renderStatus, status, statusExitCode } from './status';
import { renderValidation, validate } from './validate';

export const USAGE = `keel: what a Keel service is doing right now, and whether a deployment may stay.

Usage:
  keel status <service> --env <env> [--since 1h] [--json]
  keel gate <service> --env <env> --bake 10m [--poll 30s] [--fail-on-insufficient-data]
  keel rollback <service> --env <env> [--yes]
  keel runbooks check [cdk.out] [--runbooks runbooks]
  keel compliance report [cdk.out] [--format md|html|json]
  keel validate [cdk.out] [--json]
  keel new-service <name> --team <team> [--data-classification confidential] [--tag Key=Value ...]

Options:
  --assembly <dir>     the synthesized cloud assembly with keel-manifest.json (default: cdk.out)
  --region <region>    AWS region (default: AWS_REGION, or the stack's region in the manifest)
  --endpoint-url <url> AWS endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL)
  --role-arn <arn>     assume this role first, e.g. the service's alarm reader in its account
  --yes                roll back without asking
  --team <team>        the owner team of a new service, from lib/config/teams.ts
  --data-classification <level>  public, internal, confidential (default) or restricted
  --tag <Key=Value>    a value for one of the team's extra required tags; repeat for each
  --json               machine-readable output
  --debug              show stack traces

keel validate runs cfn-lint (KEEL_CFN_LINT, or .venv/bin/cfn-lint from npm run setup) over every template;
warnings pass only when acknowledged in cfn-lint-acknowledgments.json.

Exit codes: 0 healthy/passed, 1 unhealthy/gate failed/findings, 2 usage or config error, 3 AWS error after retries.`;

/** Where output goes, and how AWS clients are made: tests inject their own. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly client?: (options: AwsOptions) => CloudWatchClient;
  readonly codePipeline?: (options: AwsOptions) => CodePipelineClient;
  /** Asks a person a yes/no question; absent when nobody can answer (not a terminal). */
  readonly confirm?: (question: string) => Promise<boolean>;
  /**
   * The repository `new-service` writes into, and its teams and services; `validate` reads its
   * cfn-lint-acknowledgments.json. Tests point it at a copy.
   */
  readonly repository?: { readonly root: string; readonly registry: ServiceRegistry };
  readonly now?: () => Date;
  readonly clock?: { now(): number; sleep(ms: number): Promise<void> };
}

/** The repository this CLI belongs to, and its teams and services. */
const THIS_REPOSITORY = { root: path.resolve(__dirname, '..', '..'), registry: repositoryDefinition };

/** Runs one `keel` command line and returns its exit code; never throws for a user's mistake or AWS's. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let debug = argv.includes('--debug');
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        env: { type: 'string' },
        since: { type: 'string', default: '1h' },
        bake: { type: 'string' },
        poll: { type: 'string' },
        'fail-on-insufficient-data': { type: 'boolean', default: false },
        assembly: { type: 'string', default: 'cdk.out' },
        runbooks: { type: 'string', default: 'runbooks' },
        format: { type: 'string', default: 'md' },
        region: { type: 'string' },
        'endpoint-url': { type: 'string' },
        'role-arn': { type: 'string' },
        yes: { type: 'boolean', short: 'y', default: false },
        team: { type: 'string' },
        'data-classification': { type: 'string' },
        tag: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        debug: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    debug = values.debug;
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      io.out(USAGE);
      return values.help ? EXIT.ok : EXIT.usage;
    }
    const makeClient = io.client ?? cloudWatchClient;
    const serviceEntry = () => {
      const service = rest[0];
      if (!service) throw usageError(`keel ${command} needs a service: keel ${command} <service> --env <env>`);
      if (!values.env) throw usageError(`keel ${command} needs --env <env>, e.g. --env prod`);
      const entry = findService(loadManifest(values.assembly), service, values.env, values.region);
      const aws = (region: string | undefined): AwsOptions => ({
        region: values.region ?? region,
        endpoint: values['endpoint-url'],
        ...(values['role-arn'] ? { roleArn: values['role-arn'] } : {}),
      });
      return { entry, aws, client: () => makeClient(aws(entry.region)) };
    };

    if (command === 'status') {
      const sinceMs = parseDuration('--since', values.since);
      const { entry, client } = serviceEntry();
      const now = io.now?.() ?? new Date();
      const report = await status(client(), entry, { sinceMs, now });
      io.out(values.json ? JSON.stringify(report, undefined, 2) : renderStatus(report, now));
      return statusExitCode(report);
    }
    if (command === 'gate') {
      if (!values.bake) throw usageError('keel gate needs --bake <duration>, e.g. --bake 10m');
      const bakeMs = parseDuration('--bake', values.bake);
      // Without --poll, look every 30 seconds, or as often as a shorter bake allows.
      const pollMs = values.poll === undefined ? Math.min(30_000, bakeMs) : parseDuration('--poll', values.poll);
      checkGateTimes(bakeMs, pollMs);
      const { entry, client } = serviceEntry();
      const result = await gate(client(), entry, {
        bakeMs,
        pollMs,
        failOnInsufficientData: values['fail-on-insufficient-data'],
        onProgress: (line) => io.err(line),
        ...(io.clock ? { clock: io.clock } : {}),
      });
      if (values.json) io.out(JSON.stringify(result, undefined, 2));
      else if (result.passed)
        io.out(
          bakeMs === 0
            ? `PASSED: ${entry.service} (${entry.environment}) is healthy now (${result.watched.length} alarms watched, none in ALARM)`
            : `PASSED: ${entry.service} (${entry.environment}) stayed healthy for ${values.bake} (${result.polls} polls)`,
        );
      else {
        const failed = result.failedOn;
        io.out(`FAILED: ${failed?.name} is ${failed?.state}${failed?.runbook ? `; runbook: ${failed.runbook}` : ''}`);
      }
      return result.passed ? EXIT.ok : EXIT.unhealthy;
    }
    if (command === 'rollback') {
      const { entry, aws } = serviceEntry();
      if (!entry.pipeline) {
        throw usageError(
          `the manifest has no pipeline for ${entry.service} (${entry.environment}); synthesize every environment ` +
            '(leave out -c keel:environments) so the pipeline is built',
        );
      }
      const where = aws(entry.pipeline.region);
      const client = (io.codePipeline ?? codePipelineClient)(where);
      io.err(`looking up ${entry.pipeline.name} (${entry.pipeline.stage}) ...`);
      const plan = await planRollback(client, entry.pipeline);
      io.err(renderPlan(plan));
      if (!values.yes) {
        if (!io.confirm) throw usageError('keel rollback asks before it acts; pass --yes when no one can answer');
        if (!(await io.confirm(`Roll back ${plan.stage}? [y/N] `))) {
          io.out(`not rolled back: ${plan.stage} stays on ${plan.current?.executionId ?? 'its current execution'}`);
          return EXIT.unhealthy;
        }
      }
      const executionId = await rollback(client, plan);
      if (values.json) io.out(JSON.stringify({ ...plan, rollbackExecutionId: executionId }, undefined, 2));
      else
        io.out(
          `ROLLING BACK: ${plan.stage} of ${plan.pipeline} to ${plan.target.executionId} (rollback execution ` +
            `${executionId}); watch it with: aws codepipeline get-pipeline-state --name ${plan.pipeline}`,
        );
      return EXIT.ok;
    }
    if (command === 'runbooks' && rest[0] === 'check') {
      const assembly = rest[1] ?? values.assembly;
      const result = checkRunbooks(assembly, values.runbooks);
      if (values.json) io.out(JSON.stringify(result, undefined, 2));
      else {
        for (const p of result.problems) io.out(`✗ ${p.alarm} (${p.template}): ${p.problem}`);
        io.out(`${result.checked} alarm(s) checked in ${path.resolve(assembly)}: ${result.problems.length} problem(s)`);
      }
      return result.problems.length === 0 ? EXIT.ok : EXIT.unhealthy;
    }
    if (command === 'compliance' && rest[0] === 'report') {
      const format = values.format as ReportFormat;
      if (!['md', 'html', 'json'].includes(format))
        throw usageError(`--format ${JSON.stringify(values.format)} is not md, html or json`);
      io.out(renderComplianceReport(loadComplianceReport(rest[1] ?? values.assembly), format));
      return EXIT.ok;
    }
    if (command === 'validate') {
      if (rest.length > 1)
        throw usageError('keel validate takes one cloud assembly directory: keel validate [cdk.out]');
      const { root, registry } = io.repository ?? THIS_REPOSITORY;
      const result = await validate(rest[0] ?? values.assembly, {
        cfnLint: cfnLintExecutable(),
        root,
        knownOwners: registry.teams.map((team) => team.id),
        now: io.now?.() ?? new Date(),
        maxAcknowledgmentDays: repositoryDefinition.platform.maxAcknowledgmentDays,
        onProgress: (line) => io.err(line),
      });
      if (values.json) io.out(JSON.stringify(result, undefined, 2));
      else for (const line of renderValidation(result)) io.out(line);
      return result.passed ? EXIT.ok : EXIT.unhealthy;
    }
    if (command === 'new-service') {
      const [name, ...extra] = rest;
      if (!name || extra.length > 0) {
        throw usageError('keel new-service needs one name: keel new-service <name> --team <team>');
      }
      if (!values.team) throw usageError(`keel new-service needs the owner team: --team <team>`);
      const { root, registry } = io.repository ?? THIS_REPOSITORY;
      const request = {
        name,
        team: values.team,
        dataClassification: values['data-classification'],
        tags: values.tag,
      };
      const plan = planNewService(root, request, registry);
      writeServicePlan(root, plan);
      if (!formatWritten(root, plan)) io.err('keel: Prettier did not format the new files; run npm run format');
      io.out(
        values.json
          ? JSON.stringify(
              {
                service: plan.service,
                created: plan.create.map((f) => f.path),
                edited: plan.edit.map((f) => f.path),
                runbookSections: plan.runbookSections,
              },
              undefined,
              2,
            )
          : renderServicePlan(plan),
      );
      return EXIT.ok;
    }
    throw usageError(`unknown command ${JSON.stringify(positionals.join(' '))}; run keel --help`);
  } catch (error) {
    if (debug) io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (error instanceof KeelCliError) {
      io.err(`keel: ${error.message}`);
      return error.exitCode;
    }
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`keel: ${(error as Error).message}; run keel --help`);
      return EXIT.usage;
    }
    io.err(
      `keel: unexpected error: ${error instanceof Error ? error.message : String(error)} (run with --debug for details)`,
    );
    return EXIT.aws;
  }
}
