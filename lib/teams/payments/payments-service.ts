import { ProductionService, type ServiceFunctionOptions, type ServiceTableProps } from '../../../constructs';

/**
 * The payments team's ProductionService: every table refuses deletion in every environment (the team's rule
 * PaymentsTableDeletionProtection checks it), and functions get more memory, since payment providers' SDKs are
 * heavy and cold starts count against the checkout latency. Everything else is the platform's.
 */
export class PaymentsService extends ProductionService {
  protected override functionDefaults(): Partial<ServiceFunctionOptions> {
    return { memorySize: 1024 };
  }

  protected override tableDefaults(): Partial<ServiceTableProps> {
    return { deletionProtection: true };
  }
}
