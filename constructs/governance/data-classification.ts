import type { Problem } from '../errors';

/** How sensitive the data a service holds is; drives the `DataClassification` tag. */
export const DATA_CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;

export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

export function isDataClassification(value: unknown): value is DataClassification {
  return typeof value === 'string' && (DATA_CLASSIFICATIONS as readonly string[]).includes(value);
}

/** What is wrong with a data classification, or `undefined` when it is one of the four; the caller says where. */
export function dataClassificationProblem(value: unknown): Omit<Problem, 'where'> | undefined {
  if (isDataClassification(value)) return undefined;
  return {
    what: `${JSON.stringify(value)} is not a data classification`,
    fix: `use one of ${DATA_CLASSIFICATIONS.join(' | ')}`,
  };
}
