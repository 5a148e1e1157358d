/**
 * L0Sanitizer thresholds: defaults, and validation of user config.
 *
 * Role: turns an untrusted object (config file, CLI) into a frozen, checked
 * SanitizerConfig. Owning thread: main thread at start-up, then the
 * sanitizer stage reads the fields. Cold: throws (with the field and the
 * offending value) only here, never on the hot path.
 */

export interface SanitizerConfig {
  /** No book update for this long, or exchange ts this old → STALE. */
  readonly staleAfterUs: number;
  /** A print farther than this from the reference price is quarantined. */
  readonly spikeThresholdBps: number;
  /** Consecutive ticks near a quarantined print needed to accept the new level. */
  readonly spikeConfirmTicks: number;
  /** EWMA weight of each new mid in the reference price (0 < α ≤ 1). */
  readonly referenceEwmaAlpha: number;
  /** Spread wider than this (bps of mid) → disorderly (no taker orders). */
  readonly disorderlySpreadBps: number;
  /** Levels per side summed for the top-of-book depth measure. */
  readonly depthLevels: number;
  /** Depth below this fraction of its EWMA → disorderly. 0 disables. */
  readonly depthCollapseRatio: number;
  /** EWMA weight of the depth measure. */
  readonly depthEwmaAlpha: number;
  /** Book updates before the depth-collapse check arms. */
  readonly depthWarmupUpdates: number;
  /** |skew estimate| above this → SkewAlarm flag (alarm only). */
  readonly skewAlarmUs: number;
  /** |skew estimate| above this → SkewBlocked flag (no trading). */
  readonly maxSkewUs: number;
  /** Upward leak of the min-filter skew estimator per sample (0 < α ≤ 1). */
  readonly skewRiseAlpha: number;
  /** Book messages must carry OKX seqId/prevSeqId (false only for pre-2023 recordings). */
  readonly requireSeqIds: boolean;
  /** Verify the OKX CRC32 checksum when the message carries a non-zero one. */
  readonly verifyChecksum: boolean;
  /** No trading for this long after an instrument's list time (OKX spot: no price limit in the first 10 min). */
  readonly newListingQuietUs: number;
  /** |funding rate| above this (fraction per interval) is rejected as OUT_OF_RANGE. */
  readonly maxAbsFundingRate: number;
}

export const DEFAULT_SANITIZER_CONFIG: SanitizerConfig = Object.freeze({
  staleAfterUs: 2_000_000,
  spikeThresholdBps: 500,
  spikeConfirmTicks: 2,
  referenceEwmaAlpha: 0.05,
  disorderlySpreadBps: 50,
  depthLevels: 5,
  depthCollapseRatio: 0.1,
  depthEwmaAlpha: 0.02,
  depthWarmupUpdates: 20,
  skewAlarmUs: 250_000,
  maxSkewUs: 1_000_000,
  skewRiseAlpha: 0.05,
  requireSeqIds: true,
  verifyChecksum: true,
  newListingQuietUs: 600_000_000,
  maxAbsFundingRate: 0.05,
});

type NumKey = { [K in keyof SanitizerConfig]: SanitizerConfig[K] extends number ? K : never }[keyof SanitizerConfig];
type BoolKey = { [K in keyof SanitizerConfig]: SanitizerConfig[K] extends boolean ? K : never }[keyof SanitizerConfig];

/** [field, min, max, integer?, minExclusive?] */
const NUMERIC_RULES: readonly (readonly [NumKey, number, number, boolean, boolean])[] = [
  ['staleAfterUs', 1_000, 3_600_000_000, false, false],
  ['spikeThresholdBps', 0, 100_000, false, true],
  ['spikeConfirmTicks', 1, 100, true, false],
  ['referenceEwmaAlpha', 0, 1, false, true],
  ['disorderlySpreadBps', 0, 100_000, false, true],
  ['depthLevels', 1, 400, true, false],
  ['depthCollapseRatio', 0, 1, false, false],
  ['depthEwmaAlpha', 0, 1, false, true],
  ['depthWarmupUpdates', 1, 1_000_000, true, false],
  ['skewAlarmUs', 0, 3_600_000_000, false, true],
  ['maxSkewUs', 0, 3_600_000_000, false, true],
  ['skewRiseAlpha', 0, 1, false, true],
  ['newListingQuietUs', 0, 86_400_000_000, false, false],
  ['maxAbsFundingRate', 0, 1, false, true],
];
const BOOL_FIELDS: readonly BoolKey[] = ['requireSeqIds', 'verifyChecksum'];

/**
 * Validates `raw` (undefined = all defaults) and returns a frozen config with
 * defaults filled in. Throws an Error naming the field and the value.
 */
export function validateSanitizerConfig(raw: unknown): SanitizerConfig {
  if (raw === undefined || raw === null) return DEFAULT_SANITIZER_CONFIG;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(`sanitizer config must be an object, got ${Array.isArray(raw) ? 'array' : typeof raw}`);
  }
  const src = raw as Record<string, unknown>;
  const known = new Set<string>(Object.keys(DEFAULT_SANITIZER_CONFIG));
  for (const key of Object.keys(src)) {
    if (!known.has(key)) throw new Error(`sanitizer config: unknown field "${key}"`);
  }
  const out: Record<string, number | boolean> = { ...DEFAULT_SANITIZER_CONFIG };
  for (const [field, min, max, integer, minExclusive] of NUMERIC_RULES) {
    if (!(field in src)) continue;
    const v = src[field];
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (minExclusive ? v > min : v >= min) &&
      v <= max &&
      (!integer || Number.isInteger(v));
    if (!ok) {
      const range = `${minExclusive ? '(' : '['}${min}, ${max}]`;
      throw new Error(`sanitizer config: ${field} must be a${integer ? 'n integer' : ' number'} in ${range}, got ${show(v)}`);
    }
    out[field] = v;
  }
  for (const field of BOOL_FIELDS) {
    if (!(field in src)) continue;
    const v = src[field];
    if (typeof v !== 'boolean') throw new Error(`sanitizer config: ${field} must be a boolean, got ${show(v)}`);
    out[field] = v;
  }
  const cfg = out as unknown as SanitizerConfig;
  if (cfg.skewAlarmUs > cfg.maxSkewUs) {
    throw new Error(`sanitizer config: skewAlarmUs (${cfg.skewAlarmUs}) must be ≤ maxSkewUs (${cfg.maxSkewUs})`);
  }
  return Object.freeze(cfg);
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
