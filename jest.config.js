/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // Synthesizing CDK apps is CPU-bound: one worker per core ('100%' of the cores Node reports available).
  maxWorkers: '100%',
  // A first synth in a worker loads aws-cdk-lib and its validator engine: seconds, not milliseconds.
  testTimeout: 60_000,
  // The run gets a temporary directory of its own and fails when a test leaves a keel-* directory in it.
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
};
