import * as path from 'node:path';
import { CallSite, callerIn } from '../../../constructs/observability/call-site';

const observability = path.join(__dirname, '..', '..', '..', 'constructs', 'observability');

describe('a call site', () => {
  test("is the first frame in the user's code, relative to the working directory", () => {
    const stack = [
      'Error',
      `    at KeelAlarmFactory.claimConstructId (${observability}/alarm-factory.ts:141:18)`,
      `    at ServiceMonitoring.addThresholdAlarm (${observability}/service-monitoring.ts:249:30)`,
      `    at OrdersStack.addBusinessAlarms (${process.cwd()}/lib/services/orders/orders-stack.ts:140:7)`,
      `    at new OrdersStack (${process.cwd()}/lib/services/orders/orders-stack.ts:90:10)`,
    ].join('\n');
    expect(callerIn(stack)).toBe(path.join('lib', 'services', 'orders', 'orders-stack.ts:140'));
  });

  test('skips Node itself and node_modules', () => {
    const stack = [
      'Error',
      '    at Module._compile (node:internal/modules/cjs/loader:1554:14)',
      `    at Object.<anonymous> (${process.cwd()}/node_modules/some-lib/index.js:3:1)`,
      `    at file://${process.cwd()}/app.ts:7:3`,
    ].join('\n');
    expect(callerIn(stack)).toBe('app.ts:7');
  });

  test('says so when no frame is the user’s, instead of failing', () => {
    expect(callerIn('Error\n    at Module._compile (node:internal/modules/cjs/loader:1554:14)')).toBe(
      'an unknown place (no caller outside constructs/observability on the stack)',
    );
    expect(callerIn('')).toMatch(/^an unknown place/);
  });

  test('is captured where it is created', () => {
    const line = Number(/:(\d+):\d+\)?$/.exec(new Error().stack?.split('\n')[1] ?? '')?.[1]) + 1;
    const site = new CallSite();
    expect(site.describe()).toBe(`${path.relative(process.cwd(), __filename)}:${line}`);
  });
});
