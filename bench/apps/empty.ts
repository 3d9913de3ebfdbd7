// The floor: node, Keel's TypeScript hook and aws-cdk-lib loading, one stack with the smallest valid template, and
// aws-cdk-lib's default synth (which includes its built-in CloudFormation validator).
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';

const app = new App();
new CfnWaitConditionHandle(new Stack(app, 'Empty'), 'Nothing');
app.synth();
