import { KeelValidationError, pascalCase } from '../../constructs';
import { readSynthOptions } from '../../lib/platform';
import { loadRepositoryConfig } from '../../lib/synth';
import { repositoryContext } from '../helpers/app';

const config = loadRepositoryConfig({ context: (key) => repositoryContext[key], env: {} });
const options = (context: Record<string, string>) => readSynthOptions((key) => context[key], config);

test('builds every environment with compliance on by default', () => {
  expect(options({})).toEqual({ environments: ['dev', 'staging', 'prod'], compliance: true });
});

test('builds only the environments named in keel:environments', () => {
  expect(options({ 'keel:environments': 'dev, staging' }).environments).toEqual(['dev', 'staging']);
});

test('fails when keel:environments names an unknown environment, listing the known ones', () => {
  expect(() => options({ 'keel:environments': 'dev,qa' })).toThrow(KeelValidationError);
  expect(() => options({ 'keel:environments': 'dev,qa' })).toThrow(
    /unknown environment\(s\) qa[\s\S]*dev, staging, prod/,
  );
});

test('fails when compliance is switched off for a synth that builds prod', () => {
  expect(() => options({ 'keel:compliance': 'off' })).toThrow(/compliance cannot be switched off while building prod/);
  expect(() => options({ 'keel:compliance': 'off' })).toThrow(/-c keel:environments=dev,staging/);
});

test('allows compliance off, for measurement, when prod is not built', () => {
  expect(options({ 'keel:compliance': 'off', 'keel:environments': 'dev' })).toEqual({
    environments: ['dev'],
    compliance: false,
  });
});

test('fails when keel:compliance is neither on nor off', () => {
  expect(() => options({ 'keel:compliance': 'false' })).toThrow(/"false" is not on or off/);
});

test('stack names are the PascalCase service name', () => {
  expect(pascalCase('order-history')).toBe('OrderHistory');
  expect(pascalCase('orders')).toBe('Orders');
});
