/**
 * Stable integer codes for every reason DRBGuard can deny an order or a
 * cancel, and for every cause of a trading-state change.
 *
 * Role: the vocabulary of `OrderDenied{reasonCode}` (nautilus
 * `denied_reason.rs` style). Owning thread: any; the enum is hot (integers
 * compared on the hot path), the name table is cold (logs, summary JSON,
 * monitor). Codes are part of the wire and the database: never renumber a
 * code, only append. `DENY_REASON_NAMES[code]` is the stable
 * SCREAMING_CASE name.
 */

export const enum DenyReason {
  None = 0,
  /** A field is NaN/∞, not an integer where one is required, or out of range (side, type, ids, nowUs). */
  InvalidInput = 1,
  /** The instrument id is not in the guard's instrument table. */
  UnknownInstrument = 2,
  /** The kill switch is latched; only a human `rearm()` clears it. */
  KillSwitchActive = 3,
  /** Trading state is HALTED (loss halt, drawdown, repeated executions). */
  TradingHalted = 4,
  /** Trading state is REDUCING and the order would not reduce the position. */
  TradingReducing = 5,
  /** The intent is flagged reduce-only but would not reduce the position. */
  ReduceOnlyWouldIncrease = 6,
  /** K consecutive venue rejects paused entry; value = pause end µs. */
  RejectStormPaused = 7,
  /** clientOrderId reused (must increase per strategy). */
  DuplicateClientOrderId = 8,
  /** Identical instrument/side/type/price/quantity accepted within the duplicate window. */
  DuplicateIntent = 9,
  /** Price is not an integer number of ticks (off the instrument's grid). */
  PriceNotOnTick = 10,
  /** Size is not an integer number of lots. */
  QuantityNotOnLot = 11,
  QuantityBelowMinimum = 12,
  QuantityExceedsMaximum = 13,
  /** Size above the compile-time fat-finger ceiling. */
  FatFingerQuantity = 14,
  /** Notional above the compile-time fat-finger ceiling. */
  FatFingerNotional = 15,
  NotionalExceedsMaximum = 16,
  /** The sanitizer marked the feed STALE or INVALID; value = FeedState. */
  FeedNotOk = 17,
  /** No valid reference price (no quote yet, one-sided, crossed or non-finite book). */
  NoReferencePrice = 18,
  /** The reference is older than staleAfterUs; value = age µs. */
  ReferenceStale = 19,
  /** |price − mid| beyond priceCollarBps; value/limit in bps. */
  PriceOutsideCollar = 20,
  /** |price − window anchor| beyond priceCollarWindowBps; value/limit in bps. */
  PriceOutsideWindowCollar = 21,
  /** Would cross our own resting opposite-side order; value = our resting price. */
  SelfTrade = 22,
  /** Position + open same-side lots + this order above maxPositionLots. */
  PositionExceedsMaximum = 23,
  OpenOrdersExceedMaximum = 24,
  OpenNotionalExceedsMaximum = 25,
  /** |positions| + open orders + this order (orders entered) above maxGrossExposureQuote. */
  GrossExposureExceedsMaximum = 26,
  /** Parent/child: Σ child lots of this signal (filled + working + new) above maxSignalLots. */
  SignalQuantityExceeded = 27,
  /** The signal's parent record was evicted by newer signals; its children may no longer route. */
  SignalExpired = 28,
  /** The fixed-capacity open-order table is full. */
  OpenOrderTableFull = 29,
  OrderRateExceeded = 30,
  CancelRateExceeded = 31,
  /** Cancel for an order the guard does not see as working. */
  CancelUnknownOrder = 32,
  /** A cancel for this order is already in flight. */
  CancelAlreadyPending = 33,
  // Causes of trading-state changes and trips (carried by RiskEvent.reason).
  /** Day PnL below −dailyLossLimitQuote → REDUCING. */
  DailyLossLimit = 40,
  /** Day PnL below −dailyLossHaltQuote → HALTED. */
  DailyLossHalt = 41,
  /** Peak-to-trough equity drop beyond maxDrawdownPct → HALTED. */
  MaxDrawdown = 42,
  /** More than maxExecutionsPerWindow fills inside executionWindowUs → kill. */
  RepeatedExecutions = 43,
  /** maxConsecutiveRejects venue rejects in a row → timed pause. */
  RejectStorm = 44,
  /** A human (or the stage on their behalf) pressed the kill switch. */
  ManualKill = 45,
  /** A human re-armed the guard. */
  ManualRearm = 46,
}

/** One past the highest code; sizes per-reason counters. */
export const DENY_REASON_COUNT = 47;

/** Cold path: stable names indexed by code ('' for unassigned codes). */
export const DENY_REASON_NAMES: readonly string[] = buildNames();

function buildNames(): string[] {
  const n: string[] = new Array<string>(DENY_REASON_COUNT).fill('');
  n[DenyReason.None] = 'NONE';
  n[DenyReason.InvalidInput] = 'INVALID_INPUT';
  n[DenyReason.UnknownInstrument] = 'UNKNOWN_INSTRUMENT';
  n[DenyReason.KillSwitchActive] = 'KILL_SWITCH_ACTIVE';
  n[DenyReason.TradingHalted] = 'TRADING_HALTED';
  n[DenyReason.TradingReducing] = 'TRADING_REDUCING';
  n[DenyReason.ReduceOnlyWouldIncrease] = 'REDUCE_ONLY_WOULD_INCREASE';
  n[DenyReason.RejectStormPaused] = 'REJECT_STORM_PAUSED';
  n[DenyReason.DuplicateClientOrderId] = 'DUPLICATE_CLIENT_ORDER_ID';
  n[DenyReason.DuplicateIntent] = 'DUPLICATE_INTENT';
  n[DenyReason.PriceNotOnTick] = 'PRICE_NOT_ON_TICK';
  n[DenyReason.QuantityNotOnLot] = 'QUANTITY_NOT_ON_LOT';
  n[DenyReason.QuantityBelowMinimum] = 'QUANTITY_BELOW_MINIMUM';
  n[DenyReason.QuantityExceedsMaximum] = 'QUANTITY_EXCEEDS_MAXIMUM';
  n[DenyReason.FatFingerQuantity] = 'FAT_FINGER_QUANTITY';
  n[DenyReason.FatFingerNotional] = 'FAT_FINGER_NOTIONAL';
  n[DenyReason.NotionalExceedsMaximum] = 'NOTIONAL_EXCEEDS_MAXIMUM';
  n[DenyReason.FeedNotOk] = 'FEED_NOT_OK';
  n[DenyReason.NoReferencePrice] = 'NO_REFERENCE_PRICE';
  n[DenyReason.ReferenceStale] = 'REFERENCE_STALE';
  n[DenyReason.PriceOutsideCollar] = 'PRICE_OUTSIDE_COLLAR';
  n[DenyReason.PriceOutsideWindowCollar] = 'PRICE_OUTSIDE_WINDOW_COLLAR';
  n[DenyReason.SelfTrade] = 'SELF_TRADE';
  n[DenyReason.PositionExceedsMaximum] = 'POSITION_EXCEEDS_MAXIMUM';
  n[DenyReason.OpenOrdersExceedMaximum] = 'OPEN_ORDERS_EXCEED_MAXIMUM';
  n[DenyReason.OpenNotionalExceedsMaximum] = 'OPEN_NOTIONAL_EXCEEDS_MAXIMUM';
  n[DenyReason.GrossExposureExceedsMaximum] = 'GROSS_EXPOSURE_EXCEEDS_MAXIMUM';
  n[DenyReason.SignalQuantityExceeded] = 'SIGNAL_QUANTITY_EXCEEDED';
  n[DenyReason.SignalExpired] = 'SIGNAL_EXPIRED';
  n[DenyReason.OpenOrderTableFull] = 'OPEN_ORDER_TABLE_FULL';
  n[DenyReason.OrderRateExceeded] = 'ORDER_RATE_EXCEEDED';
  n[DenyReason.CancelRateExceeded] = 'CANCEL_RATE_EXCEEDED';
  n[DenyReason.CancelUnknownOrder] = 'CANCEL_UNKNOWN_ORDER';
  n[DenyReason.CancelAlreadyPending] = 'CANCEL_ALREADY_PENDING';
  n[DenyReason.DailyLossLimit] = 'DAILY_LOSS_LIMIT';
  n[DenyReason.DailyLossHalt] = 'DAILY_LOSS_HALT';
  n[DenyReason.MaxDrawdown] = 'MAX_DRAWDOWN';
  n[DenyReason.RepeatedExecutions] = 'REPEATED_EXECUTIONS';
  n[DenyReason.RejectStorm] = 'REJECT_STORM';
  n[DenyReason.ManualKill] = 'MANUAL_KILL';
  n[DenyReason.ManualRearm] = 'MANUAL_REARM';
  return n;
}

/** Cold path: the stable name of a code, or `UNKNOWN_<code>`. */
export function denyReasonName(code: number): string {
  const name = code >= 0 && code < DENY_REASON_COUNT ? DENY_REASON_NAMES[code] : undefined;
  return name ? name : `UNKNOWN_${code}`;
}
