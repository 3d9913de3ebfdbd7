import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { deploymentWindowRule, setStageConditions } from '../../../constructs';
import { testStack } from '../../helpers/app';

/** A plain V2 pipeline: a source stage, then Staging and Prod stages of manual approvals. */
function plainPipeline() {
  const stack = testStack();
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', { pipelineType: codepipeline.PipelineType.V2 });
  const source = new codepipeline.Artifact();
  const bucket = s3.Bucket.fromBucketName(stack, 'Source', 'source-bucket');
  pipeline.addStage({
    stageName: 'Source',
    actions: [new actions.S3SourceAction({ actionName: 'Source', bucket, bucketKey: 'src.zip', output: source })],
  });
  for (const stageName of ['Staging', 'Prod']) {
    pipeline.addStage({ stageName, actions: [new actions.ManualApprovalAction({ actionName: 'Approve' })] });
  }
  return { stack, pipeline };
}

const stagesOf = (template: Template) =>
  (
    Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties as {
      Stages: { Name: string; BeforeEntry?: unknown; OnFailure?: unknown }[];
    }
  ).Stages;

test('sets before-entry rules and rollback on the named stage only', () => {
  const { stack, pipeline } = plainPipeline();
  setStageConditions(pipeline, 'Prod', {
    beforeEntry: [
      deploymentWindowRule({ cron: '* * 9-16 ? * MON-THU' }, 0),
      deploymentWindowRule({ cron: '* * 9-11 ? * FRI', timeZone: 'Europe/Berlin' }, 1),
    ],
    onFailure: 'ROLLBACK',
  });
  const stages = stagesOf(Template.fromStack(stack));
  expect(stages.map((s) => [s.Name, s.OnFailure])).toEqual([
    ['Source', undefined],
    ['Staging', undefined],
    ['Prod', { Result: 'ROLLBACK' }],
  ]);
  expect(stages[2].BeforeEntry).toEqual({
    Conditions: [
      {
        Result: 'FAIL',
        Rules: [
          {
            Name: 'DeploymentWindow-1',
            RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'DeploymentWindow', Version: '1' },
            Configuration: { Cron: '* * 9-16 ? * MON-THU', TimeZone: 'UTC' },
          },
          {
            Name: 'DeploymentWindow-2',
            RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'DeploymentWindow', Version: '1' },
            Configuration: { Cron: '* * 9-11 ? * FRI', TimeZone: 'Europe/Berlin' },
          },
        ],
      },
    ],
  });
});

test('sets no condition when there are no rules', () => {
  const { stack, pipeline } = plainPipeline();
  setStageConditions(pipeline, 'Staging', { beforeEntry: [], onFailure: 'ROLLBACK' });
  expect(stagesOf(Template.fromStack(stack))[1]).not.toHaveProperty('BeforeEntry');
});

test('fails when the pipeline has no stage of that name, listing the stages it has', () => {
  const { pipeline } = plainPipeline();
  expect(() => setStageConditions(pipeline, 'Qa', { onFailure: 'ROLLBACK' })).toThrow(
    /has no stage Qa: Source, Staging, Prod/,
  );
});
