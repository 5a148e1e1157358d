// T3 (RISK-CONTROLS.md §4): Knight Capital replay. A runaway strategy emits
// child orders in a loop and ignores every fill, like the revived Power Peg
// code of 1 Aug 2012 (buy at the offer, sell at the bid, again and again).
// DRBGuard must trip within N orders, report every working order for cancel
// at once (the paper venue here cancels them in the same step, well inside
// 100 ms), accept no entry until a human re-arms, and keep |position| ≤ max.
import { describe, expect, it } from 'vitest';
import { OrderType, Side, TradingState } from '../../src/core/domain/enums.ts';
import { makeInstrumentSpec } from '../../src/core/domain/instrument.ts';
import { Fill, OrderIntent, OrderStatus, OrderUpdate } from '../../src/core/domain/orders.ts';
import { DRBGuard, DenyReason, RiskEventType, denyReasonName, validateRiskConfig, type RiskConfig, type RiskEvent, type RiskEventSink } from '../../src/risk/index.ts';

const INSTRUMENTS = [
  makeInstrumentSpec({ id: 0, symbol: 'KNIGHT-USDT-SWAP', tickSize: 1, lotSize: 1, minSizeLots: 1, contractValue: 1, makerFeeBps: 0, takerFeeBps: 0 }),
];
const MAX_POS = 50;

/** Paper venue stub: fills takers at once, rests the rest, cancels on request. */
class VenueStub implements RiskEventSink {
  readonly resting = new Map<number, { side: Side; lots: number }>();
  readonly events: { type: RiskEventType; reason: DenyReason; tsUs: number; count: number }[] = [];
  cancelReportTsUs: number[] = [];
  nowUs = 0;
  private nextFill = 1;
  private readonly fill = new Fill();
  private readonly upd = new OrderUpdate();
  guard!: DRBGuard;

  onRiskEvent(e: RiskEvent): void {
    this.events.push({ type: e.type, reason: e.reason, tsUs: e.tsUs, count: e.count });
  }

  /** The kill switch's cancels: the venue confirms each one immediately. */
  onCancelRequired(clientOrderId: number, _inst: number, _strat: number, tsUs: number): void {
    this.cancelReportTsUs.push(tsUs);
    const o = this.resting.get(clientOrderId);
    if (!o) return;
    this.resting.delete(clientOrderId);
    this.update(clientOrderId, OrderStatus.Cancelled, 0);
  }

  update(id: number, status: OrderStatus, filled: number): void {
    const u = this.upd;
    u.clientOrderId = id;
    u.instrumentId = 0;
    u.status = status;
    u.filledLots = filled;
    u.tsUs = this.nowUs;
    this.guard.onOrderUpdate(u);
  }

  /** Routes an accepted order: a taker fills in full at its price, a maker rests. */
  route(o: OrderIntent, taker: boolean): void {
    this.update(o.clientOrderId, OrderStatus.Accepted, 0);
    if (!taker) {
      this.resting.set(o.clientOrderId, { side: o.side, lots: o.sizeLots });
      return;
    }
    const f = this.fill;
    f.fillId = this.nextFill++;
    f.clientOrderId = o.clientOrderId;
    f.instrumentId = 0;
    f.side = o.side;
    f.priceTicks = o.priceTicks;
    f.sizeLots = o.sizeLots;
    f.feeQuote = 0;
    f.tsUs = this.nowUs;
    this.guard.onFill(f);
    this.update(o.clientOrderId, OrderStatus.Filled, o.sizeLots);
  }
}

function world(over: Partial<RiskConfig>) {
  const venue = new VenueStub();
  const guard = new DRBGuard(
    validateRiskConfig({
      accountEquityQuote: 1_000_000,
      maxOrderNotionalQuote: 100_000,
      maxOpenOrders: 20,
      maxOpenNotionalQuote: 2_000_000,
      maxGrossExposureQuote: 4_000_000,
      staleAfterUs: 10_000_000,
      ordersPerWindow: 100,
      orderWindowUs: 1_000_000,
      cancelsPerWindow: 200,
      cancelWindowUs: 1_000_000,
      dailyLossLimitQuote: 100_000,
      dailyLossHaltQuote: 200_000,
      maxDrawdownPct: 20,
      duplicateIntentWindowUs: 0,
      defaultMaxOrderLots: 10,
      defaultMaxPositionLots: MAX_POS,
      ...over,
    }),
    INSTRUMENTS,
    venue,
  );
  venue.guard = guard;
  return { guard, venue };
}

/**
 * The runaway: every millisecond it sends the next child of its parents,
 * buying at the offer then selling at the bid (Power Peg); 2 children in 8
 * are passive limits that rest (one each side). It never looks at fills or at denials.
 */
function runaway(guard: DRBGuard, venue: VenueStub, childrenPerParent: number, parents: number, steps: number, startUs: number) {
  const o = new OrderIntent();
  let id = 1;
  let accepted = 0;
  let firstDeny = -1;
  let firstDenyReason = DenyReason.None;
  let maxAbsPos = 0;
  let acceptedAfterTrip = 0;
  let tripStep = -1;
  for (let i = 0; i < steps; i++) {
    const now = startUs + i * 1_000;
    venue.nowUs = now;
    if (i % 50 === 0) guard.onQuote(0, 9_999, 10_001, now);
    const passive = i % 8 === 3 || i % 8 === 6;
    const buy = (i & 1) === 0;
    o.clientOrderId = id++;
    o.instrumentId = 0;
    o.signalId = 1 + (Math.floor(i / childrenPerParent) % parents);
    o.side = buy ? Side.Buy : Side.Sell;
    o.type = OrderType.Limit;
    o.priceTicks = passive ? (buy ? 9_990 - (i % 7) : 10_010 + (i % 7)) : buy ? 10_001 : 9_999;
    o.sizeLots = 5;
    const d = guard.check(o, now);
    if (d.accepted) {
      accepted++;
      if (tripStep >= 0) acceptedAfterTrip++;
      venue.route(o, !passive);
    } else if (firstDeny < 0) {
      firstDeny = i;
      firstDenyReason = d.reason;
    }
    if (tripStep < 0 && guard.isKilled) tripStep = i;
    maxAbsPos = Math.max(maxAbsPos, Math.abs(guard.positionLots(0)));
  }
  return { accepted, firstDeny, firstDenyReason, maxAbsPos, acceptedAfterTrip, tripStep, lastId: id };
}

describe('Knight replay: runaway child orders that ignore fills (T3)', () => {
  it('trips the repeated-execution throttle within N orders, cancels every working order, and stays dead until re-armed', () => {
    const N_EXEC = 40;
    const { guard, venue } = world({ maxExecutionsPerWindow: N_EXEC, executionWindowUs: 60_000_000, defaultMaxSignalLots: 1_000_000 });
    // 212 parents, like Knight's; 10 s of runaway at one child per ms.
    const r = runaway(guard, venue, 20, 212, 10_000, 1_000_000);
    const trip = venue.events.find((e) => e.type === RiskEventType.RepeatedExecutionTripped);
    expect(trip, 'repeated-execution throttle never tripped').toBeDefined();
    expect(trip!.reason).toBe(DenyReason.RepeatedExecutions);
    // 6 of 8 children fill at once, so N_EXEC + 1 executions take at most ~4/3 (N_EXEC + 1) orders.
    expect(r.tripStep).toBeGreaterThanOrEqual(0);
    expect(r.tripStep).toBeLessThanOrEqual(Math.ceil(((N_EXEC + 1) * 4) / 3) + 1);
    expect(r.acceptedAfterTrip).toBe(0);
    expect(r.accepted).toBeLessThanOrEqual(N_EXEC + 1 + 20); // fills + at most the resting ones
    // Every working order was reported at the trip instant and the venue confirmed them all.
    expect(trip!.count).toBeGreaterThan(0);
    expect(venue.cancelReportTsUs).toHaveLength(trip!.count);
    for (const ts of venue.cancelReportTsUs) expect(ts - trip!.tsUs).toBeLessThanOrEqual(100_000);
    expect(venue.resting.size).toBe(0);
    expect(guard.openOrderCount).toBe(0);
    expect(r.maxAbsPos).toBeLessThanOrEqual(MAX_POS);
    expect(guard.tradingState).toBe(TradingState.Halted);

    // No entry until a human re-arms, however much time passes.
    const o = new OrderIntent();
    o.clientOrderId = r.lastId + 1;
    o.priceTicks = 9_995;
    o.sizeLots = 1;
    const later = 1_000_000 + 3_600_000_000;
    guard.onQuote(0, 9_999, 10_001, later);
    expect(denyReasonName(guard.check(o, later).reason)).toBe('KILL_SWITCH_ACTIVE');
    guard.rearm(later);
    o.clientOrderId++;
    expect(guard.check(o, later).accepted).toBe(true);
  });

  it('stops a runaway parent at Σ child = parent quantity (the cumulative stop Knight had moved)', () => {
    const { guard, venue } = world({ maxExecutionsPerWindow: 100_000, defaultMaxSignalLots: 100, ordersPerWindow: 1_000, cancelsPerWindow: 2_000 });
    // One parent of 100 lots; the runaway sends 5-lot children forever.
    const r = runaway(guard, venue, 1_000_000, 1, 2_000, 1_000_000);
    expect(r.accepted).toBe(20); // 20 × 5 = 100 lots
    expect(denyReasonName(r.firstDenyReason)).toBe('SIGNAL_QUANTITY_EXCEEDED');
    expect(r.firstDeny).toBe(20);
    expect(guard.denyCounts[DenyReason.SignalQuantityExceeded]).toBe(2_000 - 20);
    expect(r.maxAbsPos).toBeLessThanOrEqual(MAX_POS);
  });

  it('throttles a runaway whose orders all rest, and never lets open orders pass the cap', () => {
    const { guard, venue } = world({ maxExecutionsPerWindow: 100_000, defaultMaxSignalLots: 1_000_000, ordersPerWindow: 10, cancelsPerWindow: 20 });
    const o = new OrderIntent();
    let accepted = 0;
    for (let i = 0; i < 1_000; i++) {
      const now = 1_000_000 + i * 100; // 10k orders/s
      venue.nowUs = now;
      guard.onQuote(0, 9_999, 10_001, now);
      o.clientOrderId = i + 1;
      o.signalId = 1 + i;
      o.side = Side.Buy;
      o.priceTicks = 9_950 + (i % 40);
      o.sizeLots = 1;
      if (guard.check(o, now).accepted) {
        accepted++;
        venue.route(o, false);
      }
      expect(guard.openOrderCount).toBeLessThanOrEqual(20);
    }
    expect(accepted).toBeLessThanOrEqual(10); // 0.1 s of runaway: one window's worth
    expect(venue.events.filter((e) => e.type === RiskEventType.OrderThrottleTripped)).toHaveLength(1);
    expect(guard.kill(venue.nowUs)).toBe(accepted);
    expect(guard.openOrderCount).toBe(0);
  });
});
