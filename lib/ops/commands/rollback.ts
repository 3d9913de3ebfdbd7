import { codePipelineClient } from '../aws';
import { EXIT, usageError } from '../errors';
import { planRollback, renderPlan, rollback } from '../rollback';
import { OPTION_HELP, defineCommand } from './command';
import { SERVICE_OPTIONS, SERVICE_OPTION_HELP, serviceTarget } from './service-target';

/** `keel rollback`: a person decides to go back; the pipeline's stage returns to its last good execution. */
export const command = defineCommand({
  name: 'rollback',
  summary: "rolls the service's pipeline stage for the environment back to the last execution that succeeded in it.",
  usage: [
    'Usage: keel rollback <service> --env <env> [--yes]',
    '',
    'Options:',
    '  --env <env>          the environment, as the manifest names it (dev, staging, prod)',
    OPTION_HELP.yes,
    ...SERVICE_OPTION_HELP,
    OPTION_HELP.json,
    OPTION_HELP.debug,
    OPTION_HELP.help,
    '',
    'It shows what it will do and asks first; without a terminal to answer, pass --yes.',
    '',
    'Exit codes: 0 rolling back, 1 not rolled back, 2 usage or config error, 3 AWS error after retries.',
  ].join('\n'),
  options: { ...SERVICE_OPTIONS, yes: { type: 'boolean', short: 'y', default: false } },
  async run(values, positionals, io) {
    const { entry, aws, deadline } = serviceTarget('rollback', values, positionals, io);
    if (!entry.pipeline) {
      throw usageError(
        `the manifest has no pipeline for ${entry.service} (${entry.environment}); synthesize every environment ` +
          '(leave out -c keel:environments) so the pipeline is built',
      );
    }
    const where = aws(entry.pipeline.region);
    const client = io.codePipeline ? io.codePipeline(where) : codePipelineClient({ ...where, deadline });
    io.err(`looking up ${entry.pipeline.name} (${entry.pipeline.stage}) ...`);
    const plan = await planRollback(client, entry.pipeline);
    io.err(renderPlan(plan));
    if (!values.yes) {
      if (!io.confirm) throw usageError('keel rollback asks before it acts; pass --yes when no one can answer');
      if (!(await io.confirm(`Roll back ${plan.stage}? [y/N] `))) {
        io.out(`not rolled back: ${plan.stage} stays on ${plan.current?.executionId ?? 'its current execution'}`);
        return EXIT.unhealthy;
      }
      // The time a person took to read the plan does not count against the rollback call.
      deadline.restart();
    }
    const executionId = await rollback(client, plan);
    io.out(
      values.json
        ? JSON.stringify({ ...plan, rollbackExecutionId: executionId }, undefined, 2)
        : `ROLLING BACK: ${plan.stage} of ${plan.pipeline} to ${plan.target.executionId} (rollback execution ` +
            `${executionId}); watch it with: aws codepipeline get-pipeline-state --name ${plan.pipeline}`,
    );
    return EXIT.ok;
  },
});
