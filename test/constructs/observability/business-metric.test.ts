import {
  businessMetricSetProblems,
  defineBusinessMetrics,
  metricNameProblem,
  type BusinessMetricSpec,
} from '../../../constructs';

const placed: BusinessMetricSpec = {
  name: 'OrdersPlaced',
  unit: 'Count',
  description: 'An order was placed.',
  statistic: 'Sum',
};
const value: BusinessMetricSpec = {
  name: 'OrderValue',
  unit: 'None',
  description: 'The value of an order, in cents.',
  statistic: 'Average',
};

describe('defineBusinessMetrics', () => {
  const metrics = defineBusinessMetrics('order-history', { placed, value });

  test('keeps each spec under its key, with the service that emits it', () => {
    expect(Object.keys(metrics)).toEqual(['placed', 'value']);
    expect(metrics.placed).toMatchObject({ ...placed, service: 'order-history' });
    expect(metrics.value).toMatchObject({ ...value, service: 'order-history' });
  });

  test('puts every metric in the namespace Keel/<Service>, the service name in PascalCase', () => {
    expect(metrics.placed.namespace).toBe('Keel/OrderHistory');
    expect(metrics.value.namespace).toBe('Keel/OrderHistory');
    expect(defineBusinessMetrics('orders', { placed }).placed.namespace).toBe('Keel/Orders');
  });

  test('gives every metric the service dimension Powertools Metrics adds to each data point, and no other', () => {
    expect(metrics.placed.dimensions).toEqual({ service: 'order-history' });
    expect(metrics.value.dimensions).toEqual({ service: 'order-history' });
  });

  test('returns a frozen set of frozen metrics, so no handler or construct can change what another sees', () => {
    expect(Object.isFrozen(metrics)).toBe(true);
    expect(Object.isFrozen(metrics.placed)).toBe(true);
    expect(Object.isFrozen(metrics.value)).toBe(true);
  });

  test('leaves the specs it was given as they were', () => {
    const spec = { ...placed };
    defineBusinessMetrics('orders', { placed: spec });
    expect(spec).toEqual(placed);
    expect(Object.isFrozen(spec)).toBe(false);
  });
});

describe('metricNameProblem', () => {
  test.each([
    ['a CamelCase word', 'OrdersPlaced'],
    ['spaces', 'Orders placed'],
    ['a colon after the first character', 'orders:placed'],
    ['punctuation', 'Latency-p99_ms.total'],
    ['one character', 'x'],
    ['255 characters', 'x'.repeat(255)],
  ])('accepts a name with %s', (_, name) => {
    expect(metricNameProblem(name)).toBeUndefined();
  });

  test('fails when the name is empty', () => {
    expect(metricNameProblem('')).toBe('is empty');
  });

  test('fails when the name is not a string at all, as from a JavaScript caller', () => {
    expect(metricNameProblem(undefined)).toBeDefined();
    expect(metricNameProblem(42)).toBeDefined();
  });

  test('fails when the name is longer than 255 characters, saying how long it is', () => {
    expect(metricNameProblem('x'.repeat(256))).toBe('is 256 characters long; CloudWatch allows 255');
  });

  test('fails when the name starts with a colon', () => {
    expect(metricNameProblem(':OrdersPlaced')).toBe("starts with ':', which CloudWatch rejects");
  });

  test.each([
    ['a tab', 'Orders\tPlaced'],
    ['a newline', 'OrdersPlaced\n'],
    ['a non-ASCII letter', 'Bestellungen€'],
    ['a control character', 'Orders\u0007'],
  ])('fails when the name has %s', (_, name) => {
    expect(metricNameProblem(name)).toBe('has characters outside printable ASCII, which CloudWatch rejects');
  });
});

describe('businessMetricSetProblems', () => {
  const shop = defineBusinessMetrics('shop', { placed, value });

  test('finds nothing wrong with the metrics of the service, emitted by at least one function', () => {
    expect(businessMetricSetProblems('Shop/Monitoring', 'shop', shop, 1)).toEqual([]);
    expect(businessMetricSetProblems('Shop/Monitoring', 'shop', shop, 3)).toEqual([]);
  });

  test('fails when a metric belongs to another service, saying how to define it for this one', () => {
    const billing = defineBusinessMetrics('billing', { paid: { ...placed, name: 'InvoicesPaid' } });
    expect(businessMetricSetProblems('Shop/Monitoring', 'shop', billing, 1)).toEqual([
      {
        where: 'Shop/Monitoring business metric InvoicesPaid',
        what: 'belongs to service billing, not shop',
        fix: "define it with defineBusinessMetrics('shop', ...)",
      },
    ]);
  });

  test('fails when a metric has a name CloudWatch would reject, quoting the name', () => {
    const bad = defineBusinessMetrics('shop', { placed: { ...placed, name: ':Placed' } });
    expect(businessMetricSetProblems('Shop/Monitoring', 'shop', bad, 1)).toEqual([
      {
        where: 'Shop/Monitoring business metric ":Placed"',
        what: "the name starts with ':', which CloudWatch rejects",
        fix: 'use 1-255 printable ASCII characters, not starting with a colon, e.g. OrdersPlaced',
      },
    ]);
  });

  test('fails when no function is said to emit the metrics', () => {
    expect(businessMetricSetProblems('Shop/Monitoring', 'shop', shop, 0)).toEqual([
      {
        where: 'Shop/Monitoring business metrics',
        what: 'no function is said to emit them',
        fix: 'pass the functions whose handlers import the metrics, e.g. addBusinessMetrics(metrics, [handler])',
      },
    ]);
  });

  test('fails with every problem at once: each bad name, each foreign metric, and the missing emitter', () => {
    const billing = defineBusinessMetrics('billing', {
      empty: { ...placed, name: '' },
      euro: { ...value, name: 'Umsatz€' },
    });
    const problems = businessMetricSetProblems('Shop/Monitoring', 'shop', billing, 0);
    expect(problems.map((p) => `${p.where}: ${p.what}`)).toEqual([
      'Shop/Monitoring business metric "": the name is empty',
      'Shop/Monitoring business metric : belongs to service billing, not shop',
      'Shop/Monitoring business metric "Umsatz€": the name has characters outside printable ASCII, which CloudWatch rejects',
      'Shop/Monitoring business metric Umsatz€: belongs to service billing, not shop',
      'Shop/Monitoring business metrics: no function is said to emit them',
    ]);
  });

  test('finds nothing wrong with an empty set that some function emits', () => {
    expect(businessMetricSetProblems('Shop/Monitoring', 'shop', defineBusinessMetrics('shop', {}), 1)).toEqual([]);
  });
});
