import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../../../lib/ops/cli';
import { thisRepository } from '../../../../lib/ops/commands/repository';
import { removeTempDirs, tempDir } from '../../../helpers/manifest';

afterAll(removeTempDirs);

/** A cloud assembly with one template, and a cfn-lint stand-in that finds nothing in it. */
function quietAssembly(): { assembly: string; cfnLint: string } {
  const assembly = tempDir('keel-validate-');
  fs.writeFileSync(path.join(assembly, 'S.template.json'), JSON.stringify({ Resources: {} }));
  const cfnLint = path.join(tempDir('keel-fake-cfn-lint-'), 'cfn-lint');
  fs.writeFileSync(cfnLint, '#!/bin/sh\n[ "$1" = "--version" ] && echo "cfn-lint 9.9.9" && exit 0\nprintf "[]"\n', {
    mode: 0o755,
  });
  return { assembly, cfnLint };
}

async function validate(argv: readonly string[], cfnLint: string) {
  const out: string[] = [];
  const err: string[] = [];
  const before = process.env.KEEL_CFN_LINT;
  process.env.KEEL_CFN_LINT = cfnLint;
  try {
    const code = await runCli(['validate', ...argv], { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    if (before === undefined) delete process.env.KEEL_CFN_LINT;
    else process.env.KEEL_CFN_LINT = before;
  }
}

test("judges this repository's acknowledgments when no repository is given", async () => {
  const { assembly, cfnLint } = quietAssembly();
  const file = path.join(thisRepository().root, 'cfn-lint-acknowledgments.json');
  const rules = fs.existsSync(file) ? Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')) as object) : [];

  const result = await validate([assembly], cfnLint);

  expect(result.err).toContain(`cfn-lint: checking 1 template(s) in ${assembly} ...`);
  for (const rule of rules) expect(result.out).toContain(`${rule} in cfn-lint-acknowledgments.json`);
  expect(result.out).toMatch(/cfn-lint 9\.9\.9: 1 template\(s\), 0 error\(s\), 0 warning\(s\) open/);
});

test('takes the assembly from --assembly', async () => {
  const { assembly, cfnLint } = quietAssembly();

  const result = await validate(['--assembly', assembly, '--json'], cfnLint);

  expect(JSON.parse(result.out)).toMatchObject({ assembly, templates: ['S.template.json'], errors: 0 });
});
