/**
 * SimpleLiquidationHunter configuration: every parameter, its unit, its
 * default, and the validation that refuses a bad one.
 *
 * Role: config-time only (cold). Owning thread: whoever builds the strategy
 * (the engine at start-up, a sweep worker). `validateHunterConfig` throws an
 * Error naming the field and the value (Style §5: throw only at config time);
 * unknown fields are refused too, so a typo (`windowMs`) cannot silently fall
 * back to a default.
 */

export type HunterEntryOrderType = 'ioc' | 'limit';
export type HunterExitOrderType = 'ioc' | 'market';
/** Price the move is measured on: book mid, or last trade price. */
export type HunterMoveReference = 'mid' | 'trade';

export interface HunterConfig {
  /** Stamped on intents and signals. In [0, 255]: DRBGuard keeps per-strategy state in arrays of 256 (risk's MAX_STRATEGIES). */
  readonly strategyId: number;
  /**
   * Order ids and signal ids are `idBase + n` (n = 1, 2, … per counter), so a
   * run with the same idBase and input produces the same ids. Give each
   * strategy instance its own range (ids must stay unique per run).
   */
  readonly idBase: number;
  /** Rolling window over which liquidation notional and price move are measured. */
  readonly windowUs: number;
  /** Time buckets the window is divided into (resolution = windowUs / windowBuckets). */
  readonly windowBuckets: number;
  /** Half-life of the EWMA baseline of the rolling notional (sampled at each bucket close). */
  readonly baselineHalfLifeUs: number;
  /** No entries until this long after the instrument's first event (baseline warm-up). */
  readonly warmupUs: number;
  /** A burst is rolling notional ≥ burstK × baseline … */
  readonly burstK: number;
  /** … and ≥ this absolute notional, in quote currency (USDT). */
  readonly minBurstNotionalQuote: number;
  /** Minimum price move over the window, in the liquidations' direction, in bps. */
  readonly minMoveBps: number;
  readonly moveReference: HunterMoveReference;
  /** Exit when the position's unrealised PnL at the touch reaches +takeProfitBps … */
  readonly takeProfitBps: number;
  /** … or −stopLossBps … */
  readonly stopLossBps: number;
  /** … or when it has been open this long. */
  readonly timeStopUs: number;
  /** No new entry for this long after flattening, or after an entry was denied/rejected/unfilled. */
  readonly cooldownUs: number;
  /** Entry size in lots (≥ every instrument's minSizeLots). */
  readonly orderSizeLots: number;
  /** 'ioc' takes at the far touch; 'limit' rests at the near touch. */
  readonly entryOrderType: HunterEntryOrderType;
  /** Ticks added to the entry price in the aggressive direction (buy: +, sell: −). */
  readonly entryOffsetTicks: number;
  /** A 'limit' entry still working after this long is cancelled. */
  readonly entryTimeoutUs: number;
  readonly exitOrderType: HunterExitOrderType;
  /** Ticks through the touch an exit may trade (slippage allowance). */
  readonly exitOffsetTicks: number;
  /** Minimum time between two exit orders on one instrument (retries after a miss or denial). */
  readonly exitRetryUs: number;
  /**
   * Suppress a no-trade signal that repeats the previous no-trade reason of
   * the same instrument within this interval (0 = one signal per evaluated
   * liquidation, never more).
   */
  readonly noTradeSignalMinIntervalUs: number;
}

export const DEFAULT_HUNTER_CONFIG: HunterConfig = Object.freeze({
  strategyId: 1,
  idBase: 1_000_000_000,
  windowUs: 10_000_000,
  windowBuckets: 10,
  baselineHalfLifeUs: 600_000_000,
  warmupUs: 60_000_000,
  burstK: 5,
  minBurstNotionalQuote: 100_000,
  minMoveBps: 20,
  moveReference: 'mid',
  takeProfitBps: 15,
  stopLossBps: 25,
  timeStopUs: 30_000_000,
  cooldownUs: 60_000_000,
  orderSizeLots: 1,
  entryOrderType: 'ioc',
  entryOffsetTicks: 0,
  entryTimeoutUs: 2_000_000,
  exitOrderType: 'ioc',
  exitOffsetTicks: 0,
  exitRetryUs: 50_000,
  noTradeSignalMinIntervalUs: 0,
} satisfies HunterConfig);

/** Mirrors src/risk's MAX_STRATEGIES − 1 (not imported: core does not depend on risk). */
const MAX_STRATEGY_ID = 255;
/** Largest id a counter may reach: ids are float64 integers, exact below 2^53. */
const MAX_ID_BASE = Number.MAX_SAFE_INTEGER - 2 ** 32;

type Check = (v: unknown) => boolean;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const intAtLeast = (min: number): Check => (v) => isNum(v) && Number.isInteger(v) && v >= min;
const posNum: Check = (v) => isNum(v) && v > 0;
const nonNegNum: Check = (v) => isNum(v) && v >= 0;
const oneOf = (...xs: readonly string[]): Check => (v) => typeof v === 'string' && xs.includes(v);

const CHECKS: { readonly [K in keyof HunterConfig]: readonly [Check, string] } = {
  strategyId: [(v) => intAtLeast(0)(v) && (v as number) <= MAX_STRATEGY_ID, `an integer in [0, ${MAX_STRATEGY_ID}]`],
  idBase: [(v) => intAtLeast(0)(v) && (v as number) <= MAX_ID_BASE, `an integer in [0, ${MAX_ID_BASE}]`],
  windowUs: [intAtLeast(1), 'an integer ≥ 1 (µs)'],
  windowBuckets: [(v) => intAtLeast(1)(v) && (v as number) <= 1024, 'an integer in [1, 1024]'],
  baselineHalfLifeUs: [posNum, 'a number > 0 (µs)'],
  warmupUs: [nonNegNum, 'a number ≥ 0 (µs)'],
  burstK: [posNum, 'a number > 0'],
  minBurstNotionalQuote: [nonNegNum, 'a number ≥ 0 (quote currency)'],
  minMoveBps: [nonNegNum, 'a number ≥ 0 (bps)'],
  moveReference: [oneOf('mid', 'trade'), "'mid' or 'trade'"],
  takeProfitBps: [posNum, 'a number > 0 (bps)'],
  stopLossBps: [posNum, 'a number > 0 (bps)'],
  timeStopUs: [posNum, 'a number > 0 (µs)'],
  cooldownUs: [nonNegNum, 'a number ≥ 0 (µs)'],
  orderSizeLots: [intAtLeast(1), 'an integer ≥ 1 (lots)'],
  entryOrderType: [oneOf('ioc', 'limit'), "'ioc' or 'limit'"],
  entryOffsetTicks: [intAtLeast(0), 'an integer ≥ 0 (ticks)'],
  entryTimeoutUs: [posNum, 'a number > 0 (µs)'],
  exitOrderType: [oneOf('ioc', 'market'), "'ioc' or 'market'"],
  exitOffsetTicks: [intAtLeast(0), 'an integer ≥ 0 (ticks)'],
  exitRetryUs: [nonNegNum, 'a number ≥ 0 (µs)'],
  noTradeSignalMinIntervalUs: [nonNegNum, 'a number ≥ 0 (µs)'],
};

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/**
 * Merges `input` (a partial config, e.g. parsed JSON) over the defaults and
 * validates every field. Returns a frozen, complete config; throws an Error
 * naming the field and the offending value.
 */
export function validateHunterConfig(input: unknown = {}): HunterConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new Error(`hunter config must be an object, got ${show(input)}`);
  }
  const src = input as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    if (!Object.prototype.hasOwnProperty.call(CHECKS, key)) {
      throw new Error(`hunter config: unknown field '${key}' (value ${show(src[key])})`);
    }
  }
  const out: Record<string, unknown> = { ...DEFAULT_HUNTER_CONFIG };
  for (const key of Object.keys(CHECKS) as (keyof HunterConfig)[]) {
    const v = src[key] === undefined ? DEFAULT_HUNTER_CONFIG[key] : src[key];
    const [check, expected] = CHECKS[key];
    if (!check(v)) throw new Error(`hunter config: ${key} must be ${expected}, got ${show(v)}`);
    out[key] = v;
  }
  const cfg = out as unknown as HunterConfig;
  if (cfg.windowUs % cfg.windowBuckets !== 0) {
    throw new Error(`hunter config: windowUs must be a multiple of windowBuckets, got windowUs=${cfg.windowUs} windowBuckets=${cfg.windowBuckets}`);
  }
  return Object.freeze(cfg);
}
