import * as fs from 'node:fs';
import * as path from 'node:path';
import { CFN_LINT_ACKNOWLEDGMENTS_FILE, loadCfnLintAcknowledgments } from '../../../lib/ops/cfn-lint-acknowledgments';
import { removeTempDirs, tempDir } from '../../helpers/manifest';
import { cliFailure } from '../../helpers/refusal';

afterAll(removeTempDirs);

const W3005 = { reason: ' aws-cdk-lib emits redundant DependsOn ', owner: ' platform ', expires: '2027-05-15' };

/** A repository root whose acknowledgments file holds `content` (written as is when a string). */
function rootWith(content: unknown): string {
  const root = tempDir('keel-acknowledgments-');
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  fs.writeFileSync(path.join(root, CFN_LINT_ACKNOWLEDGMENTS_FILE), text);
  return root;
}

const failure = (root: string, limits = {}) =>
  cliFailure(Promise.resolve().then(() => loadCfnLintAcknowledgments(root, limits)));

test('reads each acknowledged rule with its reason and owner trimmed', () => {
  expect(loadCfnLintAcknowledgments(rootWith({ W3005 }))).toEqual([
    { rule: 'W3005', reason: 'aws-cdk-lib emits redundant DependsOn', owner: 'platform', expires: '2027-05-15' },
  ]);
});

test('reads none when the repository has no acknowledgments file', () => {
  expect(loadCfnLintAcknowledgments(tempDir())).toEqual([]);
});

test('fails when the file is not JSON, or not one object of rule ids, showing how to write it', async () => {
  const garbled = await failure(rootWith('{ "W3005": '));
  const list = await failure(rootWith([W3005]));

  expect(garbled.exitCode).toBe(2);
  expect(garbled.message).toMatch(/cfn-lint-acknowledgments\.json is not valid JSON \(.+\); write it as \{ "W3005"/);
  expect(list.message).toMatch(/cfn-lint-acknowledgments\.json must hold one object of rule ids, e\.g\. \{ "W3005"/);
});

test('fails when an entry is not an object or not a warning rule, naming each one', async () => {
  const error = await failure(rootWith({ W3005: 'yes', E3004: W3005, 'no-rule': W3005 }));

  expect(error.message).toContain('has 3 problem(s); nothing was validated:');
  expect(error.message).toContain('- W3005 is "yes", not an object');
  expect(error.message).toContain('- E3004 is an error rule; errors always fail\n    fix: fix the template');
  expect(error.message).toContain('- "no-rule" is not a cfn-lint warning rule id\n    fix: use the rule id');
});

test('fails when the owner is not a known team, or the expiry is later than allowed, only when limits say so', async () => {
  const root = rootWith({ W3005: { ...W3005, owner: 'billing' } });
  expect(loadCfnLintAcknowledgments(root)).toHaveLength(1);

  const error = await failure(root, { knownOwners: ['platform', 'commerce'], latestExpiry: new Date('2027-05-14') });

  expect(error.message).toContain(
    '- W3005.owner is "billing", not a team in the team registry\n    fix: use one of platform, commerce, or add the team to lib/config/teams.ts',
  );
  expect(error.message).toContain('- W3005.expires is "2027-05-15", later than 2027-05-14');
});

test('reads a renewal with its previous expiry and reviewer, and refuses one with neither a reviewer nor a new reason', async () => {
  const renewal = { previousExpiry: '2027-01-31', reviewer: 'security-review' };
  expect(loadCfnLintAcknowledgments(rootWith({ W3005: { ...W3005, renewal } }))[0].renewal).toEqual(renewal);

  const error = await failure(rootWith({ W3005: { ...W3005, renewal: { previousExpiry: '2027-01-31' } } }));

  expect(error.message).toContain(
    '- W3005.renewal renews the expiry from 2027-01-31 to 2027-05-15 with neither a reviewer nor a new reason',
  );
});
