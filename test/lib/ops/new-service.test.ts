import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { runCli } from '../../../lib/ops/cli';
import { thisRepository } from '../../../lib/ops/commands/repository';
import { KeelCliError } from '../../../lib/ops/errors';
import {
  COMPUTES,
  CONTAINER_SERVICE_TEMPLATE,
  SERVICE_TEMPLATE,
  planNewService,
  writeServicePlan,
  type NewServiceRequest,
} from '../../../lib/ops/new-service';
import type { ValidationResult } from '../../../lib/ops/validate';
import { services } from '../../../lib/services';
import { helloContainer } from '../../../lib/services/hello-container';
import { helloWorld } from '../../../lib/services/hello-world';
import { REPOSITORY_ROOT, copyRepository, run, type CommandResult } from '../../helpers/repository-copy';
import { tempDir } from '../../helpers/temp-dir';

/** This repository's teams: a new service's owner is one of them. */
const registry = thisRepository().registry;

/** The service list `keel new-service` edits and the Prettier config, copied into a fresh directory. */
function repositoryFiles(): string {
  const root = tempDir('keel-scaffold-');
  for (const file of ['lib/services/index.ts', '.prettierrc.json']) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(path.join(REPOSITORY_ROOT, file), path.join(root, file));
  }
  fs.symlinkSync(path.join(REPOSITORY_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return root;
}

/** A container image in a stack's asset manifest (`*.assets.json`). */
interface ImageAsset {
  readonly source: { readonly directory: string; readonly platform?: string };
}

/** Every file under `root` with its text: what a refusal must leave untouched. */
function snapshot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && !entry.parentPath.includes('node_modules')) {
      const file = path.join(entry.parentPath, entry.name);
      files[path.relative(root, file)] = fs.readFileSync(file, 'utf8');
    }
  }
  return files;
}

function refusal(root: string, request: NewServiceRequest): string {
  const before = snapshot(root);
  try {
    planNewService(root, request, registry);
  } catch (error) {
    expect(error).toBeInstanceOf(KeelCliError);
    expect((error as KeelCliError).exitCode).toBe(2);
    expect(snapshot(root)).toEqual(before);
    return (error as Error).message;
  }
  throw new Error('expected keel new-service to refuse');
}

// One fresh copy gets both kinds of new service, a Lambda one (invoices) and a container one (shipments), each
// synthesized as its own pipeline synthesizes it (-c keel:services=<service>). cfn-lint checks the Lambda one; the
// container one's templates are hello-container's with other names, which test/lib/synth.test.ts lints.
describe('keel new-service in a fresh copy of the repository', () => {
  let clone: string;
  let scaffold: CommandResult;
  let containerScaffold: CommandResult;
  let synth: CommandResult;
  let containerSynth: CommandResult;
  /** Where the container service was synthesized to. */
  let containerOut: string;
  let validation: Promise<{ code: number; output: string[]; errors: string[] }>;

  beforeAll(() => {
    clone = copyRepository();
    // npm test's pretest installs moto into .venv, which git does not list: the new service's operations test needs it.
    const venv = path.join(REPOSITORY_ROOT, '.venv');
    if (fs.existsSync(venv)) fs.symlinkSync(venv, path.join(clone, '.venv'), 'dir');
    scaffold = run(clone, 'node', ['bin/keel.cjs', 'new-service', 'invoices', '--team', 'commerce']);
    const fargate = ['bin/keel.cjs', 'new-service', 'shipments', '--team', 'commerce', '--compute', 'fargate'];
    containerScaffold = run(clone, 'node', fargate);
    synth = run(clone, 'cdk', ['synth', '--quiet', '--no-notices', '-c', 'keel:services=invoices']);
    containerOut = path.join(clone, 'cdk.out.shipments');
    const only = ['-c', 'keel:services=shipments', '-o', containerOut];
    containerSynth = run(clone, 'cdk', ['synth', '--quiet', '--no-notices', ...only]);
    // cfn-lint takes about 2 s a template: it runs in the background while the tests below run theirs.
    const output: string[] = [];
    const errors: string[] = [];
    const io = {
      out: (line: string) => output.push(line),
      err: (line: string) => errors.push(line),
      repository: { root: clone, registry },
    };
    const argv = ['validate', path.join(clone, 'cdk.out'), '--json'];
    validation = runCli(argv, io).then((code) => ({ code, output, errors }));
  });

  test('creates the definition, stack, metrics, handler, tests and runbook, lists the service, and says what comes next', () => {
    expect(scaffold.stderr).toBe('');
    expect(scaffold.status).toBe(0);
    for (const file of [
      'lib/services/invoices/index.ts',
      'lib/services/invoices/invoices-stack.ts',
      'lib/services/invoices/metrics.ts',
      'lib/services/invoices/handler.ts',
      'test/lib/services/invoices/invoices-stack.test.ts',
      'test/lib/services/invoices/handler.test.ts',
      'runbooks/invoices.md',
    ]) {
      expect(scaffold.stdout).toContain(`+ ${file}`);
      expect(fs.existsSync(path.join(clone, file))).toBe(true);
    }
    const definition = fs.readFileSync(path.join(clone, 'lib/services/invoices/index.ts'), 'utf8');
    expect(definition).toContain('export const invoices: ServiceDefinition = {');
    expect(definition).toContain(
      "config: { name: 'invoices', owner: 'commerce', dataClassification: 'confidential' },",
    );
    expect(definition).toContain('stack: (scope, id, props) => new InvoicesStack(scope, id, props),');
    const list = fs.readFileSync(path.join(clone, 'lib/services/index.ts'), 'utf8');
    expect(list).toContain("import { invoices } from './invoices';");
    expect(list).toContain(
      'export const services: readonly ServiceDefinition[] = [orders, helloContainer, invoices, shipments];',
    );
    expect(scaffold.stdout).toContain('data classification confidential (change it in lib/services/invoices/index.ts)');
    expect(scaffold.stdout).toContain("npx cdk deploy 'Invoices-dev/*'");
  });

  test('right after it, a synth of the new services, as their pipelines run it, passes every check in all three environments', () => {
    for (const [run, out] of [
      [synth, path.join(clone, 'cdk.out')],
      [containerSynth, containerOut],
    ] as const) {
      expect(run.stderr).toContain('PASS');
      expect(run.status).toBe(0);
      const report = JSON.parse(fs.readFileSync(path.join(out, 'keel-compliance.json'), 'utf8'));
      expect(report.result).toBe('pass');
      expect(report.findings.open).toBe(0);
    }
    const report = JSON.parse(fs.readFileSync(path.join(clone, 'cdk.out', 'keel-compliance.json'), 'utf8'));
    expect(report.packs.find((pack: { name: string }) => pack.name === 'NIST.800.53.R5').stacks).toContain(
      'Invoices-prod',
    );
    for (const env of ['dev', 'staging', 'prod']) {
      expect(fs.existsSync(path.join(clone, 'cdk.out', `assembly-Invoices-${env}`))).toBe(true);
      expect(fs.existsSync(path.join(containerOut, `assembly-Shipments-${env}`))).toBe(true);
    }
  });

  test('gives the service alarms in every environment, each linking a runbook section that exists', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(clone, 'cdk.out', 'keel-manifest.json'), 'utf8'));
    const invoices = manifest.services.filter((s: { service: string }) => s.service === 'invoices');
    expect(invoices.map((s: { environment: string }) => s.environment)).toEqual(['dev', 'staging', 'prod']);
    const alarms = invoices.flatMap((s: { alarms: { name: string; runbook: string }[] }) => s.alarms);
    expect(alarms.map((a: { name: string }) => a.name)).toEqual(
      expect.arrayContaining(['invoices-prod-failure-rate-critical', 'invoices-prod-health-critical']),
    );
    for (const alarm of alarms) expect(alarm.runbook).toMatch(/runbooks\/(invoices|standard-alarms)\.md#[a-z0-9-]+$/);
    const output: string[] = [];
    const io = { out: (line: string) => output.push(line), err: (line: string) => output.push(line) };
    const assembly = path.join(clone, 'cdk.out');
    const code = await runCli(['runbooks', 'check', assembly, '--runbooks', path.join(clone, 'runbooks')], io);
    expect(output.join('\n')).toMatch(/alarm\(s\) checked .*: 0 problem\(s\)/);
    expect(code).toBe(0);
  });

  test('is released by its own pipeline: dev, then staging, then prod, each rolled back on failure', () => {
    const template = JSON.parse(
      fs.readFileSync(path.join(clone, 'cdk.out', 'Invoices-pipeline.template.json'), 'utf8'),
    );
    const resources = Object.values(template.Resources as Record<string, { Type: string; Properties: unknown }>);
    const pipeline = resources.find((r) => r.Type === 'AWS::CodePipeline::Pipeline')?.Properties as {
      Stages: { Name: string; OnFailure?: { Result: string } }[];
    };
    const deploys = pipeline.Stages.filter((stage) => stage.OnFailure);
    expect(deploys.map((stage) => [stage.Name, stage.OnFailure?.Result])).toEqual([
      ['Invoices-dev', 'ROLLBACK'],
      ['Invoices-staging', 'ROLLBACK'],
      ['Invoices-prod', 'ROLLBACK'],
    ]);
  });

  test('refuses the same name again and changes nothing', () => {
    const before = fs.readFileSync(path.join(clone, 'lib/services/invoices/handler.ts'), 'utf8');
    const again = run(clone, 'node', ['bin/keel.cjs', 'new-service', 'invoices', '--team', 'commerce']);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('service "invoices" exists already in lib/services/index.ts');
    expect(again.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readFileSync(path.join(clone, 'lib/services/invoices/handler.ts'), 'utf8')).toBe(before);
  });

  test('passes cfn-lint in every template of the new Lambda service, with only reviewed warnings', async () => {
    const { code, output, errors } = await validation;
    expect(errors.filter((line) => !line.startsWith('cfn-lint: checking'))).toEqual([]);
    const result = JSON.parse(output.join('\n')) as ValidationResult;
    expect(result.findings.filter((finding) => !finding.acknowledged)).toEqual([]);
    expect(result).toMatchObject({ errors: 0, openWarnings: 0, passed: true });
    expect(result.templates).toHaveLength(4);
    expect(result.templates).toEqual(
      expect.arrayContaining([
        'Invoices-pipeline.template.json',
        expect.stringMatching(/^assembly-Invoices-dev\/.+\.template\.json$/),
      ]),
    );
    expect(code).toBe(0);
  });
  test('with --compute fargate, creates the definition, stack, metrics, app, Dockerfile, tests and runbook, and lists the service', () => {
    expect(containerScaffold.stderr).toBe('');
    expect(containerScaffold.status).toBe(0);
    for (const file of [
      'lib/services/shipments/index.ts',
      'lib/services/shipments/shipments-stack.ts',
      'lib/services/shipments/metrics.ts',
      'lib/services/shipments/app/server.ts',
      'lib/services/shipments/Dockerfile',
      'lib/services/shipments/.dockerignore',
      'test/lib/services/shipments/operations.test.ts',
      'test/lib/services/shipments/server.test.ts',
      'test/lib/services/shipments/shipments-stack.test.ts',
      'runbooks/shipments.md',
    ]) {
      expect(containerScaffold.stdout).toContain(`+ ${file}`);
      expect(fs.existsSync(path.join(clone, file))).toBe(true);
    }
    const list = fs.readFileSync(path.join(clone, 'lib/services/index.ts'), 'utf8');
    expect(list).toContain("import { shipments } from './shipments';");
    expect(list).toMatch(/export const services: readonly ServiceDefinition\[\] = \[orders, [^\]]*\bshipments\];/);
    expect(containerScaffold.stdout).toContain('The standard alarms (load balancer, targets, tasks) link');
    expect(containerScaffold.stdout).toContain("npx cdk deploy 'Shipments-dev/*'");
  });

  test("stages the image's build context at synth: the Dockerfile and the app bundled into app.js, for arm64", () => {
    const assembly = path.join(containerOut, 'assembly-Shipments-dev');
    const manifests = fs.readdirSync(assembly).filter((file) => file.endsWith('.assets.json'));
    const images = manifests.flatMap((file) => {
      const manifest = JSON.parse(fs.readFileSync(path.join(assembly, file), 'utf8'));
      return Object.values((manifest.dockerImages ?? {}) as Record<string, ImageAsset>);
    });
    expect(images).toHaveLength(1);
    expect(images[0].source.platform).toBe('linux/arm64');
    const context = fs.readdirSync(path.join(assembly, images[0].source.directory));
    expect(context).toEqual(expect.arrayContaining(['Dockerfile', '.dockerignore', 'app.js']));
  });

  test('gives the service its failure-rate and health alarms, each linking a runbook section that exists', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(containerOut, 'keel-manifest.json'), 'utf8'));
    const shipments = manifest.services.filter((s: { service: string }) => s.service === 'shipments');
    const alarms = shipments.flatMap((s: { alarms: { name: string; runbook: string }[] }) => s.alarms);
    expect(alarms.map((a: { name: string }) => a.name)).toEqual(
      expect.arrayContaining(['shipments-prod-failure-rate-critical', 'shipments-prod-health-critical']),
    );
    const output: string[] = [];
    const io = { out: (line: string) => output.push(line), err: (line: string) => output.push(line) };
    const assembly = containerOut;
    const code = await runCli(['runbooks', 'check', assembly, '--runbooks', path.join(clone, 'runbooks')], io);
    expect(output.join('\n')).toMatch(/alarm\(s\) checked .*: 0 problem\(s\)/);
    expect(code).toBe(0);
  });

  test('type-checks, lints and passes its own tests: the server, the stack and its operations', () => {
    const tsconfig = { extends: './tsconfig.json', include: ['lib/services/shipments', 'test/lib/services/shipments'] };
    fs.writeFileSync(path.join(clone, 'tsconfig.shipments.json'), JSON.stringify(tsconfig));
    const tsc = path.join('node_modules', 'typescript-native', 'bin', 'tsc');
    expect(run(clone, 'node', [tsc, '-p', 'tsconfig.shipments.json'])).toMatchObject({ stdout: '', status: 0 });
    const lint = run(clone, 'eslint', ['--max-warnings', '0', 'lib/services/shipments', 'test/lib/services/shipments']);
    expect(lint).toMatchObject({ stdout: '', status: 0 });
    const tests = run(clone, 'jest', ['--maxWorkers', '1', 'test/lib/services/shipments']);
    expect(tests.stderr).toMatch(/Tests: +\d+ passed, \d+ total/);
    expect(tests.status).toBe(0);
  });
});

// The code a new service starts with is checked in-tree, not in each scaffold: the template is a service of this
// repository (lib/services/hello-world), type-checked, linted and formatted by npm test, and its tests run with the
// others. A new service is that template with its words replaced, which the tests below pin down.

test('starts every service from hello-world, a service of this repository that npm test checks but nothing deploys', () => {
  expect(helloWorld.config).toEqual({
    name: SERVICE_TEMPLATE.name,
    owner: SERVICE_TEMPLATE.team.id,
    dataClassification: 'confidential',
  });
  expect(registry.teams.find((team) => team.id === SERVICE_TEMPLATE.team.id)?.onCallEndpoint).toBe(
    SERVICE_TEMPLATE.team.onCallEndpoint,
  );
  expect(fs.readFileSync(path.join(REPOSITORY_ROOT, 'lib/services/hello-world/index.ts'), 'utf8')).toContain(
    `config: ${SERVICE_TEMPLATE.config},`,
  );
  for (const test of ['hello-world-stack.test.ts', 'handler.test.ts']) {
    expect(fs.existsSync(path.join(REPOSITORY_ROOT, 'test/lib/services/hello-world', test))).toBe(true);
  }
  expect(services).not.toContain(helloWorld);
  expect(services.map((service) => service.config.name)).not.toContain(SERVICE_TEMPLATE.name);
});

test("copies the template with the new service's names, team and config, leaving no word of the template behind", () => {
  const root = repositoryFiles();
  const request = { name: 'payment-links', team: 'payments', tags: ['PciScope=cardholder-data'] };
  const plan = planNewService(root, request, registry);
  expect(plan.create.map((file) => file.path)).toEqual([
    'lib/services/payment-links/handler.ts',
    'lib/services/payment-links/index.ts',
    'lib/services/payment-links/metrics.ts',
    'lib/services/payment-links/payment-links-stack.ts',
    'test/lib/services/payment-links/handler.test.ts',
    'test/lib/services/payment-links/payment-links-stack.test.ts',
    'runbooks/payment-links.md',
  ]);
  const text = (file: string) => plan.create.find((f) => f.path === file)?.text ?? '';
  expect(text('lib/services/payment-links/index.ts')).toContain('export const paymentLinks: ServiceDefinition = {');
  expect(text('lib/services/payment-links/index.ts')).toContain(
    "config: { name: 'payment-links', owner: 'payments', dataClassification: 'confidential', tags: { PciScope: 'cardholder-data' } },",
  );
  expect(text('lib/services/payment-links/payment-links-stack.ts')).toContain('export class PaymentLinksStack');
  expect(text('test/lib/services/payment-links/handler.test.ts')).toContain("'Keel/PaymentLinks'");
  expect(text('runbooks/payment-links.md')).toContain('payments on-call (payments-oncall@example.com)');
  for (const file of plan.create) {
    expect({ file: file.path, left: file.text.match(/hello.?world|commerce/gi) }).toEqual({
      file: file.path,
      left: null,
    });
    if (file.path.endsWith('.ts')) {
      const { diagnostics } = ts.transpileModule(file.text, { fileName: file.path, reportDiagnostics: true });
      expect({ file: file.path, diagnostics }).toEqual({ file: file.path, diagnostics: [] });
    }
  }
});

test('starts a --compute fargate service from hello-container, a container service of this repository', () => {
  expect(helloContainer.config).toEqual({
    name: CONTAINER_SERVICE_TEMPLATE.name,
    owner: CONTAINER_SERVICE_TEMPLATE.team.id,
    dataClassification: 'internal',
  });
  expect(fs.readFileSync(path.join(REPOSITORY_ROOT, 'lib/services/hello-container/index.ts'), 'utf8')).toContain(
    `config: ${CONTAINER_SERVICE_TEMPLATE.config},`,
  );
});

test('with --compute fargate, copies the container template: the app, its Dockerfile, tests and runbook, registered like any service', () => {
  const root = repositoryFiles();
  const request = { name: 'payment-links', team: 'payments', tags: ['PciScope=cardholder-data'], compute: 'fargate' };
  const plan = planNewService(root, request, registry);
  expect(plan.compute).toBe('fargate');
  expect(plan.create.map((file) => file.path)).toEqual([
    'lib/services/payment-links/.dockerignore',
    'lib/services/payment-links/app/server.ts',
    'lib/services/payment-links/Dockerfile',
    'lib/services/payment-links/index.ts',
    'lib/services/payment-links/metrics.ts',
    'lib/services/payment-links/payment-links-stack.ts',
    'test/lib/services/payment-links/operations.test.ts',
    'test/lib/services/payment-links/payment-links-stack.test.ts',
    'test/lib/services/payment-links/server.test.ts',
    'runbooks/payment-links.md',
  ]);
  const text = (file: string) => plan.create.find((f) => f.path === file)?.text ?? '';
  expect(text('lib/services/payment-links/index.ts')).toContain(
    "config: { name: 'payment-links', owner: 'payments', dataClassification: 'confidential', tags: { PciScope: 'cardholder-data' } },",
  );
  expect(text('lib/services/payment-links/payment-links-stack.ts')).toContain(
    'export class PaymentLinksStack extends ServiceStack',
  );
  expect(text('lib/services/payment-links/payment-links-stack.ts')).toContain('new ProductionContainerService(');
  expect(text('lib/services/payment-links/Dockerfile')).toContain('COPY app.js /app/app.js');
  expect(text('test/lib/services/payment-links/server.test.ts')).toContain("'Keel/PaymentLinks'");
  expect(text('runbooks/payment-links.md')).toContain('payments on-call (payments-oncall@example.com)');
  expect(plan.runbookSections).toEqual(['failure-rate', 'health']);
  expect(plan.edit.map((file) => file.path)).toEqual(['lib/services/index.ts']);
  expect(plan.edit[0].text).toContain("import { paymentLinks } from './payment-links';");
  expect(plan.edit[0].text).toMatch(
    /export const services: readonly ServiceDefinition\[\] = \[orders, [^\]]*\bpaymentLinks\];/,
  );
  for (const file of plan.create) {
    expect({ file: file.path, left: file.text.match(/hello.?container|hello.?world|commerce/gi) }).toEqual({
      file: file.path,
      left: null,
    });
    if (file.path.endsWith('.ts')) {
      const { diagnostics } = ts.transpileModule(file.text, { fileName: file.path, reportDiagnostics: true });
      expect({ file: file.path, diagnostics }).toEqual({ file: file.path, diagnostics: [] });
    }
  }
});

test('with --compute lambda, writes exactly what it writes without --compute', () => {
  const root = repositoryFiles();
  const request = { name: 'invoices', team: 'commerce' };
  const lambda = planNewService(root, { ...request, compute: 'lambda' }, registry);
  expect(lambda).toEqual(planNewService(root, request, registry));
  expect(lambda.compute).toBe('lambda');
  expect(lambda.create.map((file) => file.path)).toContain('lib/services/invoices/handler.ts');
});

test('fails when --compute is not one Keel scaffolds, naming the ones it does', () => {
  expect(COMPUTES).toEqual(['lambda', 'fargate']);
  expect(refusal(repositoryFiles(), { name: 'invoices', team: 'commerce', compute: 'ec2' })).toContain(
    '--compute "ec2" is not a compute Keel scaffolds: use one of lambda, fargate (default lambda)',
  );
});

test('fails when the name would export its definition as a word JavaScript or the service list keeps for itself', () => {
  for (const name of ['delete', 'services']) {
    expect(refusal(repositoryFiles(), { name, team: 'commerce' })).toContain(
      `service name "${name}" would export its definition as \`${name}\`, which cannot be a variable in lib/services/index.ts: add a word, e.g. '${name}-service'`,
    );
  }
});

test('fails when the name is not kebab-case, saying what a name may be', () => {
  const root = repositoryFiles();
  for (const name of ['Invoices', 'invoices_v2', '2fa', 'invoices-']) {
    const message = refusal(root, { name, team: 'commerce' });
    expect(message).toContain(`service name ${JSON.stringify(name)} is not kebab-case`);
    expect(message).toContain("e.g. 'orders' or 'order-history'");
    expect(message).toContain('nothing was written');
  }
});

test('fails when the name is too long for the role names derived from it', () => {
  const message = refusal(repositoryFiles(), { name: 'a-very-long-service-name-for-invoices', team: 'commerce' });
  expect(message).toContain('is 37 characters long; at most 32 fit the names Keel derives from it');
});

test('fails when the service exists already', () => {
  expect(refusal(repositoryFiles(), { name: 'orders', team: 'commerce' })).toContain(
    'service "orders" exists already in lib/services/index.ts',
  );
});

test('fails when the team is unknown, listing the teams there are', () => {
  expect(refusal(repositoryFiles(), { name: 'invoices', team: 'billing' })).toContain(
    '--team "billing" is not in the team registry: use one of platform, commerce, payments, or add the team to lib/config/teams.ts first',
  );
});

test('fails when the data classification is not one of the four, and reports every problem at once', () => {
  const message = refusal(repositoryFiles(), { name: 'Invoices', team: 'billing', dataClassification: 'secret' });
  expect(message).toContain('--data-classification "secret" is not a data classification: use one of public, internal');
  expect(message).toContain('not kebab-case');
  expect(message).toContain('--team "billing"');
});

test("fails when the team requires a tag that is not given, and records it in the service's config when it is", () => {
  const root = repositoryFiles();
  expect(refusal(root, { name: 'ledger', team: 'payments' })).toContain(
    'team payments requires the tag(s) PciScope on its services: pass --tag PciScope=<value>',
  );
  expect(refusal(root, { name: 'ledger', team: 'payments', tags: ['PciScope'] })).toContain(
    '--tag "PciScope" is not Key=Value',
  );
  const plan = planNewService(root, { name: 'ledger', team: 'payments', tags: ['PciScope=cardholder-data'] }, registry);
  expect(plan.service).toEqual({
    name: 'ledger',
    owner: 'payments',
    dataClassification: 'confidential',
    tags: { PciScope: 'cardholder-data' },
  });
  expect(plan.create.find((file) => file.path === 'lib/services/ledger/index.ts')?.text).toContain(
    "config: { name: 'ledger', owner: 'payments', dataClassification: 'confidential', tags: { PciScope: 'cardholder-data' } },",
  );
});

test('never overwrites: an existing runbook or service folder stops it before anything is written', () => {
  const root = repositoryFiles();
  fs.mkdirSync(path.join(root, 'runbooks'));
  fs.writeFileSync(path.join(root, 'runbooks', 'invoices.md'), '# our own notes\n');
  fs.mkdirSync(path.join(root, 'lib', 'services', 'invoices'));
  const message = refusal(root, { name: 'invoices', team: 'commerce' });
  expect(message).toContain('keel new-service never overwrites; nothing was written');
  expect(message).toContain('lib/services/invoices/, runbooks/invoices.md');
});

test('fails, writing nothing, when the service list has lost the shape it edits', () => {
  const root = repositoryFiles();
  fs.writeFileSync(path.join(root, 'lib/services/index.ts'), 'export const services = loadServices();\n');
  const message = refusal(root, { name: 'invoices', team: 'commerce' });
  expect(message).toContain('lib/services/index.ts has lost the shape keel new-service edits');
  expect(message).toContain("import { invoices } from './invoices';");
});

test('undoes what it wrote when a file appears while it writes', () => {
  const root = repositoryFiles();
  const plan = planNewService(root, { name: 'invoices', team: 'commerce' }, registry);
  const before = snapshot(root);
  // The runbook is the last file written: everything before it must be removed again.
  fs.mkdirSync(path.join(root, 'runbooks'));
  fs.writeFileSync(path.join(root, 'runbooks', 'invoices.md'), '# written meanwhile\n');
  expect(() => writeServicePlan(root, plan)).toThrow(/could not write invoices, and undid what it wrote/);
  expect(snapshot(root)).toEqual({ ...before, 'runbooks/invoices.md': '# written meanwhile\n' });
  expect(fs.existsSync(path.join(root, 'lib/services/invoices'))).toBe(false);
  expect(fs.existsSync(path.join(root, 'test'))).toBe(false);
});

test('keel new-service --json reports what it wrote, formatted as the repository formats code', async () => {
  const root = repositoryFiles();
  const output: string[] = [];
  const io = { out: (text: string) => output.push(text), err: (text: string) => output.push(text) };
  const argv = ['new-service', 'invoices', '--team', 'commerce', '--data-classification', 'confidential', '--json'];
  expect(await runCli(argv, { ...io, repository: { root, registry } })).toBe(0);
  expect(JSON.parse(output.join('\n'))).toEqual({
    service: { name: 'invoices', owner: 'commerce', dataClassification: 'confidential' },
    created: expect.arrayContaining([
      'lib/services/invoices/index.ts',
      'lib/services/invoices/handler.ts',
      'runbooks/invoices.md',
    ]),
    edited: ['lib/services/index.ts'],
    runbookSections: ['failure-rate', 'availability-fast-burn', 'availability-slow-burn', 'health'],
  });
  // With --cache, as npm test runs it: without, Prettier deletes the cache in the node_modules this copy shares.
  const check = ['--check', '--cache', '--cache-strategy', 'content', 'lib', 'test', 'runbooks'];
  expect(run(root, 'prettier', check)).toMatchObject({ status: 0 });
  const list = fs.readFileSync(path.join(root, 'lib/services/index.ts'), 'utf8');
  expect(list).toContain("import { invoices } from './invoices';");
  expect(list).toContain('export const services: readonly ServiceDefinition[] = [orders, helloContainer, invoices];');
});

test('keel new-service --compute with an unknown value is a usage error (exit 2) that writes nothing', async () => {
  const root = repositoryFiles();
  const before = snapshot(root);
  const errors: string[] = [];
  const io = { out: () => undefined, err: (line: string) => errors.push(line), repository: { root, registry } };
  expect(await runCli(['new-service', 'invoices', '--team', 'commerce', '--compute', 'kubernetes'], io)).toBe(2);
  expect(errors.join('\n')).toContain(
    '--compute "kubernetes" is not a compute Keel scaffolds: use one of lambda, fargate (default lambda)',
  );
  expect(errors.join('\n')).not.toMatch(/\n\s+at /);
  expect(snapshot(root)).toEqual(before);
});

test('keel new-service without a name or a team is a usage error', async () => {
  const errors: string[] = [];
  const io = {
    out: () => undefined,
    err: (line: string) => errors.push(line),
    repository: { root: repositoryFiles(), registry },
  };
  expect(await runCli(['new-service', '--team', 'commerce'], io)).toBe(2);
  expect(await runCli(['new-service', 'invoices'], io)).toBe(2);
  expect(errors).toEqual([
    'keel: keel new-service needs one name: keel new-service <name> --team <team>',
    'keel: keel new-service needs the owner team: --team <team>',
  ]);
});
