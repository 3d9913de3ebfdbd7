import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import {
  ProductionContainerService,
  type ProductionContainerServiceProps,
} from '../../constructs/service/production-container-service';
import type { ProtectionLevel } from '../../constructs/service/protection';
import { ServiceStack } from '../../constructs/service/service-stack';
import { testApp } from './app';

/** The tiny app container service tests build: `app/server.ts` and the Dockerfile beside `app/`. */
export const CONTAINER_APP_ENTRY = path.join(__dirname, '..', 'fixtures', 'container-app', 'app', 'server.ts');

/** A certificate of the test account and region, as the config would give one. */
export const TEST_CERTIFICATE_ARN =
  'arn:aws:acm:eu-west-1:111111111111:certificate/12345678-1234-1234-1234-123456789012';

/** The environment of each protection level, as the reference config names them. */
export const ENVIRONMENT_OF: Readonly<Record<ProtectionLevel, string>> = {
  basic: 'dev',
  standard: 'staging',
  maximum: 'prod',
};

/** A ServiceStack in the test account and region. */
export function testServiceStack(app: App = testApp(), id = 'Test'): ServiceStack {
  return new ServiceStack(app, id, { env: { account: '111111111111', region: 'eu-west-1' } });
}

/**
 * The `hello` container service at `protection` in `stack` (a fresh ServiceStack by default), with a certificate
 * above basic protection; `props` win.
 */
export function helloContainerService(
  protection: ProtectionLevel = 'basic',
  props: Partial<ProductionContainerServiceProps> = {},
  stack = testServiceStack(),
): ProductionContainerService {
  return new ProductionContainerService(stack, 'Hello', {
    serviceName: 'hello',
    environment: ENVIRONMENT_OF[protection],
    protection,
    entry: CONTAINER_APP_ENTRY,
    ...(protection === 'basic' ? {} : { certificateArn: TEST_CERTIFICATE_ARN }),
    ...props,
  });
}
