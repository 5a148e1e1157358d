/**
 * Reused, mutable carriers for the wire messages that have no domain carrier
 * in src/core/domain yet, plus the stage-stamp set every encoder takes.
 *
 * Same contract as core/domain: a stage owns one of each, the decoder fills
 * it, it is valid only during the call. Hot (decoded per message) except
 * `RunInfoRecord` and the InstrumentSpec path, which are cold and allocate.
 * If the lead moves these into src/core/domain, keep the field names: the
 * codec maps them 1:1 to the .fbs fields.
 */
import { Side, FeedState, TradingState } from '../domain/enums.ts';
import { STAGE_COUNT } from './msg-type.ts';

/**
 * Per-hop timestamps in µs since the shared epoch, indexed by `Stage`
 * (0 = not stamped). A Float64Array so a stage keeps one and reuses it.
 */
export type StageStampSet = Float64Array;

export function newStageStampSet(): StageStampSet {
  return new Float64Array(STAGE_COUNT);
}

/** DRBGuard refused an order (nautilus OrderDenied). `reasonCode` is DRBGuard's DenyReason. */
export class OrderDeniedEvent {
  clientOrderId = 0;
  signalId = 0;
  strategyId = 0;
  instrumentId = 0;
  side: Side = Side.Buy;
  priceTicks = 0;
  sizeLots = 0;
  reasonCode = 0;
  /** The offending value (e.g. the order's notional). */
  value = 0;
  /** The limit it broke. */
  limit = 0;
  /** Exchange time of the triggering market event, Unix µs (0 = unknown). */
  tsExchangeUs = 0;
}

/** Position and PnL of one strategy on one instrument. */
export class PositionUpdateEvent {
  instrumentId = 0;
  strategyId = 0;
  /** Signed: > 0 long, < 0 short. */
  positionLots = 0;
  avgEntryPriceTicks = 0;
  markPriceTicks = 0;
  realizedPnlQuote = 0;
  unrealizedPnlQuote = 0;
  feesQuote = 0;
  tsExchangeUs = 0;
}

/** DRBGuard state change or limit breach. `code` is DRBGuard's event code. */
export class RiskEvent {
  /** INSTRUMENT_NONE = account-wide. */
  instrumentId = 0;
  code = 0;
  tradingState: TradingState = TradingState.Active;
  value = 0;
  limit = 0;
  tsExchangeUs = 0;
}

/** A strategy decision; `reasonCode` 0 = trade, otherwise the no-trade reason. */
export class SignalEvent {
  signalId = 0;
  strategyId = 0;
  instrumentId = 0;
  side: Side = Side.Buy;
  reasonCode = 0;
  priceTicks = 0;
  sizeLots = 0;
  /** The measured quantity that decided (e.g. liquidation burst notional). */
  value = 0;
  /** The threshold it was compared with. */
  threshold = 0;
  tsExchangeUs = 0;
  tsTriggerRecvUs = 0;
}

/** Stage liveness. */
export class HeartbeatEvent {
  instrumentId = 0;
  /** Sender, a `Stage` index. */
  stage = 0;
  seq = 0;
  tsUs = 0;
}

/** L0Sanitizer changed an instrument's feed state. */
export class DataQualityEvent {
  instrumentId = 0;
  state: FeedState = FeedState.Ok;
  prevState: FeedState = FeedState.Ok;
  reasonCode = 0;
  value = 0;
  tsExchangeUs = 0;
}

/** Session metadata, first record of a recording. Cold. */
export class RunInfoRecord {
  runId = '';
  source = '';
  seed = 0;
  startedUnixUs = 0;
  schemaVersion = 0;
  configJson = '';
}
