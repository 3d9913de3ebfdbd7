import { EXIT, usageError } from '../errors';
import { COMPUTES, formatWritten, planNewService, renderServicePlan, writeServicePlan } from '../new-service';
import { OPTION_HELP, defineCommand } from './command';
import { thisRepository } from './repository';

/** `keel new-service`: scaffolds a service in this repository, registered and ready to synthesize. */
export const command = defineCommand({
  name: 'new-service',
  summary:
    'writes a new service into this repository: its stack, metrics, handler or container app, tests and runbook.',
  usage: [
    'Usage: keel new-service <name> --team <team> [--compute lambda] [--data-classification confidential] [--tag Key=Value ...]',
    '',
    'Options:',
    OPTION_HELP.team,
    `  --compute <kind>     ${COMPUTES.join(' or ')} (default ${COMPUTES[0]}): functions behind API Gateway, or a`,
    '                       container on Fargate behind a load balancer (lib/services/hello-container)',
    OPTION_HELP.dataClassification,
    OPTION_HELP.tag,
    OPTION_HELP.json,
    OPTION_HELP.debug,
    OPTION_HELP.help,
    '',
    'Exit codes: 0 written, 2 usage or config error (nothing is written).',
  ].join('\n'),
  options: {
    team: { type: 'string' },
    'data-classification': { type: 'string' },
    compute: { type: 'string' },
    tag: { type: 'string', multiple: true },
  },
  async run(values, positionals, io) {
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) {
      throw usageError('keel new-service needs one name: keel new-service <name> --team <team>');
    }
    if (!values.team) throw usageError(`keel new-service needs the owner team: --team <team>`);
    const { root, registry } = io.repository ?? thisRepository();
    const request = {
      name,
      team: values.team,
      dataClassification: values['data-classification'],
      tags: values.tag,
      compute: values.compute,
    };
    const plan = planNewService(root, request, registry);
    writeServicePlan(root, plan);
    if (!formatWritten(root, plan)) io.err('keel: Prettier did not format the new files; run npm run format');
    const written = {
      service: plan.service,
      created: plan.create.map((f) => f.path),
      edited: plan.edit.map((f) => f.path),
      runbookSections: plan.runbookSections,
    };
    io.out(values.json ? JSON.stringify(written, undefined, 2) : renderServicePlan(plan));
    return EXIT.ok;
  },
});
