/**
 * SimpleLiquidationHunter: the first strategy. It fades bursts of exchange
 * liquidations: when forced selling (longs liquidated) or forced buying
 * spikes far above its usual rate and has already pushed the price, it
 * trades against the move and gets out on take-profit, stop-loss or time.
 *
 * Role: a `Strategy`. Owning thread: the strategy stage worker (or the fused
 * hot worker); single-threaded, the only writer of its state. Hot: every
 * handler runs per message and allocates nothing. All per-instrument state
 * is preallocated in typed arrays indexed by instrument id (and by
 * `id × windowBuckets + bucket` for the rolling window), the carriers it
 * emits (OrderIntent, CancelIntent, SignalEvent) are three objects reused
 * for the life of the instance, and time is passed in, never read.
 * Deterministic: order ids and signal ids are `idBase + counter`, so the same
 * input gives the same decisions and the same ids.
 *
 * The rule, per instrument and liquidation side:
 *   burst   = liquidation notional (quote) over the last `windowUs`, in
 *             `windowBuckets` time buckets (a ring; nothing allocated per event)
 *   base    = EWMA of `burst`, sampled at each bucket close, half-life
 *             `baselineHalfLifeUs` (a step that skips k buckets decays in O(min(k, B)))
 *   move    = reference price now vs at window start (bucket open), in bps;
 *             reference = book mid or last trade (`moveReference`)
 *   enter   if burst ≥ max(burstK × base, minBurstNotionalQuote) and the move
 *             is ≥ minMoveBps in the liquidations' direction: buy after
 *             forced selling, sell after forced buying, `orderSizeLots` at the touch
 *   exit    reduce-only at the touch on +takeProfitBps, −stopLossBps
 *             (PnL marked at the touch we would exit on), or after timeStopUs
 *   then    cooldownUs with no entry (also after a denied/rejected/unfilled entry)
 * Entries are evaluated only on liquidation events; each evaluated
 * liquidation emits exactly one signal (Enter, or NoTrade with the first gate
 * that failed), so the monitor can show why it did not trade.
 *
 * Order state: one working order per instrument at most. It stays "working"
 * until a terminal OrderUpdate (Filled/Cancelled/Rejected) has arrived AND the
 * fills it reports have arrived, whichever order they come in, so a Filled
 * update racing ahead of its Fill can never let a second entry through.
 * `Unknown` keeps the order working until the engine reconciles it.
 * State is updated before anything is emitted, so a synchronous sink (fused
 * topology) may call back into the strategy from `submit`.
 *
 * Mentor's Corner. Purpose: the simplest strategy that drives the whole
 * pipeline on the event the platform is built around (liquidations).
 * Ideal counterpart: a colocated C++/FPGA strategy reacting to the venue's
 * binary liquidation/trade feed in single-digit µs. We differ: JSON over the
 * public internet (1–100 ms late), ccxt, rings, a JS worker. We accept it: a
 * fade over a 10 s window gains nothing from µs; determinism, reason codes and
 * replay matter more. Measured (1M calls × 5, Node 20, shared 2-core box):
 * ~7 ns/onTrade, ~14 ns/onBookDeltas, ~100 ns/onLiquidation with its signal.
 */
import { FeedState, OrderType, Side } from '../domain/enums.ts';
import type { InstrumentSpec } from '../domain/instrument.ts';
import type { BookDeltas, LiquidationEvent, TradeTick } from '../domain/market-events.ts';
import { CancelIntent, OrderIntent, OrderStatus } from '../domain/orders.ts';
import type { Fill, OrderUpdate } from '../domain/orders.ts';
import type { L2Book } from '../book/l2-book.ts';
import { type HunterConfig, validateHunterConfig } from './hunter-config.ts';
import { SignalDecision, SignalEvent, SignalReason } from './signal.ts';
import type { Strategy, StrategyOutput } from './strategy.ts';

/** What the single working order of an instrument is for. */
const enum WorkKind {
  None = 0,
  Entry = 1,
  Exit = 2,
}

/** Instrument ids above this are refused at construction (state is dense by id). */
const MAX_INSTRUMENT_ID = 65_535;

export class SimpleLiquidationHunter implements Strategy {
  readonly strategyId: number;
  readonly config: HunterConfig;
  /** Events for instruments without a spec, and fills for orders not ours. */
  ignoredEvents = 0;
  /** No-trade signals dropped by `noTradeSignalMinIntervalUs`. */
  suppressedSignals = 0;

  private readonly out: StrategyOutput;
  private readonly slots: number;
  private readonly buckets: number;
  private readonly bucketUs: number;
  private readonly decayPerBucket: number;
  private readonly entryType: OrderType;
  private readonly exitType: OrderType;
  private readonly useMid: boolean;
  private readonly idBase: number;
  private orderSeq = 0;
  private signalSeq = 0;
  /**
   * Receive time of the market event being handled (0 for timer, feed-state
   * and order events). Kept in a field, not passed as an argument: a double
   * read from a carrier and passed to a call that is not inlined is boxed
   * into a fresh HeapNumber, i.e. one allocation per event.
   */
  private trigRecvUs = 0;

  // ── per instrument (index = instrument id) ──
  private readonly known: Uint8Array;
  /** Quote notional of one lot at one tick: tickSize × lotSize × contractValue. */
  private readonly quotePerTickLot: Float64Array;
  private readonly feed: Uint8Array;
  private readonly seen: Uint8Array;
  private readonly firstSeenUs: Float64Array;
  private readonly curEpoch: Float64Array;
  private readonly bestBid: Float64Array;
  private readonly bestAsk: Float64Array;
  private readonly refPx: Float64Array;
  /** EWMA baselines, index `id × 2 + (Buy ? 0 : 1)`. */
  private readonly baseline: Float64Array;
  private readonly posLots: Float64Array;
  private readonly avgPx: Float64Array;
  private readonly posOpenUs: Float64Array;
  private readonly workId: Float64Array;
  private readonly workKind: Uint8Array;
  private readonly workSentUs: Float64Array;
  private readonly workCancelSent: Uint8Array;
  private readonly workTerminal: Uint8Array;
  private readonly workTerminalFilled: Float64Array;
  private readonly workFilled: Float64Array;
  private readonly cooldownUntil: Float64Array;
  private readonly nextExitUs: Float64Array;
  private readonly lastNoTradeReason: Int32Array;
  private readonly lastNoTradeUs: Float64Array;

  // ── per instrument × bucket (index = id × buckets + epoch % buckets) ──
  private readonly slotEpoch: Float64Array;
  private readonly slotBuyQuote: Float64Array;
  private readonly slotSellQuote: Float64Array;
  private readonly slotOpenPx: Float64Array;

  // ── reused carriers ──
  private readonly intent = new OrderIntent();
  private readonly cancelCmd = new CancelIntent();
  private readonly sig = new SignalEvent();

  /**
   * @param out the stage's sink, created once
   * @param instruments specs; state is preallocated for ids 0..max(id)
   * @param config a partial config (merged over defaults and validated; throws on a bad field)
   */
  constructor(out: StrategyOutput, instruments: readonly InstrumentSpec[], config: unknown = {}) {
    const cfg = validateHunterConfig(config);
    this.config = cfg;
    this.out = out;
    this.strategyId = cfg.strategyId;
    this.idBase = cfg.idBase;
    if (instruments.length === 0) throw new Error('SimpleLiquidationHunter: instruments must not be empty');
    let maxId = 0;
    for (const spec of instruments) {
      if (!Number.isInteger(spec.id) || spec.id < 0 || spec.id > MAX_INSTRUMENT_ID) {
        throw new Error(`SimpleLiquidationHunter: instrument id must be an integer in [0, ${MAX_INSTRUMENT_ID}], got ${spec.id} (${spec.symbol})`);
      }
      if (cfg.orderSizeLots < spec.minSizeLots) {
        throw new Error(`SimpleLiquidationHunter: orderSizeLots=${cfg.orderSizeLots} is below ${spec.symbol} minSizeLots=${spec.minSizeLots}`);
      }
      if (spec.id > maxId) maxId = spec.id;
    }
    const n = maxId + 1;
    const b = cfg.windowBuckets;
    this.slots = n;
    this.buckets = b;
    this.bucketUs = cfg.windowUs / b;
    this.decayPerBucket = Math.pow(0.5, this.bucketUs / cfg.baselineHalfLifeUs);
    this.entryType = cfg.entryOrderType === 'ioc' ? OrderType.Ioc : OrderType.Limit;
    this.exitType = cfg.exitOrderType === 'ioc' ? OrderType.Ioc : OrderType.Market;
    this.useMid = cfg.moveReference === 'mid';

    this.known = new Uint8Array(n);
    this.quotePerTickLot = new Float64Array(n);
    for (const spec of instruments) {
      this.known[spec.id] = 1;
      this.quotePerTickLot[spec.id] = spec.tickSize * spec.lotSize * spec.contractValue;
    }
    this.feed = new Uint8Array(n).fill(FeedState.Ok);
    this.seen = new Uint8Array(n);
    this.firstSeenUs = new Float64Array(n);
    this.curEpoch = new Float64Array(n);
    this.bestBid = new Float64Array(n).fill(NaN);
    this.bestAsk = new Float64Array(n).fill(NaN);
    this.refPx = new Float64Array(n).fill(NaN);
    this.baseline = new Float64Array(n * 2);
    this.posLots = new Float64Array(n);
    this.avgPx = new Float64Array(n);
    this.posOpenUs = new Float64Array(n);
    this.workId = new Float64Array(n);
    this.workKind = new Uint8Array(n);
    this.workSentUs = new Float64Array(n);
    this.workCancelSent = new Uint8Array(n);
    this.workTerminal = new Uint8Array(n);
    this.workTerminalFilled = new Float64Array(n);
    this.workFilled = new Float64Array(n);
    this.cooldownUntil = new Float64Array(n);
    this.nextExitUs = new Float64Array(n);
    this.lastNoTradeReason = new Int32Array(n);
    this.lastNoTradeUs = new Float64Array(n);
    this.slotEpoch = new Float64Array(n * b).fill(-1);
    this.slotBuyQuote = new Float64Array(n * b);
    this.slotSellQuote = new Float64Array(n * b);
    this.slotOpenPx = new Float64Array(n * b).fill(NaN);
  }

  // ── market data ─────────────────────────────────────────────────────────

  onBookDeltas(d: BookDeltas, book: L2Book, nowUs: number): void {
    const i = d.instrumentId;
    if (!this.isKnown(i)) return;
    this.touch(i, nowUs);
    const bid = book.bestBid();
    const ask = book.bestAsk();
    this.bestBid[i] = bid;
    this.bestAsk[i] = ask;
    if (this.useMid && bid < ask) this.refPx[i] = (bid + ask) / 2; // NaN or crossed: keep the last good mid
    this.trigRecvUs = d.tsRecvUs;
    this.maintain(i, nowUs);
  }

  onTrade(t: TradeTick, nowUs: number): void {
    const i = t.instrumentId;
    if (!this.isKnown(i)) return;
    this.touch(i, nowUs);
    if (!this.useMid && t.priceTicks > 0) this.refPx[i] = t.priceTicks;
    this.trigRecvUs = t.tsRecvUs;
    this.maintain(i, nowUs);
  }

  onLiquidation(l: LiquidationEvent, nowUs: number): void {
    const i = l.instrumentId;
    if (!this.isKnown(i)) return;
    this.touch(i, nowUs);
    const slot = i * this.buckets + this.slotOf(this.curEpoch[i]!);
    const notional = l.priceTicks * l.sizeLots * this.quotePerTickLot[i]!;
    if (notional > 0) {
      if (l.side === Side.Buy) this.slotBuyQuote[slot] = this.slotBuyQuote[slot]! + notional;
      else this.slotSellQuote[slot] = this.slotSellQuote[slot]! + notional;
    }
    this.trigRecvUs = l.tsRecvUs;
    this.maintain(i, nowUs);
    this.evaluateEntry(i, l.side === Side.Buy ? Side.Buy : Side.Sell, nowUs);
  }

  onMarkPrice(): void {}

  onFundingRate(): void {}

  onFeedState(instrumentId: number, state: FeedState, nowUs: number): void {
    if (!this.isKnown(instrumentId)) return;
    this.feed[instrumentId] = state;
    this.trigRecvUs = 0;
    if (state !== FeedState.Ok) this.maintain(instrumentId, nowUs);
  }

  onTimer(nowUs: number): void {
    this.trigRecvUs = 0;
    for (let i = 0; i < this.slots; i++) {
      if (this.seen[i] === 0) continue;
      this.advance(i, nowUs);
      this.maintain(i, nowUs);
    }
  }

  // ── orders ──────────────────────────────────────────────────────────────

  onOrderUpdate(u: OrderUpdate): void {
    const i = u.instrumentId;
    if (!this.isKnown(i)) return;
    if (this.workKind[i] === WorkKind.None || u.clientOrderId !== this.workId[i]) return;
    switch (u.status) {
      case OrderStatus.Filled:
      case OrderStatus.Cancelled:
        this.workTerminal[i] = 1;
        this.workTerminalFilled[i] = u.filledLots;
        this.tryFinishWorking(i, u.tsUs);
        return;
      case OrderStatus.Rejected: {
        const kind = this.workKind[i]!;
        const id = this.workId[i]!;
        this.workTerminal[i] = 1;
        this.workTerminalFilled[i] = u.filledLots;
        if (kind === WorkKind.Exit) this.nextExitUs[i] = u.tsUs + this.config.exitRetryUs;
        this.tryFinishWorking(i, u.tsUs);
        this.emitOrderFailure(i, kind === WorkKind.Entry ? SignalReason.EntryRejected : SignalReason.ExitRejected, id, u.reason, u.tsUs);
        return;
      }
      default:
        // Accepted / PartiallyFilled: still working. Unknown: working until reconciled.
        return;
    }
  }

  onOrderDenied(clientOrderId: number, reasonCode: number, nowUs: number): void {
    for (let i = 0; i < this.slots; i++) {
      if (this.workKind[i] === WorkKind.None || this.workId[i] !== clientOrderId) continue;
      const kind = this.workKind[i]!;
      this.clearWorking(i);
      if (kind === WorkKind.Entry) {
        this.startCooldown(i, nowUs);
        this.emitOrderFailure(i, SignalReason.EntryDenied, clientOrderId, reasonCode, nowUs);
      } else {
        this.nextExitUs[i] = nowUs + this.config.exitRetryUs;
        this.emitOrderFailure(i, SignalReason.ExitDenied, clientOrderId, reasonCode, nowUs);
      }
      return;
    }
  }

  onFill(f: Fill, nowUs: number): void {
    const i = f.instrumentId;
    const id = f.clientOrderId;
    if (!this.isIndex(i) || id <= this.idBase || id > this.idBase + this.orderSeq || !(f.sizeLots > 0)) {
      this.ignoredEvents++;
      return;
    }
    const pos = this.posLots[i]!;
    const signed = f.side === Side.Buy ? f.sizeLots : -f.sizeLots;
    const next = pos + signed;
    if (pos === 0 || (next !== 0 && (next > 0) !== (pos > 0))) {
      // Opened (or, impossible with reduce-only exits, flipped): the fill price is the entry.
      this.avgPx[i] = f.priceTicks;
      this.posOpenUs[i] = nowUs;
    } else if ((signed > 0) === (pos > 0)) {
      const absPos = pos > 0 ? pos : -pos;
      this.avgPx[i] = (this.avgPx[i]! * absPos + f.priceTicks * f.sizeLots) / (absPos + f.sizeLots);
    }
    this.posLots[i] = next;
    if (next === 0) {
      this.avgPx[i] = 0;
      this.startCooldown(i, nowUs);
    }
    if (this.workKind[i] !== WorkKind.None && id === this.workId[i]) {
      this.workFilled[i] = this.workFilled[i]! + f.sizeLots;
      this.tryFinishWorking(i, nowUs);
    }
  }

  // ── read-only views (monitor, tests; cold-ish) ──────────────────────────

  positionLots(instrumentId: number): number {
    return this.isIndex(instrumentId) ? this.posLots[instrumentId]! : 0;
  }

  avgEntryPriceTicks(instrumentId: number): number {
    return this.isIndex(instrumentId) ? this.avgPx[instrumentId]! : 0;
  }

  /** clientOrderId of the working order, 0 when none. */
  workingOrderId(instrumentId: number): number {
    return this.isIndex(instrumentId) && this.workKind[instrumentId] !== WorkKind.None ? this.workId[instrumentId]! : 0;
  }

  cooldownUntilUs(instrumentId: number): number {
    return this.isIndex(instrumentId) ? this.cooldownUntil[instrumentId]! : 0;
  }

  /** EWMA baseline of the rolling liquidation notional for liquidations of `side`. */
  baselineQuote(instrumentId: number, side: Side): number {
    return this.isIndex(instrumentId) ? this.baseline[instrumentId * 2 + (side === Side.Buy ? 0 : 1)]! : 0;
  }

  /** Rolling liquidation notional of `side` in the current window (as of the last event). */
  rollingNotionalQuote(instrumentId: number, side: Side): number {
    if (!this.isIndex(instrumentId) || this.seen[instrumentId] === 0) return 0;
    return this.rolling(instrumentId, side, this.curEpoch[instrumentId]!);
  }

  // ── internals ───────────────────────────────────────────────────────────

  private isIndex(i: number): boolean {
    return i >= 0 && i < this.slots && this.known[i] === 1;
  }

  private isKnown(i: number): boolean {
    if (i >= 0 && i < this.slots && this.known[i] === 1) return true;
    this.ignoredEvents++;
    return false;
  }

  private slotOf(epoch: number): number {
    const r = epoch % this.buckets;
    return r < 0 ? r + this.buckets : r;
  }

  /** First sight of an instrument starts its warm-up; every event moves its window to `nowUs`. */
  private touch(i: number, nowUs: number): void {
    if (this.seen[i] === 0) {
      this.seen[i] = 1;
      this.firstSeenUs[i] = nowUs;
      const e = Math.floor(nowUs / this.bucketUs);
      this.curEpoch[i] = e;
      this.initSlot(i, e);
      return;
    }
    this.advance(i, nowUs);
  }

  private initSlot(i: number, epoch: number): void {
    const s = i * this.buckets + this.slotOf(epoch);
    this.slotEpoch[s] = epoch;
    this.slotBuyQuote[s] = 0;
    this.slotSellQuote[s] = 0;
    this.slotOpenPx[s] = this.refPx[i]!;
  }

  /**
   * Moves instrument `i`'s window to the bucket holding `nowUs`: folds every
   * closed bucket's rolling notional into the EWMA baselines, then opens the
   * new buckets with the current reference price. Time going backwards
   * (out-of-order input) stays in the current bucket.
   */
  private advance(i: number, nowUs: number): void {
    const e = Math.floor(nowUs / this.bucketUs);
    const cur = this.curEpoch[i]!;
    if (e <= cur) return;
    const b = this.buckets;
    const d = this.decayPerBucket;
    const steps = e - cur;
    const folded = steps < b ? steps : b;
    const bi = i * 2;
    let baseBuy = this.baseline[bi]!;
    let baseSell = this.baseline[bi + 1]!;
    for (let c = cur; c < cur + folded; c++) {
      baseBuy = baseBuy * d + this.rolling(i, Side.Buy, c) * (1 - d);
      baseSell = baseSell * d + this.rolling(i, Side.Sell, c) * (1 - d);
    }
    if (steps > b) {
      // Buckets closed after the window emptied: rolling notional 0, pure decay.
      const f = Math.pow(d, steps - b);
      baseBuy *= f;
      baseSell *= f;
    }
    this.baseline[bi] = baseBuy;
    this.baseline[bi + 1] = baseSell;
    const first = steps < b ? cur + 1 : e - b + 1;
    for (let c = first; c <= e; c++) this.initSlot(i, c);
    this.curEpoch[i] = e;
  }

  /** Liquidation notional of `side` over buckets (endEpoch − B, endEpoch]. */
  private rolling(i: number, side: Side, endEpoch: number): number {
    const b = this.buckets;
    const base = i * b;
    const q = side === Side.Buy ? this.slotBuyQuote : this.slotSellQuote;
    const lo = endEpoch - b;
    let sum = 0;
    for (let k = 0; k < b; k++) {
      const ep = this.slotEpoch[base + k]!;
      if (ep > lo && ep <= endEpoch) sum += q[base + k]!;
    }
    return sum;
  }

  /** Reference price at the opening of the oldest bucket in the window that has one; NaN if none. */
  private windowStartPx(i: number): number {
    const b = this.buckets;
    const e = this.curEpoch[i]!;
    for (let c = e - b + 1; c <= e; c++) {
      const s = i * b + this.slotOf(c);
      if (this.slotEpoch[s] === c) {
        const px = this.slotOpenPx[s]!;
        if (px > 0) return px;
      }
    }
    return NaN;
  }

  private startCooldown(i: number, nowUs: number): void {
    const until = nowUs + this.config.cooldownUs;
    if (until > this.cooldownUntil[i]!) this.cooldownUntil[i] = until;
  }

  private clearWorking(i: number): void {
    this.workKind[i] = WorkKind.None;
    this.workId[i] = 0;
    this.workCancelSent[i] = 0;
    this.workTerminal[i] = 0;
    this.workTerminalFilled[i] = 0;
    this.workFilled[i] = 0;
  }

  /** The working order is done once it is terminal and every fill it reported has arrived. */
  private tryFinishWorking(i: number, nowUs: number): void {
    if (this.workTerminal[i] === 0 || this.workFilled[i]! < this.workTerminalFilled[i]!) return;
    const kind = this.workKind[i]!;
    this.clearWorking(i);
    // An entry that ended without a position (unfilled IOC, timed-out limit, rejection) still costs a cooldown.
    if (kind === WorkKind.Entry && this.posLots[i] === 0) this.startCooldown(i, nowUs);
  }

  /**
   * Per-event housekeeping: cancel a working entry that timed out or whose
   * feed went bad, and exit an open position on TP / SL / time stop.
   * Exits wait while the feed is not Ok or the book is empty/crossed: the
   * touch they would be priced at is not trustworthy.
   */
  private maintain(i: number, nowUs: number): void {
    const kind = this.workKind[i]!;
    if (kind === WorkKind.Entry) {
      if (this.workCancelSent[i] === 1) return;
      if (this.feed[i] !== FeedState.Ok) {
        this.cancelWorking(i, SignalReason.CancelFeedNotOk, nowUs);
      } else if (this.entryType === OrderType.Limit && nowUs - this.workSentUs[i]! >= this.config.entryTimeoutUs) {
        this.cancelWorking(i, SignalReason.CancelEntryTimeout, nowUs);
      }
      return;
    }
    if (kind !== WorkKind.None) return;
    const pos = this.posLots[i]!;
    if (pos === 0 || this.feed[i] !== FeedState.Ok || nowUs < this.nextExitUs[i]!) return;
    const bid = this.bestBid[i]!;
    const ask = this.bestAsk[i]!;
    if (!(bid < ask)) return;
    const avg = this.avgPx[i]!;
    const pnlBps = pos > 0 ? ((bid - avg) / avg) * 1e4 : ((avg - ask) / avg) * 1e4;
    const cfg = this.config;
    let reason: SignalReason;
    if (pnlBps >= cfg.takeProfitBps) reason = SignalReason.ExitTakeProfit;
    else if (pnlBps <= -cfg.stopLossBps) reason = SignalReason.ExitStopLoss;
    else if (nowUs - this.posOpenUs[i]! >= cfg.timeStopUs) reason = SignalReason.ExitTimeStop;
    else return;
    this.submitExit(i, reason, pnlBps, nowUs);
  }

  /** Gates in order; the first that fails is the reported reason. Exactly one signal per call (unless throttled). */
  private evaluateEntry(i: number, liqSide: Side, nowUs: number): void {
    const cfg = this.config;
    const burst = this.rolling(i, liqSide, this.curEpoch[i]!);
    const base = this.baseline[i * 2 + (liqSide === Side.Buy ? 0 : 1)]!;
    const kBase = cfg.burstK * base;
    const threshold = kBase > cfg.minBurstNotionalQuote ? kBase : cfg.minBurstNotionalQuote;
    const startPx = this.windowStartPx(i);
    const nowPx = this.refPx[i]!;
    const moveBps = startPx > 0 && nowPx > 0 ? ((nowPx - startPx) / startPx) * 1e4 : NaN;
    const bid = this.bestBid[i]!;
    const ask = this.bestAsk[i]!;
    const fade = liqSide === Side.Sell ? Side.Buy : Side.Sell;

    let reason: SignalReason;
    if (this.feed[i] !== FeedState.Ok) reason = SignalReason.FeedNotOk;
    else if (this.posLots[i] !== 0) reason = SignalReason.PositionOpen;
    else if (this.workKind[i] !== WorkKind.None) reason = SignalReason.OrderWorking;
    else if (nowUs < this.cooldownUntil[i]!) reason = SignalReason.Cooldown;
    else if (nowUs - this.firstSeenUs[i]! < cfg.warmupUs) reason = SignalReason.Warmup;
    else if (burst < cfg.minBurstNotionalQuote) reason = SignalReason.BurstBelowMinNotional;
    else if (burst < kBase) reason = SignalReason.BurstBelowThreshold;
    else if (!(bid > 0) || !(ask > 0)) reason = SignalReason.BookEmpty;
    else if (bid >= ask) reason = SignalReason.BookCrossed;
    else if (moveBps !== moveBps) reason = SignalReason.NoPriceReference;
    else {
      const directional = liqSide === Side.Sell ? -moveBps : moveBps;
      if (directional >= cfg.minMoveBps) {
        reason = liqSide === Side.Sell ? SignalReason.EnterFadeSellBurst : SignalReason.EnterFadeBuyBurst;
      } else {
        reason = directional < 0 ? SignalReason.PriceMoveWrongDirection : SignalReason.PriceMoveTooSmall;
      }
    }

    const entering = reason === SignalReason.EnterFadeSellBurst || reason === SignalReason.EnterFadeBuyBurst;
    if (!entering && cfg.noTradeSignalMinIntervalUs > 0) {
      if (this.lastNoTradeReason[i] === reason && nowUs - this.lastNoTradeUs[i]! < cfg.noTradeSignalMinIntervalUs) {
        this.suppressedSignals++;
        return;
      }
      this.lastNoTradeReason[i] = reason;
      this.lastNoTradeUs[i] = nowUs;
    }

    const s = this.beginSignal(i, entering ? SignalDecision.Enter : SignalDecision.NoTrade, reason, nowUs);
    s.side = fade;
    s.burstNotionalQuote = burst;
    s.baselineQuote = base;
    s.burstK = cfg.burstK;
    s.thresholdQuote = threshold;
    s.moveBps = moveBps;
    if (!entering) {
      this.out.signal(s);
      return;
    }

    let priceTicks: number;
    if (fade === Side.Buy) priceTicks = (this.entryType === OrderType.Ioc ? ask : bid) + cfg.entryOffsetTicks;
    else priceTicks = (this.entryType === OrderType.Ioc ? bid : ask) - cfg.entryOffsetTicks;
    if (priceTicks < 1) priceTicks = 1;
    const id = this.idBase + ++this.orderSeq;
    s.clientOrderId = id;
    s.priceTicks = priceTicks;
    s.sizeLots = cfg.orderSizeLots;

    this.workKind[i] = WorkKind.Entry;
    this.workId[i] = id;
    this.workSentUs[i] = nowUs;
    this.workCancelSent[i] = 0;
    this.workTerminal[i] = 0;
    this.workTerminalFilled[i] = 0;
    this.workFilled[i] = 0;

    const o = this.intent;
    o.clientOrderId = id;
    o.signalId = s.signalId;
    o.strategyId = this.strategyId;
    o.instrumentId = i;
    o.side = fade;
    o.type = this.entryType;
    o.priceTicks = priceTicks;
    o.sizeLots = cfg.orderSizeLots;
    o.reduceOnly = false;
    o.tsSignalUs = nowUs;
    o.tsTriggerRecvUs = this.trigRecvUs;
    this.out.signal(s);
    this.out.submit(o);
  }

  private submitExit(i: number, reason: SignalReason, pnlBps: number, nowUs: number): void {
    const cfg = this.config;
    const pos = this.posLots[i]!;
    const bid = this.bestBid[i]!;
    const ask = this.bestAsk[i]!;
    const side = pos > 0 ? Side.Sell : Side.Buy;
    let priceTicks = side === Side.Sell ? bid - cfg.exitOffsetTicks : ask + cfg.exitOffsetTicks;
    if (priceTicks < 1) priceTicks = 1;
    const size = pos > 0 ? pos : -pos;
    const id = this.idBase + ++this.orderSeq;

    this.workKind[i] = WorkKind.Exit;
    this.workId[i] = id;
    this.workSentUs[i] = nowUs;
    this.workCancelSent[i] = 0;
    this.workTerminal[i] = 0;
    this.workTerminalFilled[i] = 0;
    this.workFilled[i] = 0;
    this.nextExitUs[i] = nowUs + cfg.exitRetryUs;

    const s = this.beginSignal(i, SignalDecision.Exit, reason, nowUs);
    s.side = side;
    s.clientOrderId = id;
    s.priceTicks = priceTicks;
    s.sizeLots = size;
    s.pnlBps = pnlBps;

    const o = this.intent;
    o.clientOrderId = id;
    o.signalId = s.signalId;
    o.strategyId = this.strategyId;
    o.instrumentId = i;
    o.side = side;
    o.type = this.exitType;
    o.priceTicks = priceTicks;
    o.sizeLots = size;
    o.reduceOnly = true;
    o.tsSignalUs = nowUs;
    o.tsTriggerRecvUs = this.trigRecvUs;
    this.out.signal(s);
    this.out.submit(o);
  }

  private cancelWorking(i: number, reason: SignalReason, nowUs: number): void {
    const id = this.workId[i]!;
    this.workCancelSent[i] = 1;
    const s = this.beginSignal(i, SignalDecision.Cancel, reason, nowUs);
    s.clientOrderId = id;
    const c = this.cancelCmd;
    c.clientOrderId = id;
    c.instrumentId = i;
    c.strategyId = this.strategyId;
    c.tsSignalUs = nowUs;
    this.out.signal(s);
    this.out.cancel(c);
  }

  private emitOrderFailure(i: number, reason: SignalReason, clientOrderId: number, detailCode: number, nowUs: number): void {
    this.trigRecvUs = 0;
    const s = this.beginSignal(i, SignalDecision.NoTrade, reason, nowUs);
    s.clientOrderId = clientOrderId;
    s.detailCode = detailCode;
    this.out.signal(s);
  }

  /** Resets the reused signal and stamps the common fields; allocates the next signal id. */
  private beginSignal(i: number, decision: SignalDecision, reason: SignalReason, nowUs: number): SignalEvent {
    const s = this.sig;
    s.reset();
    s.signalId = this.idBase + ++this.signalSeq;
    s.strategyId = this.strategyId;
    s.instrumentId = i;
    s.tsUs = nowUs;
    s.tsTriggerRecvUs = this.trigRecvUs;
    s.decision = decision;
    s.reason = reason;
    s.positionLots = this.posLots[i]!;
    return s;
  }
}
