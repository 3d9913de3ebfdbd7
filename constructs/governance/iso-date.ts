/**
 * Parses an ISO calendar date (`YYYY-MM-DD`) to midnight UTC, or `undefined` when it is not one. It imports nothing,
 * so the `keel` CLI can judge acknowledgment expiries without loading aws-cdk-lib.
 */
export function parseIsoDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value) ? date : undefined;
}
