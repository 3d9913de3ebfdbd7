/** How sensitive the data a service holds is; drives the `DataClassification` tag. */
export const DATA_CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;

export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

export function isDataClassification(value: unknown): value is DataClassification {
  return typeof value === 'string' && (DATA_CLASSIFICATIONS as readonly string[]).includes(value);
}
