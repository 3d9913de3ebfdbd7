import { usageError } from './errors';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses `90s`, `10m`, `1h30m` or `2d` into milliseconds.
 * @throws KeelCliError (usage) naming the flag, the value and the format.
 */
export function parseDuration(flag: string, value: string): number {
  const text = value.trim();
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (text === '' || parts.map((p) => p[0]).join('') !== text) {
    throw usageError(`${flag} ${JSON.stringify(value)} is not a duration; use e.g. 30s, 10m, 1h30m or 2d`);
  }
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * UNITS[unit], 0);
}

/** `630000` reads `10m30s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].join('');
}
