import { Metrics } from '@aws-lambda-powertools/metrics';
import { defineBusinessMetrics } from '../../../../constructs/observability/business-metric';
import { emit } from '../../../../lib/services/runtime/metrics';
import { emfDocuments } from '../../../helpers/lambda';

const shopMetrics = defineBusinessMetrics('shop', {
  sales: { name: 'Sales', unit: 'Count', statistic: 'Sum', description: 'Sales made' },
  basket: { name: 'BasketValue', unit: 'None', statistic: 'Average', description: 'Value of each basket, in cents' },
});

test('emits a business metric under the name and unit its definition gives, once by default', () => {
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const metrics = new Metrics({ namespace: 'Keel/Shop', serviceName: 'shop' });
    emit(metrics, shopMetrics.sales);
    emit(metrics, shopMetrics.basket, 1250);
    metrics.publishStoredMetrics();
    const [document] = emfDocuments(stdout);
    expect(document).toMatchObject({ Sales: 1, BasketValue: 1250, service: 'shop' });
    expect(JSON.stringify(document._aws)).toContain('{"Name":"Sales","Unit":"Count"}');
  } finally {
    stdout.mockRestore();
  }
});
