import * as fs from 'node:fs';
import * as path from 'node:path';
import { oneLine, runKeel as run } from '../../../helpers/cli';
import { removeTempDirs, tempDir } from '../../../helpers/manifest';

afterAll(() => {
  removeTempDirs();
});

describe('keel runbooks check', () => {
  const HEADINGS = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation', 'Escalation'];

  function fixture(headings: readonly string[]): { assembly: string; runbooks: string } {
    // Service stacks live in Stages, so their templates sit in nested assemblies.
    const dir = tempDir('keel-runbooks-assembly-');
    fs.mkdirSync(path.join(dir, 'assembly-Shop-prod'));
    fs.writeFileSync(
      path.join(dir, 'assembly-Shop-prod', 'Shop-prod.template.json'),
      JSON.stringify({
        Resources: {
          ApiErrors: {
            Type: 'AWS::CloudWatch::Alarm',
            Properties: {
              AlarmName: 'shop-prod-a-critical',
              AlarmDescription: 'API errors. Runbook: https://github.com/x/y/blob/main/runbooks/a.md#sec',
            },
          },
          Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
        },
      }),
    );
    const runbooks = tempDir('keel-runbooks-');
    fs.writeFileSync(
      path.join(runbooks, 'a.md'),
      ['# A', '', '## sec', '', ...headings.flatMap((h) => [`### ${h}`, '', `${h}.`, ''])].join('\n'),
    );
    return { assembly: dir, runbooks };
  }

  test('returns 0 when every alarm links a complete runbook section', async () => {
    const { assembly: dir, runbooks } = fixture(HEADINGS);

    const result = await run(['runbooks', 'check', dir, '--runbooks', runbooks]);

    expect(result.code).toBe(0);
    expect(result.out).toEqual([`1 alarm(s) checked in ${path.resolve(dir)}: 0 problem(s)`]);
  });

  test('fails when a required heading is missing, naming the alarm and the heading', async () => {
    const { assembly: dir, runbooks } = fixture(HEADINGS.filter((h) => h !== 'Escalation'));

    const result = await run(['runbooks', 'check', dir, '--runbooks', runbooks]);

    expect(result.code).toBe(1);
    expect(result.out).toEqual([
      "✗ shop-prod-a-critical (assembly-Shop-prod/Shop-prod.template.json): runbooks/a.md#sec lacks the heading(s) '### Escalation'",
      `1 alarm(s) checked in ${path.resolve(dir)}: 1 problem(s)`,
    ]);
  });

  test('prints the problems as JSON with --json', async () => {
    const { assembly: dir, runbooks } = fixture(HEADINGS.slice(1));

    const result = await run(['runbooks', 'check', dir, '--runbooks', runbooks, '--json']);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.out[0])).toEqual({
      checked: 1,
      problems: [
        {
          template: 'assembly-Shop-prod/Shop-prod.template.json',
          alarm: 'shop-prod-a-critical',
          problem: "runbooks/a.md#sec lacks the heading(s) '### Meaning'",
        },
      ],
    });
  });

  test('fails when the directory is not a cloud assembly, with exit code 2 and one line', async () => {
    const { runbooks } = fixture(HEADINGS);

    const result = await run(['runbooks', 'check', runbooks, '--runbooks', runbooks]);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toBe(
      `keel: no cloud assembly at ${runbooks}: it holds no synthesized template (*.template.json); run 'npx cdk ` +
        "synth' first, or pass the directory cdk synth wrote (cdk.out unless --output says otherwise)",
    );
    expect(result.out).toEqual([]);
  });

  test('fails when the runbooks directory does not exist, with exit code 2', async () => {
    const { assembly: dir } = fixture(HEADINGS);

    const result = await run(['runbooks', 'check', dir, '--runbooks', path.join(dir, 'nowhere')]);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toContain('no runbooks directory at');
  });
});
