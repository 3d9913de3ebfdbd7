/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // Synthesizing CDK apps is CPU-bound: one worker per core.
  maxWorkers: 2,
  // A first synth in a worker loads aws-cdk-lib and its validator engine: seconds, not milliseconds.
  testTimeout: 60_000,
};
