/**
 * Configuration of the synthetic market: defaults and validation.
 *
 * Role: turns user input (CLI flags, `--config FILE`, tests) into a frozen,
 * complete `SyntheticConfig`, or refuses it with a `ConfigError` naming the
 * field and the value. Cold path: runs once at start-up.
 *
 * Every quantity carries its unit in its name. Rates are per instrument
 * unless the name says otherwise (`eventsPerSec` is the total over all
 * instruments, split evenly between them). Sizes are quote-currency
 * notionals (USDT for the default swaps), converted to lots at the start
 * price of each instrument.
 */
import { ConfigError } from '../../core/config/config-error.ts';

export interface SyntheticConfig {
  /** PRNG seed (uint32). Same seed + config + instruments = bit-identical stream. */
  readonly seed: number;
  /** Total simulated events per second over all instruments (book + trade + liquidation + mark + funding). */
  readonly eventsPerSec: number;
  /** Unix µs of the first event. Default 2026-01-05T00:00:00Z, on a funding boundary. */
  readonly startUnixUs: number;
  /** When true, `tsRecvUs = tsExchangeUs` (for `--clock sim`); when false it is left 0 for the caller to stamp. */
  readonly stampRecvTime: boolean;
  /** Start price (quote currency) per symbol; merged over the built-in defaults. Every instrument needs one. */
  readonly startPrice: Readonly<Record<string, number>>;

  /** Price levels kept per side. */
  readonly bookDepthLevels: number;
  /** Mean number of empty ticks between consecutive levels (geometric). 0 = every tick populated. */
  readonly levelGapTicksMean: number;
  /** Mean resting notional at the touch. */
  readonly touchSizeQuote: number;
  /** Level k away from the touch holds about (1 + k × depthGrowthPerLevel) × the touch size. */
  readonly depthGrowthPerLevel: number;

  /** Fraction of all events that are trades (each trade is followed by one book update, its consumption). */
  readonly tradeShare: number;
  /** Hawkes branching ratio n = α/β: the mean number of trades each trade triggers. Clustering grows as n → 1. */
  readonly hawkesBranchingRatio: number;
  /** Hawkes excitation decay time constant 1/β. */
  readonly hawkesDecayMs: number;
  /** Trade-intensity kick at a jump, in units of one trade's excitation α. */
  readonly hawkesJumpKick: number;
  /** Pareto scale (minimum) of a trade's notional. */
  readonly tradeSizeMinQuote: number;
  /** Pareto tail index of trade sizes. */
  readonly tradeParetoAlpha: number;

  /** Mid-price diffusion: standard deviation of log-returns, in bps per √second. 1 ≈ 56 % annualised. */
  readonly diffusionBpsPerSqrtSec: number;
  /** Jumps per hour per instrument (compound Poisson). Real markets see a few per day; compressed so short runs have some. */
  readonly jumpsPerHour: number;
  /** Mean absolute jump size (exponential), in bps of the mid. */
  readonly jumpSizeBps: number;
  /** Largest jump, in bps (keeps jumps under the sanitizer's spike threshold by default). */
  readonly jumpSizeMaxBps: number;
  /** Probability that a jump is downwards. */
  readonly jumpDownProb: number;

  /** Mean liquidations in the burst that follows a jump (scaled by the jump's size relative to the mean). */
  readonly liqBurstCount: number;
  /** Mean duration of a burst; liquidations arrive at exponential spacing of liqBurstWindowMs / count. */
  readonly liqBurstWindowMs: number;
  /** Pareto scale (minimum notional) of burst liquidations. */
  readonly liqBurstMinQuote: number;
  /** Pareto tail index of liquidation notionals (heavy tail: 1 < α < 2 has infinite variance). */
  readonly paretoAlpha: number;
  /** Background (non-cascade) liquidations per minute per instrument. */
  readonly liqBackgroundPerMin: number;
  /** Pareto scale of background liquidations. */
  readonly liqBackgroundMinQuote: number;
  /** Bankruptcy price lies up to this many bps beyond the mid, on the losing side. */
  readonly liqPriceOffsetBps: number;

  /** Mark-price event cadence per instrument (OKX pushes about every 200 ms). */
  readonly markPriceIntervalMs: number;
  /** Time constant of the mark price's exponential smoothing of the mid. */
  readonly markSmoothingMs: number;
  /** Funding-rate event cadence per instrument (OKX pushes every 30–90 s). */
  readonly fundingRateIntervalMs: number;
  /** Settlement period; settlements fall on multiples of it since the Unix epoch (00:00/08:00/16:00 UTC for 8). */
  readonly fundingSettlementHours: number;
  /** Long-run mean of the funding rate (fraction per settlement period; 0.0001 = 1 bp). */
  readonly fundingRateMean: number;
  /** Volatility of the funding rate's Ornstein–Uhlenbeck walk, per √hour. */
  readonly fundingRateVolPerSqrtHour: number;
  /** Mean-reversion half-life of the funding rate, in hours. */
  readonly fundingRateHalfLifeHours: number;
}

/** Start prices near real ones (January 2026). Other symbols must be given in `startPrice`. */
export const DEFAULT_START_PRICES: Readonly<Record<string, number>> = Object.freeze({
  'BTC-USDT-SWAP': 95_000,
  'ETH-USDT-SWAP': 3_400,
  'SOL-USDT-SWAP': 190,
  'XRP-USDT-SWAP': 2.3,
  'DOGE-USDT-SWAP': 0.33,
});

export const DEFAULT_SYNTHETIC_CONFIG: SyntheticConfig = Object.freeze({
  seed: 42,
  eventsPerSec: 1_000,
  startUnixUs: Date.UTC(2026, 0, 5, 0, 0, 0) * 1000,
  stampRecvTime: false,
  startPrice: DEFAULT_START_PRICES,
  bookDepthLevels: 20,
  levelGapTicksMean: 1,
  touchSizeQuote: 25_000,
  depthGrowthPerLevel: 0.15,
  tradeShare: 0.2,
  hawkesBranchingRatio: 0.7,
  hawkesDecayMs: 250,
  hawkesJumpKick: 20,
  tradeSizeMinQuote: 500,
  tradeParetoAlpha: 1.8,
  diffusionBpsPerSqrtSec: 1,
  jumpsPerHour: 60,
  jumpSizeBps: 40,
  jumpSizeMaxBps: 300,
  jumpDownProb: 0.5,
  liqBurstCount: 6,
  liqBurstWindowMs: 2_000,
  liqBurstMinQuote: 5_000,
  paretoAlpha: 1.5,
  liqBackgroundPerMin: 2,
  liqBackgroundMinQuote: 200,
  liqPriceOffsetBps: 30,
  markPriceIntervalMs: 200,
  markSmoothingMs: 1_000,
  fundingRateIntervalMs: 60_000,
  fundingSettlementHours: 8,
  fundingRateMean: 0.0001,
  fundingRateVolPerSqrtHour: 0.00002,
  fundingRateHalfLifeHours: 24,
});

type NumKey = { [K in keyof SyntheticConfig]: SyntheticConfig[K] extends number ? K : never }[keyof SyntheticConfig];

/** [field, min, max, integer?, minExclusive?] */
const NUMERIC_RULES: readonly (readonly [NumKey, number, number, boolean, boolean])[] = [
  ['seed', 0, 0xffffffff, true, false],
  ['eventsPerSec', 0, 100_000_000, false, true],
  ['startUnixUs', 0, 4_102_444_800_000_000, true, false], // up to 2100-01-01
  ['bookDepthLevels', 2, 150, true, false],
  ['levelGapTicksMean', 0, 1_000, false, false],
  ['touchSizeQuote', 0, 1e12, false, true],
  ['depthGrowthPerLevel', 0, 100, false, false],
  ['tradeShare', 0, 0.45, false, false],
  ['hawkesBranchingRatio', 0, 0.95, false, false],
  ['hawkesDecayMs', 0, 3_600_000, false, true],
  ['hawkesJumpKick', 0, 10_000, false, false],
  ['tradeSizeMinQuote', 0, 1e12, false, true],
  ['tradeParetoAlpha', 1, 100, false, true],
  ['diffusionBpsPerSqrtSec', 0, 1_000, false, false],
  ['jumpsPerHour', 0, 360_000, false, false],
  ['jumpSizeBps', 0, 5_000, false, true],
  ['jumpSizeMaxBps', 0, 5_000, false, true],
  ['jumpDownProb', 0, 1, false, false],
  ['liqBurstCount', 1, 100, false, false],
  ['liqBurstWindowMs', 0, 3_600_000, false, true],
  ['liqBurstMinQuote', 0, 1e12, false, true],
  ['paretoAlpha', 1, 100, false, true],
  ['liqBackgroundPerMin', 0, 60_000, false, false],
  ['liqBackgroundMinQuote', 0, 1e12, false, true],
  ['liqPriceOffsetBps', 0, 5_000, false, false],
  ['markPriceIntervalMs', 1, 3_600_000, false, false],
  ['markSmoothingMs', 0, 86_400_000, false, true],
  ['fundingRateIntervalMs', 100, 86_400_000, false, false],
  ['fundingSettlementHours', 1, 24, true, false],
  ['fundingRateMean', -0.0075, 0.0075, false, false],
  ['fundingRateVolPerSqrtHour', 0, 0.01, false, false],
  ['fundingRateHalfLifeHours', 0, 10_000, false, true],
];

/**
 * Validates `raw` (undefined/null = all defaults; a partial object is merged
 * over the defaults) and returns a frozen, complete config. Throws a
 * ConfigError naming the field (`synthetic.<field>`) and the value.
 */
export function validateSyntheticConfig(raw: unknown): SyntheticConfig {
  if (raw === undefined || raw === null) return DEFAULT_SYNTHETIC_CONFIG;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('synthetic', raw, 'must be an object');
  }
  const src = raw as Record<string, unknown>;
  const known = new Set<string>(Object.keys(DEFAULT_SYNTHETIC_CONFIG));
  for (const key of Object.keys(src)) {
    if (!known.has(key)) throw new ConfigError(`synthetic.${key}`, src[key], 'unknown field');
  }
  const out: Record<string, unknown> = { ...DEFAULT_SYNTHETIC_CONFIG };
  for (const [field, min, max, integer, minExclusive] of NUMERIC_RULES) {
    if (!(field in src) || src[field] === undefined) continue;
    const v = src[field];
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (minExclusive ? v > min : v >= min) &&
      v <= max &&
      (!integer || Number.isInteger(v));
    if (!ok) {
      const range = `${minExclusive ? '(' : '['}${min}, ${max}]`;
      throw new ConfigError(`synthetic.${field}`, v, `must be a${integer ? 'n integer' : ' number'} in ${range}`);
    }
    out[field] = v;
  }
  if ('stampRecvTime' in src && src.stampRecvTime !== undefined) {
    if (typeof src.stampRecvTime !== 'boolean') throw new ConfigError('synthetic.stampRecvTime', src.stampRecvTime, 'must be a boolean');
    out.stampRecvTime = src.stampRecvTime;
  }
  if ('startPrice' in src && src.startPrice !== undefined) {
    const sp = src.startPrice;
    if (typeof sp !== 'object' || sp === null || Array.isArray(sp)) {
      throw new ConfigError('synthetic.startPrice', sp, 'must be an object {symbol: price}');
    }
    const merged: Record<string, number> = { ...DEFAULT_START_PRICES };
    for (const [symbol, price] of Object.entries(sp as Record<string, unknown>)) {
      if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) {
        throw new ConfigError(`synthetic.startPrice["${symbol}"]`, price, 'must be a number > 0');
      }
      merged[symbol] = price;
    }
    out.startPrice = Object.freeze(merged);
  }
  const cfg = out as unknown as SyntheticConfig;
  if (cfg.jumpSizeMaxBps < cfg.jumpSizeBps) {
    throw new ConfigError('synthetic.jumpSizeMaxBps', cfg.jumpSizeMaxBps, `must be ≥ jumpSizeBps (${cfg.jumpSizeBps})`);
  }
  return Object.freeze(cfg);
}
