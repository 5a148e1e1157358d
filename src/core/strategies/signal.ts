/**
 * SignalEvent: the record of one strategy decision, traded or not.
 *
 * Role: the first link of the lineage signal → risk decision → order → fill.
 * Every entry, exit and cancel carries a signal, and so does every evaluated
 * liquidation that did *not* trade, with the stable reason code saying why
 * (the monitor shows it, the writer persists it).
 * Owning thread: the strategy stage worker. Hot: filled per decision.
 *
 * Contract: like the market-event carriers this is a *reused, mutable*
 * object. A strategy owns one, fills it and hands it to
 * `StrategyOutput.signal`; the sink must copy what it keeps, because the
 * object is only valid during that call.
 *
 * Codes are stable: they are persisted and shown by name, so a code is never
 * renumbered or reused; add new ones at the end of their group. The name
 * tables at the bottom are cold-path (logs, DB seed rows, UI legends).
 */
import { Side } from '../domain/enums.ts';

/** What the strategy decided. */
export const enum SignalDecision {
  /** Evaluated a trigger and did not trade; `reason` says why. */
  NoTrade = 0,
  /** Submitted an entry order. */
  Enter = 1,
  /** Submitted a reduce-only exit order. */
  Exit = 2,
  /** Requested the cancel of a working order. */
  Cancel = 3,
}

/**
 * Why. Groups: 1–31 no-trade, 32–47 entries, 48–63 exits, 64–79 cancels.
 * Never renumber: these codes are in the database.
 */
export const enum SignalReason {
  None = 0,
  // ── no trade ──
  /** Rolling liquidation notional below burstK × baseline. */
  BurstBelowThreshold = 1,
  /** Rolling liquidation notional below the absolute minimum. */
  BurstBelowMinNotional = 2,
  /** Price moved in the liquidations' direction, but less than minMoveBps. */
  PriceMoveTooSmall = 3,
  /** Price moved against the liquidations' direction over the window. */
  PriceMoveWrongDirection = 4,
  /** No price reference at window start or now (no mid / no trade yet). */
  NoPriceReference = 5,
  Cooldown = 6,
  /** The sanitizer reports the instrument's feed as Stale or Invalid. */
  FeedNotOk = 7,
  PositionOpen = 8,
  /** An order of ours is still working on this instrument. */
  OrderWorking = 9,
  BookEmpty = 10,
  BookCrossed = 11,
  /** Baseline still warming up since the instrument's first event. */
  Warmup = 12,
  /** Entry denied by pre-trade risk (`onOrderDenied`); cooldown started. */
  EntryDenied = 13,
  /** Entry rejected by the venue (OrderUpdate Rejected); cooldown started. */
  EntryRejected = 14,
  /** Exit denied by risk; retried after exitRetryUs. */
  ExitDenied = 15,
  /** Exit rejected by the venue; retried after exitRetryUs. */
  ExitRejected = 16,
  // ── entries ──
  /** Forced selling (longs liquidated, price down): buy. */
  EnterFadeSellBurst = 32,
  /** Forced buying (shorts liquidated, price up): sell. */
  EnterFadeBuyBurst = 33,
  // ── exits ──
  ExitTakeProfit = 48,
  ExitStopLoss = 49,
  ExitTimeStop = 50,
  // ── cancels ──
  /** A resting limit entry was not filled within entryTimeoutUs. */
  CancelEntryTimeout = 64,
  /** The feed left Ok while an entry was working. */
  CancelFeedNotOk = 65,
}

export class SignalEvent {
  /** Deterministic counter owned by the strategy instance (idBase + n). */
  signalId = 0;
  strategyId = 0;
  instrumentId = 0;
  /** When the strategy decided, shared-epoch µs (simulated in sim mode). */
  tsUs = 0;
  /** Receive time of the market event that triggered it; 0 = timer/order-driven. */
  tsTriggerRecvUs = 0;
  decision: SignalDecision = SignalDecision.NoTrade;
  reason: SignalReason = SignalReason.None;
  /** Side of the order taken or that would have been taken (Side), 0 = none. */
  side = 0;
  /** The order this signal caused or cancelled (0 = none). */
  clientOrderId = 0;
  priceTicks = 0;
  sizeLots = 0;
  /** Rolling liquidation notional (quote currency) on the trigger side over the window. */
  burstNotionalQuote = 0;
  /** EWMA baseline of that rolling notional. */
  baselineQuote = 0;
  /** Configured burst multiplier k. */
  burstK = 0;
  /** The notional the burst had to reach: max(k × baseline, minBurstNotionalQuote). */
  thresholdQuote = 0;
  /** Price move over the window in bps (signed: negative = down). NaN when unknown. */
  moveBps = 0;
  /** Signed position in lots when the decision was taken. */
  positionLots = 0;
  /** Unrealised PnL of the position in bps at the exit decision (exits only). */
  pnlBps = 0;
  /** Risk or venue reason code for denials/rejections, else 0. */
  detailCode = 0;

  /** Clears every field except ids owned by the caller. */
  reset(): void {
    this.signalId = 0;
    this.strategyId = 0;
    this.instrumentId = 0;
    this.tsUs = 0;
    this.tsTriggerRecvUs = 0;
    this.decision = SignalDecision.NoTrade;
    this.reason = SignalReason.None;
    this.side = 0;
    this.clientOrderId = 0;
    this.priceTicks = 0;
    this.sizeLots = 0;
    this.burstNotionalQuote = 0;
    this.baselineQuote = 0;
    this.burstK = 0;
    this.thresholdQuote = 0;
    this.moveBps = 0;
    this.positionLots = 0;
    this.pnlBps = 0;
    this.detailCode = 0;
  }

  copyFrom(s: SignalEvent): void {
    this.signalId = s.signalId;
    this.strategyId = s.strategyId;
    this.instrumentId = s.instrumentId;
    this.tsUs = s.tsUs;
    this.tsTriggerRecvUs = s.tsTriggerRecvUs;
    this.decision = s.decision;
    this.reason = s.reason;
    this.side = s.side;
    this.clientOrderId = s.clientOrderId;
    this.priceTicks = s.priceTicks;
    this.sizeLots = s.sizeLots;
    this.burstNotionalQuote = s.burstNotionalQuote;
    this.baselineQuote = s.baselineQuote;
    this.burstK = s.burstK;
    this.thresholdQuote = s.thresholdQuote;
    this.moveBps = s.moveBps;
    this.positionLots = s.positionLots;
    this.pnlBps = s.pnlBps;
    this.detailCode = s.detailCode;
  }
}

/**
 * The decision a reason code implies, from its group (1–31 no-trade, 32–47
 * enter, 48–63 exit, 64–79 cancel), so a wire record that carries only the
 * reason code (engine.fbs `Signal.reason_code`) still yields the `action`
 * column of the `signals` table. Hot-safe: integer compares only.
 */
export function signalDecisionOf(reason: SignalReason | number): SignalDecision {
  if (reason >= 64) return SignalDecision.Cancel;
  if (reason >= 48) return SignalDecision.Exit;
  if (reason >= 32) return SignalDecision.Enter;
  return SignalDecision.NoTrade;
}

// ── cold path: names ──────────────────────────────────────────────────────

const DECISION_NAMES: readonly string[] = ['NO_TRADE', 'ENTER', 'EXIT', 'CANCEL'];

/** Every reason code with its stable name, in code order (DB seed rows, UI legend). */
export const SIGNAL_REASON_TABLE: ReadonlyArray<readonly [code: number, name: string]> = [
  [SignalReason.None, 'NONE'],
  [SignalReason.BurstBelowThreshold, 'BURST_BELOW_THRESHOLD'],
  [SignalReason.BurstBelowMinNotional, 'BURST_BELOW_MIN_NOTIONAL'],
  [SignalReason.PriceMoveTooSmall, 'PRICE_MOVE_TOO_SMALL'],
  [SignalReason.PriceMoveWrongDirection, 'PRICE_MOVE_WRONG_DIRECTION'],
  [SignalReason.NoPriceReference, 'NO_PRICE_REFERENCE'],
  [SignalReason.Cooldown, 'COOLDOWN'],
  [SignalReason.FeedNotOk, 'FEED_NOT_OK'],
  [SignalReason.PositionOpen, 'POSITION_OPEN'],
  [SignalReason.OrderWorking, 'ORDER_WORKING'],
  [SignalReason.BookEmpty, 'BOOK_EMPTY'],
  [SignalReason.BookCrossed, 'BOOK_CROSSED'],
  [SignalReason.Warmup, 'WARMUP'],
  [SignalReason.EntryDenied, 'ENTRY_DENIED'],
  [SignalReason.EntryRejected, 'ENTRY_REJECTED'],
  [SignalReason.ExitDenied, 'EXIT_DENIED'],
  [SignalReason.ExitRejected, 'EXIT_REJECTED'],
  [SignalReason.EnterFadeSellBurst, 'ENTER_FADE_SELL_BURST'],
  [SignalReason.EnterFadeBuyBurst, 'ENTER_FADE_BUY_BURST'],
  [SignalReason.ExitTakeProfit, 'EXIT_TAKE_PROFIT'],
  [SignalReason.ExitStopLoss, 'EXIT_STOP_LOSS'],
  [SignalReason.ExitTimeStop, 'EXIT_TIME_STOP'],
  [SignalReason.CancelEntryTimeout, 'CANCEL_ENTRY_TIMEOUT'],
  [SignalReason.CancelFeedNotOk, 'CANCEL_FEED_NOT_OK'],
];

const REASON_NAMES = new Map<number, string>(SIGNAL_REASON_TABLE);

/** Stable name of a reason code, e.g. `COOLDOWN`; `UNKNOWN_<code>` for an unknown code. */
export function signalReasonName(reason: SignalReason | number): string {
  return REASON_NAMES.get(reason) ?? `UNKNOWN_${reason}`;
}

export function signalDecisionName(decision: SignalDecision | number): string {
  return DECISION_NAMES[decision] ?? `UNKNOWN_${decision}`;
}

/** Cold-path one-line rendering for logs and test failure messages. */
export function formatSignal(s: SignalEvent): string {
  const side = s.side === Side.Buy ? 'buy' : s.side === Side.Sell ? 'sell' : '-';
  return `signal#${s.signalId} inst=${s.instrumentId} ${signalDecisionName(s.decision)} ${signalReasonName(s.reason)} side=${side}` +
    ` order=${s.clientOrderId} px=${s.priceTicks} sz=${s.sizeLots} burst=${s.burstNotionalQuote.toFixed(2)}` +
    ` base=${s.baselineQuote.toFixed(2)} thr=${s.thresholdQuote.toFixed(2)} move=${s.moveBps.toFixed(2)}bps pos=${s.positionLots}`;
}
