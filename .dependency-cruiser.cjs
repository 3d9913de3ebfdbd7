// The rooms of docs/architecture.md and what each may import, checked by dependency-cruiser in `npm test`
// (`npm run lint:architecture`). A rule here is the architecture document's table in a form a tool can check.
const CDK = '(^|/)node_modules/(aws-cdk-lib|cdk-nag|cdk-monitoring-constructs|constructs|@cdklabs)/';

/** A room must not import the rooms above it. */
const downwardOnly = (name, from, forbidden, comment, runtimeOnly = false) => ({
  name,
  severity: 'error',
  comment,
  from: { path: from },
  to: { path: forbidden, ...(runtimeOnly ? { dependencyTypesNot: ['type-only'] } : {}) },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle between files, type-only imports included.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'private-stays-private',
      severity: 'error',
      comment: 'constructs/private/ is for constructs/ only; nothing outside (or the barrel) imports it.',
      from: { path: '^(lib|bin|bench|tools|constructs/index\\.ts)' },
      to: { path: '^constructs/private/' },
    },
    downwardOnly(
      'leaf-modules-stay-leaves',
      '^constructs/(naming|errors)\\.ts$|^constructs/manifest/manifest-schema\\.ts$|^constructs/governance/compliance-report\\.ts$',
      '^(constructs|lib)/|' + CDK,
      'naming, errors, the manifest schema and the compliance report types load nothing: the CLI and handlers load them.',
      true,
    ),
    downwardOnly(
      'governance-is-the-floor',
      '^constructs/governance/',
      '^constructs/(service|secrets|observability|delivery|manifest|private)/',
      'The compliance engine and its rules read templates; they import no construct room.',
    ),
    downwardOnly(
      'private-below-rooms',
      '^constructs/private/',
      '^constructs/(service|secrets|observability|delivery|manifest)/',
      'Helpers shared by constructs know no construct room.',
    ),
    downwardOnly(
      'secrets-below-service',
      '^constructs/secrets/',
      '^constructs/(service|observability|delivery|manifest)/',
      'The service key knows no service.',
    ),
    downwardOnly(
      'service-below-observability',
      '^constructs/service/',
      '^constructs/(observability|delivery|manifest)/',
      'A service does not know who watches or ships it.',
    ),
    downwardOnly(
      'observability-below-delivery',
      '^constructs/observability/',
      '^constructs/(delivery|manifest)/',
      'Monitoring does not know the pipeline; the manifest reads both.',
    ),
    downwardOnly(
      'delivery-below-manifest',
      '^constructs/delivery/',
      '^constructs/manifest/',
      'The manifest reads delivery.',
    ),
    downwardOnly(
      'constructs-know-no-repository',
      '^constructs/',
      '^(lib|bin|bench|test|tools)/',
      'The library teams import knows nothing of this repository.',
    ),
    downwardOnly(
      'handler-code-stays-light',
      '^(lib/services/runtime/|lib/services/[^/]+/app/|constructs/observability/business-metric\\.ts$)',
      '^(lib/(config|ops|teams|platform)|constructs/(service|secrets|observability/(?!business-metric)|delivery|governance|manifest|private))|' +
        CDK,
      'Code bundled into Lambda functions and container apps (lib/services/<name>/app/) imports no aws-cdk-lib and no synth-time room.',
    ),
    downwardOnly(
      'cli-loads-no-synth-library',
      '^lib/ops/(?!new-service|template|templates/|commands/(new-service|repository))',
      '^(lib/(config/(?!platform\\.ts$)|platform|synth|services|teams)|constructs/(index|service|secrets|delivery|observability/(?!runbooks)|private))|' +
        CDK,
      'keel --help, status, gate, rollback, runbooks and compliance start without the synth-time library; validate and new-service load the repository config (commands/repository.ts).',
      true,
    ),
    downwardOnly(
      'teams-below-config',
      '^lib/teams/',
      '^lib/(config|services|platform|synth|ops)/',
      "A team's constructs and rules import the library, not the repository's config.",
    ),
    downwardOnly(
      'services-below-platform',
      '^lib/services/',
      '^lib/(platform|synth|ops)',
      'A service is defined once; the platform reads the definitions, not the other way round.',
    ),
    downwardOnly(
      'heavy-libraries-load-on-use',
      '^(?!constructs/governance/nag\\.ts$|constructs/observability/standard-alarms\\.ts$)',
      '(^|/)node_modules/(cdk-nag/lib/index\\.|cdk-monitoring-constructs/)',
      "cdk-nag's index (all its packs) and cdk-monitoring-constructs take about 0.15 s each to load, in every process and every jest test file: import cdk-nag through constructs/governance/nag.ts, and cdk-monitoring-constructs only as types outside standard-alarms.ts, which load them when a pack or an alarm is built.",
      true,
    ),
    downwardOnly(
      'no-test-code-in-product',
      '^(constructs|lib|bin|bench|tools)/',
      '^test/',
      'Benchmarks, tools and the product never import tests.',
    ),
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^cdk\\.out' },
  },
};
