/**
 * DRBGuard: the pre-trade risk gate every order intent passes through.
 *
 * Role: answers accept or deny-with-reason for each `OrderIntent` and
 * `CancelIntent`, keeps its own view of working orders, positions, PnL and
 * the ACTIVE → REDUCING → HALTED trading state, and owns the kill switch.
 * Covers RISK-CONTROLS.md §1 rows 1–18 and 20 for a paper venue (row 19,
 * cancel-on-disconnect, and row 21, the venue mirror, live in the paper
 * exchange). Owning thread: the risk stage worker (or the fused hot worker);
 * single-threaded, knows nothing of rings or threads — the stage calls in.
 * Hot: `check`, `checkCancel`, `onQuote`, `onFill`, `onOrderUpdate` are
 * bounded-time (O(1), plus O(instruments) for exposure/PnL and one
 * O(working orders) rescan after our best resting price leaves) and
 * allocation-free after construction; `kill`, `rearm`,
 * `startNewDay` and the constructor are cold. Time is always passed in
 * (`nowUs`, or the event's own `tsUs`), never read from a clock, so a
 * journal replay reproduces every decision.
 *
 * Fails closed: NaN or out-of-range input, an unknown instrument, no or a
 * stale reference, a feed the sanitizer marked STALE/INVALID, a full table —
 * all deny. Denials are data in one reused `RiskDecision`; nothing throws
 * after construction.
 *
 * Mentor's Corner. Purpose: the last software gate between a strategy bug
 * and the market (Knight lost $460M in 45 min without one). Ideal: FPGA
 * pre-trade risk in the NIC path, ~100s of ns per order, limits in on-chip
 * registers (RTS 6 Art 15, SEC 15c3-5). We differ: a JS function on a worker,
 * behind a ring hop, under a GC. We accept it: the guard allocates nothing in
 * steady state and its checks are bounded typed-array reads, tiny next to the
 * hop and the venue. Measured (throwaway micro-run, 2-vCPU EPYC VM,
 * Node 20.20): ~70 ns/check mean accept path, ~30 ns early deny; heap flat over 1M checks.
 */
import { FeedState, OrderType, Side, TradingState } from '../core/domain/enums.ts';
import type { InstrumentSpec } from '../core/domain/instrument.ts';
import { OrderStatus, type CancelIntent, type Fill, type OrderIntent, type OrderUpdate } from '../core/domain/orders.ts';
import { DENY_REASON_COUNT, DenyReason } from './deny-reason.ts';
import { DuplicateIntentFilter } from './duplicate-intent-filter.ts';
import { FLAG_CANCEL_PENDING, FLAG_FINAL, FLAG_TAKER, OpenOrderTable } from './open-order-table.ts';
import { PositionBook } from './position-book.ts';
import {
  FAT_FINGER_MAX_ORDER_LOTS,
  FAT_FINGER_MAX_ORDER_NOTIONAL_QUOTE,
  MAX_STRATEGIES,
  duplicateHistorySlots,
  validateRiskConfig,
  type RiskConfig,
} from './risk-config.ts';
import { RiskDecision } from './risk-decision.ts';
import { RiskEvent, RiskEventType, type RiskEventSink } from './risk-event.ts';
import { SlidingWindowLimiter } from './sliding-window-limiter.ts';

/**
 * Parent/child table size. Signals map to slot `signalId % SIGNAL_SLOTS`
 * (direct-mapped, newest signal wins). Signal ids are engine-generated and
 * increasing, so a signal whose slot now holds a newer id has been evicted;
 * its children are then denied (SIGNAL_EXPIRED) rather than given a fresh
 * budget — a runaway parent cannot reset its own Σ child cap.
 */
export const SIGNAL_SLOTS = 4096;

/** One limit as the monitor shows it (DRBGuard.limitUsage). */
export interface RiskLimitUsage {
  name: string;
  value: number;
  limit: number;
}

export class DRBGuard {
  /** The one decision object, overwritten by every `check` / `checkCancel`. */
  readonly decision = new RiskDecision();
  /** Denials per DenyReason code since construction (summary JSON `orders.denied`). */
  readonly denyCounts = new Uint32Array(DENY_REASON_COUNT);
  acceptedCount = 0;
  readonly config: RiskConfig;
  readonly positions: PositionBook;
  readonly orders: OpenOrderTable;

  private readonly sink: RiskEventSink;
  private readonly event = new RiskEvent();

  // Per instrument, dense by id.
  private readonly nInstruments: number;
  private readonly minSizeLots: Float64Array;
  private readonly maxOrderLots: Float64Array;
  private readonly maxPositionLots: Float64Array;
  private readonly maxSignalLots: Float64Array;
  private readonly bidTicks: Float64Array;
  private readonly askTicks: Float64Array;
  private readonly refTsUs: Float64Array;
  private readonly refValid: Uint8Array;
  private readonly feedState: Uint8Array;
  private readonly anchorTicks: Float64Array;
  private readonly anchorTsUs: Float64Array;
  private readonly openBuyLots: Float64Array;
  private readonly openSellLots: Float64Array;
  /** Our best resting bid / ask per instrument (0 = none); recomputed lazily when `ownDirty`. */
  private readonly ownBestBid: Float64Array;
  private readonly ownBestAsk: Float64Array;
  private readonly ownDirty: Uint8Array;
  private openNotional = 0;

  // Limits copied out of the config (field reads, not object lookups).
  private readonly maxOrderNotionalQuote: number;
  private readonly maxOpenOrders: number;
  private readonly maxOpenNotionalQuote: number;
  private readonly maxGrossExposureQuote: number;
  private readonly priceCollarBps: number;
  private readonly priceCollarWindowBps: number;
  private readonly priceCollarWindowUs: number;
  private readonly staleAfterUs: number;
  private readonly dupWindowUs: number;
  private readonly maxConsecutiveRejects: number;
  private readonly rejectStormPauseUs: number;
  private readonly dailyLossLimitQuote: number;
  private readonly dailyLossHaltQuote: number;
  private readonly maxDrawdownPct: number;
  private readonly accountEquityQuote: number;

  private readonly orderLimiter: SlidingWindowLimiter;
  private readonly cancelLimiter: SlidingWindowLimiter;
  private readonly execLimiter: SlidingWindowLimiter;
  private orderThrottled = false;
  private cancelThrottled = false;

  /** Highest clientOrderId seen per strategy (ids must increase). */
  private readonly strategyHighId = new Float64Array(MAX_STRATEGIES);

  /** Accepted intents still inside the duplicate window. */
  private readonly dups: DuplicateIntentFilter;

  // Parent/child: cumulative child lots (filled + working) per signal.
  private readonly sigKey = new Float64Array(SIGNAL_SLOTS);
  private readonly sigLots = new Float64Array(SIGNAL_SLOTS);

  private state: TradingState = TradingState.Active;
  /** Why the guard left ACTIVE (the cause of the last transition; None while ACTIVE). */
  private stateCause: DenyReason = DenyReason.None;
  /** Instrument symbols by id (limitUsage labels). */
  private readonly symbols: readonly string[];
  private killed = false;
  private rejectStreak = 0;
  private pausedUntilUs = 0;
  private dayStartEquity: number;
  private peakEquity: number;

  constructor(config: RiskConfig, instruments: readonly InstrumentSpec[], sink: RiskEventSink) {
    const c = validateRiskConfig(config);
    this.config = c;
    this.sink = sink;
    if (instruments.length === 0) throw new Error('DRBGuard: no instruments');
    this.symbols = instruments.map((i) => i.symbol);
    this.positions = new PositionBook(instruments);
    const n = this.positions.size;
    this.nInstruments = n;
    this.minSizeLots = new Float64Array(n);
    this.maxOrderLots = new Float64Array(n);
    this.maxPositionLots = new Float64Array(n);
    this.maxSignalLots = new Float64Array(n);
    this.bidTicks = new Float64Array(n);
    this.askTicks = new Float64Array(n);
    this.refTsUs = new Float64Array(n);
    this.refValid = new Uint8Array(n);
    this.feedState = new Uint8Array(n);
    this.anchorTicks = new Float64Array(n);
    this.anchorTsUs = new Float64Array(n);
    this.openBuyLots = new Float64Array(n);
    this.openSellLots = new Float64Array(n);
    this.ownBestBid = new Float64Array(n);
    this.ownBestAsk = new Float64Array(n);
    this.ownDirty = new Uint8Array(n);
    const bySymbol = new Map(c.instrumentLimits.map((l) => [l.symbol, l] as const));
    for (const s of instruments) {
      const l = bySymbol.get(s.symbol);
      bySymbol.delete(s.symbol);
      this.minSizeLots[s.id] = s.minSizeLots;
      this.maxOrderLots[s.id] = l ? l.maxOrderLots : c.defaultMaxOrderLots;
      this.maxPositionLots[s.id] = l ? l.maxPositionLots : c.defaultMaxPositionLots;
      this.maxSignalLots[s.id] = l ? l.maxSignalLots : c.defaultMaxSignalLots;
      this.feedState[s.id] = FeedState.Ok;
    }
    for (const sym of bySymbol.keys()) throw new Error(`risk config: instrumentLimits symbol ${sym} is not a known instrument`);

    this.maxOrderNotionalQuote = c.maxOrderNotionalQuote;
    this.maxOpenOrders = c.maxOpenOrders;
    this.maxOpenNotionalQuote = c.maxOpenNotionalQuote;
    this.maxGrossExposureQuote = c.maxGrossExposureQuote;
    this.priceCollarBps = c.priceCollarBps;
    this.priceCollarWindowBps = c.priceCollarWindowBps;
    this.priceCollarWindowUs = c.priceCollarWindowUs;
    this.staleAfterUs = c.staleAfterUs;
    this.dupWindowUs = c.duplicateIntentWindowUs;
    this.maxConsecutiveRejects = c.maxConsecutiveRejects;
    this.rejectStormPauseUs = c.rejectStormPauseUs;
    this.dailyLossLimitQuote = c.dailyLossLimitQuote;
    this.dailyLossHaltQuote = c.dailyLossHaltQuote;
    this.maxDrawdownPct = c.maxDrawdownPct;
    this.accountEquityQuote = c.accountEquityQuote;
    this.dayStartEquity = c.accountEquityQuote;
    this.peakEquity = c.accountEquityQuote;

    this.orders = new OpenOrderTable(c.openOrderCapacity);
    this.orderLimiter = new SlidingWindowLimiter(c.ordersPerWindow, c.orderWindowUs);
    this.cancelLimiter = new SlidingWindowLimiter(c.cancelsPerWindow, c.cancelWindowUs);
    this.execLimiter = new SlidingWindowLimiter(c.maxExecutionsPerWindow, c.executionWindowUs);

    this.dups = new DuplicateIntentFilter(duplicateHistorySlots(c), c.duplicateIntentWindowUs);
  }

  // ─── Queries (hot-safe, no allocation) ──────────────────────────────────

  get tradingState(): TradingState {
    return this.state;
  }
  get isKilled(): boolean {
    return this.killed;
  }
  /** Cause of the transition that left ACTIVE (kill switch, loss limit, …); DenyReason.None while ACTIVE. */
  get tradingStateCause(): DenyReason {
    return this.stateCause;
  }
  get openOrderCount(): number {
    return this.orders.count;
  }
  get openNotionalQuote(): number {
    return this.openNotional;
  }
  get peakEquityQuote(): number {
    return this.peakEquity;
  }
  get consecutiveRejects(): number {
    return this.rejectStreak;
  }
  isWorking(clientOrderId: number): boolean {
    return this.orders.find(clientOrderId) >= 0;
  }
  positionLots(instrumentId: number): number {
    return this.positions.positionLots[instrumentId] ?? 0;
  }
  openLots(instrumentId: number, side: Side): number {
    return (side === Side.Buy ? this.openBuyLots[instrumentId] : this.openSellLots[instrumentId]) ?? 0;
  }
  equityQuote(): number {
    return this.accountEquityQuote + this.positions.totalPnlQuote();
  }
  dayPnlQuote(): number {
    return this.equityQuote() - this.dayStartEquity;
  }

  // ─── Entry checks ───────────────────────────────────────────────────────

  /**
   * Checks one order intent at `nowUs`. Accepting records it as working
   * (it counts against every limit from this moment, before the venue acks).
   * Returns the guard's reused `decision`.
   */
  check(intent: OrderIntent, nowUs: number): RiskDecision {
    const d = this.decision;
    const id = intent.clientOrderId;
    const inst = intent.instrumentId;
    const side = intent.side;
    const type = intent.type;
    const px = intent.priceTicks;
    const lots = intent.sizeLots;
    const strat = intent.strategyId;
    const sig = intent.signalId;
    d.accepted = false;
    d.reason = DenyReason.None;
    d.value = 0;
    d.limit = 0;
    d.clientOrderId = id;
    d.instrumentId = inst;
    d.strategyId = strat;
    d.tsUs = nowUs;

    // 1. Input sanity: anything we cannot reason about is denied.
    if (!Number.isFinite(nowUs)) return this.deny(DenyReason.InvalidInput, nowUs, 0);
    if (!Number.isSafeInteger(id) || id <= 0) return this.deny(DenyReason.InvalidInput, id, 0);
    if (!Number.isInteger(strat) || strat < 0 || strat >= MAX_STRATEGIES) return this.deny(DenyReason.InvalidInput, strat, MAX_STRATEGIES);
    if (!Number.isSafeInteger(sig) || sig < 0) return this.deny(DenyReason.InvalidInput, sig, 0);
    if (side !== Side.Buy && side !== Side.Sell) return this.deny(DenyReason.InvalidInput, side, 0);
    const isMarket = type === OrderType.Market;
    if (!isMarket && type !== OrderType.Limit && type !== OrderType.Ioc && type !== OrderType.PostOnly) return this.deny(DenyReason.InvalidInput, type, 0);
    if (!Number.isFinite(lots) || lots <= 0) return this.deny(DenyReason.InvalidInput, lots, 0);
    if (!Number.isFinite(px) || px < 0 || (!isMarket && px === 0)) return this.deny(DenyReason.InvalidInput, px, 0);
    if (!Number.isInteger(inst) || inst < 0 || inst >= this.nInstruments || this.positions.known[inst] === 0) {
      return this.deny(DenyReason.UnknownInstrument, inst, this.nInstruments - 1);
    }

    // 2. Latched states.
    if (this.killed) return this.deny(DenyReason.KillSwitchActive, 1, 0);
    if (this.state === TradingState.Halted) return this.deny(DenyReason.TradingHalted, this.state, TradingState.Halted);
    if (nowUs < this.pausedUntilUs) return this.deny(DenyReason.RejectStormPaused, this.pausedUntilUs, this.maxConsecutiveRejects);

    // 3. Duplicate client order id (ids increase per strategy; any id seen is consumed).
    const high = this.strategyHighId[strat]!;
    if (id <= high) return this.deny(DenyReason.DuplicateClientOrderId, id, high);
    this.strategyHighId[strat] = id;

    // 4. Grid and size.
    if (!Number.isInteger(px)) return this.deny(DenyReason.PriceNotOnTick, px, 1);
    if (!Number.isInteger(lots)) return this.deny(DenyReason.QuantityNotOnLot, lots, 1);
    if (lots < this.minSizeLots[inst]!) return this.deny(DenyReason.QuantityBelowMinimum, lots, this.minSizeLots[inst]!);
    if (lots > FAT_FINGER_MAX_ORDER_LOTS) return this.deny(DenyReason.FatFingerQuantity, lots, FAT_FINGER_MAX_ORDER_LOTS);
    if (lots > this.maxOrderLots[inst]!) return this.deny(DenyReason.QuantityExceedsMaximum, lots, this.maxOrderLots[inst]!);

    // 5. Market data: the sanitizer's verdict, a reference, and its age.
    const feed = this.feedState[inst]!;
    if (feed !== FeedState.Ok) return this.deny(DenyReason.FeedNotOk, feed, FeedState.Ok);
    if (this.refValid[inst] === 0) return this.deny(DenyReason.NoReferencePrice, 0, 0);
    const age = nowUs - this.refTsUs[inst]!;
    if (age > this.staleAfterUs) return this.deny(DenyReason.ReferenceStale, age, this.staleAfterUs);
    const bid = this.bidTicks[inst]!;
    const ask = this.askTicks[inst]!;
    const mid = (bid + ask) * 0.5;

    // 6. Notional: market orders are priced at the opposite best.
    const entryPx = isMarket ? (side === Side.Buy ? ask : bid) : px;
    /** The price bound the order carries: its limit, a market order's worst price, or the touch if it has none. */
    const boundPx = isMarket && px === 0 ? entryPx : px;
    const notional = entryPx * lots * this.positions.quotePerTickLot[inst]!;
    if (!(notional <= FAT_FINGER_MAX_ORDER_NOTIONAL_QUOTE)) return this.deny(DenyReason.FatFingerNotional, notional, FAT_FINGER_MAX_ORDER_NOTIONAL_QUOTE);
    if (notional > this.maxOrderNotionalQuote) return this.deny(DenyReason.NotionalExceedsMaximum, notional, this.maxOrderNotionalQuote);

    // Does this order only shrink the position (with what is already working on its side)?
    const pos = this.positions.positionLots[inst]!;
    const sameSideOpen = side === Side.Buy ? this.openBuyLots[inst]! : this.openSellLots[inst]!;
    const reduces = pos !== 0 && (pos > 0 ? side === Side.Sell : side === Side.Buy) && lots + sameSideOpen <= Math.abs(pos);

    // 7. Price collars: per order around the fresh mid, and around the window anchor.
    const dev = Math.abs(boundPx - mid);
    if (dev * 10_000 > this.priceCollarBps * mid) return this.deny(DenyReason.PriceOutsideCollar, (dev * 10_000) / mid, this.priceCollarBps);
    // The window collar stops a strategy chasing a runaway move into more
    // exposure. A reduce-only order that does reduce cannot add exposure, and
    // denying it would hold the position through the very move the band is
    // about (a 309 bps ETH jump kept the default demo's exit denied 48 times
    // in a row). It still passes the per-order collar above, so a fat-finger
    // price is caught there.
    const anchor = this.anchorTicks[inst]!;
    const devA = Math.abs(boundPx - anchor);
    if (devA * 10_000 > this.priceCollarWindowBps * anchor && !(reduces && intent.reduceOnly)) {
      return this.deny(DenyReason.PriceOutsideWindowCollar, (devA * 10_000) / anchor, this.priceCollarWindowBps);
    }

    // 8. Trading state and reduce-only.
    if (!reduces) {
      if (this.state === TradingState.Reducing) return this.deny(DenyReason.TradingReducing, lots + sameSideOpen, Math.abs(pos));
      if (intent.reduceOnly) return this.deny(DenyReason.ReduceOnlyWouldIncrease, lots + sameSideOpen, Math.abs(pos));
    }

    // 9. Self-trade: would this cross our own resting opposite order?
    if (this.ownDirty[inst] === 1) this.recomputeOwnBest(inst);
    if (side === Side.Buy) {
      const ownAsk = this.ownBestAsk[inst]!;
      if (ownAsk > 0 && ownAsk <= boundPx) return this.deny(DenyReason.SelfTrade, ownAsk, boundPx);
    } else {
      const ownBid = this.ownBestBid[inst]!;
      if (ownBid > 0 && ownBid >= boundPx) return this.deny(DenyReason.SelfTrade, ownBid, boundPx);
    }

    // 10. Duplicate intent: identical instrument/side/type/price/qty inside the window.
    if (this.dupWindowUs > 0) {
      this.dups.expire(nowUs);
      const ageDup = this.dups.findAgeUs(nowUs, inst, side, type, px, lots);
      if (ageDup >= 0) return this.deny(DenyReason.DuplicateIntent, ageDup, this.dupWindowUs);
    }

    // 11. Position including open same-side orders.
    const maxPos = this.maxPositionLots[inst]!;
    const projected = side === Side.Buy ? pos + sameSideOpen + lots : sameSideOpen + lots - pos;
    if (projected > maxPos) return this.deny(DenyReason.PositionExceedsMaximum, projected, maxPos);

    // 12. Open orders, open notional, gross exposure on orders entered.
    if (this.orders.count + 1 > this.maxOpenOrders) return this.deny(DenyReason.OpenOrdersExceedMaximum, this.orders.count + 1, this.maxOpenOrders);
    const openAfter = this.openNotional + notional;
    if (openAfter > this.maxOpenNotionalQuote) return this.deny(DenyReason.OpenNotionalExceedsMaximum, openAfter, this.maxOpenNotionalQuote);
    if (!reduces) {
      const gross = this.positions.grossPositionNotionalQuote() + openAfter;
      if (gross > this.maxGrossExposureQuote) return this.deny(DenyReason.GrossExposureExceedsMaximum, gross, this.maxGrossExposureQuote);
    }

    // 13. Parent/child: Σ child lots of this signal ≤ the parent cap.
    let sigSlot = -1;
    if (sig > 0) {
      sigSlot = sig % SIGNAL_SLOTS;
      const key = this.sigKey[sigSlot]!;
      if (key > sig) return this.deny(DenyReason.SignalExpired, sig, key);
      const cum = (key === sig ? this.sigLots[sigSlot]! : 0) + lots;
      if (cum > this.maxSignalLots[inst]!) return this.deny(DenyReason.SignalQuantityExceeded, cum, this.maxSignalLots[inst]!);
    }

    // 14. Capacity, then the throttle (last: only orders that would go out consume it).
    if (this.orders.count >= this.orders.capacity) return this.deny(DenyReason.OpenOrderTableFull, this.orders.count, this.orders.capacity);
    if (!this.orderLimiter.wouldAllow(nowUs)) {
      if (!this.orderThrottled) {
        this.orderThrottled = true;
        this.emit(RiskEventType.OrderThrottleTripped, nowUs, DenyReason.OrderRateExceeded, this.orderLimiter.maxEvents + 1, this.orderLimiter.maxEvents, inst, 0);
      }
      return this.deny(DenyReason.OrderRateExceeded, this.orderLimiter.maxEvents + 1, this.orderLimiter.maxEvents);
    }

    // Accepted: the order is working from now on.
    const resting = type === OrderType.Limit || type === OrderType.PostOnly;
    this.orders.insert(id, inst, side, entryPx, lots, strat, sig, resting ? 0 : FLAG_TAKER);
    this.orderLimiter.record(nowUs);
    this.orderThrottled = false;
    if (side === Side.Buy) {
      this.openBuyLots[inst] = sameSideOpen + lots;
      if (resting && this.ownDirty[inst] === 0 && px > this.ownBestBid[inst]!) this.ownBestBid[inst] = px;
    } else {
      this.openSellLots[inst] = sameSideOpen + lots;
      const a = this.ownBestAsk[inst]!;
      if (resting && this.ownDirty[inst] === 0 && (a === 0 || px < a)) this.ownBestAsk[inst] = px;
    }
    this.openNotional = openAfter;
    if (sigSlot >= 0) {
      if (this.sigKey[sigSlot] !== sig) {
        this.sigKey[sigSlot] = sig;
        this.sigLots[sigSlot] = 0;
      }
      this.sigLots[sigSlot] = this.sigLots[sigSlot]! + lots;
    }
    if (this.dupWindowUs > 0) this.dups.record(nowUs, inst, side, type, px, lots);
    this.acceptedCount++;
    d.accepted = true;
    d.value = notional;
    d.limit = this.maxOrderNotionalQuote;
    return d;
  }

  /**
   * Checks a cancel. Cancels are allowed in every trading state (they only
   * reduce risk) but are throttled on their own, higher, ceiling; a cancel
   * for an order that is not working, or already being cancelled, is denied
   * (it would only earn a venue reject). Kill-switch cancels do not come
   * through here: they are reported straight to the sink, unthrottled.
   */
  checkCancel(cancel: CancelIntent, nowUs: number): RiskDecision {
    const d = this.decision;
    const id = cancel.clientOrderId;
    d.accepted = false;
    d.reason = DenyReason.None;
    d.value = 0;
    d.limit = 0;
    d.clientOrderId = id;
    d.instrumentId = cancel.instrumentId;
    d.strategyId = cancel.strategyId;
    d.tsUs = nowUs;
    if (!Number.isFinite(nowUs)) return this.deny(DenyReason.InvalidInput, nowUs, 0);
    if (!Number.isSafeInteger(id) || id <= 0) return this.deny(DenyReason.InvalidInput, id, 0);
    const row = this.orders.find(id);
    if (row < 0) return this.deny(DenyReason.CancelUnknownOrder, id, 0);
    if ((this.orders.flags[row]! & (FLAG_CANCEL_PENDING | FLAG_FINAL)) !== 0) return this.deny(DenyReason.CancelAlreadyPending, id, 0);
    if (!this.cancelLimiter.wouldAllow(nowUs)) {
      if (!this.cancelThrottled) {
        this.cancelThrottled = true;
        this.emit(RiskEventType.CancelThrottleTripped, nowUs, DenyReason.CancelRateExceeded, this.cancelLimiter.maxEvents + 1, this.cancelLimiter.maxEvents, cancel.instrumentId, 0);
      }
      return this.deny(DenyReason.CancelRateExceeded, this.cancelLimiter.maxEvents + 1, this.cancelLimiter.maxEvents);
    }
    this.cancelLimiter.record(nowUs);
    this.cancelThrottled = false;
    this.orders.flags[row] = this.orders.flags[row]! | FLAG_CANCEL_PENDING;
    d.accepted = true;
    return d;
  }

  private deny(reason: DenyReason, value: number, limit: number): RiskDecision {
    const d = this.decision;
    d.accepted = false;
    d.reason = reason;
    d.value = value;
    d.limit = limit;
    this.denyCounts[reason]++;
    return d;
  }

  // ─── Market data ────────────────────────────────────────────────────────

  /**
   * Best bid/ask from the sanitized book (the reference is their mid). A
   * one-sided, crossed, locked or non-finite quote invalidates the reference
   * until the next good one (fail closed).
   */
  onQuote(instrumentId: number, bidTicks: number, askTicks: number, tsUs: number): void {
    const inst = instrumentId;
    if (!(inst >= 0 && inst < this.nInstruments) || this.positions.known[inst] === 0) return;
    if (!(bidTicks > 0) || !(askTicks > bidTicks) || !Number.isFinite(askTicks) || !Number.isFinite(tsUs)) {
      this.refValid[inst] = 0;
      return;
    }
    const mid = (bidTicks + askTicks) * 0.5;
    this.bidTicks[inst] = bidTicks;
    this.askTicks[inst] = askTicks;
    this.refTsUs[inst] = tsUs;
    this.refValid[inst] = 1;
    // Tumbling window: the anchor is the mid at the window's first quote.
    if (this.anchorTicks[inst] === 0 || tsUs - this.anchorTsUs[inst]! >= this.priceCollarWindowUs || tsUs < this.anchorTsUs[inst]!) {
      this.anchorTicks[inst] = mid;
      this.anchorTsUs[inst] = tsUs;
    }
    this.positions.mark(inst, mid);
    if (this.positions.positionLots[inst] !== 0) this.evaluateLimits(tsUs);
  }

  /** The sanitizer's verdict on an instrument's feed; anything but Ok blocks entry. */
  onFeedState(instrumentId: number, state: FeedState): void {
    if (instrumentId >= 0 && instrumentId < this.nInstruments) this.feedState[instrumentId] = state;
  }

  // ─── Venue events ───────────────────────────────────────────────────────

  /**
   * A venue order-state report. Final statuses (Rejected, Cancelled, Filled)
   * release the unfilled remainder; lots the venue says were filled but whose
   * `Fill` has not arrived yet stay reserved until it does. `Unknown` keeps
   * the order working (it must be reconciled, never assumed).
   */
  onOrderUpdate(u: OrderUpdate): void {
    const status = u.status;
    if (status === OrderStatus.Accepted || status === OrderStatus.PartiallyFilled) {
      this.rejectStreak = 0;
      return;
    }
    if (status !== OrderStatus.Rejected && status !== OrderStatus.Cancelled && status !== OrderStatus.Filled) return;
    const t = this.orders;
    const row = t.find(u.clientOrderId);
    if (row >= 0) {
      const open = t.openLots[row]!;
      const seenFilled = t.sizeLots[row]! - open;
      let inFlight = Number.isFinite(u.filledLots) ? u.filledLots - seenFilled : open;
      if (inFlight < 0) inFlight = 0;
      if (inFlight > open) inFlight = open;
      this.releaseUnfilled(row, open - inFlight);
      if (inFlight === 0) this.removeRow(row);
      else {
        // No longer resting: drop it from our own best prices.
        if ((t.flags[row]! & FLAG_TAKER) === 0) this.ownDirty[t.instrumentId[row]!] = 1;
        t.flags[row] = t.flags[row]! | FLAG_FINAL | FLAG_TAKER;
      }
    }
    if (status === OrderStatus.Rejected) {
      this.rejectStreak++;
      if (this.rejectStreak >= this.maxConsecutiveRejects) {
        this.pausedUntilUs = u.tsUs + this.rejectStormPauseUs;
        this.emit(RiskEventType.RejectStormPaused, u.tsUs, DenyReason.RejectStorm, this.pausedUntilUs, this.maxConsecutiveRejects, u.instrumentId, 0);
        this.rejectStreak = 0;
      }
    }
  }

  /** A fill: moves position and PnL, consumes working lots, feeds the repeated-execution throttle. */
  onFill(f: Fill): void {
    const inst = f.instrumentId;
    const lots = f.sizeLots;
    if (!(inst >= 0 && inst < this.nInstruments) || this.positions.known[inst] === 0) return;
    if (!(lots > 0) || !Number.isFinite(lots) || !(f.priceTicks > 0) || !Number.isFinite(f.feeQuote)) return;
    this.rejectStreak = 0;
    this.positions.applyFill(inst, f.side, f.priceTicks, lots, f.feeQuote);
    const t = this.orders;
    const row = t.find(f.clientOrderId);
    if (row >= 0) {
      const open = t.openLots[row]!;
      const used = lots < open ? lots : open;
      this.releaseLots(row, used);
      t.openLots[row] = open - used;
      if (open - used <= 0) this.removeRow(row);
    }
    const ts = f.tsUs;
    if (!this.execLimiter.wouldAllow(ts) && !this.killed) {
      this.execLimiter.record(ts);
      this.engageKill(ts, DenyReason.RepeatedExecutions, RiskEventType.RepeatedExecutionTripped, this.execLimiter.maxEvents + 1, this.execLimiter.maxEvents);
    } else {
      this.execLimiter.record(ts);
    }
    this.evaluateLimits(ts);
  }

  /** Takes `lots` off a row's working exposure (aggregates only; the caller updates openLots). */
  private releaseLots(row: number, lots: number): void {
    if (lots <= 0) return;
    const t = this.orders;
    const inst = t.instrumentId[row]!;
    if (t.side[row] === Side.Buy) this.openBuyLots[inst] = Math.max(0, this.openBuyLots[inst]! - lots);
    else this.openSellLots[inst] = Math.max(0, this.openSellLots[inst]! - lots);
    this.openNotional -= t.priceTicks[row]! * lots * this.positions.quotePerTickLot[inst]!;
  }

  /** Releases lots that will never fill: exposure and the signal's Σ child budget. */
  private releaseUnfilled(row: number, lots: number): void {
    if (lots <= 0) return;
    const t = this.orders;
    this.releaseLots(row, lots);
    t.openLots[row] = t.openLots[row]! - lots;
    const sig = t.signalId[row]!;
    if (sig > 0) {
      const slot = sig % SIGNAL_SLOTS;
      if (this.sigKey[slot] === sig) this.sigLots[slot] = Math.max(0, this.sigLots[slot]! - lots);
    }
  }

  private removeRow(row: number): void {
    const t = this.orders;
    const inst = t.instrumentId[row]!;
    if ((t.flags[row]! & FLAG_TAKER) === 0) {
      const px = t.priceTicks[row]!;
      if (px === (t.side[row] === Side.Buy ? this.ownBestBid[inst] : this.ownBestAsk[inst])) this.ownDirty[inst] = 1;
    }
    t.remove(t.orderId[row]!);
    if (t.count === 0) {
      // Re-zero float sums so rounding drift cannot accumulate across a session.
      this.openNotional = 0;
      this.openBuyLots.fill(0);
      this.openSellLots.fill(0);
    }
  }

  private recomputeOwnBest(inst: number): void {
    const t = this.orders;
    let bestBid = 0;
    let bestAsk = 0;
    for (let r = 0; r < t.count; r++) {
      if (t.instrumentId[r] !== inst || (t.flags[r]! & FLAG_TAKER) !== 0) continue;
      const px = t.priceTicks[r]!;
      if (t.side[r] === Side.Buy) {
        if (px > bestBid) bestBid = px;
      } else if (bestAsk === 0 || px < bestAsk) bestAsk = px;
    }
    this.ownBestBid[inst] = bestBid;
    this.ownBestAsk[inst] = bestAsk;
    this.ownDirty[inst] = 0;
  }

  // ─── Trading state, kill switch ─────────────────────────────────────────

  /** Daily loss and drawdown → REDUCING / HALTED. Bounded: one pass over instruments. */
  private evaluateLimits(tsUs: number): void {
    const equity = this.equityQuote();
    if (equity > this.peakEquity) this.peakEquity = equity;
    if (this.state === TradingState.Halted) return;
    const drop = this.peakEquity - equity;
    const dayPnl = equity - this.dayStartEquity;
    // Compared without dividing so an exact-limit drawdown stays exactly at the limit.
    if (drop * 100 > this.maxDrawdownPct * this.peakEquity) {
      this.setState(TradingState.Halted, tsUs, DenyReason.MaxDrawdown, (drop * 100) / this.peakEquity, this.maxDrawdownPct);
    }
    else if (dayPnl < -this.dailyLossHaltQuote) this.setState(TradingState.Halted, tsUs, DenyReason.DailyLossHalt, dayPnl, -this.dailyLossHaltQuote);
    else if (this.state === TradingState.Active && dayPnl < -this.dailyLossLimitQuote) {
      this.setState(TradingState.Reducing, tsUs, DenyReason.DailyLossLimit, dayPnl, -this.dailyLossLimitQuote);
    }
  }

  private setState(to: TradingState, tsUs: number, cause: DenyReason, value: number, limit: number): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.stateCause = to === TradingState.Active ? DenyReason.None : cause;
    let cancels = 0;
    if (to === TradingState.Halted) cancels = this.reportCancels(tsUs, false);
    else if (to === TradingState.Reducing) cancels = this.reportCancels(tsUs, true);
    const e = this.fillEvent(RiskEventType.TradingStateChanged, tsUs, cause, value, limit, -1, cancels);
    e.fromState = from;
    e.toState = to;
    this.sink.onRiskEvent(e);
  }

  /**
   * Reports working orders to cancel. `increasingOnly`: only those that would
   * add to the position (used on entering REDUCING). Orders whose cancel is
   * already pending are reported again only by the kill switch.
   */
  private reportCancels(tsUs: number, increasingOnly: boolean, includePending = false): number {
    const t = this.orders;
    let n = 0;
    // Walk rows downward: if the sink confirms a cancel synchronously (a fused
    // stage calling onOrderUpdate from inside onCancelRequired), the row is
    // removed and the already-visited last row moves into its place.
    for (let r = t.count - 1; r >= 0; r--) {
      if (r >= t.count) continue;
      const fl = t.flags[r]!;
      if ((fl & FLAG_FINAL) !== 0) continue;
      if (!includePending && (fl & FLAG_CANCEL_PENDING) !== 0) continue;
      if (increasingOnly) {
        const pos = this.positions.positionLots[t.instrumentId[r]!]!;
        const increases = pos === 0 || (pos > 0) === (t.side[r] === Side.Buy);
        if (!increases) continue;
      }
      t.flags[r] = fl | FLAG_CANCEL_PENDING;
      this.sink.onCancelRequired(t.orderId[r]!, t.instrumentId[r]!, t.strategyId[r]!, tsUs);
      n++;
    }
    return n;
  }

  /**
   * Kill switch: blocks all entry and reports every working order for cancel
   * (again, if called again: the stage may retry). Latched until `rearm`.
   * Returns the number of orders reported. Cold path.
   */
  kill(nowUs: number, cause: DenyReason = DenyReason.ManualKill): number {
    return this.engageKill(nowUs, cause, RiskEventType.KillSwitchEngaged, 0, 0);
  }

  private engageKill(tsUs: number, cause: DenyReason, type: RiskEventType, value: number, limit: number): number {
    this.killed = true;
    const from = this.state;
    this.state = TradingState.Halted;
    this.stateCause = cause;
    const n = this.reportCancels(tsUs, false, true);
    const e = this.fillEvent(type, tsUs, cause, value, limit, -1, n);
    e.fromState = from;
    e.toState = TradingState.Halted;
    this.sink.onRiskEvent(e);
    return n;
  }

  /**
   * Human re-arm (RTS 6 15(3)): clears the kill latch, HALTED/REDUCING, the
   * reject-storm pause and the execution window, then re-evaluates the loss
   * limits at once — if the day's loss or the drawdown is still beyond its
   * limit the guard goes straight back to REDUCING/HALTED. Pass
   * `resetDrawdownPeak` to accept current equity as the new peak. Never
   * called automatically. Cold path.
   */
  rearm(nowUs: number, resetDrawdownPeak = false): TradingState {
    const from = this.state;
    this.killed = false;
    this.state = TradingState.Active;
    this.stateCause = DenyReason.None;
    this.pausedUntilUs = 0;
    this.rejectStreak = 0;
    this.execLimiter.reset();
    this.orderThrottled = false;
    this.cancelThrottled = false;
    if (resetDrawdownPeak) this.peakEquity = this.equityQuote();
    const e = this.fillEvent(RiskEventType.Rearmed, nowUs, DenyReason.ManualRearm, 0, 0, -1, 0);
    e.fromState = from;
    e.toState = TradingState.Active;
    this.sink.onRiskEvent(e);
    this.evaluateLimits(nowUs);
    return this.state;
  }

  /**
   * Moves the daily-loss baseline to current equity (the stage calls this at
   * the UTC day boundary). Does not leave REDUCING/HALTED: that takes `rearm`.
   */
  startNewDay(nowUs: number): void {
    this.dayStartEquity = this.equityQuote();
    this.emit(RiskEventType.NewDay, nowUs, DenyReason.None, this.dayStartEquity, 0, -1, 0);
  }

  /**
   * How close each limit is, for the monitor's risk panel (cold: the risk
   * stage's 1 Hz report; allocates). Values in the limit's own unit; a
   * utilisation of 1 is the point where the guard denies or changes state.
   */
  limitUsage(nowUs: number): RiskLimitUsage[] {
    const c = this.config;
    const out: RiskLimitUsage[] = [];
    for (let i = 0; i < this.nInstruments; i++) {
      out.push({ name: `|position| ${this.symbols[i]} (lots)`, value: Math.abs(this.positionLots(i)), limit: this.maxPositionLots[i]! });
    }
    out.push({ name: 'open orders', value: this.orders.count, limit: c.maxOpenOrders });
    out.push({ name: 'open order notional (quote)', value: this.openNotional, limit: c.maxOpenNotionalQuote });
    out.push({ name: `orders in ${c.orderWindowUs / 1e6} s`, value: this.orderLimiter.countInWindow(nowUs), limit: c.ordersPerWindow });
    out.push({ name: `fills in ${c.executionWindowUs / 1e6} s`, value: this.execLimiter.countInWindow(nowUs), limit: c.maxExecutionsPerWindow });
    const dayLoss = Math.max(0, -this.dayPnlQuote());
    out.push({ name: 'day loss (quote) → REDUCING', value: dayLoss, limit: c.dailyLossLimitQuote });
    out.push({ name: 'day loss (quote) → HALTED', value: dayLoss, limit: c.dailyLossHaltQuote });
    const peak = this.peakEquity;
    out.push({ name: 'drawdown from peak (%)', value: peak > 0 ? Math.max(0, ((peak - this.equityQuote()) / peak) * 100) : 0, limit: c.maxDrawdownPct });
    out.push({ name: 'venue rejects in a row', value: this.rejectStreak, limit: c.maxConsecutiveRejects });
    return out;
  }

  /** Copies working order ids into `out`; returns how many (cold: monitor, tests). */
  collectWorkingOrderIds(out: Float64Array): number {
    const n = Math.min(out.length, this.orders.count);
    for (let r = 0; r < n; r++) out[r] = this.orders.orderId[r]!;
    return n;
  }

  private fillEvent(type: RiskEventType, tsUs: number, reason: DenyReason, value: number, limit: number, inst: number, count: number): RiskEvent {
    const e = this.event;
    e.type = type;
    e.tsUs = tsUs;
    e.reason = reason;
    e.fromState = this.state;
    e.toState = this.state;
    e.value = value;
    e.limit = limit;
    e.instrumentId = inst;
    e.count = count;
    return e;
  }

  private emit(type: RiskEventType, tsUs: number, reason: DenyReason, value: number, limit: number, inst: number, count: number): void {
    this.sink.onRiskEvent(this.fillEvent(type, tsUs, reason, value, limit, inst, count));
  }
}
