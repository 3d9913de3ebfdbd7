import { runCli } from '../../../../lib/ops/cli';

async function run(argv: readonly string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out, err };
}

test('fails when given more than one name, writing nothing, with exit code 2', async () => {
  const result = await run(['new-service', 'invoices', 'receipts', '--team', 'commerce']);

  expect(result.code).toBe(2);
  expect(result.err).toEqual(['keel: keel new-service needs one name: keel new-service <name> --team <team>']);
  expect(result.out).toEqual([]);
});

test('fails when an option is not one of its own, with exit code 2', async () => {
  const result = await run(['new-service', 'invoices', '--team', 'commerce', '--env', 'prod']);

  expect(result.code).toBe(2);
  expect(result.err[0]).toMatch(/^keel: keel new-service has no option --env\b/);
});
