/**
 * SimpleLiquidationHunter under seeded random markets and a random venue:
 * the safety invariants hold for every sequence, and the same sequence
 * always gives the same decisions and ids.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { L2Book } from '../../src/core/book/l2-book.ts';
import { FeedState, Side } from '../../src/core/domain/enums.ts';
import { makeInstrumentSpec } from '../../src/core/domain/instrument.ts';
import { BookDeltas, LiquidationEvent } from '../../src/core/domain/market-events.ts';
import { CancelIntent, Fill, OrderIntent, OrderStatus, OrderUpdate } from '../../src/core/domain/orders.ts';
import { SignalDecision, SignalEvent, SignalReason, signalDecisionOf } from '../../src/core/strategies/signal.ts';
import { SimpleLiquidationHunter } from '../../src/core/strategies/simple-liquidation-hunter.ts';
import type { StrategyOutput } from '../../src/core/strategies/strategy.ts';

const SEED = 20261124;
const SPEC = makeInstrumentSpec({
  id: 0, symbol: 'TEST-USDT-SWAP', tickSize: 0.01, lotSize: 1, minSizeLots: 1, contractValue: 1, makerFeeBps: 0, takerFeeBps: 0,
});
const SIZE = 2;

interface Step { kind: number; dtMs: number; a: number; b: number }

const step = fc.record({
  kind: fc.integer({ min: 0, max: 9 }),
  dtMs: fc.integer({ min: 1, max: 300 }),
  a: fc.integer({ min: -25, max: 25 }),
  b: fc.integer({ min: 0, max: 999 }),
});

/** Venue outcomes for a new order, consumed round-robin. */
const enum Outcome { Deny, Reject, Fill, FillBeforeUpdate, PartialThenCancel, Rest, FillArrivesNextStep }

class Harness implements StrategyOutput {
  readonly hunter: SimpleLiquidationHunter;
  readonly log: string[] = [];
  readonly violations: string[] = [];
  private readonly book = new L2Book(16);
  private readonly d = new BookDeltas(4);
  private readonly l = new LiquidationEvent();
  private readonly u = new OrderUpdate();
  private readonly f = new Fill();
  private readonly pending: OrderIntent[] = [];
  private readonly resting: OrderIntent[] = [];
  private readonly cancelled: number[] = [];
  /** Fills whose Filled update has already been sent: delivered at the next step. */
  private readonly lateFills: OrderIntent[] = [];
  private k = 0;
  private lastOrderId = 0;
  private lastSignalId = 0;
  private liqSignals = 0;
  nowUs = 0;
  private mid = 10_000;

  constructor(entryOrderType: 'ioc' | 'limit', private readonly outcomes: readonly Outcome[]) {
    this.hunter = new SimpleLiquidationHunter(this, [SPEC], {
      idBase: 100, windowUs: 1_000_000, windowBuckets: 10, baselineHalfLifeUs: 2_000_000, warmupUs: 0,
      burstK: 2, minBurstNotionalQuote: 500, minMoveBps: 5, takeProfitBps: 10, stopLossBps: 10,
      timeStopUs: 3_000_000, cooldownUs: 1_000_000, orderSizeLots: SIZE, entryOrderType, entryTimeoutUs: 300_000,
    });
  }

  submit(o: OrderIntent): void {
    const pos = this.hunter.positionLots(0);
    if (o.clientOrderId <= this.lastOrderId) this.violations.push(`order id not increasing: ${o.clientOrderId}`);
    this.lastOrderId = o.clientOrderId;
    if (this.resting.length > 0 || this.pending.length > 0 || this.lateFills.length > 0) this.violations.push(`second order ${o.clientOrderId} while one is outstanding`);
    if (o.reduceOnly) {
      if (pos === 0) this.violations.push(`exit ${o.clientOrderId} with no position`);
      if (o.side === (pos > 0 ? Side.Buy : Side.Sell)) this.violations.push(`exit ${o.clientOrderId} on the wrong side`);
      if (o.sizeLots !== Math.abs(pos)) this.violations.push(`exit ${o.clientOrderId} size ${o.sizeLots} != |pos| ${pos}`);
    } else {
      if (pos !== 0) this.violations.push(`entry ${o.clientOrderId} with position ${pos}`);
      if (o.sizeLots !== SIZE) this.violations.push(`entry size ${o.sizeLots}`);
    }
    const c = new OrderIntent();
    c.copyFrom(o);
    this.pending.push(c);
    this.log.push(`O ${o.clientOrderId} ${o.signalId} ${o.side} ${o.type} ${o.priceTicks} ${o.sizeLots} ${o.reduceOnly} ${o.tsSignalUs}`);
  }

  cancel(c: CancelIntent): void {
    this.cancelled.push(c.clientOrderId);
    this.log.push(`C ${c.clientOrderId} ${c.tsSignalUs}`);
  }

  signal(s: SignalEvent): void {
    if (s.signalId <= this.lastSignalId) this.violations.push(`signal id not increasing: ${s.signalId}`);
    this.lastSignalId = s.signalId;
    const d = signalDecisionOf(s.reason);
    if (d !== s.decision) this.violations.push(`decision ${s.decision} does not match reason ${s.reason}`);
    const isOrderFailure = s.reason >= SignalReason.EntryDenied && s.reason <= SignalReason.ExitRejected;
    if ((d === SignalDecision.NoTrade && !isOrderFailure) || d === SignalDecision.Enter) this.liqSignals++;
    this.log.push(`S ${s.signalId} ${s.decision} ${s.reason} ${s.clientOrderId} ${s.tsUs}`);
  }

  run(steps: readonly Step[]): void {
    for (const st of steps) {
      this.nowUs += st.dtMs * 1_000;
      switch (st.kind) {
        case 0: case 1: case 2: case 3:
          this.quote(st.a);
          break;
        case 4: case 5: case 6:
          this.liq(st.b);
          break;
        case 7: case 8:
          this.hunter.onTimer(this.nowUs);
          break;
        default:
          this.hunter.onFeedState(0, st.b % 4 === 0 ? FeedState.Invalid : st.b % 4 === 1 ? FeedState.Stale : FeedState.Ok, this.nowUs);
      }
      this.venue(st.b);
      const pos = this.hunter.positionLots(0);
      if (Math.abs(pos) > SIZE) this.violations.push(`position ${pos} exceeds ${SIZE}`);
    }
  }

  private quote(a: number): void {
    this.mid = Math.max(9_000, Math.min(11_000, this.mid + a));
    const d = this.d;
    d.reset();
    d.isSnapshot = true;
    d.tsRecvUs = this.nowUs;
    d.bidCount = 1;
    d.askCount = 1;
    d.bidPriceTicks[0] = this.mid - 1;
    d.askPriceTicks[0] = this.mid + 1;
    d.bidSizeLots[0] = 10;
    d.askSizeLots[0] = 10;
    this.book.applyDeltas(d);
    this.hunter.onBookDeltas(d, this.book, this.nowUs);
  }

  private liq(b: number): void {
    const l = this.l;
    l.instrumentId = 0;
    l.tsRecvUs = this.nowUs;
    l.side = b % 2 === 0 ? Side.Sell : Side.Buy;
    l.priceTicks = this.mid;
    l.sizeLots = b % 7 === 0 ? 30 + (b % 50) : 1 + (b % 5);
    const before = this.liqSignals;
    this.hunter.onLiquidation(l, this.nowUs);
    if (this.liqSignals - before !== 1) this.violations.push(`liquidation at ${this.nowUs} gave ${this.liqSignals - before} evaluation signals`);
  }

  private venue(b: number): void {
    while (this.lateFills.length > 0) {
      const o = this.lateFills.shift()!;
      this.fill(o, o.sizeLots);
    }
    while (this.pending.length > 0) {
      const o = this.pending.shift()!;
      const outcome = this.outcomes[this.k++ % this.outcomes.length]!;
      switch (outcome) {
        case Outcome.Deny:
          this.hunter.onOrderDenied(o.clientOrderId, 1, this.nowUs);
          break;
        case Outcome.Reject:
          this.update(o, OrderStatus.Rejected, 0);
          break;
        case Outcome.Fill:
          this.update(o, OrderStatus.Accepted, 0);
          this.update(o, OrderStatus.Filled, o.sizeLots);
          this.fill(o, o.sizeLots);
          break;
        case Outcome.FillBeforeUpdate:
          this.fill(o, o.sizeLots);
          this.update(o, OrderStatus.Filled, o.sizeLots);
          break;
        case Outcome.PartialThenCancel:
          this.update(o, OrderStatus.Accepted, 0);
          this.fill(o, 1);
          this.update(o, OrderStatus.Cancelled, 1);
          break;
        case Outcome.FillArrivesNextStep:
          this.update(o, OrderStatus.Accepted, 0);
          this.update(o, OrderStatus.Filled, o.sizeLots);
          this.lateFills.push(o);
          break;
        default:
          this.update(o, OrderStatus.Accepted, 0);
          this.resting.push(o);
      }
    }
    // Resting orders: cancel on request, otherwise fill now and then.
    for (let i = this.resting.length - 1; i >= 0; i--) {
      const o = this.resting[i]!;
      const ci = this.cancelled.indexOf(o.clientOrderId);
      if (ci >= 0) {
        this.cancelled.splice(ci, 1);
        this.resting.splice(i, 1);
        this.update(o, OrderStatus.Cancelled, 0);
      } else if (b % 11 === 0) {
        this.resting.splice(i, 1);
        this.update(o, OrderStatus.Filled, o.sizeLots);
        this.fill(o, o.sizeLots);
      }
    }
  }

  private update(o: OrderIntent, status: OrderStatus, filledLots: number): void {
    const u = this.u;
    u.clientOrderId = o.clientOrderId;
    u.instrumentId = 0;
    u.status = status;
    u.filledLots = filledLots;
    u.tsUs = this.nowUs;
    this.hunter.onOrderUpdate(u);
  }

  private fill(o: OrderIntent, lots: number): void {
    const f = this.f;
    f.clientOrderId = o.clientOrderId;
    f.instrumentId = 0;
    f.side = o.side;
    f.priceTicks = o.priceTicks;
    f.sizeLots = lots;
    f.tsUs = this.nowUs;
    this.hunter.onFill(f, this.nowUs);
  }
}

describe('SimpleLiquidationHunter invariants', () => {
  it('never double-enters, exits only reduce, evaluates each liquidation once, and replays identically', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 400 }),
        fc.constantFrom<'ioc' | 'limit'>('ioc', 'limit'),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 8 }),
        (steps, entryType, outcomes) => {
          const a = new Harness(entryType, outcomes as Outcome[]);
          a.run(steps);
          expect(a.violations).toEqual([]);
          const b = new Harness(entryType, outcomes as Outcome[]);
          b.run(steps);
          expect(b.log).toEqual(a.log);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('trades at all under these random markets (the property is not vacuous)', () => {
    let orders = 0;
    let exits = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 200, maxLength: 400 }), (steps) => {
        const h = new Harness('ioc', [Outcome.Fill]);
        h.run(steps);
        orders += h.log.filter((x) => x.startsWith('O ')).length;
        exits += h.log.filter((x) => x.startsWith('O ') && x.includes(' true ')).length;
      }),
      { seed: SEED, numRuns: 50 },
    );
    expect(orders).toBeGreaterThan(10);
    expect(exits).toBeGreaterThan(5);
  });
});
