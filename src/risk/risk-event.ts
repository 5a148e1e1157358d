/**
 * Risk events as data: what DRBGuard tells the rest of the engine when its
 * state changes, and the sink interface the risk stage implements.
 *
 * Role: state changes (ACTIVE → REDUCING → HALTED), kill, re-arm, throttle
 * and storm trips, and the list of working orders to cancel, reported without
 * closures or allocation (Disruptor's translator pattern: one long-lived sink
 * object, one reused event). Owning thread: the risk stage. Hot in the sense
 * that it may be called from inside `check`/`onFill`, but only on a trip, not
 * per order. The event is valid only during `onRiskEvent`; copy what you keep.
 */
import { TradingState } from '../core/domain/enums.ts';
import { DenyReason } from './deny-reason.ts';

export const enum RiskEventType {
  /** fromState → toState; `reason` is the cause (DAILY_LOSS_LIMIT, MAX_DRAWDOWN, ...). */
  TradingStateChanged = 1,
  /** Kill switch latched; `count` = working orders reported for cancel. */
  KillSwitchEngaged = 2,
  /** A human re-armed: kill latch, HALTED/REDUCING and trips cleared. */
  Rearmed = 3,
  /** The order throttle started denying (once per episode). */
  OrderThrottleTripped = 4,
  /** The cancel throttle started denying (once per episode). */
  CancelThrottleTripped = 5,
  /** More than maxExecutionsPerWindow fills in the window: kill switch engaged. */
  RepeatedExecutionTripped = 6,
  /** K consecutive venue rejects: entry paused until `value` (µs). */
  RejectStormPaused = 7,
  /** `startNewDay`: the daily-loss baseline moved to current equity (`value`). */
  NewDay = 8,
}

export class RiskEvent {
  type: RiskEventType = RiskEventType.TradingStateChanged;
  tsUs = 0;
  reason: DenyReason = DenyReason.None;
  fromState: TradingState = TradingState.Active;
  toState: TradingState = TradingState.Active;
  /** Measured value that caused the event (PnL, drawdown %, count, pause end). */
  value = 0;
  /** The limit it crossed. */
  limit = 0;
  /** Instrument concerned, or -1 for the whole account. */
  instrumentId = -1;
  /** Working orders reported for cancel alongside this event. */
  count = 0;
}

/**
 * Implemented by the risk stage (one long-lived object). Both methods are
 * called synchronously from inside the guard. `onCancelRequired` may confirm
 * the cancel at once by calling the guard's `onOrderUpdate` (a fused stage);
 * neither method may call `check`/`checkCancel` (the decision is shared).
 */
export interface RiskEventSink {
  onRiskEvent(event: RiskEvent): void;
  /**
   * A working order must be cancelled (kill switch, HALTED, or an
   * exposure-increasing order on entering REDUCING). `strategyId` makes each
   * cancel traceable to its algo (RTS 6 Art 12).
   */
  onCancelRequired(clientOrderId: number, instrumentId: number, strategyId: number, tsUs: number): void;
}

/** A sink that drops everything (tests, benchmarks). */
export class NullRiskEventSink implements RiskEventSink {
  onRiskEvent(_event: RiskEvent): void {}
  onCancelRequired(_clientOrderId: number, _instrumentId: number, _strategyId: number, _tsUs: number): void {}
}
