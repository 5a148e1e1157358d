/**
 * SimpleLiquidationHunter, scripted: one instrument, explicit timestamps,
 * a real L2Book. Each scenario asserts the orders and the exact signal reason
 * codes the strategy emitted.
 *
 * Units: price 100.00 = 10_000 ticks, so 1 tick = 1 bp; 1 lot at 10_000 ticks
 * is 100 quote. Window 1 s (10 × 100 ms buckets), baseline half-life 5 s.
 * The quiet market (`background`) sells 1 lot per 100 ms, so the rolling sell
 * notional sits near 1_000 and the baseline climbs toward it.
 */
import { describe, expect, it } from 'vitest';
import { L2Book } from '../../src/core/book/l2-book.ts';
import { FeedState, OrderType, Side } from '../../src/core/domain/enums.ts';
import { makeInstrumentSpec } from '../../src/core/domain/instrument.ts';
import { BookDeltas, LiquidationEvent, TradeTick } from '../../src/core/domain/market-events.ts';
import { Fill, OrderStatus, OrderUpdate, VenueReason } from '../../src/core/domain/orders.ts';
import type { OrderIntent } from '../../src/core/domain/orders.ts';
import { RecordingOutput } from '../../src/core/strategies/recording-output.ts';
import { SignalDecision, SignalReason, signalReasonName } from '../../src/core/strategies/signal.ts';
import type { SignalEvent } from '../../src/core/strategies/signal.ts';
import { SimpleLiquidationHunter } from '../../src/core/strategies/simple-liquidation-hunter.ts';

const SPEC = makeInstrumentSpec({
  id: 0, symbol: 'TEST-USDT-SWAP', tickSize: 0.01, lotSize: 1, minSizeLots: 1, contractValue: 1, makerFeeBps: 0, takerFeeBps: 0,
});
const ID_BASE = 5_000;
const SEC = 1_000_000;
const MS = 1_000;
/** Start of every scenario, after 20 s of quiet market. */
const T = 20 * SEC;

const TEST_CONFIG = {
  strategyId: 7,
  idBase: ID_BASE,
  windowUs: SEC,
  windowBuckets: 10,
  baselineHalfLifeUs: 5 * SEC,
  warmupUs: 0,
  burstK: 4,
  minBurstNotionalQuote: 1_500,
  minMoveBps: 20,
  takeProfitBps: 15,
  stopLossBps: 25,
  timeStopUs: 5 * SEC,
  cooldownUs: 10 * SEC,
  orderSizeLots: 3,
  entryOrderType: 'ioc',
  entryTimeoutUs: 500 * MS,
  exitRetryUs: 50 * MS,
};

/** Drives instrument 0; every call takes its timestamp explicitly (also used as tsRecvUs). */
class Script {
  readonly out = new RecordingOutput();
  readonly hunter: SimpleLiquidationHunter;
  readonly book = new L2Book(64);
  private readonly d = new BookDeltas(8);
  private readonly t = new TradeTick();
  private readonly l = new LiquidationEvent();
  private readonly u = new OrderUpdate();
  private readonly f = new Fill();
  private fillSeq = 0;

  constructor(config: Record<string, unknown> = {}) {
    this.hunter = new SimpleLiquidationHunter(this.out, [SPEC], { ...TEST_CONFIG, ...config });
  }

  /** Replaces the book with (at most) one level per side; 0 = side empty. Returns the signals it caused. */
  quote(nowUs: number, bidTicks: number, askTicks: number, sizeLots = 50): SignalEvent[] {
    const before = this.out.signals.length;
    const d = this.d;
    d.reset();
    d.instrumentId = 0;
    d.tsRecvUs = nowUs;
    d.isSnapshot = true;
    d.bidCount = bidTicks > 0 ? 1 : 0;
    d.askCount = askTicks > 0 ? 1 : 0;
    d.bidPriceTicks[0] = bidTicks;
    d.bidSizeLots[0] = sizeLots;
    d.askPriceTicks[0] = askTicks;
    d.askSizeLots[0] = sizeLots;
    this.book.applyDeltas(d);
    this.hunter.onBookDeltas(d, this.book, nowUs);
    return this.out.signals.slice(before);
  }

  trade(nowUs: number, priceTicks: number): void {
    const t = this.t;
    t.instrumentId = 0;
    t.tsRecvUs = nowUs;
    t.priceTicks = priceTicks;
    t.sizeLots = 1;
    this.hunter.onTrade(t, nowUs);
  }

  /** A liquidation; returns the signals it produced. */
  liq(nowUs: number, side: Side, sizeLots: number, priceTicks = 10_000): SignalEvent[] {
    const before = this.out.signals.length;
    const l = this.l;
    l.instrumentId = 0;
    l.tsRecvUs = nowUs;
    l.tsExchangeUs = nowUs;
    l.side = side;
    l.priceTicks = priceTicks;
    l.sizeLots = sizeLots;
    this.hunter.onLiquidation(l, nowUs);
    return this.out.signals.slice(before);
  }

  update(nowUs: number, clientOrderId: number, status: OrderStatus, filledLots = 0, reason = 0): SignalEvent[] {
    const before = this.out.signals.length;
    const u = this.u;
    u.clientOrderId = clientOrderId;
    u.instrumentId = 0;
    u.status = status;
    u.reason = reason;
    u.filledLots = filledLots;
    u.tsUs = nowUs;
    this.hunter.onOrderUpdate(u);
    return this.out.signals.slice(before);
  }

  fill(nowUs: number, clientOrderId: number, side: Side, priceTicks: number, sizeLots: number): void {
    const f = this.f;
    f.fillId = ++this.fillSeq;
    f.clientOrderId = clientOrderId;
    f.instrumentId = 0;
    f.side = side;
    f.priceTicks = priceTicks;
    f.sizeLots = sizeLots;
    f.tsUs = nowUs;
    this.hunter.onFill(f, nowUs);
  }

  /** Accepted, then Filled, then the fill itself, all at `priceTicks`. */
  fillOrder(nowUs: number, o: OrderIntent, priceTicks = o.priceTicks): void {
    this.update(nowUs, o.clientOrderId, OrderStatus.Accepted);
    this.update(nowUs, o.clientOrderId, OrderStatus.Filled, o.sizeLots);
    this.fill(nowUs, o.clientOrderId, o.side, priceTicks, o.sizeLots);
  }

  feed(nowUs: number, state: FeedState): SignalEvent[] {
    const before = this.out.signals.length;
    this.hunter.onFeedState(0, state, nowUs);
    return this.out.signals.slice(before);
  }

  timer(nowUs: number): SignalEvent[] {
    const before = this.out.signals.length;
    this.hunter.onTimer(nowUs);
    return this.out.signals.slice(before);
  }

  /** Quiet market: book 9_999 / 10_001 every 100 ms and a 1-lot liquidation of `side` 50 ms later. */
  background(fromUs: number, toUs: number, side: Side = Side.Sell): void {
    for (let t = fromUs; t < toUs; t += 100 * MS) {
      this.quote(t, 9_999, 10_001);
      this.liq(t + 50 * MS, side, 1);
    }
  }

  /**
   * Book at mid 10_000 at `t0`, then moves to `bid`/`ask` at t0 + 550 ms, then
   * a liquidation of `side` worth `multiple` × the current baseline (alone)
   * at t0 + 590 ms, in the same bucket as the move. Returns its signals.
   */
  burst(t0: number, side: Side, multiple: number, bid: number, ask: number): SignalEvent[] {
    this.quote(t0, 9_999, 10_001);
    this.quote(t0 + 550 * MS, bid, ask);
    const base = this.hunter.baselineQuote(0, side);
    const lots = Math.ceil((multiple * base) / 100);
    return this.liq(t0 + 590 * MS, side, lots);
  }

  orders(): OrderIntent[] {
    return this.out.orders;
  }

  lastOrder(): OrderIntent {
    const o = this.out.orders[this.out.orders.length - 1];
    if (!o) throw new Error('no order submitted');
    return o;
  }
}

const names = (signals: readonly SignalEvent[]): string[] => signals.map((s) => signalReasonName(s.reason));

/** 20 s of quiet forced selling, then a 5× forced-selling burst with a 30 bp drop: enters long. */
function enteredLong(config: Record<string, unknown> = {}): { s: Script; entry: OrderIntent } {
  const s = new Script(config);
  s.background(0, T);
  const sig = s.burst(T, Side.Sell, 5, 9_969, 9_971);
  expect(names(sig)).toEqual(['ENTER_FADE_SELL_BURST']);
  return { s, entry: s.lastOrder() };
}

describe('SimpleLiquidationHunter entries', () => {
  it('buys after a forced-selling burst of 5x baseline with a 30 bp drop', () => {
    const s = new Script();
    s.background(0, T);
    expect(s.orders()).toHaveLength(0);
    // The quiet market never trades: ~1_000 rolling notional is below the 1_500 minimum.
    expect(new Set(names(s.out.signals))).toEqual(new Set(['BURST_BELOW_MIN_NOTIONAL']));
    const base = s.hunter.baselineQuote(0, Side.Sell);
    expect(base).toBeGreaterThan(800);
    expect(base).toBeLessThan(1_000);

    const sig = s.burst(T, Side.Sell, 5, 9_969, 9_971);
    expect(sig).toHaveLength(1);
    const e = sig[0]!;
    expect(e.decision).toBe(SignalDecision.Enter);
    expect(e.reason).toBe(SignalReason.EnterFadeSellBurst);
    expect(e.burstNotionalQuote).toBeGreaterThanOrEqual(5 * e.baselineQuote);
    expect(e.baselineQuote).toBeCloseTo(s.hunter.baselineQuote(0, Side.Sell), 9);
    expect(e.burstK).toBe(4);
    expect(e.thresholdQuote).toBeCloseTo(4 * e.baselineQuote, 9);
    expect(e.moveBps).toBeCloseTo(-30, 6);
    expect(e.tsUs).toBe(T + 590 * MS);
    expect(e.tsTriggerRecvUs).toBe(T + 590 * MS);
    expect(e.strategyId).toBe(7);

    expect(s.orders()).toHaveLength(1);
    const o = s.lastOrder();
    expect(o.side).toBe(Side.Buy);
    expect(o.type).toBe(OrderType.Ioc);
    expect(o.priceTicks).toBe(9_971); // IOC buy at the best ask
    expect(o.sizeLots).toBe(3);
    expect(o.reduceOnly).toBe(false);
    expect(o.clientOrderId).toBe(ID_BASE + 1);
    expect(o.signalId).toBe(e.signalId);
    expect(o.strategyId).toBe(7);
    expect(o.instrumentId).toBe(0);
    expect(o.tsSignalUs).toBe(T + 590 * MS);
    expect(o.tsTriggerRecvUs).toBe(T + 590 * MS);
    expect(e.clientOrderId).toBe(o.clientOrderId);
    expect(s.hunter.workingOrderId(0)).toBe(ID_BASE + 1);
  });

  it('sells after a forced-buying burst with a 30 bp rise', () => {
    const s = new Script();
    s.background(0, T, Side.Buy);
    const sig = s.burst(T, Side.Buy, 5, 10_029, 10_031);
    expect(names(sig)).toEqual(['ENTER_FADE_BUY_BURST']);
    expect(sig[0]!.moveBps).toBeCloseTo(30, 6);
    const o = s.lastOrder();
    expect(o.side).toBe(Side.Sell);
    expect(o.type).toBe(OrderType.Ioc);
    expect(o.priceTicks).toBe(10_029); // IOC sell at the best bid
    expect(o.sizeLots).toBe(3);
  });

  it('rests a limit entry at the near touch, offset toward the market', () => {
    const s = new Script({ entryOrderType: 'limit', entryOffsetTicks: 1 });
    s.background(0, T);
    expect(names(s.burst(T, Side.Sell, 5, 9_969, 9_971))).toEqual(['ENTER_FADE_SELL_BURST']);
    const o = s.lastOrder();
    expect(o.type).toBe(OrderType.Limit);
    expect(o.priceTicks).toBe(9_970);
  });

  it('measures the move on the last trade when moveReference is trade', () => {
    const s = new Script({ moveReference: 'trade' });
    for (let t = 0; t < T; t += 100 * MS) {
      s.quote(t, 9_999, 10_001);
      s.trade(t + 10 * MS, 10_000);
      s.liq(t + 50 * MS, Side.Sell, 1);
    }
    // The book barely moves, trades print 30 bp lower.
    s.quote(T, 9_999, 10_001);
    s.trade(T + 550 * MS, 9_970);
    const lots = Math.ceil((5 * s.hunter.baselineQuote(0, Side.Sell)) / 100);
    const sig = s.liq(T + 590 * MS, Side.Sell, lots);
    expect(names(sig)).toEqual(['ENTER_FADE_SELL_BURST']);
    expect(sig[0]!.moveBps).toBeCloseTo(-30, 6);
    expect(s.lastOrder().priceTicks).toBe(10_001);
  });
});

describe('SimpleLiquidationHunter does not trade', () => {
  it('when the burst is below k x baseline', () => {
    const s = new Script();
    s.background(0, T);
    const sig = s.burst(T, Side.Sell, 2, 9_969, 9_971);
    expect(names(sig)).toEqual(['BURST_BELOW_THRESHOLD']);
    expect(sig[0]!.decision).toBe(SignalDecision.NoTrade);
    expect(sig[0]!.burstNotionalQuote).toBeLessThan(4 * sig[0]!.baselineQuote);
    expect(sig[0]!.burstNotionalQuote).toBeGreaterThanOrEqual(1_500);
    expect(sig[0]!.side).toBe(Side.Buy);
    expect(s.orders()).toHaveLength(0);
  });

  it('when the burst is below the absolute minimum notional', () => {
    const s = new Script({ minBurstNotionalQuote: 1_000_000 });
    s.background(0, T);
    expect(names(s.burst(T, Side.Sell, 5, 9_969, 9_971))).toEqual(['BURST_BELOW_MIN_NOTIONAL']);
    expect(s.orders()).toHaveLength(0);
  });

  it('when the price moved too little', () => {
    const s = new Script();
    s.background(0, T);
    const sig = s.burst(T, Side.Sell, 5, 9_989, 9_991);
    expect(names(sig)).toEqual(['PRICE_MOVE_TOO_SMALL']);
    expect(sig[0]!.moveBps).toBeCloseTo(-10, 6);
    expect(s.orders()).toHaveLength(0);
  });

  it('when the price moved against the liquidations', () => {
    const s = new Script();
    s.background(0, T);
    const sig = s.burst(T, Side.Sell, 5, 10_029, 10_031);
    expect(names(sig)).toEqual(['PRICE_MOVE_WRONG_DIRECTION']);
    expect(sig[0]!.moveBps).toBeCloseTo(30, 6);
    expect(s.orders()).toHaveLength(0);
  });

  it('while the cooldown after a round trip is active, and again once it has passed', () => {
    const { s, entry } = enteredLong();
    s.fillOrder(T + 600 * MS, entry);
    expect(names(s.quote(T + SEC, 9_987, 9_989))).toEqual(['EXIT_TAKE_PROFIT']);
    s.fillOrder(T + 1_100 * MS, s.lastOrder());
    expect(s.hunter.positionLots(0)).toBe(0);
    expect(s.hunter.cooldownUntilUs(0)).toBe(T + 1_100 * MS + 10 * SEC);

    const during = s.burst(T + 3 * SEC, Side.Sell, 8, 9_969, 9_971);
    expect(names(during)).toEqual(['COOLDOWN']);
    expect(s.orders()).toHaveLength(2);

    s.quote(T + 11 * SEC, 9_999, 10_001); // price recovered before the next window
    const after = s.burst(T + 12 * SEC, Side.Sell, 8, 9_969, 9_971);
    expect(names(after)).toEqual(['ENTER_FADE_SELL_BURST']);
    expect(s.orders()).toHaveLength(3);
  });

  it('when the feed is INVALID, and trades again once it is Ok', () => {
    const s = new Script();
    s.background(0, T);
    expect(s.feed(T, FeedState.Invalid)).toEqual([]);
    const sig = s.burst(T, Side.Sell, 5, 9_969, 9_971);
    expect(names(sig)).toEqual(['FEED_NOT_OK']);
    expect(s.orders()).toHaveLength(0);
    s.feed(T + 595 * MS, FeedState.Ok);
    expect(names(s.liq(T + 599 * MS, Side.Sell, 1))).toEqual(['ENTER_FADE_SELL_BURST']);
  });

  it('when a position is already open', () => {
    const { s, entry } = enteredLong();
    s.fillOrder(T + 600 * MS, entry);
    expect(s.hunter.positionLots(0)).toBe(3);
    expect(s.hunter.avgEntryPriceTicks(0)).toBe(9_971);
    const sig = s.liq(T + 650 * MS, Side.Sell, 100);
    expect(names(sig)).toEqual(['POSITION_OPEN']);
    expect(sig[0]!.positionLots).toBe(3);
    expect(s.orders()).toHaveLength(1);
  });

  it('while an entry order is working', () => {
    const s = new Script({ entryOrderType: 'limit' });
    s.background(0, T);
    expect(names(s.burst(T, Side.Sell, 5, 9_969, 9_971))).toEqual(['ENTER_FADE_SELL_BURST']);
    s.update(T + 600 * MS, ID_BASE + 1, OrderStatus.Accepted);
    expect(names(s.liq(T + 650 * MS, Side.Sell, 100))).toEqual(['ORDER_WORKING']);
    s.update(T + 700 * MS, ID_BASE + 1, OrderStatus.PartiallyFilled, 1);
    expect(names(s.liq(T + 750 * MS, Side.Sell, 100))).toEqual(['ORDER_WORKING']);
    expect(s.orders()).toHaveLength(1);
  });

  it('when a Filled update arrives before its fill (never double-enters)', () => {
    const { s, entry } = enteredLong();
    s.update(T + 600 * MS, entry.clientOrderId, OrderStatus.Filled, 3);
    expect(names(s.liq(T + 610 * MS, Side.Sell, 100))).toEqual(['ORDER_WORKING']);
    s.fill(T + 620 * MS, entry.clientOrderId, Side.Buy, 9_971, 3);
    expect(s.hunter.workingOrderId(0)).toBe(0);
    expect(names(s.liq(T + 630 * MS, Side.Sell, 100))).toEqual(['POSITION_OPEN']);
    expect(s.orders()).toHaveLength(1);
  });

  it('during warm-up', () => {
    const s = new Script({ warmupUs: 30 * SEC });
    s.background(0, T);
    expect(names(s.burst(T, Side.Sell, 5, 9_969, 9_971))).toEqual(['WARMUP']);
  });

  it('when the book is empty or crossed', () => {
    const s = new Script();
    s.background(0, T);
    s.quote(T, 9_999, 10_001);
    s.quote(T + 500 * MS, 9_969, 9_971);
    s.quote(T + 550 * MS, 0, 0);
    expect(names(s.liq(T + 560 * MS, Side.Sell, 100))).toEqual(['BOOK_EMPTY']);
    s.quote(T + 570 * MS, 9_972, 9_970);
    expect(names(s.liq(T + 580 * MS, Side.Sell, 100))).toEqual(['BOOK_CROSSED']);
    expect(s.orders()).toHaveLength(0);
  });

  it('emits at most one no-trade signal per liquidation, and throttles repeats when asked', () => {
    const every = new Script();
    every.background(0, 5 * SEC);
    expect(every.out.signals).toHaveLength(50);
    const throttled = new Script({ noTradeSignalMinIntervalUs: SEC });
    throttled.background(0, 5 * SEC);
    expect(names(throttled.out.signals)).toEqual(Array(5).fill('BURST_BELOW_MIN_NOTIONAL'));
    expect(throttled.hunter.suppressedSignals).toBe(45);
  });
});

describe('SimpleLiquidationHunter exits', () => {
  it('takes profit with a reduce-only sell at the bid', () => {
    const { s, entry } = enteredLong();
    s.fillOrder(T + 600 * MS, entry);
    expect(s.quote(T + 900 * MS, 9_980, 9_982)).toEqual([]); // +9 bp: hold
    const sig = s.quote(T + SEC, 9_987, 9_989);
    expect(names(sig)).toEqual(['EXIT_TAKE_PROFIT']);
    expect(sig[0]!.decision).toBe(SignalDecision.Exit);
    expect(sig[0]!.pnlBps).toBeCloseTo(((9_987 - 9_971) / 9_971) * 1e4, 9);
    const o = s.lastOrder();
    expect(o.side).toBe(Side.Sell);
    expect(o.reduceOnly).toBe(true);
    expect(o.type).toBe(OrderType.Ioc);
    expect(o.priceTicks).toBe(9_987);
    expect(o.sizeLots).toBe(3);
    expect(o.clientOrderId).toBe(ID_BASE + 2);
    expect(o.signalId).toBe(sig[0]!.signalId);
    expect(o.tsTriggerRecvUs).toBe(T + SEC);
  });

  it('stops out with a reduce-only sell at the bid', () => {
    const { s, entry } = enteredLong({ exitOrderType: 'market', exitOffsetTicks: 2 });
    s.fillOrder(T + 600 * MS, entry);
    const sig = s.quote(T + SEC, 9_945, 9_947);
    expect(names(sig)).toEqual(['EXIT_STOP_LOSS']);
    const o = s.lastOrder();
    expect(o.side).toBe(Side.Sell);
    expect(o.reduceOnly).toBe(true);
    expect(o.type).toBe(OrderType.Market);
    expect(o.priceTicks).toBe(9_943); // worst acceptable price: 2 ticks through the bid
  });

  it('exits on the time stop from the timer', () => {
    const { s, entry } = enteredLong();
    s.fillOrder(T + 600 * MS, entry);
    expect(s.timer(T + 5_500 * MS)).toEqual([]);
    const sig = s.timer(T + 5_600 * MS);
    expect(names(sig)).toEqual(['EXIT_TIME_STOP']);
    expect(sig[0]!.tsTriggerRecvUs).toBe(0); // timer-driven: no market trigger
    const o = s.lastOrder();
    expect(o.side).toBe(Side.Sell);
    expect(o.reduceOnly).toBe(true);
    expect(o.priceTicks).toBe(9_969);
    expect(o.tsTriggerRecvUs).toBe(0);
  });

  it('exits a short with a reduce-only buy at the ask', () => {
    const s = new Script();
    s.background(0, T, Side.Buy);
    expect(names(s.burst(T, Side.Buy, 5, 10_029, 10_031))).toEqual(['ENTER_FADE_BUY_BURST']);
    s.fillOrder(T + 600 * MS, s.lastOrder());
    expect(s.hunter.positionLots(0)).toBe(-3);
    expect(names(s.quote(T + SEC, 10_011, 10_013))).toEqual(['EXIT_TAKE_PROFIT']);
    const o = s.lastOrder();
    expect(o.side).toBe(Side.Buy);
    expect(o.reduceOnly).toBe(true);
    expect(o.priceTicks).toBe(10_013);
    expect(o.sizeLots).toBe(3);
  });

  it('retries the remainder of a partially filled exit after exitRetryUs', () => {
    const { s, entry } = enteredLong();
    s.fillOrder(T + 600 * MS, entry);
    expect(names(s.quote(T + SEC, 9_945, 9_947))).toEqual(['EXIT_STOP_LOSS']);
    const exit1 = s.lastOrder();
    s.fill(T + SEC + 100, exit1.clientOrderId, Side.Sell, 9_945, 2);
    s.update(T + SEC + 100, exit1.clientOrderId, OrderStatus.Cancelled, 2, VenueReason.IocRemainder);
    expect(s.hunter.positionLots(0)).toBe(1);
    expect(s.hunter.workingOrderId(0)).toBe(0);
    expect(s.quote(T + SEC + 20 * MS, 9_944, 9_946)).toEqual([]); // within exitRetryUs
    expect(names(s.quote(T + SEC + 60 * MS, 9_944, 9_946))).toEqual(['EXIT_STOP_LOSS']);
    expect(s.lastOrder().sizeLots).toBe(1);
    expect(s.lastOrder().reduceOnly).toBe(true);
  });

  it('holds exits while the feed is not Ok', () => {
    const { s, entry } = enteredLong();
    s.fillOrder(T + 600 * MS, entry);
    s.feed(T + 700 * MS, FeedState.Stale);
    expect(s.quote(T + SEC, 9_987, 9_989)).toEqual([]);
    s.feed(T + 1_100 * MS, FeedState.Ok);
    expect(names(s.quote(T + 1_200 * MS, 9_987, 9_989))).toEqual(['EXIT_TAKE_PROFIT']);
  });

  it('retries an exit denied by risk after exitRetryUs', () => {
    const { s, entry } = enteredLong();
    s.fillOrder(T + 600 * MS, entry);
    s.quote(T + SEC, 9_945, 9_947);
    const exit1 = s.lastOrder();
    s.hunter.onOrderDenied(exit1.clientOrderId, 4, T + SEC + 10);
    const denied = s.out.signals[s.out.signals.length - 1]!;
    expect(signalReasonName(denied.reason)).toBe('EXIT_DENIED');
    expect(denied.detailCode).toBe(4);
    expect(s.quote(T + SEC + 30 * MS, 9_945, 9_947)).toEqual([]);
    expect(names(s.quote(T + SEC + 60 * MS, 9_945, 9_947))).toEqual(['EXIT_STOP_LOSS']);
    expect(s.lastOrder().clientOrderId).toBe(exit1.clientOrderId + 1);
  });
});

describe('SimpleLiquidationHunter order lifecycle', () => {
  it('goes to cooldown when risk denies the entry', () => {
    const { s, entry } = enteredLong();
    s.hunter.onOrderDenied(entry.clientOrderId, 7, T + 600 * MS);
    const denied = s.out.signals[s.out.signals.length - 1]!;
    expect(signalReasonName(denied.reason)).toBe('ENTRY_DENIED');
    expect(denied.decision).toBe(SignalDecision.NoTrade);
    expect(denied.clientOrderId).toBe(entry.clientOrderId);
    expect(denied.detailCode).toBe(7);
    expect(s.hunter.workingOrderId(0)).toBe(0);
    expect(s.hunter.cooldownUntilUs(0)).toBe(T + 600 * MS + 10 * SEC);
    expect(names(s.liq(T + 700 * MS, Side.Sell, 100))).toEqual(['COOLDOWN']);
    // A late venue rejection of the same order is ignored: no second signal.
    expect(s.update(T + 800 * MS, entry.clientOrderId, OrderStatus.Rejected)).toEqual([]);
    expect(s.orders()).toHaveLength(1);
  });

  it('goes to cooldown when the venue rejects the entry', () => {
    const { s, entry } = enteredLong();
    const sig = s.update(T + 600 * MS, entry.clientOrderId, OrderStatus.Rejected, 0, VenueReason.PriceBand);
    expect(names(sig)).toEqual(['ENTRY_REJECTED']);
    expect(sig[0]!.detailCode).toBe(VenueReason.PriceBand);
    expect(names(s.liq(T + 700 * MS, Side.Sell, 100))).toEqual(['COOLDOWN']);
  });

  it('goes to cooldown after an unfilled IOC entry', () => {
    const { s, entry } = enteredLong();
    s.update(T + 600 * MS, entry.clientOrderId, OrderStatus.Cancelled, 0, VenueReason.IocRemainder);
    expect(s.hunter.workingOrderId(0)).toBe(0);
    expect(names(s.liq(T + 700 * MS, Side.Sell, 100))).toEqual(['COOLDOWN']);
  });

  it('cancels a limit entry after entryTimeoutUs, once', () => {
    const s = new Script({ entryOrderType: 'limit' });
    s.background(0, T);
    s.burst(T, Side.Sell, 5, 9_969, 9_971);
    const entry = s.lastOrder();
    s.update(T + 600 * MS, entry.clientOrderId, OrderStatus.Accepted);
    expect(s.timer(T + 1_000 * MS)).toEqual([]);
    const sig = s.timer(T + 1_090 * MS);
    expect(names(sig)).toEqual(['CANCEL_ENTRY_TIMEOUT']);
    expect(sig[0]!.decision).toBe(SignalDecision.Cancel);
    expect(s.out.cancels).toHaveLength(1);
    expect(s.out.cancels[0]!.clientOrderId).toBe(entry.clientOrderId);
    expect(s.out.cancels[0]!.strategyId).toBe(7);
    expect(s.timer(T + 1_200 * MS)).toEqual([]); // not twice
    s.update(T + 1_300 * MS, entry.clientOrderId, OrderStatus.Cancelled, 0, VenueReason.UserCancel);
    expect(s.hunter.cooldownUntilUs(0)).toBe(T + 1_300 * MS + 10 * SEC);
  });

  it('cancels a working entry when the feed goes bad', () => {
    const s = new Script({ entryOrderType: 'limit' });
    s.background(0, T);
    s.burst(T, Side.Sell, 5, 9_969, 9_971);
    expect(names(s.feed(T + 600 * MS, FeedState.Invalid))).toEqual(['CANCEL_FEED_NOT_OK']);
    expect(s.out.cancels).toHaveLength(1);
  });

  it('accepts a denial delivered synchronously from inside submit (fused topology)', () => {
    const out = new RecordingOutput();
    const ref: { hunter?: SimpleLiquidationHunter } = {};
    const denyingSink = {
      submit(o: OrderIntent): void {
        out.submit(o);
        ref.hunter!.onOrderDenied(o.clientOrderId, 9, o.tsSignalUs);
      },
      cancel: (c: Parameters<RecordingOutput['cancel']>[0]): void => out.cancel(c),
      signal: (x: SignalEvent): void => out.signal(x),
    };
    const hunter = new SimpleLiquidationHunter(denyingSink, [SPEC], { ...TEST_CONFIG, minBurstNotionalQuote: 0, minMoveBps: 0 });
    ref.hunter = hunter;
    const l = new LiquidationEvent();
    l.side = Side.Sell;
    l.priceTicks = 10_000;
    l.sizeLots = 10;
    const book = new L2Book(8);
    book.setBid(9_999, 5);
    book.setAsk(10_001, 5);
    hunter.onBookDeltas(new BookDeltas(1), book, 1);
    hunter.onLiquidation(l, 200 * MS); // next bucket: the window start has a mid
    expect(names(out.signals)).toEqual(['ENTER_FADE_SELL_BURST', 'ENTRY_DENIED']);
    expect(hunter.workingOrderId(0)).toBe(0);
    expect(hunter.cooldownUntilUs(0)).toBe(200 * MS + 10 * SEC);
  });

  it('ignores fills and updates for orders that are not its own', () => {
    const { s, entry } = enteredLong();
    s.fill(T + 600 * MS, 42, Side.Buy, 9_971, 3);
    s.update(T + 600 * MS, 42, OrderStatus.Filled, 3);
    expect(s.hunter.positionLots(0)).toBe(0);
    expect(s.hunter.workingOrderId(0)).toBe(entry.clientOrderId);
    expect(s.hunter.ignoredEvents).toBe(1);
  });
});

describe('SimpleLiquidationHunter determinism', () => {
  /** A whole session: warm-up, entry, partial exit, retry, cooldown, re-entry, denial. */
  function session(): RecordingOutput {
    const s = new Script();
    s.background(0, T);
    s.burst(T, Side.Sell, 5, 9_969, 9_971);
    s.fillOrder(T + 600 * MS, s.lastOrder());
    s.quote(T + SEC, 9_945, 9_947);
    const exit1 = s.lastOrder();
    s.fill(T + SEC + 100, exit1.clientOrderId, Side.Sell, 9_945, 2);
    s.update(T + SEC + 100, exit1.clientOrderId, OrderStatus.Cancelled, 2);
    s.quote(T + SEC + 60 * MS, 9_944, 9_946);
    s.fillOrder(T + SEC + 70 * MS, s.lastOrder());
    s.background(T + 2 * SEC, T + 12 * SEC);
    s.burst(T + 12 * SEC, Side.Sell, 8, 9_969, 9_971);
    s.hunter.onOrderDenied(s.lastOrder().clientOrderId, 3, T + 12_600 * MS);
    s.background(T + 13 * SEC, T + 24 * SEC, Side.Buy);
    s.burst(T + 24 * SEC, Side.Buy, 8, 10_029, 10_031);
    s.timer(T + 30 * SEC);
    return s.out;
  }

  it('produces the same orders, signals and ids from the same script', () => {
    const a = session();
    const b = session();
    expect(a.orders.length).toBeGreaterThanOrEqual(5);
    expect(b.orders).toEqual(a.orders);
    expect(b.signals).toEqual(a.signals);
    expect(b.cancels).toEqual(a.cancels);
    // Ids: contiguous counters from idBase, signal ids strictly increasing.
    expect(a.orders.map((o) => o.clientOrderId)).toEqual(a.orders.map((_, k) => ID_BASE + 1 + k));
    expect(a.signals.map((x) => x.signalId)).toEqual(a.signals.map((_, k) => ID_BASE + 1 + k));
    for (const o of a.orders) {
      const sig = a.signals.find((x) => x.signalId === o.signalId);
      expect(sig?.clientOrderId).toBe(o.clientOrderId);
    }
  });
});
