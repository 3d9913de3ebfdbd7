// cdk-nag's index loads every one of its packs and the aws-cdk-lib modules their rules read: about 0.15 s in a
// process, and as much again in every jest test file, which loads its modules afresh. Keel's own rules and packs
// need only the basics, which come from these two files; the packs load when the first is built (rule-packs.ts).
// dependency-cruiser (rule heavy-libraries-load-on-use) keeps every other file off cdk-nag's index.
export { NagMessageLevel, NagRuleCompliance, type NagRuleResult } from 'cdk-nag/lib/nag-rules';
export { NagPack, type IApplyRule } from 'cdk-nag/lib/nag-pack';

/** cdk-nag's packs, loaded on first use. */
export function nagPacks(): typeof import('cdk-nag') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('cdk-nag') as typeof import('cdk-nag');
}
