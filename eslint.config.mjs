import js from '@eslint/js';
import security from 'eslint-plugin-security';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', '.scratch/', '.venv/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  ...tseslint.configs.stylistic,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      'no-console': 'off',
    },
  },
  // Static analysis, a security gate (constructs/delivery/README.md, Security gates): eslint-plugin-security's
  // recommended rules; npm run lint makes each warning fail with --max-warnings 0. The rule choices below are reviewed
  // ones; none turns the gate off, and code that runs in Lambda or a container keeps every rule.
  security.configs.recommended,
  {
    // detect-object-injection flags every obj[key] whose key is not a literal (154 places, all records and arrays
    // indexed by keys their TypeScript types bound); its own documentation calls it noisy. Off everywhere.
    rules: { 'security/detect-object-injection': 'off' },
  },
  {
    // Synth, the keel CLI, benchmarks, scripts and tests read the repository's files by computed paths (templates,
    // runbooks, cdk.out) and build patterns from names in the repository: the paths and patterns come from the
    // repository and the person running the command, never from a request. Handler code keeps both rules.
    files: ['**/*.ts', '**/*.js', '**/*.cjs', '**/*.mjs'],
    ignores: ['lib/services/runtime/**', 'lib/services/*/app/**'],
    rules: { 'security/detect-non-literal-fs-filename': 'off', 'security/detect-non-literal-regexp': 'off' },
  },
  {
    // safe-regex's star-height heuristic flags these expressions, each reviewed: every repeated group starts with a
    // character the group before it cannot match ('-', ' ', ', #'), so no input makes them backtrack, and they read
    // configuration, command-line values, or (compliance-report-sarif.ts) the stack frames of synth's own process.
    // A new expression anywhere else is checked.
    files: [
      'constructs/delivery/pipeline-source.ts',
      'constructs/governance/rules/secrets/no-credential-literals.ts',
      'constructs/naming.ts',
      'lib/config/load.ts',
      'lib/config/model.ts',
      'lib/ops/aws.ts',
      'lib/ops/compliance-report-sarif.ts',
      'lib/ops/duration.ts',
      'test/helpers/fake-dynamodb.ts',
    ],
    rules: { 'security/detect-unsafe-regex': 'off' },
  },
  {
    // One job per file, and functions a reader can hold in their head (docs/architecture.md).
    files: ['constructs/**/*.ts', 'lib/**/*.ts', 'bin/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
);
