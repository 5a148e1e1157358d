// T2 (RISK-CONTROLS.md §4): model-based property test of DRBGuard. fast-check
// generates random sequences of submit / cancel / venue cancel / fill / reject /
// price jump / time (with or without quotes) / feed state / kill / re-arm; the test plays the venue and
// keeps a simple model of working orders and positions. After every step:
//   |position| ≤ max, open orders ≤ max, guard view == model view,
//   no entry accepted while HALTED or killed, REDUCING only accepts reducing orders,
//   the kill switch reports every working order.
// The seed is fixed and printed; a failure prints fast-check's counterexample and replayPath.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FeedState, OrderType, Side, TradingState } from '../../src/core/domain/enums.ts';
import { makeInstrumentSpec } from '../../src/core/domain/instrument.ts';
import { CancelIntent, Fill, OrderIntent, OrderStatus, OrderUpdate } from '../../src/core/domain/orders.ts';
import { DRBGuard, denyReasonName, validateRiskConfig, type RiskEvent, type RiskEventSink } from '../../src/risk/index.ts';

const SEED = 20_260_301;
const RUNS = 100;
const MAX_POS = 20;
const MAX_OPEN = 8;

const INSTRUMENTS = [0, 1].map((id) =>
  makeInstrumentSpec({ id, symbol: `M${id}-USDT-SWAP`, tickSize: 1, lotSize: 1, minSizeLots: 1, contractValue: 1, makerFeeBps: 0, takerFeeBps: 0 }),
);

const CONFIG = validateRiskConfig({
  accountEquityQuote: 10_000,
  maxOrderNotionalQuote: 20_000,
  maxOpenOrders: MAX_OPEN,
  maxOpenNotionalQuote: 100_000,
  maxGrossExposureQuote: 200_000,
  priceCollarBps: 300,
  priceCollarWindowBps: 600,
  priceCollarWindowUs: 2_000_000,
  staleAfterUs: 1_000_000,
  ordersPerWindow: 20,
  orderWindowUs: 1_000_000,
  cancelsPerWindow: 40,
  cancelWindowUs: 1_000_000,
  maxExecutionsPerWindow: 30,
  executionWindowUs: 5_000_000,
  dailyLossLimitQuote: 300,
  dailyLossHaltQuote: 600,
  maxDrawdownPct: 8,
  duplicateIntentWindowUs: 50_000,
  maxConsecutiveRejects: 4,
  rejectStormPauseUs: 500_000,
  openOrderCapacity: 16,
  defaultMaxOrderLots: 10,
  defaultMaxPositionLots: MAX_POS,
  defaultMaxSignalLots: 30,
});

/** Coverage counters across all runs, so a vacuous generator fails the test. */
const stats = { accepted: 0, acceptedWhileReducing: 0, deniedHalted: 0, reducingSteps: 0, haltedSteps: 0, kills: 0, reasons: new Set<string>() };

interface ModelOrder {
  inst: number;
  side: Side;
  px: number;
  size: number;
  remaining: number;
  cancelRequested: boolean;
}

type Op =
  | { k: 'submit'; inst: number; buy: boolean; type: OrderType; off: number; lots: number; reduceOnly: boolean; signal: number }
  | { k: 'cancel'; pick: number }
  | { k: 'venueCancel'; pick: number }
  | { k: 'fill'; pick: number; frac: number }
  | { k: 'reject'; pick: number }
  | { k: 'jump'; inst: number; bps: number }
  | { k: 'tick'; us: number }
  | { k: 'stall'; us: number }
  | { k: 'feed'; inst: number; state: FeedState }
  | { k: 'kill' }
  | { k: 'rearm' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.record({
      k: fc.constant('submit' as const),
      inst: fc.integer({ min: 0, max: 1 }),
      buy: fc.boolean(),
      type: fc.constantFrom(OrderType.Limit, OrderType.Limit, OrderType.PostOnly, OrderType.Ioc, OrderType.Market),
      off: fc.integer({ min: -40, max: 40 }),
      lots: fc.integer({ min: 1, max: 12 }),
      reduceOnly: fc.constantFrom(false, false, false, true),
      signal: fc.integer({ min: 0, max: 6 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('venueCancel' as const), pick: fc.nat() }) },
  { weight: 10, arbitrary: fc.record({ k: fc.constant('fill' as const), pick: fc.nat(), frac: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('reject' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('jump' as const), inst: fc.integer({ min: 0, max: 1 }), bps: fc.integer({ min: -500, max: 500 }) }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('tick' as const), us: fc.integer({ min: 0, max: 700_000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('stall' as const), us: fc.integer({ min: 0, max: 1_500_000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('feed' as const), inst: fc.integer({ min: 0, max: 1 }), state: fc.constantFrom(FeedState.Ok, FeedState.Ok, FeedState.Stale, FeedState.Invalid) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('kill' as const) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('rearm' as const) }) },
);

class ModelSink implements RiskEventSink {
  cancelled: number[] = [];
  constructor(private readonly orders: Map<number, ModelOrder>) {}
  onRiskEvent(_e: RiskEvent): void {}
  onCancelRequired(id: number): void {
    this.cancelled.push(id);
    const o = this.orders.get(id);
    if (o) o.cancelRequested = true; // the stage sends the cancel to the venue
  }
}

function runScenario(ops: Op[]): void {
  const orders = new Map<number, ModelOrder>();
  const sink = new ModelSink(orders);
  const guard = new DRBGuard(CONFIG, INSTRUMENTS, sink);
  const pos = [0, 0];
  const mid = [1_000, 2_000];
  let now = 1_000_000;
  let nextId = 1;
  let nextFill = 1;
  const intent = new OrderIntent();
  const cancel = new CancelIntent();
  const fill = new Fill();
  const upd = new OrderUpdate();
  const quote = (i: number) => guard.onQuote(i, mid[i]! - 1, mid[i]! + 1, now);
  quote(0);
  quote(1);
  const working = () => [...orders.keys()];
  const openSame = (inst: number, side: Side) => {
    let s = 0;
    for (const o of orders.values()) if (o.inst === inst && o.side === side) s += o.remaining;
    return s;
  };
  const finish = (id: number, status: OrderStatus) => {
    const o = orders.get(id)!;
    upd.clientOrderId = id;
    upd.instrumentId = o.inst;
    upd.status = status;
    upd.filledLots = o.size - o.remaining;
    upd.tsUs = now;
    guard.onOrderUpdate(upd);
    orders.delete(id);
  };

  for (let step = 0; step < ops.length; step++) {
    const op = ops[step]!;
    const ctx = () => `step ${step} ${JSON.stringify(op)}`;
    switch (op.k) {
      case 'submit': {
        const side = op.buy ? Side.Buy : Side.Sell;
        const px = op.type === OrderType.Market ? 0 : mid[op.inst]! + op.off;
        intent.clientOrderId = nextId++;
        intent.instrumentId = op.inst;
        intent.side = side;
        intent.type = op.type;
        intent.priceTicks = px;
        intent.sizeLots = op.lots;
        intent.reduceOnly = op.reduceOnly;
        intent.signalId = op.signal;
        const stateBefore = guard.tradingState;
        const killedBefore = guard.isKilled;
        const p = pos[op.inst]!;
        const same = openSame(op.inst, side);
        const d = guard.check(intent, now);
        if (d.accepted) {
          stats.accepted++;
          if (stateBefore === TradingState.Reducing) stats.acceptedWhileReducing++;
          expect(stateBefore, `entry accepted while HALTED: ${ctx()}`).not.toBe(TradingState.Halted);
          expect(killedBefore, `entry accepted while killed: ${ctx()}`).toBe(false);
          const reduces = p !== 0 && Math.sign(p) === -side && op.lots + same <= Math.abs(p);
          if (stateBefore === TradingState.Reducing) expect(reduces, `non-reducing order accepted while REDUCING: ${ctx()}`).toBe(true);
          if (op.reduceOnly) expect(reduces, ctx()).toBe(true);
          const entryPx = op.type === OrderType.Market ? (side === Side.Buy ? mid[op.inst]! + 1 : mid[op.inst]! - 1) : px;
          orders.set(intent.clientOrderId, { inst: op.inst, side, px: entryPx, size: op.lots, remaining: op.lots, cancelRequested: false });
        } else {
          stats.reasons.add(denyReasonName(d.reason));
          if (stateBefore === TradingState.Halted) stats.deniedHalted++;
          expect(guard.isWorking(intent.clientOrderId), `denied ${denyReasonName(d.reason)} but working: ${ctx()}`).toBe(false);
        }
        break;
      }
      case 'cancel': {
        const ids = working();
        if (ids.length === 0) break;
        cancel.clientOrderId = ids[op.pick % ids.length]!;
        const d = guard.checkCancel(cancel, now);
        if (d.accepted) orders.get(cancel.clientOrderId)!.cancelRequested = true;
        break;
      }
      case 'venueCancel': {
        const ids = working().filter((id) => orders.get(id)!.cancelRequested);
        if (ids.length > 0) finish(ids[op.pick % ids.length]!, OrderStatus.Cancelled);
        break;
      }
      case 'fill': {
        const ids = working();
        if (ids.length === 0) break;
        const id = ids[op.pick % ids.length]!;
        const o = orders.get(id)!;
        const lots = Math.max(1, Math.floor(o.remaining * op.frac));
        fill.fillId = nextFill++;
        fill.clientOrderId = id;
        fill.instrumentId = o.inst;
        fill.side = o.side;
        fill.priceTicks = o.px;
        fill.sizeLots = lots;
        fill.feeQuote = 0;
        fill.tsUs = now;
        o.remaining -= lots;
        pos[o.inst] = pos[o.inst]! + o.side * lots;
        guard.onFill(fill);
        if (o.remaining === 0) finish(id, OrderStatus.Filled);
        break;
      }
      case 'reject': {
        const ids = working().filter((id) => orders.get(id)!.remaining === orders.get(id)!.size);
        if (ids.length > 0) finish(ids[op.pick % ids.length]!, OrderStatus.Rejected);
        break;
      }
      case 'jump':
        mid[op.inst] = Math.max(10, Math.round(mid[op.inst]! * (1 + op.bps / 10_000)));
        quote(op.inst);
        break;
      case 'tick':
        now += op.us;
        quote(0);
        quote(1);
        break;
      case 'stall': // time passes with no quote: the reference may go stale
        now += op.us;
        break;
      case 'feed':
        guard.onFeedState(op.inst, op.state);
        break;
      case 'kill': {
        stats.kills++;
        sink.cancelled.length = 0;
        const n = guard.kill(now);
        expect(n).toBe(orders.size);
        expect([...sink.cancelled].sort((a, b) => a - b)).toEqual(working().sort((a, b) => a - b));
        break;
      }
      case 'rearm':
        guard.rearm(now);
        break;
    }
    // Invariants after every step.
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(guard.positionLots(i)), `|position| > max: ${ctx()}`).toBeLessThanOrEqual(MAX_POS);
      expect(guard.positionLots(i), ctx()).toBe(pos[i]);
      expect(guard.openLots(i, Side.Buy), ctx()).toBe(openSame(i, Side.Buy));
      expect(guard.openLots(i, Side.Sell), ctx()).toBe(openSame(i, Side.Sell));
    }
    expect(guard.openOrderCount, ctx()).toBeLessThanOrEqual(MAX_OPEN);
    expect(guard.openOrderCount, ctx()).toBe(orders.size);
    if (guard.isKilled) expect(guard.tradingState).toBe(TradingState.Halted);
    if (guard.tradingState === TradingState.Reducing) stats.reducingSteps++;
    if (guard.tradingState === TradingState.Halted) stats.haltedSteps++;
  }
}

describe('DRBGuard against a model (T2)', () => {
  it(`keeps every invariant over ${RUNS} random submit/cancel/fill/price-jump/kill/rearm sequences (seed ${SEED})`, () => {
    console.log(`risk-model: fast-check seed=${SEED} numRuns=${RUNS}`);
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 100, maxLength: 300 }), (ops) => {
        runScenario(ops);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`risk-model: ${JSON.stringify({ ...stats, reasons: [...stats.reasons].sort() })}`);
    expect(stats.accepted).toBeGreaterThan(100);
    expect(stats.reducingSteps).toBeGreaterThan(0);
    expect(stats.haltedSteps).toBeGreaterThan(0);
    expect(stats.deniedHalted).toBeGreaterThan(0);
  });
});
