import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { CanaryDeployment, ProductionService, ServiceMonitoring } from '../../../../constructs';
import type { ServiceStackProps } from '../../../../lib/services/service-stack';
import { PaymentsService } from '../../../../lib/teams/payments/payments-service';
import { ECHO_HANDLER } from '../../../helpers/app';
import { runbookFile, runbooksDirectory } from '../../../helpers/monitoring';

/**
 * A payments service as the payments team builds one: on PaymentsService, with a ledger table. `serviceClass` lets a
 * test build the same service on plain ProductionService.
 */
export class LedgerStack extends Stack {
  public readonly service: ProductionService;
  public readonly ledger: dynamodb.Table;

  constructor(
    scope: Construct,
    id: string,
    props: ServiceStackProps,
    serviceClass: typeof ProductionService = PaymentsService,
  ) {
    super(scope, id, props);
    this.service = new serviceClass(this, 'Service', props.defaults.service);
    this.ledger = this.service.addTable('Ledger', {
      partitionKey: { name: 'entryId', type: dynamodb.AttributeType.STRING },
    });
    const handler = this.service.addFunction('Handler', { entry: ECHO_HANDLER });
    handler.grantTableReadWrite(this.ledger);
    this.service.addRoute('GET', '/ledger', handler);
    const monitoring = new ServiceMonitoring(this, 'Monitoring', {
      ...props.defaults.monitoring,
      service: this.service,
      runbooks: {
        ...props.defaults.monitoring.runbooks,
        directory: runbooksDirectory({ 'ledger.md': runbookFile('ledger', ['health']) }),
      },
    });
    new CanaryDeployment(this, 'Deployment', { ...props.defaults.deployment, monitoring });
  }
}
