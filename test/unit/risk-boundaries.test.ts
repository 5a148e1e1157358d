// T1 (RISK-CONTROLS.md §4): for every DRBGuard control, the value at the limit
// passes, one tick/lot/unit past it is denied with the right code, value and
// limit, and missing input (no reference, NaN, unknown instrument, stale feed)
// is denied. Every denial also asserts the order never became working.
import { describe, expect, it } from 'vitest';
import { FeedState, OrderType, Side, TradingState } from '../../src/core/domain/enums.ts';
import { makeInstrumentSpec, type InstrumentSpec } from '../../src/core/domain/instrument.ts';
import { CancelIntent, Fill, OrderIntent, OrderStatus, OrderUpdate } from '../../src/core/domain/orders.ts';
import {
  DRBGuard,
  DenyReason,
  RiskDecision,
  RiskEventType,
  SIGNAL_SLOTS,
  FAT_FINGER_MAX_ORDER_LOTS,
  FAT_FINGER_MAX_ORDER_NOTIONAL_QUOTE,
  denyReasonName,
  formatDecision,
  validateRiskConfig,
  type RiskConfig,
  type RiskEvent,
  type RiskEventSink,
} from '../../src/risk/index.ts';

// Unit-sized grid so notional = priceTicks × lots exactly.
const INSTRUMENTS: InstrumentSpec[] = [
  makeInstrumentSpec({ id: 0, symbol: 'UNIT-USDT-SWAP', tickSize: 1, lotSize: 1, minSizeLots: 1, contractValue: 1, makerFeeBps: 0, takerFeeBps: 0 }),
  makeInstrumentSpec({ id: 1, symbol: 'MIN2-USDT-SWAP', tickSize: 1, lotSize: 1, minSizeLots: 2, contractValue: 1, makerFeeBps: 0, takerFeeBps: 0 }),
  makeInstrumentSpec({ id: 2, symbol: 'MICRO-USDT-SWAP', tickSize: 1, lotSize: 1, minSizeLots: 1, contractValue: 1e-6, makerFeeBps: 0, takerFeeBps: 0 }),
];

const BASE: Partial<RiskConfig> = {
  accountEquityQuote: 1_000_000,
  maxOrderNotionalQuote: 100_000,
  maxOpenOrders: 5,
  maxOpenNotionalQuote: 300_000,
  maxGrossExposureQuote: 1_000_000,
  priceCollarBps: 100,
  priceCollarWindowBps: 200,
  priceCollarWindowUs: 10_000_000,
  staleAfterUs: 500_000,
  ordersPerWindow: 50,
  orderWindowUs: 1_000_000,
  cancelsPerWindow: 100,
  cancelWindowUs: 1_000_000,
  maxExecutionsPerWindow: 50,
  executionWindowUs: 60_000_000,
  dailyLossLimitQuote: 1_000,
  dailyLossHaltQuote: 2_000,
  maxDrawdownPct: 5,
  duplicateIntentWindowUs: 100_000,
  maxConsecutiveRejects: 3,
  rejectStormPauseUs: 1_000_000,
  openOrderCapacity: 16,
  defaultMaxOrderLots: 10,
  defaultMaxPositionLots: 20,
  defaultMaxSignalLots: 15,
};

class RecordingSink implements RiskEventSink {
  events: { type: RiskEventType; reason: DenyReason; from: TradingState; to: TradingState; value: number; limit: number; count: number }[] = [];
  cancels: { id: number; inst: number; strat: number }[] = [];
  onRiskEvent(e: RiskEvent): void {
    this.events.push({ type: e.type, reason: e.reason, from: e.fromState, to: e.toState, value: e.value, limit: e.limit, count: e.count });
  }
  onCancelRequired(id: number, inst: number, strat: number): void {
    this.cancels.push({ id, inst, strat });
  }
}

const T0 = 10_000_000;

/** A guard with fresh quotes around mid 10000 (bid 9999 / ask 10001) on instruments 0 and 1, and 10000/10001 on 2. */
class Harness {
  readonly sink = new RecordingSink();
  readonly guard: DRBGuard;
  now = T0;
  nextId = 1;
  nextFillId = 1;

  constructor(over: Partial<RiskConfig>) {
    this.guard = new DRBGuard(validateRiskConfig({ ...BASE, ...over }), INSTRUMENTS, this.sink);
  }

  quote(inst: number, bid: number, ask: number, ts = this.now) {
    this.guard.onQuote(inst, bid, ask, ts);
  }
  /** Advances time (past the duplicate window by default); call requote() to refresh the reference. */
  advance(us = 150_000) {
    this.now += us;
  }
  intent(f: Partial<OrderIntent> = {}): OrderIntent {
    const o = new OrderIntent();
    o.clientOrderId = this.nextId++;
    o.instrumentId = 0;
    o.side = Side.Buy;
    o.type = OrderType.Limit;
    o.priceTicks = 10_000;
    o.sizeLots = 1;
    Object.assign(o, f);
    return o;
  }
  submit(f: Partial<OrderIntent> = {}, at = this.now): RiskDecision {
    const o = this.intent(f);
    const before = this.guard.openOrderCount;
    const d = this.guard.check(o, at);
    if (!d.accepted) {
      expect(this.guard.openOrderCount, 'a denied order is never counted as working').toBe(before);
      if (d.reason !== DenyReason.DuplicateClientOrderId) expect(this.guard.isWorking(o.clientOrderId)).toBe(false);
    } else {
      expect(this.guard.isWorking(o.clientOrderId)).toBe(true);
    }
    // The guard reuses one decision object: copy it, as a stage must.
    return Object.assign(new RiskDecision(), d);
  }
  fill(clientOrderId: number, side: Side, px: number, lots: number, inst = 0, fee = 0) {
    const f = new Fill();
    f.fillId = this.nextFillId++;
    f.clientOrderId = clientOrderId;
    f.instrumentId = inst;
    f.side = side;
    f.priceTicks = px;
    f.sizeLots = lots;
    f.feeQuote = fee;
    f.tsUs = this.now;
    this.guard.onFill(f);
  }
  update(clientOrderId: number, status: OrderStatus, filledLots = 0, inst = 0) {
    const u = new OrderUpdate();
    u.clientOrderId = clientOrderId;
    u.instrumentId = inst;
    u.status = status;
    u.filledLots = filledLots;
    u.tsUs = this.now;
    this.guard.onOrderUpdate(u);
  }
  /** Submits and fully fills an order (builds a position). */
  buildPosition(side: Side, lots: number, px = 10_000, inst = 0) {
    const d = this.submit({ side, sizeLots: lots, priceTicks: px, instrumentId: inst });
    expect(d.accepted, formatDecision(d)).toBe(true);
    this.fill(d.clientOrderId, side, px, lots, inst);
    this.advance();
    this.requote();
  }
  requote() {
    this.quote(0, 9_999, 10_001);
    this.quote(1, 9_999, 10_001);
    this.quote(2, 10_000, 10_001);
  }
}

function setup(over: Partial<RiskConfig> = {}): Harness {
  const h = new Harness(over);
  h.requote();
  return h;
}

function expectAccepted(d: RiskDecision): void {
  expect(d.accepted, formatDecision(d)).toBe(true);
  expect(d.reason).toBe(DenyReason.None);
}

function expectDenied(d: RiskDecision, reason: DenyReason, value?: number, limit?: number): void {
  expect(d.accepted).toBe(false);
  expect(denyReasonName(d.reason)).toBe(denyReasonName(reason));
  if (value !== undefined) expect(d.value).toBeCloseTo(value, 6);
  if (limit !== undefined) expect(d.limit).toBeCloseTo(limit, 6);
}

describe('DRBGuard input validation (fails closed)', () => {
  it('denies an order for an unknown instrument', () => {
    const h = setup();
    expectDenied(h.submit({ instrumentId: 7 }), DenyReason.UnknownInstrument, 7);
    expectDenied(h.submit({ instrumentId: -1 }), DenyReason.UnknownInstrument);
  });

  it('denies NaN or infinite size, price and time', () => {
    const h = setup();
    expectDenied(h.submit({ sizeLots: NaN }), DenyReason.InvalidInput);
    expectDenied(h.submit({ sizeLots: Infinity }), DenyReason.InvalidInput);
    expectDenied(h.submit({ priceTicks: NaN }), DenyReason.InvalidInput);
    expectDenied(h.submit({}, NaN), DenyReason.InvalidInput);
    expectDenied(h.submit({ sizeLots: 0 }), DenyReason.InvalidInput);
    expectDenied(h.submit({ priceTicks: 0 }), DenyReason.InvalidInput);
  });

  it('denies a bad side, type, client order id or strategy id', () => {
    const h = setup();
    expectDenied(h.submit({ side: 2 as Side }), DenyReason.InvalidInput);
    expectDenied(h.submit({ type: 9 as OrderType }), DenyReason.InvalidInput);
    expectDenied(h.submit({ clientOrderId: 0 }), DenyReason.InvalidInput);
    expectDenied(h.submit({ clientOrderId: 1.5 }), DenyReason.InvalidInput);
    expectDenied(h.submit({ strategyId: 256 }), DenyReason.InvalidInput);
    expectDenied(h.submit({ signalId: -3 }), DenyReason.InvalidInput);
  });

  it('accepts a plain order inside every limit', () => {
    const h = setup();
    const d = h.submit();
    expectAccepted(d);
    expect(h.guard.openOrderCount).toBe(1);
    expect(h.guard.openNotionalQuote).toBe(10_000);
  });
});

describe('row 1: max order quantity and minimum size', () => {
  it('accepts the maximum size and denies one lot more', () => {
    const h = setup();
    expectAccepted(h.submit({ sizeLots: 10 }));
    h.advance();
    expectDenied(h.submit({ sizeLots: 11 }), DenyReason.QuantityExceedsMaximum, 11, 10);
  });

  it('uses per-instrument limits from the config', () => {
    const h = setup({ instrumentLimits: [{ symbol: 'UNIT-USDT-SWAP', maxOrderLots: 3, maxPositionLots: 20, maxSignalLots: 15 }] });
    expectAccepted(h.submit({ sizeLots: 3 }));
    h.advance();
    expectDenied(h.submit({ sizeLots: 4 }), DenyReason.QuantityExceedsMaximum, 4, 3);
  });

  it('accepts the minimum size and denies one lot less', () => {
    const h = setup();
    expectAccepted(h.submit({ instrumentId: 1, sizeLots: 2 }));
    expectDenied(h.submit({ instrumentId: 1, sizeLots: 1 }), DenyReason.QuantityBelowMinimum, 1, 2);
  });

  it('denies a size that is not a whole number of lots', () => {
    const h = setup();
    expectDenied(h.submit({ sizeLots: 1.5 }), DenyReason.QuantityNotOnLot, 1.5, 1);
  });
});

describe('row 2: max order notional', () => {
  it('accepts notional at the maximum and denies one tick above', () => {
    const h = setup();
    expectDenied(h.submit({ sizeLots: 10, priceTicks: 10_001 }), DenyReason.NotionalExceedsMaximum, 100_010, 100_000);
    expectAccepted(h.submit({ sizeLots: 10, priceTicks: 10_000 }));
  });

  it('prices a market buy at the best ask and a market sell at the best bid', () => {
    const h = setup();
    h.quote(0, 9_990, 10_000);
    expectAccepted(h.submit({ type: OrderType.Market, priceTicks: 0, sizeLots: 10 }));
    h.advance();
    h.quote(0, 9_991, 10_001);
    expectDenied(h.submit({ type: OrderType.Market, priceTicks: 0, sizeLots: 10 }), DenyReason.NotionalExceedsMaximum, 100_010, 100_000);
    h.quote(0, 10_000, 10_010);
    expectAccepted(h.submit({ type: OrderType.Market, side: Side.Sell, priceTicks: 0, sizeLots: 10 }));
  });

  it('denies a market order when there is no reference price', () => {
    const h = setup();
    h.quote(0, 10_001, 10_000); // crossed: invalidates the reference
    expectDenied(h.submit({ type: OrderType.Market, priceTicks: 0 }), DenyReason.NoReferencePrice);
  });
});

describe('row 3: price collar, per order and over a window', () => {
  it('accepts a price exactly priceCollarBps from the mid and denies one tick beyond', () => {
    const h = setup();
    // mid 10000, 100 bps = 100 ticks
    const buy = h.submit({ priceTicks: 10_100 });
    expectAccepted(buy);
    expectDenied(h.submit({ priceTicks: 10_101 }), DenyReason.PriceOutsideCollar, 101, 100);
    h.update(buy.clientOrderId, OrderStatus.Cancelled); // else the sell would self-trade against it
    expectAccepted(h.submit({ side: Side.Sell, priceTicks: 9_900 }));
    expectDenied(h.submit({ side: Side.Sell, priceTicks: 9_899 }), DenyReason.PriceOutsideCollar, 101, 100);
  });

  it('collars a market order by its worst price, or by the touch when it has none', () => {
    const h = setup();
    expectDenied(h.submit({ type: OrderType.Market, priceTicks: 10_101 }), DenyReason.PriceOutsideCollar);
    h.quote(0, 9_999, 10_300); // a wide, disorderly book: the touch itself is outside the collar
    expectDenied(h.submit({ type: OrderType.Market, priceTicks: 0 }), DenyReason.PriceOutsideCollar);
  });

  it('bounds the price against the window anchor even when the mid has walked', () => {
    const h = setup();
    // Anchor = 10000 at T0. The mid walks to 10150 inside the window.
    h.advance(1_000_000);
    h.quote(0, 10_149, 10_151);
    // Per-order collar would allow up to 10251; the window (200 bps of 10000) stops at 10200.
    expectAccepted(h.submit({ priceTicks: 10_200 }));
    expectDenied(h.submit({ priceTicks: 10_201 }), DenyReason.PriceOutsideWindowCollar, 201, 200);
    // A new window re-anchors on the current mid.
    h.advance(10_000_000);
    h.quote(0, 10_149, 10_151);
    expectAccepted(h.submit({ priceTicks: 10_201 }));
  });

  it('lets a reduce-only order that reduces leave through the window collar, but not past the per-order collar', () => {
    const h = setup();
    h.buildPosition(Side.Buy, 5); // long 5 @ 10000; the window anchor is 10000
    h.quote(0, 9_799, 9_801); // the mid falls 200 bps inside the window
    // 9790 is 210 bps from the anchor (band 200) but 10 ticks from the mid (collar 98).
    expectDenied(h.submit({ side: Side.Sell, sizeLots: 5, priceTicks: 9_790 }), DenyReason.PriceOutsideWindowCollar, 210, 200);
    expectDenied(h.submit({ side: Side.Sell, sizeLots: 6, priceTicks: 9_791, reduceOnly: true }), DenyReason.PriceOutsideWindowCollar);
    expectDenied(h.submit({ side: Side.Sell, sizeLots: 5, priceTicks: 9_701, reduceOnly: true }), DenyReason.PriceOutsideCollar);
    expectAccepted(h.submit({ side: Side.Sell, sizeLots: 5, priceTicks: 9_790, reduceOnly: true }));
    // With that exit working, another reduce-only sell would over-close: the band applies again.
    expectDenied(h.submit({ side: Side.Sell, sizeLots: 1, priceTicks: 9_792, reduceOnly: true }), DenyReason.PriceOutsideWindowCollar);
  });

  it('denies when there is no reference at all', () => {
    const sink = new RecordingSink();
    const guard = new DRBGuard(validateRiskConfig(BASE), INSTRUMENTS, sink);
    const o = new OrderIntent();
    o.clientOrderId = 1;
    o.priceTicks = 10_000;
    o.sizeLots = 1;
    expectDenied(guard.check(o, T0), DenyReason.NoReferencePrice);
    expect(guard.openOrderCount).toBe(0);
  });

  it('treats one-sided, crossed, locked or NaN quotes as no reference', () => {
    const h = setup();
    for (const [bid, ask] of [[0, 10_001], [10_000, 10_000], [10_002, 10_001], [NaN, 10_001], [9_999, NaN]] as const) {
      h.requote();
      h.quote(0, bid, ask);
      expectDenied(h.submit(), DenyReason.NoReferencePrice);
    }
  });
});

describe('row 4: tick precision', () => {
  it('accepts a whole number of ticks and denies a fraction of one', () => {
    const h = setup();
    expectAccepted(h.submit({ priceTicks: 10_000 }));
    expectDenied(h.submit({ priceTicks: 10_000.5 }), DenyReason.PriceNotOnTick, 10_000.5, 1);
  });
});

describe('row 5: max position including open same-side orders', () => {
  it('accepts position + open buys + order at the maximum and denies one lot more', () => {
    const h = setup();
    h.buildPosition(Side.Buy, 10);
    h.buildPosition(Side.Buy, 5);
    expect(h.guard.positionLots(0)).toBe(15);
    expectAccepted(h.submit({ sizeLots: 3, priceTicks: 9_990 }));
    expectDenied(h.submit({ sizeLots: 3, priceTicks: 9_991 }), DenyReason.PositionExceedsMaximum, 21, 20);
    expectAccepted(h.submit({ sizeLots: 2, priceTicks: 9_992 }));
    // Selling is not limited by a long position.
    expectAccepted(h.submit({ side: Side.Sell, sizeLots: 5, priceTicks: 10_050 }));
  });

  it('applies the same limit to a short', () => {
    const h = setup();
    h.buildPosition(Side.Sell, 10);
    h.buildPosition(Side.Sell, 8);
    expectDenied(h.submit({ side: Side.Sell, sizeLots: 3, priceTicks: 10_010 }), DenyReason.PositionExceedsMaximum, 21, 20);
    expectAccepted(h.submit({ side: Side.Sell, sizeLots: 2, priceTicks: 10_011 }));
  });
});

describe('row 6: max open orders and open notional', () => {
  it('accepts the maximum count of working orders and denies one more', () => {
    const h = setup();
    for (let i = 0; i < 5; i++) expectAccepted(h.submit({ priceTicks: 9_950 + i }));
    expectDenied(h.submit({ priceTicks: 9_940 }), DenyReason.OpenOrdersExceedMaximum, 6, 5);
    expect(h.guard.openOrderCount).toBe(5);
  });

  it('accepts open notional at the maximum and denies one tick above', () => {
    const h = setup({ defaultMaxPositionLots: 100, maxOrderNotionalQuote: 150_000 });
    expectAccepted(h.submit({ sizeLots: 10, priceTicks: 10_000 }));
    h.advance();
    expectAccepted(h.submit({ sizeLots: 10, priceTicks: 10_000 }));
    h.advance();
    expectDenied(h.submit({ sizeLots: 10, priceTicks: 10_001 }), DenyReason.OpenNotionalExceedsMaximum, 300_010, 300_000);
    expectAccepted(h.submit({ sizeLots: 10, priceTicks: 10_000 }));
  });

  it('frees open count and notional when the venue cancels or rejects', () => {
    const h = setup();
    const a = h.submit({ priceTicks: 9_990 });
    const b = h.submit({ priceTicks: 9_991 });
    h.update(a.clientOrderId, OrderStatus.Cancelled);
    h.update(b.clientOrderId, OrderStatus.Rejected);
    expect(h.guard.openOrderCount).toBe(0);
    expect(h.guard.openNotionalQuote).toBe(0);
  });
});

describe('row 7: gross exposure on orders entered', () => {
  it('counts positions and working orders, accepts at the maximum and denies one tick above', () => {
    const h = setup({ defaultMaxPositionLots: 100, maxGrossExposureQuote: 400_000, maxOrderNotionalQuote: 150_000 });
    h.buildPosition(Side.Buy, 10);
    h.buildPosition(Side.Buy, 10); // 20 lots marked at 10000 = 200k
    expectAccepted(h.submit({ sizeLots: 10, priceTicks: 10_000 })); // +100k working, never filled
    h.advance();
    expectDenied(h.submit({ sizeLots: 10, priceTicks: 10_001 }), DenyReason.GrossExposureExceedsMaximum, 400_010, 400_000);
    expectAccepted(h.submit({ sizeLots: 10, priceTicks: 10_000 }));
  });

  it('lets an order that reduces the position through at the exposure limit', () => {
    const h = setup({ defaultMaxPositionLots: 100, maxGrossExposureQuote: 200_000 });
    h.buildPosition(Side.Buy, 10);
    h.buildPosition(Side.Buy, 10);
    expectDenied(h.submit({ sizeLots: 1, priceTicks: 9_990 }), DenyReason.GrossExposureExceedsMaximum);
    expectAccepted(h.submit({ side: Side.Sell, sizeLots: 5, priceTicks: 10_010 }));
  });
});

describe('row 8: order and cancel throttles', () => {
  it('accepts ordersPerWindow orders in a window and denies the next, then recovers', () => {
    const h = setup({ ordersPerWindow: 5, cancelsPerWindow: 10, maxOpenOrders: 10 });
    for (let i = 0; i < 5; i++) expectAccepted(h.submit({ priceTicks: 9_950 + i }));
    expectDenied(h.submit({ priceTicks: 9_940 }), DenyReason.OrderRateExceeded, 6, 5);
    expectDenied(h.submit({ priceTicks: 9_941 }), DenyReason.OrderRateExceeded, 6, 5);
    const trips = h.sink.events.filter((e) => e.type === RiskEventType.OrderThrottleTripped);
    expect(trips).toHaveLength(1);
    // One window later the first orders have aged out.
    h.now = T0 + 999_999;
    h.requote();
    expectDenied(h.submit({ priceTicks: 9_942 }), DenyReason.OrderRateExceeded);
    h.now = T0 + 1_000_000;
    expectAccepted(h.submit({ priceTicks: 9_942 }));
  });

  it('gives cancels a higher ceiling than orders', () => {
    const h = setup({ ordersPerWindow: 10, cancelsPerWindow: 12, maxOpenOrders: 16, defaultMaxPositionLots: 100 });
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) ids.push(h.submit({ priceTicks: 9_900 + i }).clientOrderId);
    expectDenied(h.submit({ priceTicks: 9_910 }), DenyReason.OrderRateExceeded, 11, 10);
    h.advance(1_000_000);
    h.requote();
    for (let i = 0; i < 3; i++) ids.push(h.submit({ priceTicks: 9_920 + i }).clientOrderId);
    expect(h.guard.openOrderCount).toBe(13);
    const c = new CancelIntent();
    for (let i = 0; i < 12; i++) {
      c.clientOrderId = ids[i]!;
      expectAccepted(h.guard.checkCancel(c, h.now));
    }
    c.clientOrderId = ids[12]!;
    expectDenied(h.guard.checkCancel(c, h.now), DenyReason.CancelRateExceeded, 13, 12);
    expect(h.sink.events.filter((e) => e.type === RiskEventType.CancelThrottleTripped)).toHaveLength(1);
  });

  it('denies a cancel for an unknown order, a second cancel, and a NaN id', () => {
    const h = setup();
    const d = h.submit();
    const c = new CancelIntent();
    c.clientOrderId = 999;
    expectDenied(h.guard.checkCancel(c, h.now), DenyReason.CancelUnknownOrder);
    c.clientOrderId = d.clientOrderId;
    expectAccepted(h.guard.checkCancel(c, h.now));
    expectDenied(h.guard.checkCancel(c, h.now), DenyReason.CancelAlreadyPending);
    c.clientOrderId = NaN;
    expectDenied(h.guard.checkCancel(c, h.now), DenyReason.InvalidInput);
    // The order stays working until the venue confirms the cancel.
    expect(h.guard.isWorking(d.clientOrderId)).toBe(true);
  });
});

describe('row 9: repeated-execution throttle', () => {
  it('stays active at maxExecutionsPerWindow fills and kills entry on one more until re-armed', () => {
    const h2 = setup({ maxExecutionsPerWindow: 5, defaultMaxPositionLots: 100 });
    const big = h2.submit({ sizeLots: 10 });
    const resting = h2.submit({ priceTicks: 9_950, sizeLots: 1 });
    for (let i = 0; i < 5; i++) h2.fill(big.clientOrderId, Side.Buy, 10_000, 1);
    expect(h2.guard.isKilled).toBe(false);
    expect(h2.guard.tradingState).toBe(TradingState.Active);
    h2.fill(big.clientOrderId, Side.Buy, 10_000, 1);
    expect(h2.guard.isKilled).toBe(true);
    expect(h2.guard.tradingState).toBe(TradingState.Halted);
    const trip = h2.sink.events.find((e) => e.type === RiskEventType.RepeatedExecutionTripped);
    expect(trip).toMatchObject({ reason: DenyReason.RepeatedExecutions, value: 6, limit: 5, count: 2 });
    expect(h2.sink.cancels.map((c) => c.id).sort()).toEqual([big.clientOrderId, resting.clientOrderId].sort());
    h2.advance(120_000_000);
    h2.requote();
    expectDenied(h2.submit({ priceTicks: 9_960 }), DenyReason.KillSwitchActive);
    h2.guard.rearm(h2.now);
    expectAccepted(h2.submit({ priceTicks: 9_961 }));
  });
});

describe('rows 10, 11, 20: daily loss, drawdown and the trading-state machine', () => {
  it('stays ACTIVE at exactly the daily loss limit and goes REDUCING one tick past it', () => {
    const h = setup();
    h.buildPosition(Side.Buy, 10); // long 10 @ 10000
    h.quote(0, 9_899, 9_901); // mid 9900: −1000 = at limit
    expect(h.guard.dayPnlQuote()).toBe(-1_000);
    expect(h.guard.tradingState).toBe(TradingState.Active);
    h.quote(0, 9_898, 9_900); // mid 9899: −1010
    expect(h.guard.tradingState).toBe(TradingState.Reducing);
    const ev = h.sink.events.find((e) => e.type === RiskEventType.TradingStateChanged);
    expect(ev).toMatchObject({ reason: DenyReason.DailyLossLimit, from: TradingState.Active, to: TradingState.Reducing, value: -1_010, limit: -1_000 });
  });

  it('in REDUCING denies orders that add to the position and accepts ones that reduce it', () => {
    const h = setup();
    h.buildPosition(Side.Buy, 10);
    h.quote(0, 9_898, 9_900);
    expect(h.guard.tradingState).toBe(TradingState.Reducing);
    expectDenied(h.submit({ priceTicks: 9_899 }), DenyReason.TradingReducing);
    expectAccepted(h.submit({ side: Side.Sell, sizeLots: 6, priceTicks: 9_950 }));
    // 6 working + 5 more would exceed the 10-lot long: not reducing.
    expectDenied(h.submit({ side: Side.Sell, sizeLots: 5, priceTicks: 9_951 }), DenyReason.TradingReducing, 11, 10);
    expectAccepted(h.submit({ side: Side.Sell, sizeLots: 4, priceTicks: 9_952 }));
  });

  it('reports exposure-increasing working orders for cancel on entering REDUCING', () => {
    const h = setup();
    h.buildPosition(Side.Buy, 10);
    const add = h.submit({ priceTicks: 9_950, sizeLots: 1 });
    const exit = h.submit({ side: Side.Sell, priceTicks: 10_050, sizeLots: 1 });
    h.quote(0, 9_898, 9_900);
    expect(h.sink.cancels.map((c) => c.id)).toEqual([add.clientOrderId]);
    expect(h.guard.isWorking(exit.clientOrderId)).toBe(true);
  });

  it('halts at one tick past the daily halt loss, not at it', () => {
    const h = setup();
    h.buildPosition(Side.Buy, 10);
    h.quote(0, 9_799, 9_801); // −2000 = at the halt limit
    expect(h.guard.tradingState).toBe(TradingState.Reducing);
    h.quote(0, 9_798, 9_800); // −2010
    expect(h.guard.tradingState).toBe(TradingState.Halted);
    expectDenied(h.submit({ side: Side.Sell, priceTicks: 9_800 }), DenyReason.TradingHalted);
    const last = h.sink.events.at(-1)!;
    expect(last).toMatchObject({ reason: DenyReason.DailyLossHalt, to: TradingState.Halted });
  });

  it('halts on drawdown from the equity peak, at-limit passes', () => {
    const h = setup({ accountEquityQuote: 20_000, dailyLossLimitQuote: 5_000, dailyLossHaltQuote: 6_000 });
    h.buildPosition(Side.Buy, 10);
    h.quote(0, 10_099, 10_101); // +1000: peak 21000
    expect(h.guard.peakEquityQuote).toBe(21_000);
    h.quote(0, 9_994, 9_996); // −50 → equity 19950, drop 1050 = 5.00 % of 21000
    expect(h.guard.tradingState).toBe(TradingState.Active);
    h.quote(0, 9_993, 9_995); // 19940: 5.05 %
    expect(h.guard.tradingState).toBe(TradingState.Halted);
    expect(h.sink.events.at(-1)).toMatchObject({ reason: DenyReason.MaxDrawdown, to: TradingState.Halted, limit: 5 });
  });

  it('stays latched until re-armed, and re-arm re-checks the limits at once', () => {
    const h = setup();
    h.buildPosition(Side.Buy, 10);
    h.quote(0, 9_798, 9_800);
    expect(h.guard.tradingState).toBe(TradingState.Halted);
    h.quote(0, 9_999, 10_001); // loss recovered: still HALTED (no automatic re-enable)
    expect(h.guard.tradingState).toBe(TradingState.Halted);
    expect(h.guard.rearm(h.now)).toBe(TradingState.Active);
    h.quote(0, 9_798, 9_800);
    expect(h.guard.tradingState).toBe(TradingState.Halted);
    // A new day moves the baseline, but only a re-arm leaves HALTED.
    h.guard.startNewDay(h.now);
    expect(h.guard.tradingState).toBe(TradingState.Halted);
    expect(h.guard.rearm(h.now)).toBe(TradingState.Active);
  });

  it('ignores a fill with NaN price or fee (position and equity unchanged)', () => {
    const h = setup();
    const d = h.submit();
    h.fill(d.clientOrderId, Side.Buy, NaN, 1);
    h.fill(d.clientOrderId, Side.Buy, 10_000, 1, 0, NaN);
    expect(h.guard.positionLots(0)).toBe(0);
    expect(h.guard.equityQuote()).toBe(1_000_000);
  });

  it('denies a reduce-only order that would not reduce', () => {
    const h = setup();
    expectDenied(h.submit({ reduceOnly: true }), DenyReason.ReduceOnlyWouldIncrease);
    h.buildPosition(Side.Buy, 5);
    expectAccepted(h.submit({ side: Side.Sell, sizeLots: 5, reduceOnly: true, priceTicks: 10_010 }));
    expectDenied(h.submit({ side: Side.Sell, sizeLots: 1, reduceOnly: true, priceTicks: 10_011 }), DenyReason.ReduceOnlyWouldIncrease, 6, 5);
  });
});

describe('row 12: fat-finger ceilings', () => {
  it('denies notional above the compile-time ceiling even with config at the ceiling', () => {
    const h = setup({
      maxOrderNotionalQuote: FAT_FINGER_MAX_ORDER_NOTIONAL_QUOTE,
      maxOpenNotionalQuote: 5_000_000,
      maxGrossExposureQuote: 5_000_000,
      defaultMaxOrderLots: 1_000,
      defaultMaxPositionLots: 1_000,
      defaultMaxSignalLots: 1_000,
    });
    expectDenied(h.submit({ sizeLots: 100, priceTicks: 10_001 }), DenyReason.FatFingerNotional, 1_000_100, FAT_FINGER_MAX_ORDER_NOTIONAL_QUOTE);
    expectAccepted(h.submit({ sizeLots: 100, priceTicks: 10_000 }));
  });

  it('denies size above the compile-time ceiling even with config at the ceiling', () => {
    const h = setup({ defaultMaxOrderLots: FAT_FINGER_MAX_ORDER_LOTS, defaultMaxPositionLots: 2_000_000, defaultMaxSignalLots: 2_000_000 });
    expectDenied(h.submit({ instrumentId: 2, sizeLots: FAT_FINGER_MAX_ORDER_LOTS + 1 }), DenyReason.FatFingerQuantity, FAT_FINGER_MAX_ORDER_LOTS + 1, FAT_FINGER_MAX_ORDER_LOTS);
    expectAccepted(h.submit({ instrumentId: 2, sizeLots: FAT_FINGER_MAX_ORDER_LOTS }));
  });
});

describe('row 13: self-trade prevention', () => {
  it('denies a buy at or above our own resting ask and accepts one tick below', () => {
    const h = setup();
    const ask = h.submit({ side: Side.Sell, priceTicks: 10_050 });
    expectAccepted(h.submit({ priceTicks: 10_049 }));
    expectDenied(h.submit({ priceTicks: 10_050 }), DenyReason.SelfTrade, 10_050, 10_050);
    // Once the venue confirms the cancel, the price is free again.
    h.update(ask.clientOrderId, OrderStatus.Cancelled);
    expectAccepted(h.submit({ priceTicks: 10_050 }));
  });

  it('denies a sell at or below our own resting bid and a market order that would hit it', () => {
    const h = setup();
    h.submit({ priceTicks: 9_999 }); // our bid at the touch
    expectAccepted(h.submit({ side: Side.Sell, priceTicks: 10_000 }));
    expectDenied(h.submit({ side: Side.Sell, priceTicks: 9_999 }), DenyReason.SelfTrade, 9_999, 9_999);
    expectDenied(h.submit({ side: Side.Sell, type: OrderType.Market, priceTicks: 0 }), DenyReason.SelfTrade, 9_999, 9_999);
  });

  it('recomputes our best price when the best resting order fills', () => {
    const h = setup();
    const best = h.submit({ side: Side.Sell, priceTicks: 10_020 });
    h.submit({ side: Side.Sell, priceTicks: 10_040 });
    h.fill(best.clientOrderId, Side.Sell, 10_020, 1);
    expectAccepted(h.submit({ priceTicks: 10_039 }));
    expectDenied(h.submit({ priceTicks: 10_040 }), DenyReason.SelfTrade, 10_040, 10_040);
  });
});

describe('row 14: duplicate detection', () => {
  it('denies a reused client order id', () => {
    const h = setup();
    expectAccepted(h.submit({ clientOrderId: 100 }));
    expectDenied(h.submit({ clientOrderId: 100, priceTicks: 9_990 }), DenyReason.DuplicateClientOrderId, 100, 100);
    expectDenied(h.submit({ clientOrderId: 99, priceTicks: 9_990 }), DenyReason.DuplicateClientOrderId, 99, 100);
    // Another strategy has its own id sequence.
    expectAccepted(h.submit({ clientOrderId: 100, strategyId: 1, priceTicks: 9_980 }));
  });

  it('denies an identical intent inside the window and accepts it exactly at the window', () => {
    const h = setup();
    expectAccepted(h.submit({ priceTicks: 9_990 }));
    expectDenied(h.submit({ priceTicks: 9_990 }, h.now + 99_999), DenyReason.DuplicateIntent, 99_999, 100_000);
    expectAccepted(h.submit({ priceTicks: 9_991 }, h.now + 99_999)); // one tick different: not a duplicate
    expectAccepted(h.submit({ priceTicks: 9_990 }, h.now + 100_000));
  });
});

describe('row 15: parent/child reconciliation (per-signal cumulative cap)', () => {
  it('accepts children summing to maxSignalLots and denies one lot more', () => {
    const h = setup({ defaultMaxPositionLots: 100 });
    expectAccepted(h.submit({ signalId: 7, sizeLots: 10, priceTicks: 9_990 }));
    const b = h.submit({ signalId: 7, sizeLots: 5, priceTicks: 9_991 });
    expectAccepted(b);
    expectDenied(h.submit({ signalId: 7, sizeLots: 1, priceTicks: 9_992 }), DenyReason.SignalQuantityExceeded, 16, 15);
    // Another signal has its own budget.
    expectAccepted(h.submit({ signalId: 8, sizeLots: 1, priceTicks: 9_993 }));
    // A cancelled child gives its unfilled lots back; filled lots stay counted.
    h.fill(b.clientOrderId, Side.Buy, 9_991, 2);
    h.update(b.clientOrderId, OrderStatus.Cancelled, 2);
    expectAccepted(h.submit({ signalId: 7, sizeLots: 3, priceTicks: 9_994 }));
    expectDenied(h.submit({ signalId: 7, sizeLots: 1, priceTicks: 9_995 }), DenyReason.SignalQuantityExceeded, 16, 15);
  });

  it('denies children of a signal whose record was evicted by newer signals', () => {
    const h = setup();
    expectAccepted(h.submit({ signalId: 5, priceTicks: 9_990 }));
    expectAccepted(h.submit({ signalId: 5 + SIGNAL_SLOTS, priceTicks: 9_991 }));
    expectDenied(h.submit({ signalId: 5, priceTicks: 9_992 }), DenyReason.SignalExpired, 5, 5 + SIGNAL_SLOTS);
  });
});

describe('row 16: reject-storm guard', () => {
  it('keeps accepting after K−1 consecutive venue rejects and pauses after K', () => {
    const h = setup();
    const ids = [h.submit({ priceTicks: 9_990 }), h.submit({ priceTicks: 9_991 }), h.submit({ priceTicks: 9_992 })].map((d) => d.clientOrderId);
    h.update(ids[0]!, OrderStatus.Rejected);
    h.update(ids[1]!, OrderStatus.Rejected);
    expectAccepted(h.submit({ priceTicks: 9_993 }));
    h.update(ids[2]!, OrderStatus.Rejected);
    expect(h.sink.events.at(-1)).toMatchObject({ type: RiskEventType.RejectStormPaused, reason: DenyReason.RejectStorm, value: h.now + 1_000_000 });
    expectDenied(h.submit({ priceTicks: 9_994 }), DenyReason.RejectStormPaused, h.now + 1_000_000, 3);
    expectDenied(h.submit({ priceTicks: 9_995 }, h.now + 999_999), DenyReason.RejectStormPaused);
    h.advance(1_000_000);
    h.requote();
    expectAccepted(h.submit({ priceTicks: 9_996 }));
  });

  it('resets the streak when the venue accepts an order', () => {
    const h = setup();
    const ids = [h.submit({ priceTicks: 9_990 }), h.submit({ priceTicks: 9_991 }), h.submit({ priceTicks: 9_992 })].map((d) => d.clientOrderId);
    h.update(ids[0]!, OrderStatus.Rejected);
    h.update(ids[1]!, OrderStatus.Rejected);
    h.update(ids[2]!, OrderStatus.Accepted);
    expect(h.guard.consecutiveRejects).toBe(0);
  });
});

describe('row 17: stale-data guard', () => {
  it('accepts a reference exactly staleAfterUs old and denies one µs older', () => {
    const h = setup();
    expectAccepted(h.submit({ priceTicks: 9_990 }, T0 + 500_000));
    expectDenied(h.submit({ priceTicks: 9_991 }, T0 + 500_001), DenyReason.ReferenceStale, 500_001, 500_000);
  });

  it('denies while the sanitizer marks the feed STALE or INVALID', () => {
    const h = setup();
    h.guard.onFeedState(0, FeedState.Stale);
    expectDenied(h.submit(), DenyReason.FeedNotOk, FeedState.Stale, FeedState.Ok);
    h.guard.onFeedState(0, FeedState.Invalid);
    expectDenied(h.submit(), DenyReason.FeedNotOk, FeedState.Invalid, FeedState.Ok);
    h.guard.onFeedState(0, FeedState.Ok);
    expectAccepted(h.submit());
  });
});

describe('row 18: kill switch', () => {
  it('blocks all entry, reports every working order with its strategy, and stays latched until re-armed', () => {
    const h = setup();
    const a = h.submit({ priceTicks: 9_990, strategyId: 3 });
    const b = h.submit({ side: Side.Sell, priceTicks: 10_010, strategyId: 4 });
    const cxl = new CancelIntent();
    cxl.clientOrderId = a.clientOrderId;
    expectAccepted(h.guard.checkCancel(cxl, h.now)); // a's cancel already in flight
    const n = h.guard.kill(h.now);
    expect(n).toBe(2);
    expect([...h.sink.cancels].sort((x, y) => x.id - y.id)).toEqual([
      { id: a.clientOrderId, inst: 0, strat: 3 },
      { id: b.clientOrderId, inst: 0, strat: 4 },
    ]);
    expect(h.sink.events.at(-1)).toMatchObject({ type: RiskEventType.KillSwitchEngaged, reason: DenyReason.ManualKill, count: 2, to: TradingState.Halted });
    expectDenied(h.submit({ priceTicks: 9_980 }), DenyReason.KillSwitchActive);
    expectDenied(h.submit({ side: Side.Sell, priceTicks: 10_020, reduceOnly: true }), DenyReason.KillSwitchActive);
    h.advance(3_600_000_000);
    h.requote();
    expectDenied(h.submit({ priceTicks: 9_981 }), DenyReason.KillSwitchActive);
    h.update(a.clientOrderId, OrderStatus.Cancelled);
    h.update(b.clientOrderId, OrderStatus.Cancelled);
    expect(h.guard.openOrderCount).toBe(0);
    h.guard.rearm(h.now);
    expect(h.sink.events.at(-1)).toMatchObject({ type: RiskEventType.Rearmed, from: TradingState.Halted, to: TradingState.Active });
    expectAccepted(h.submit({ priceTicks: 9_982 }));
  });

  it('keeps lots the venue reports filled but not yet delivered reserved after a final status', () => {
    const h = setup();
    h.buildPosition(Side.Buy, 10);
    h.buildPosition(Side.Buy, 5);
    const d = h.submit({ sizeLots: 5, priceTicks: 9_990 });
    // Venue: Filled (5 of 5) arrives before the Fill itself.
    h.update(d.clientOrderId, OrderStatus.Filled, 5);
    expectDenied(h.submit({ sizeLots: 1, priceTicks: 9_991 }), DenyReason.PositionExceedsMaximum, 21, 20);
    h.fill(d.clientOrderId, Side.Buy, 9_990, 5);
    expect(h.guard.isWorking(d.clientOrderId)).toBe(false);
    expect(h.guard.positionLots(0)).toBe(20);
  });
});

describe('limit usage and state cause (the monitor\'s risk panel)', () => {
  const usage = (h: Harness) => Object.fromEntries(h.guard.limitUsage(h.now).map((l) => [l.name, [l.value, l.limit]]));

  it('reports each limit with its configured value and the live figure behind it', () => {
    const h = setup({ instrumentLimits: [{ symbol: 'MIN2-USDT-SWAP', maxOrderLots: 10, maxPositionLots: 7, maxSignalLots: 10 }] });
    h.buildPosition(Side.Buy, 10); // long 10 @ 10000 on UNIT
    h.submit({ priceTicks: 9_990, sizeLots: 2 }); // one working buy: 2 × 9990 notional
    h.quote(0, 9_949, 9_951); // mid 9950: −500 of day PnL
    const u = usage(h);
    expect(u['|position| UNIT-USDT-SWAP (lots)']).toEqual([10, 20]);
    expect(u['|position| MIN2-USDT-SWAP (lots)']).toEqual([0, 7]);
    expect(u['open orders']).toEqual([1, 5]);
    expect(u['open order notional (quote)']).toEqual([19_980, 300_000]);
    expect(u['orders in 1 s']).toEqual([2, 50]); // both orders within the last second
    expect(u['fills in 60 s']).toEqual([1, 50]);
    expect(u['day loss (quote) → REDUCING']).toEqual([500, 1_000]);
    expect(u['day loss (quote) → HALTED']).toEqual([500, 2_000]);
    expect(u['drawdown from peak (%)']![1]).toBe(5);
    expect(u['drawdown from peak (%)']![0]).toBeCloseTo((500 / 1_000_000) * 100, 9);
    expect(u['venue rejects in a row']).toEqual([0, 3]);
  });

  it('names the cause of leaving ACTIVE, and clears it on re-arm', () => {
    const h = setup();
    expect(h.guard.tradingStateCause).toBe(DenyReason.None);
    h.buildPosition(Side.Buy, 10);
    h.quote(0, 9_898, 9_900); // −1010: REDUCING
    expect(denyReasonName(h.guard.tradingStateCause)).toBe(denyReasonName(DenyReason.DailyLossLimit));
    h.guard.kill(h.now);
    expect(denyReasonName(h.guard.tradingStateCause)).toBe(denyReasonName(DenyReason.ManualKill));
    h.quote(0, 9_999, 10_001); // loss gone: re-arm returns to ACTIVE
    h.guard.rearm(h.now);
    expect(h.guard.tradingState).toBe(TradingState.Active);
    expect(h.guard.tradingStateCause).toBe(DenyReason.None);
  });
});

describe('cold-path names', () => {
  it('renders stable SCREAMING_CASE names', () => {
    expect(denyReasonName(DenyReason.QuantityExceedsMaximum)).toBe('QUANTITY_EXCEEDS_MAXIMUM');
    expect(denyReasonName(DenyReason.SelfTrade)).toBe('SELF_TRADE');
    expect(denyReasonName(999)).toBe('UNKNOWN_999');
    const h = setup();
    const d = h.submit({ sizeLots: 11 });
    expect(formatDecision(d)).toBe(`QUANTITY_EXCEEDS_MAXIMUM: value=11 limit=10 (order ${d.clientOrderId}, instrument 0)`);
    expect(h.guard.denyCounts[DenyReason.QuantityExceedsMaximum]).toBe(1);
  });
});
