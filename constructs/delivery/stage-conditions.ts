import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import type { CfnPipeline } from 'aws-cdk-lib/aws-codepipeline';
import type { DeploymentWindow } from './deployment-window';

/** One rule of a stage condition, as CloudFormation spells it. */
export type StageRule = CfnPipeline.RuleDeclarationProperty;

export interface StageConditions {
  /** Rules that must all pass before the stage starts; any failing fails the stage entry. */
  readonly beforeEntry?: readonly StageRule[];
  /** What CodePipeline does when the stage fails. */
  readonly onFailure?: 'ROLLBACK' | 'RETRY';
}

/*
 * There is no alarm rule here on purpose. AWS documents the CodePipeline `CloudWatchAlarm` rule neither for composite
 * alarms nor with a role in another account, and with a `DeploymentWindow` rule in the same condition it may check the
 * alarm before the window opens and not again. The health check before entry is a CodeBuild `pre` step of the stage
 * instead (ServicePipeline's `Healthy-<env>` steps); see the delivery README.
 */

/** Fails outside the window. */
export function deploymentWindowRule(window: DeploymentWindow, index: number): StageRule {
  return {
    name: `DeploymentWindow-${index + 1}`,
    ruleTypeId: { category: 'Rule', owner: 'AWS', provider: 'DeploymentWindow', version: '1' },
    configuration: { Cron: window.cron, TimeZone: window.timeZone ?? 'UTC' },
  };
}

/**
 * The escape hatch, in one place: CDK Pipelines has no option for CodePipeline V2 stage conditions, so this sets a
 * built stage's `BeforeEntry` and `OnFailure` with L1 property overrides. Call it after `buildPipeline()`.
 *
 * @throws Error when the pipeline has no stage of that name (a bug in the caller, not user input).
 */
export function setStageConditions(
  pipeline: codepipeline.Pipeline,
  stageName: string,
  conditions: StageConditions,
): void {
  const index = pipeline.stages.findIndex((stage) => stage.stageName === stageName);
  if (index < 0) {
    throw new Error(
      `pipeline ${pipeline.node.path} has no stage ${stageName}: ${pipeline.stages.map((s) => s.stageName).join(', ')}`,
    );
  }
  const cfn = pipeline.node.defaultChild as CfnPipeline;
  const rules = conditions.beforeEntry ?? [];
  if (rules.length > 0) {
    cfn.addPropertyOverride(`Stages.${index}.BeforeEntry`, {
      Conditions: [{ Result: 'FAIL', Rules: rules.map(renderRule) }],
    });
  }
  if (conditions.onFailure) {
    cfn.addPropertyOverride(`Stages.${index}.OnFailure`, { Result: conditions.onFailure });
  }
}

function renderRule(rule: StageRule): Record<string, unknown> {
  const type = rule.ruleTypeId as CfnPipeline.RuleTypeIdProperty;
  return {
    Name: rule.name,
    RuleTypeId: { Category: type.category, Owner: type.owner, Provider: type.provider, Version: type.version },
    Configuration: rule.configuration,
    ...(rule.region ? { Region: rule.region } : {}),
    ...(rule.roleArn ? { RoleArn: rule.roleArn } : {}),
  };
}
