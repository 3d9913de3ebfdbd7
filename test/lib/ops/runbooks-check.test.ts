import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkRunbooks } from '../../../lib/ops/runbooks-check';
import { removeTempDirs, tempDir } from '../../helpers/manifest';
import { cliFailure } from '../../helpers/refusal';

const HEADINGS = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation', 'Escalation'];
const LINK = 'https://github.com/x/y/blob/main/runbooks';

afterAll(removeTempDirs);

function alarm(name: string, description: unknown, type = 'AWS::CloudWatch::Alarm') {
  return { Type: type, Properties: { AlarmName: name, AlarmDescription: description } };
}

/** A cloud assembly with `templates` (file → resources), and a runbooks directory with `a.md#sec`. */
function fixture(templates: Record<string, Record<string, unknown>>, headings = HEADINGS) {
  const assembly = tempDir('keel-runbooks-assembly-');
  for (const [file, resources] of Object.entries(templates)) {
    fs.mkdirSync(path.dirname(path.join(assembly, file)), { recursive: true });
    fs.writeFileSync(path.join(assembly, file), JSON.stringify({ Resources: resources }));
  }
  const runbooks = tempDir('keel-runbooks-');
  fs.writeFileSync(path.join(runbooks, 'a.md'), ['## sec', ...headings.map((h) => `### ${h}`)].join('\n\n'));
  return { assembly, runbooks };
}

test('checks metric and composite alarms in every template, nested Stage assemblies included, and nothing else', () => {
  const { assembly, runbooks } = fixture({
    'Pipeline.template.json': {
      Health: alarm('p-health', `Health. Runbook: ${LINK}/a.md#sec`, 'AWS::CloudWatch::CompositeAlarm'),
    },
    'assembly-Shop-prod/Shop-prod.template.json': {
      Errors: alarm('shop-prod-errors', `Errors. Runbook: ${LINK}/a.md#sec`),
      Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    },
  });

  expect(checkRunbooks(assembly, runbooks)).toEqual({ checked: 2, problems: [] });
});

test('reads a description written as a Fn::Join of literal parts', () => {
  const joined = { 'Fn::Join': ['', ['Errors. ', `Runbook: ${LINK}/a.md#sec`]] };
  const { assembly, runbooks } = fixture({ 'S.template.json': { Errors: alarm('e', joined) } });

  expect(checkRunbooks(assembly, runbooks).problems).toEqual([]);
});

test('fails when an alarm links no runbook, naming the alarm (or its logical id) and the template', () => {
  const { assembly, runbooks } = fixture({
    'S.template.json': {
      Plain: alarm('shop-prod-plain', 'No link here'),
      Tokened: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: { Ref: 'Name' } } },
    },
  });

  expect(checkRunbooks(assembly, runbooks).problems).toEqual([
    {
      template: 'S.template.json',
      alarm: 'shop-prod-plain',
      problem: "its description does not end with 'Runbook: <url>#<anchor>'",
    },
    {
      template: 'S.template.json',
      alarm: 'Tokened',
      problem: "its description does not end with 'Runbook: <url>#<anchor>'",
    },
  ]);
});

test('fails when the linked file, section or headings are missing, saying what to add', () => {
  const { assembly, runbooks } = fixture(
    {
      'S.template.json': {
        NoFile: alarm('no-file', `Runbook: ${LINK}/b.md#sec`),
        NoSection: alarm('no-section', `Runbook: ${LINK}/a.md#other`),
        NoHeading: alarm('no-heading', `Runbook: ${LINK}/a.md#sec`),
      },
    },
    HEADINGS.slice(0, 3),
  );

  expect(checkRunbooks(assembly, runbooks).problems.map((p) => `${p.alarm}: ${p.problem}`)).toEqual([
    "no-file: runbooks/b.md does not exist; create it with a '## sec' section",
    "no-section: runbooks/a.md has no section '#other'; add '## other' with Meaning, Impact, Diagnosis, Mitigation, Escalation",
    "no-heading: runbooks/a.md#sec lacks the heading(s) '### Mitigation', '### Escalation'",
  ]);
});

test('fails when the assembly or the runbooks directory does not exist, as usage errors', async () => {
  const { assembly } = fixture({});
  const nowhere = path.join(assembly, 'nowhere');

  const noAssembly = await cliFailure(Promise.resolve().then(() => checkRunbooks(nowhere, assembly)));
  const noRunbooks = await cliFailure(Promise.resolve().then(() => checkRunbooks(assembly, nowhere)));

  expect(noAssembly).toMatchObject({
    exitCode: 2,
    message: `no cloud assembly at ${nowhere}: run 'npx cdk synth' first`,
  });
  expect(noRunbooks).toMatchObject({
    exitCode: 2,
    message: `no runbooks directory at ${nowhere}: pass --runbooks <dir>`,
  });
});

test('fails when the directory holds no synthesized template, rather than passing with nothing checked', async () => {
  const { assembly, runbooks } = fixture({});

  const empty = await cliFailure(Promise.resolve().then(() => checkRunbooks(assembly, runbooks)));

  expect(empty).toMatchObject({
    exitCode: 2,
    message:
      `no cloud assembly at ${assembly}: it holds no synthesized template (*.template.json); run 'npx cdk synth' ` +
      'first, or pass the directory cdk synth wrote (cdk.out unless --output says otherwise)',
  });
});

test('looks for templates only where a cloud assembly keeps them, so a wrong directory is refused, not searched', async () => {
  // A repository checkout: templates deep in folders that are not nested Stage assemblies (assembly-*).
  const { assembly, runbooks } = fixture({ 'some/project/cdk.out/Stack.template.json': { A: alarm('a', 'x') } });
  const wrong = await cliFailure(Promise.resolve().then(() => checkRunbooks(assembly, runbooks)));
  expect(wrong).toMatchObject({ exitCode: 2, message: expect.stringContaining('it holds no synthesized template') });

  const file = path.join(assembly, 'some', 'project', 'cdk.out', 'Stack.template.json');
  const notDirectory = await cliFailure(Promise.resolve().then(() => checkRunbooks(file, runbooks)));
  expect(notDirectory).toMatchObject({
    exitCode: 2,
    message: `no cloud assembly at ${file}: run 'npx cdk synth' first`,
  });
});
