/** One line of an order. Prices are whole cents, so totals are exact. */
export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

/** What a client sends to place an order. */
export interface OrderRequest {
  readonly customerId: string;
  readonly items: readonly OrderLine[];
}

/** The dearest item sold: bounds totals well inside exact integer arithmetic. */
export const MAX_UNIT_PRICE_CENTS = 100_000_000;

/** A problem with one field of a request. */
export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

/** Checks an order request; returns the problems, empty when it is valid. */
export function validateOrder(body: unknown): FieldProblem[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [{ field: '(body)', problem: 'must be a JSON object' }];
  }
  const { customerId, items } = body as Partial<OrderRequest>;
  const problems: FieldProblem[] = [];
  if (typeof customerId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(customerId)) {
    problems.push({ field: 'customerId', problem: 'must be 1-64 letters, digits or dashes' });
  }
  if (!Array.isArray(items) || items.length === 0 || items.length > 100) {
    problems.push({ field: 'items', problem: 'must be a list of 1 to 100 lines' });
    return problems;
  }
  items.forEach((item: Partial<OrderLine> | null, i) => {
    if (typeof item?.sku !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(item.sku)) {
      problems.push({ field: `items[${i}].sku`, problem: 'must be 1-64 letters, digits or dashes' });
    }
    if (!Number.isInteger(item?.quantity) || (item?.quantity ?? 0) < 1 || (item?.quantity ?? 0) > 1000) {
      problems.push({ field: `items[${i}].quantity`, problem: 'must be a whole number from 1 to 1000' });
    }
    const price = item?.unitPriceCents ?? -1;
    if (!Number.isInteger(price) || price < 0 || price > MAX_UNIT_PRICE_CENTS) {
      problems.push({
        field: `items[${i}].unitPriceCents`,
        problem: `must be a whole number of cents from 0 to ${MAX_UNIT_PRICE_CENTS}`,
      });
    }
  });
  return problems;
}

/** The order's value in cents. */
export function orderTotalCents(order: OrderRequest): number {
  return order.items.reduce((total, item) => total + item.quantity * item.unitPriceCents, 0);
}
