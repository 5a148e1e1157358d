/**
 * DRBGuard's limits: the `RiskConfig` shape, its defaults, the compile-time
 * fat-finger ceilings no runtime config can raise, and the start-up validator.
 *
 * Role: turns an untrusted config (JSON file, CLI, test) into a frozen,
 * complete RiskConfig, or throws an Error naming the field and the value.
 * Owning thread: whichever builds the guard (main or the risk worker at
 * start-up). Cold path only: the guard copies the numbers it needs into its
 * own fields once. Units are in every name (Quote = quote currency, Us = µs,
 * Bps = basis points, Lots = instrument lots, Pct = percent).
 *
 * Why unknown fields are refused: a typo such as `maxOrderNotionalQuot`
 * would otherwise silently fall back to the default and look configured.
 */

/**
 * Fat-finger ceilings (RTS 6 15(1), 15c3-5 (c)(1)(ii)). These are source
 * constants on purpose: changing one needs a code review and a deploy, never
 * a config edit. `validateRiskConfig` refuses any value above them, and the
 * guard checks orders against them directly as well (defence in depth).
 */
export const FAT_FINGER_MAX_ORDER_NOTIONAL_QUOTE = 1_000_000;
export const FAT_FINGER_MAX_ORDER_LOTS = 1_000_000;
export const FAT_FINGER_MAX_OPEN_NOTIONAL_QUOTE = 5_000_000;
export const FAT_FINGER_MAX_GROSS_EXPOSURE_QUOTE = 10_000_000;
export const FAT_FINGER_MAX_POSITION_LOTS = 10_000_000;
export const FAT_FINGER_MAX_OPEN_ORDERS = 1_000;
export const FAT_FINGER_MAX_PRICE_COLLAR_BPS = 1_000;
export const FAT_FINGER_MAX_WINDOW_COLLAR_BPS = 2_000;
/** Highest order rate a config may allow, in orders per second. */
export const FAT_FINGER_MAX_ORDERS_PER_S = 1_000;
/** Highest cancel rate a config may allow, in cancels per second. */
export const FAT_FINGER_MAX_CANCELS_PER_S = 2_000;
export const FAT_FINGER_MAX_DAILY_LOSS_QUOTE = 1_000_000;
export const FAT_FINGER_MAX_DRAWDOWN_PCT = 50;
export const FAT_FINGER_MAX_STALE_AFTER_US = 60_000_000;
/** Largest fixed-capacity open-order table (memory is allocated up front). */
export const MAX_OPEN_ORDER_CAPACITY = 65_536;
/** Most accepted intents the duplicate-intent check remembers (its scan bound). */
export const MAX_DUPLICATE_HISTORY = 4_096;
/** Strategy ids must be in [0, MAX_STRATEGIES): per-strategy state lives in arrays. */
export const MAX_STRATEGIES = 256;

/** Per-instrument size limits, in the instrument's lots. */
export interface InstrumentRiskLimits {
  /** Exchange symbol, matched against InstrumentSpec.symbol. */
  readonly symbol: string;
  readonly maxOrderLots: number;
  readonly maxPositionLots: number;
  /** Parent/child cap: Σ lots of all child orders of one signal (filled + working). */
  readonly maxSignalLots: number;
}

export interface RiskConfig {
  /** Starting capital; equity = this + realized − fees + unrealized. */
  readonly accountEquityQuote: number;
  readonly maxOrderNotionalQuote: number;
  readonly maxOpenOrders: number;
  readonly maxOpenNotionalQuote: number;
  /** Σ|position| marked + Σ open-order notional + new order (15c3-5 credit threshold on orders entered). */
  readonly maxGrossExposureQuote: number;
  /** Per-order collar around the fresh mid. */
  readonly priceCollarBps: number;
  /** Collar around the mid anchored at the start of each window (CME-style banding over time). */
  readonly priceCollarWindowBps: number;
  readonly priceCollarWindowUs: number;
  /** Reference older than this denies entry. */
  readonly staleAfterUs: number;
  /** Sliding-window order throttle: at most ordersPerWindow accepted orders in any orderWindowUs. */
  readonly ordersPerWindow: number;
  readonly orderWindowUs: number;
  /** Cancel throttle; its rate must be ≥ the order rate (cancels get the higher ceiling). */
  readonly cancelsPerWindow: number;
  readonly cancelWindowUs: number;
  /** Repeated-execution throttle: more than this many fills in executionWindowUs kills entry. */
  readonly maxExecutionsPerWindow: number;
  readonly executionWindowUs: number;
  /** Day PnL below −this → REDUCING. */
  readonly dailyLossLimitQuote: number;
  /** Day PnL below −this → HALTED. Must be ≥ dailyLossLimitQuote. */
  readonly dailyLossHaltQuote: number;
  /** Peak-to-trough equity drop beyond this percent → HALTED. */
  readonly maxDrawdownPct: number;
  /** Identical instrument/side/type/price/qty accepted within this window is a duplicate. */
  readonly duplicateIntentWindowUs: number;
  /** This many venue rejects in a row pause entry for rejectStormPauseUs. */
  readonly maxConsecutiveRejects: number;
  readonly rejectStormPauseUs: number;
  /** Rows of the preallocated open-order table; must be ≥ maxOpenOrders. */
  readonly openOrderCapacity: number;
  /** Limits for instruments without an `instrumentLimits` entry. */
  readonly defaultMaxOrderLots: number;
  readonly defaultMaxPositionLots: number;
  readonly defaultMaxSignalLots: number;
  readonly instrumentLimits: readonly InstrumentRiskLimits[];
}

export const DEFAULT_RISK_CONFIG: RiskConfig = Object.freeze({
  accountEquityQuote: 100_000,
  maxOrderNotionalQuote: 10_000,
  maxOpenOrders: 50,
  maxOpenNotionalQuote: 50_000,
  maxGrossExposureQuote: 100_000,
  priceCollarBps: 100,
  priceCollarWindowBps: 300,
  priceCollarWindowUs: 5_000_000,
  staleAfterUs: 1_000_000,
  ordersPerWindow: 100,
  orderWindowUs: 1_000_000,
  cancelsPerWindow: 200,
  cancelWindowUs: 1_000_000,
  maxExecutionsPerWindow: 200,
  executionWindowUs: 60_000_000,
  dailyLossLimitQuote: 2_000,
  dailyLossHaltQuote: 3_000,
  maxDrawdownPct: 5,
  duplicateIntentWindowUs: 100_000,
  maxConsecutiveRejects: 10,
  rejectStormPauseUs: 5_000_000,
  openOrderCapacity: 256,
  defaultMaxOrderLots: 1_000,
  defaultMaxPositionLots: 5_000,
  defaultMaxSignalLots: 5_000,
  instrumentLimits: Object.freeze([]) as readonly InstrumentRiskLimits[],
});

type NumericKey = Exclude<keyof RiskConfig, 'instrumentLimits'>;

interface NumRule {
  /** Smallest allowed value (inclusive unless `minExclusive`). */
  min: number;
  minExclusive?: boolean;
  /** Fat-finger or capacity ceiling (inclusive). */
  max?: number;
  integer?: boolean;
}

const NUMERIC_RULES: Readonly<Record<NumericKey, NumRule>> = {
  accountEquityQuote: { min: 0, minExclusive: true },
  maxOrderNotionalQuote: { min: 0, minExclusive: true, max: FAT_FINGER_MAX_ORDER_NOTIONAL_QUOTE },
  maxOpenOrders: { min: 1, max: FAT_FINGER_MAX_OPEN_ORDERS, integer: true },
  maxOpenNotionalQuote: { min: 0, minExclusive: true, max: FAT_FINGER_MAX_OPEN_NOTIONAL_QUOTE },
  maxGrossExposureQuote: { min: 0, minExclusive: true, max: FAT_FINGER_MAX_GROSS_EXPOSURE_QUOTE },
  priceCollarBps: { min: 0, minExclusive: true, max: FAT_FINGER_MAX_PRICE_COLLAR_BPS },
  priceCollarWindowBps: { min: 0, minExclusive: true, max: FAT_FINGER_MAX_WINDOW_COLLAR_BPS },
  priceCollarWindowUs: { min: 1, integer: true },
  staleAfterUs: { min: 1, max: FAT_FINGER_MAX_STALE_AFTER_US, integer: true },
  ordersPerWindow: { min: 1, integer: true, max: 1_000_000 },
  orderWindowUs: { min: 1, integer: true },
  cancelsPerWindow: { min: 1, integer: true, max: 1_000_000 },
  cancelWindowUs: { min: 1, integer: true },
  maxExecutionsPerWindow: { min: 1, integer: true, max: 1_000_000 },
  executionWindowUs: { min: 1, integer: true },
  dailyLossLimitQuote: { min: 0, minExclusive: true, max: FAT_FINGER_MAX_DAILY_LOSS_QUOTE },
  dailyLossHaltQuote: { min: 0, minExclusive: true, max: FAT_FINGER_MAX_DAILY_LOSS_QUOTE },
  maxDrawdownPct: { min: 0, minExclusive: true, max: FAT_FINGER_MAX_DRAWDOWN_PCT },
  duplicateIntentWindowUs: { min: 0, integer: true },
  maxConsecutiveRejects: { min: 1, integer: true },
  rejectStormPauseUs: { min: 0, integer: true },
  openOrderCapacity: { min: 1, max: MAX_OPEN_ORDER_CAPACITY, integer: true },
  defaultMaxOrderLots: { min: 1, max: FAT_FINGER_MAX_ORDER_LOTS, integer: true },
  defaultMaxPositionLots: { min: 1, max: FAT_FINGER_MAX_POSITION_LOTS, integer: true },
  defaultMaxSignalLots: { min: 1, max: FAT_FINGER_MAX_POSITION_LOTS, integer: true },
};

const INSTRUMENT_RULES: Readonly<Record<Exclude<keyof InstrumentRiskLimits, 'symbol'>, NumRule>> = {
  maxOrderLots: NUMERIC_RULES.defaultMaxOrderLots,
  maxPositionLots: NUMERIC_RULES.defaultMaxPositionLots,
  maxSignalLots: NUMERIC_RULES.defaultMaxSignalLots,
};

/**
 * Slots the duplicate-intent history needs to be exact: the throttle admits
 * at most ordersPerWindow orders per orderWindowUs, so at most this many
 * accepted intents can sit inside one duplicate window.
 */
export function duplicateHistorySlots(c: Pick<RiskConfig, 'ordersPerWindow' | 'orderWindowUs' | 'duplicateIntentWindowUs'>): number {
  return Math.max(1, c.ordersPerWindow * Math.ceil(c.duplicateIntentWindowUs / c.orderWindowUs));
}

function fmtValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

function checkNumber(field: string, v: unknown, rule: NumRule): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new Error(`risk config: ${field} must be a finite number, got ${fmtValue(v)}`);
  }
  if (rule.integer && !Number.isInteger(v)) {
    throw new Error(`risk config: ${field} must be an integer, got ${v}`);
  }
  if (rule.minExclusive ? !(v > rule.min) : !(v >= rule.min)) {
    throw new Error(`risk config: ${field} must be ${rule.minExclusive ? '>' : '≥'} ${rule.min}, got ${v}`);
  }
  if (rule.max !== undefined && v > rule.max) {
    throw new Error(`risk config: ${field} = ${v} is above the fat-finger ceiling ${rule.max} (compile-time; config cannot raise it)`);
  }
  return v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates an untrusted config and returns a frozen, complete RiskConfig.
 * Missing fields take DEFAULT_RISK_CONFIG's value; unknown fields, wrong
 * types, out-of-range values and values above a fat-finger ceiling throw an
 * Error naming the field and the value. Cold path (start-up).
 */
export function validateRiskConfig(raw: unknown): RiskConfig {
  if (raw === undefined) raw = {};
  if (!isPlainObject(raw)) throw new Error(`risk config must be an object, got ${fmtValue(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!(key in DEFAULT_RISK_CONFIG)) throw new Error(`risk config: unknown field ${key} = ${fmtValue(raw[key])}`);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(NUMERIC_RULES) as NumericKey[]) {
    const v = key in raw ? raw[key] : DEFAULT_RISK_CONFIG[key];
    out[key] = checkNumber(key, v, NUMERIC_RULES[key]);
  }
  const c = out as unknown as Omit<RiskConfig, 'instrumentLimits'>;

  // Cross-field rules.
  if (c.dailyLossHaltQuote < c.dailyLossLimitQuote) {
    throw new Error(`risk config: dailyLossHaltQuote (${c.dailyLossHaltQuote}) must be ≥ dailyLossLimitQuote (${c.dailyLossLimitQuote})`);
  }
  if (c.maxOpenOrders > c.openOrderCapacity) {
    throw new Error(`risk config: maxOpenOrders (${c.maxOpenOrders}) must be ≤ openOrderCapacity (${c.openOrderCapacity})`);
  }
  const ordersPerS = (c.ordersPerWindow * 1e6) / c.orderWindowUs;
  const cancelsPerS = (c.cancelsPerWindow * 1e6) / c.cancelWindowUs;
  if (ordersPerS > FAT_FINGER_MAX_ORDERS_PER_S) {
    throw new Error(`risk config: ordersPerWindow/orderWindowUs = ${ordersPerS} orders/s is above the fat-finger ceiling ${FAT_FINGER_MAX_ORDERS_PER_S}/s`);
  }
  if (cancelsPerS > FAT_FINGER_MAX_CANCELS_PER_S) {
    throw new Error(`risk config: cancelsPerWindow/cancelWindowUs = ${cancelsPerS} cancels/s is above the fat-finger ceiling ${FAT_FINGER_MAX_CANCELS_PER_S}/s`);
  }
  if (cancelsPerS < ordersPerS) {
    throw new Error(`risk config: cancel rate ${cancelsPerS}/s (cancelsPerWindow/cancelWindowUs) must be ≥ order rate ${ordersPerS}/s`);
  }
  if (c.maxOrderNotionalQuote > c.maxOpenNotionalQuote) {
    throw new Error(`risk config: maxOrderNotionalQuote (${c.maxOrderNotionalQuote}) must be ≤ maxOpenNotionalQuote (${c.maxOpenNotionalQuote})`);
  }

  if (duplicateHistorySlots(c) > MAX_DUPLICATE_HISTORY) {
    throw new Error(`risk config: duplicateIntentWindowUs (${c.duplicateIntentWindowUs}) at ${c.ordersPerWindow} orders per ${c.orderWindowUs} µs needs ${duplicateHistorySlots(c)} history slots, above ${MAX_DUPLICATE_HISTORY}`);
  }

  const rawLimits = 'instrumentLimits' in raw ? raw.instrumentLimits : DEFAULT_RISK_CONFIG.instrumentLimits;
  if (!Array.isArray(rawLimits)) throw new Error(`risk config: instrumentLimits must be an array, got ${fmtValue(rawLimits)}`);
  const seen = new Set<string>();
  const limits: InstrumentRiskLimits[] = rawLimits.map((e: unknown, i: number) => {
    const at = `instrumentLimits[${i}]`;
    if (!isPlainObject(e)) throw new Error(`risk config: ${at} must be an object, got ${fmtValue(e)}`);
    for (const key of Object.keys(e)) {
      if (key !== 'symbol' && !(key in INSTRUMENT_RULES)) throw new Error(`risk config: unknown field ${at}.${key} = ${fmtValue(e[key])}`);
    }
    const symbol = e.symbol;
    if (typeof symbol !== 'string' || symbol.length === 0) throw new Error(`risk config: ${at}.symbol must be a non-empty string, got ${fmtValue(symbol)}`);
    if (seen.has(symbol)) throw new Error(`risk config: ${at}.symbol ${symbol} is listed twice`);
    seen.add(symbol);
    const get = (k: keyof typeof INSTRUMENT_RULES, dflt: number): number =>
      checkNumber(`${at}.${k}`, k in e ? e[k] : dflt, INSTRUMENT_RULES[k]);
    return Object.freeze({
      symbol,
      maxOrderLots: get('maxOrderLots', c.defaultMaxOrderLots),
      maxPositionLots: get('maxPositionLots', c.defaultMaxPositionLots),
      maxSignalLots: get('maxSignalLots', c.defaultMaxSignalLots),
    });
  });
  return Object.freeze({ ...c, instrumentLimits: Object.freeze(limits) });
}
