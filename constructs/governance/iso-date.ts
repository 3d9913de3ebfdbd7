/**
 * Parses an ISO calendar date (`YYYY-MM-DD`) to midnight UTC, or `undefined` when it is not one. It imports nothing,
 * so the `keel` CLI can judge acknowledgment expiries without loading aws-cdk-lib.
 */
export function parseIsoDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value) ? date : undefined;
}

/** Whole days from `today` (midnight UTC) to the ISO date `expires`; negative once passed, 0 when not a date. */
export function daysUntil(expires: string, today: Date): number {
  const date = parseIsoDate(expires);
  return date ? Math.round((date.getTime() - today.getTime()) / 86_400_000) : 0;
}
