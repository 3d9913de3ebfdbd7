import {
  AWS_ACCOUNT_ID,
  AWS_REGION,
  deliveryRoleNames,
  KEBAB_CASE,
  keelNames,
  pascalCase,
} from '../../constructs/naming';

test('names what the manifest, the pipeline and the CLI look up, from the service and environment', () => {
  expect(keelNames.qualified('order-history', 'prod')).toBe('order-history-prod');
  expect(keelNames.stack('order-history', 'prod')).toBe('OrderHistory-prod');
  expect(keelNames.pipelineStack('order-history')).toBe('OrderHistory-pipeline');
  expect(keelNames.pipeline('order-history')).toBe('order-history-pipeline');
  expect(keelNames.alarm('orders', 'prod', 'orders-stopped', 'critical')).toBe('orders-prod-orders-stopped-critical');
  expect(keelNames.healthAlarm('orders', 'prod')).toBe(keelNames.alarm('orders', 'prod', 'health', 'critical'));
  expect(keelNames.dashboard('orders', 'prod')).toBe('orders-prod');
  expect(keelNames.keyAlias('orders', 'prod')).toBe('alias/orders-prod');
  expect(keelNames.metricNamespace('order-history')).toBe('Keel/OrderHistory');
});

test('every alarm name of a service starts with its alarm prefix, and no other service shares it', () => {
  const name = keelNames.alarm('orders', 'prod', 'api-5xx-rate', 'critical');
  expect(name.startsWith(keelNames.alarmPrefix('orders', 'prod'))).toBe(true);
  expect(name.startsWith(keelNames.alarmPrefix('orders', 'pro'))).toBe(false);
});

test('names the delivery roles each account trusts in the other', () => {
  expect(deliveryRoleNames.pipeline('orders')).toBe('keel-orders-pipeline');
  expect(deliveryRoleNames.gate('orders', 'prod')).toBe('keel-orders-prod-gate');
  expect(deliveryRoleNames.alarmReader('orders', 'prod')).toBe('keel-orders-prod-alarm-reader');
});

test('kebab case is lower-case words joined by single dashes, starting with a letter', () => {
  for (const good of ['orders', 'order-history', 'api-5xx-rate', 'v2']) expect(KEBAB_CASE.test(good)).toBe(true);
  for (const bad of ['Orders', 'order_history', 'order--history', '-orders', 'orders-', '5xx', ''])
    expect(KEBAB_CASE.test(bad)).toBe(false);
  expect(pascalCase('api-5xx-rate')).toBe('Api5xxRate');
});

test('knows an AWS account id and region name when it sees one', () => {
  expect(AWS_ACCOUNT_ID.test('111111111111')).toBe(true);
  for (const bad of ['11111111111', '1111111111111', 'abcdefghijkl']) expect(AWS_ACCOUNT_ID.test(bad)).toBe(false);
  for (const good of ['eu-west-1', 'us-gov-west-1', 'ap-southeast-2']) expect(AWS_REGION.test(good)).toBe(true);
  for (const bad of ['eu-west', 'EU-WEST-1', 'europe']) expect(AWS_REGION.test(bad)).toBe(false);
});
