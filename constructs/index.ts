export * from './governance/acknowledge';
export * from './governance/compliance';
export * from './governance/data-classification';
export * from './governance/keel-checks';
export * from './governance/ownership-tags';
export * from './governance/rule-packs';
export * from './governance/rules/keel-rule';
export * from './governance/tags';
export { KeelValidationError, type Problem } from './private/errors';
