/**
 * Public surface of the risk package (DRBGuard and what it speaks).
 * Cold: re-exports only. Stages import from here.
 */
export { DRBGuard, SIGNAL_SLOTS, type RiskLimitUsage } from './drb-guard.ts';
export { DenyReason, DENY_REASON_COUNT, DENY_REASON_NAMES, denyReasonName } from './deny-reason.ts';
export { RiskDecision, formatDecision } from './risk-decision.ts';
export { RiskEvent, RiskEventType, NullRiskEventSink, type RiskEventSink } from './risk-event.ts';
export {
  DEFAULT_RISK_CONFIG,
  validateRiskConfig,
  duplicateHistorySlots,
  FAT_FINGER_MAX_ORDER_NOTIONAL_QUOTE,
  FAT_FINGER_MAX_ORDER_LOTS,
  FAT_FINGER_MAX_OPEN_NOTIONAL_QUOTE,
  FAT_FINGER_MAX_GROSS_EXPOSURE_QUOTE,
  FAT_FINGER_MAX_POSITION_LOTS,
  FAT_FINGER_MAX_OPEN_ORDERS,
  FAT_FINGER_MAX_PRICE_COLLAR_BPS,
  FAT_FINGER_MAX_WINDOW_COLLAR_BPS,
  FAT_FINGER_MAX_ORDERS_PER_S,
  FAT_FINGER_MAX_CANCELS_PER_S,
  FAT_FINGER_MAX_DAILY_LOSS_QUOTE,
  FAT_FINGER_MAX_DRAWDOWN_PCT,
  FAT_FINGER_MAX_STALE_AFTER_US,
  MAX_OPEN_ORDER_CAPACITY,
  MAX_DUPLICATE_HISTORY,
  MAX_STRATEGIES,
  type RiskConfig,
  type InstrumentRiskLimits,
} from './risk-config.ts';
export { OpenOrderTable, FLAG_TAKER, FLAG_CANCEL_PENDING, FLAG_FINAL } from './open-order-table.ts';
export { PositionBook } from './position-book.ts';
export { SlidingWindowLimiter } from './sliding-window-limiter.ts';
export { DuplicateIntentFilter } from './duplicate-intent-filter.ts';
