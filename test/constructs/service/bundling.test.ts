import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { bundledHandlerCode } from '../../../constructs/service/bundling';
import { ECHO_HANDLER, testApp, testStack } from '../../helpers/app';
import { refusal } from '../../helpers/refusal';

const ORDERS_HANDLER = path.join(__dirname, '..', '..', '..', 'lib', 'services', 'orders', 'handler.ts');

/** Keel's functions before in-process bundling: NodejsFunction spawning esbuild. */
function nodejsFunction(stack: Stack, id: string, entry: string): void {
  new NodejsFunction(stack, id, {
    entry,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    bundling: { minify: true, sourceMap: true, format: OutputFormat.CJS, target: 'node24' },
  });
}

function inProcessFunction(stack: Stack, id: string, entry: string): void {
  new lambda.Function(stack, id, {
    code: bundledHandlerCode(stack, { entry }),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
  });
}

interface Bundle {
  readonly hash: string;
  readonly files: Record<string, Buffer>;
}

/** The asset hash and files of every function in `app`, in the order of the functions. */
function bundles(app: App, stack: Stack): Bundle[] {
  const assembly = app.synth();
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  return Object.values(functions).map((fn) => {
    const hash = (fn.Properties.Code.S3Key as string).replace(/\.zip$/, '');
    const dir = path.join(assembly.directory, `asset.${hash}`);
    const files = Object.fromEntries(fs.readdirSync(dir).map((name) => [name, fs.readFileSync(path.join(dir, name))]));
    return { hash, files };
  });
}

test("bundles a handler into the same files, with the same asset hash, as NodejsFunction's esbuild", () => {
  const before = testStack(testApp());
  nodejsFunction(before, 'Handler', ECHO_HANDLER);
  const after = testStack(testApp());
  inProcessFunction(after, 'Handler', ECHO_HANDLER);

  const [old] = bundles(before.node.root as App, before);
  const [bundled] = bundles(after.node.root as App, after);
  expect(Object.keys(bundled.files).sort()).toEqual(['index.js', 'index.js.map']);
  expect(bundled.files).toEqual(old.files);
  expect(bundled.hash).toBe(old.hash);
});

test('gives two handlers in one app their own bundles, each the same as NodejsFunction gives it', () => {
  const before = testStack(testApp());
  nodejsFunction(before, 'Echo', ECHO_HANDLER);
  nodejsFunction(before, 'Orders', ORDERS_HANDLER);
  const after = testStack(testApp());
  inProcessFunction(after, 'Echo', ECHO_HANDLER);
  inProcessFunction(after, 'Orders', ORDERS_HANDLER);

  const [echo, orders] = bundles(after.node.root as App, after);
  expect(echo.hash).not.toBe(orders.hash);
  expect(echo.files['index.js']).not.toEqual(orders.files['index.js']);
  expect(echo.files['index.js.map'].toString()).toContain('echo-handler.ts');
  expect(orders.files['index.js.map'].toString()).toContain('orders/handler.ts');
  expect([echo.hash, orders.hash]).toEqual(bundles(before.node.root as App, before).map((bundle) => bundle.hash));
});

describe('the package lock', () => {
  test('fails when depsLockFilePath is not a file', () => {
    const stack = testStack(testApp());
    expect(refusal(() => bundledHandlerCode(stack, { entry: ECHO_HANDLER, depsLockFilePath: 'no-such.lock' }))).toMatch(
      /depsLockFilePath: "no-such.lock" is not a file/,
    );
  });

  test('runs esbuild in the folder of the given lock file', () => {
    const stack = testStack(testApp());
    const lock = path.join(__dirname, '..', '..', '..', 'package-lock.json');
    const code = bundledHandlerCode(stack, { entry: ECHO_HANDLER, depsLockFilePath: lock });
    expect(code).toBeInstanceOf(lambda.AssetCode);
    expect((code as lambda.AssetCode).path).toBe(path.dirname(lock));
  });
});
