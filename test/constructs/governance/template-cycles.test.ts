import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, type Stack } from 'aws-cdk-lib';
import { Compliance } from '../../../constructs';
import { dependencies, dependencyCycles } from '../../../constructs/governance/template-cycles';
import { ownedTestStack, testApp } from '../../helpers/app';

const CFN_LINT = path.join(__dirname, '..', '..', '..', '.venv', 'bin', 'cfn-lint');

/**
 * The shape that made Orders-prod undeployable: the alias's update policy names the hook function, and the hook
 * refers back to the alias through its environment and its policy, on which it depends.
 */
function hookLoop(stack: Stack): void {
  const alias = new CfnResource(stack, 'Alias', {
    type: 'AWS::Lambda::Alias',
    properties: { FunctionName: 'orders-handler', FunctionVersion: '1', Name: 'live' },
  });
  const policy = new CfnResource(stack, 'HookPolicy', {
    type: 'AWS::IAM::ManagedPolicy',
    properties: {
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: alias.ref }],
      },
    },
  });
  const hook = new CfnResource(stack, 'Hook', {
    type: 'AWS::Lambda::Function',
    properties: {
      Code: { ZipFile: 'exports.handler = async () => {};' },
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Role: 'arn:aws:iam::111111111111:role/hook',
      Environment: { Variables: { TARGET_FUNCTION: alias.ref } },
    },
  });
  hook.addDependency(policy);
  alias.cfnOptions.updatePolicy = {
    codeDeployLambdaAliasUpdate: {
      applicationName: 'orders',
      deploymentGroupName: 'live',
      afterAllowTrafficHook: hook.ref,
    },
  };
}

test('finds the loop through an update policy, as CloudFormation sees it', () => {
  const graph = dependencies({
    Alias: {
      Type: 'AWS::Lambda::Alias',
      UpdatePolicy: { CodeDeployLambdaAliasUpdate: { AfterAllowTrafficHook: { Ref: 'Hook' } } },
    },
    Hook: {
      Type: 'AWS::Lambda::Function',
      DependsOn: ['HookPolicy'],
      Properties: { Environment: { Variables: { T: { Ref: 'Alias' } } } },
    },
    HookPolicy: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Resource: { 'Fn::Sub': '${Alias}:*' } } },
    Other: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: { 'Fn::GetAtt': ['Hook', 'Arn'] } } },
  });
  expect(dependencyCycles(graph)).toEqual([['Alias', 'Hook', 'HookPolicy']]);
});

test('a chain without a loop, and references to parameters, are not cycles', () => {
  const graph = dependencies({
    A: {
      Type: 'X',
      Properties: { B: { Ref: 'B' }, Region: { Ref: 'AWS::Region' }, C: { 'Fn::Sub': ['${C.Arn}', {}] } },
    },
    B: { Type: 'X', DependsOn: 'C' },
    C: { Type: 'X' },
  });
  expect(dependencyCycles(graph)).toEqual([]);
});

describe('npx cdk synth with a template CloudFormation would reject', () => {
  const app = testApp();
  const printed: string[] = [];
  const compliance = new Compliance(app, { print: (line) => printed.push(line) });
  const stack = ownedTestStack(app);
  hookLoop(stack);
  compliance.addStack(stack);
  const result = compliance.synth();
  const output = printed.join('\n');

  test('fails, naming the stack, the resources in the loop and their construct paths', () => {
    expect(result.passed).toBe(false);
    const loop = result.report.rules.find((rule) => rule.ruleId === 'Deployability::CircularDependency');
    expect(loop?.open.map((finding) => finding.path).sort()).toEqual(['Test/Alias', 'Test/Hook', 'Test/HookPolicy']);
    expect(output).toContain(
      '✗ Deployability::CircularDependency on Test/Alias: CloudFormation would reject stack Test: these resources ' +
        'depend on each other in a loop, through references (Ref, Fn::GetAtt, Fn::Sub, also inside an ' +
        'UpdatePolicy) or DependsOn: Alias (Test/Alias), Hook (Test/Hook), HookPolicy (Test/HookPolicy).',
    );
  });

  test("is a loop aws-cdk-lib's own CloudFormation validator does not see", () => {
    expect(result.report.rules.filter((rule) => rule.source === 'CloudFormation Validate')).toEqual([]);
  });

  test('agrees with cfn-lint, which finds the same loop (E3004) in the same template', () => {
    const template = path.join(app.outdir, 'Test.template.json');
    expect(fs.existsSync(template)).toBe(true);
    let out = '';
    try {
      execFileSync(CFN_LINT, ['--format', 'parseable', template], { encoding: 'utf8' });
    } catch (error) {
      out = (error as { stdout: string }).stdout;
    }
    const looped = [...out.matchAll(/E3004:Circular Dependencies for resource (\w+)/g)].map((m) => m[1]).sort();
    expect(looped).toEqual(['Alias', 'Hook', 'HookPolicy']);
  });
});
