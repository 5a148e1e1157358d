/** Parses human durations for flags such as `--duration 30s`. Cold path. */

const UNITS_US: Record<string, number> = { us: 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };

/**
 * `"30s"`, `"1.5m"`, `"250ms"`, `"2h"`, `"90"` (seconds) → microseconds.
 * Returns NaN when the text is not a positive duration, so the caller can
 * name the field in its error.
 */
export function parseDurationUs(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|h)?\s*$/.exec(text);
  if (!m) return NaN;
  const value = Number(m[1]) * UNITS_US[m[2] ?? 's']!;
  return value > 0 && Number.isFinite(value) ? Math.round(value) : NaN;
}
