import * as logs from 'aws-cdk-lib/aws-logs';
import { PROTECTION_LEVELS, protectionDefaults } from '../../../constructs/service/protection';

test('orders the levels from dev to prod: basic, standard, maximum', () => {
  expect(PROTECTION_LEVELS).toEqual(['basic', 'standard', 'maximum']);
});

test('basic (dev) keeps logs a month, may destroy what a service asks it to, and runs without a WAF', () => {
  expect(protectionDefaults('basic')).toEqual({
    logRetention: logs.RetentionDays.ONE_MONTH,
    deletionProtection: false,
    allowDestroy: true,
    webAcl: false,
  });
});

test('standard (staging) retains and protects data like prod, and puts a WAF in front of public APIs', () => {
  expect(protectionDefaults('standard')).toEqual({
    logRetention: logs.RetentionDays.THREE_MONTHS,
    deletionProtection: true,
    allowDestroy: false,
    webAcl: true,
  });
});

test('maximum (prod) adds a year of logs and reserved concurrency for every function', () => {
  expect(protectionDefaults('maximum')).toEqual({
    logRetention: logs.RetentionDays.ONE_YEAR,
    deletionProtection: true,
    allowDestroy: false,
    webAcl: true,
    reservedConcurrency: 25,
  });
});
