/**
 * LatencyProbe: one IOC order at the touch every N-th market event, sides
 * that keep the position bounded, a time floor between orders, determinism,
 * config validation, registration by `strategy.kind`, and no allocation.
 */
import { describe, expect, it } from 'vitest';
import { L2Book } from '../../src/core/book/l2-book.ts';
import { FeedState, OrderType, Side } from '../../src/core/domain/enums.ts';
import { makeInstrumentSpec } from '../../src/core/domain/instrument.ts';
import { BookDeltas, TradeTick } from '../../src/core/domain/market-events.ts';
import { Fill, OrderStatus, OrderUpdate } from '../../src/core/domain/orders.ts';
import { LatencyProbe, validateLatencyProbeConfig } from '../../src/core/strategies/latency-probe.ts';
import { RecordingOutput } from '../../src/core/strategies/recording-output.ts';
import { createStrategy } from '../../src/core/strategies/registry.ts';
import type { Strategy, StrategyOutput } from '../../src/core/strategies/strategy.ts';

const SPECS = [
  makeInstrumentSpec({ id: 0, symbol: 'AAA-USDT-SWAP', tickSize: 0.01, lotSize: 1, minSizeLots: 2, contractValue: 1, makerFeeBps: 0, takerFeeBps: 0 }),
  makeInstrumentSpec({ id: 1, symbol: 'BBB-USDT-SWAP', tickSize: 0.01, lotSize: 1, minSizeLots: 1, contractValue: 1, makerFeeBps: 0, takerFeeBps: 0 }),
];

/** Drives a probe with a book per instrument; every event's tsRecvUs = its time. */
class Driver {
  readonly out = new RecordingOutput();
  readonly probe: LatencyProbe;
  readonly books = [new L2Book(8), new L2Book(8)];
  private readonly d = new BookDeltas(4);
  private readonly t = new TradeTick();
  private readonly f = new Fill();
  private readonly u = new OrderUpdate();

  constructor(config: Record<string, unknown>) {
    this.probe = new LatencyProbe(this.out, SPECS, config);
  }

  quote(i: number, nowUs: number, bid: number, ask: number): void {
    const d = this.d;
    d.reset();
    d.instrumentId = i;
    d.tsRecvUs = nowUs;
    d.isSnapshot = true;
    d.bidCount = bid > 0 ? 1 : 0;
    d.askCount = ask > 0 ? 1 : 0;
    d.bidPriceTicks[0] = bid;
    d.bidSizeLots[0] = 10;
    d.askPriceTicks[0] = ask;
    d.askSizeLots[0] = 10;
    this.books[i]!.applyDeltas(d);
    this.probe.onBookDeltas(d, this.books[i]!, nowUs);
  }

  trade(i: number, nowUs: number): void {
    this.t.instrumentId = i;
    this.t.tsRecvUs = nowUs;
    this.t.priceTicks = 100;
    this.t.sizeLots = 1;
    this.probe.onTrade(this.t, nowUs);
  }

  fill(clientOrderId: number, i: number, side: Side, lots: number): void {
    const f = this.f;
    f.clientOrderId = clientOrderId;
    f.instrumentId = i;
    f.side = side;
    f.sizeLots = lots;
    f.priceTicks = 100;
    this.probe.onFill(f);
  }

  update(clientOrderId: number, status: OrderStatus): void {
    this.u.clientOrderId = clientOrderId;
    this.u.status = status;
    this.probe.onOrderUpdate(this.u);
  }
}

describe('LatencyProbe', () => {
  it('submits one IOC at the touch every N-th market event, carrying the trigger receive time', () => {
    const s = new Driver({ everyNEvents: 3, idBase: 100, strategyId: 4 });
    s.quote(0, 1_000, 99, 101); // 1
    s.trade(0, 1_010); // 2
    expect(s.out.orders).toHaveLength(0);
    s.trade(0, 1_020); // 3 → order
    expect(s.out.orders).toHaveLength(1);
    const o = s.out.orders[0]!;
    expect(o.clientOrderId).toBe(101);
    expect(o.strategyId).toBe(4);
    expect(o.type).toBe(OrderType.Ioc);
    expect(o.side).toBe(Side.Buy);
    expect(o.priceTicks).toBe(101); // buys at the ask
    expect(o.sizeLots).toBe(2); // instrument 0's minimum
    expect(o.reduceOnly).toBe(false);
    expect(o.tsTriggerRecvUs).toBe(1_020);
    expect(o.tsSignalUs).toBe(1_020);
    for (let k = 0; k < 3; k++) s.trade(0, 2_000 + k);
    expect(s.out.orders).toHaveLength(2);
    expect(s.out.orders[1]!.side).toBe(Side.Sell); // flat: alternates
    expect(s.out.orders[1]!.priceTicks).toBe(99); // sells at the bid
    expect(s.out.orders[1]!.clientOrderId).toBe(102);
    expect(s.out.signals).toHaveLength(0);
  });

  it('keeps the position bounded: sells when long, buys when short', () => {
    const s = new Driver({ everyNEvents: 1 });
    s.quote(1, 10, 50, 52); // order 1: buy (flat)
    expect(s.out.orders[0]!.side).toBe(Side.Buy);
    s.fill(1, 1, Side.Buy, 1);
    s.update(1, OrderStatus.Filled);
    expect(s.probe.positionLots(1)).toBe(1);
    s.trade(1, 20); // long → sell
    s.trade(1, 30); // still long (no fill yet) → sell again
    expect(s.out.orders.slice(1).map((o) => o.side)).toEqual([Side.Sell, Side.Sell]);
    s.fill(2, 1, Side.Sell, 1);
    s.fill(3, 1, Side.Sell, 1);
    expect(s.probe.positionLots(1)).toBe(-1);
    s.trade(1, 40); // short → buy
    expect(s.out.orders[3]!.side).toBe(Side.Buy);
    expect(s.probe.fills).toBe(3);
    expect(s.probe.completed).toBe(1);
    // Fills of orders that are not ours are ignored.
    s.fill(999, 1, Side.Buy, 5);
    expect(s.probe.positionLots(1)).toBe(-1);
  });

  it('waits for an eligible event: book with both sides, not crossed, feed Ok', () => {
    const s = new Driver({ everyNEvents: 2 });
    s.trade(0, 1); // no book yet
    s.trade(0, 2); // 2nd event, but no book: skipped, count kept
    expect(s.out.orders).toHaveLength(0);
    s.quote(0, 3, 100, 0); // one side only
    expect(s.out.orders).toHaveLength(0);
    s.quote(0, 4, 101, 100); // crossed
    expect(s.out.orders).toHaveLength(0);
    s.quote(0, 5, 100, 101);
    expect(s.out.orders).toHaveLength(1);
    s.probe.onFeedState(0, FeedState.Stale);
    s.trade(0, 6);
    s.trade(0, 7);
    expect(s.out.orders).toHaveLength(1);
    s.probe.onFeedState(0, FeedState.Ok);
    s.trade(0, 8);
    expect(s.out.orders).toHaveLength(2);
  });

  it('respects minIntervalUs between orders (logic time)', () => {
    const s = new Driver({ everyNEvents: 1, minIntervalUs: 1_000 });
    s.quote(0, 10_000, 99, 101);
    for (let t = 10_100; t < 11_000; t += 100) s.trade(0, t);
    expect(s.out.orders).toHaveLength(1);
    s.trade(0, 11_000);
    expect(s.out.orders).toHaveLength(2);
  });

  it('is deterministic: the same input gives the same orders', () => {
    const run = (): string => {
      const s = new Driver({ everyNEvents: 7, idBase: 1_000 });
      for (let k = 0; k < 500; k++) {
        const i = k % 2;
        if (k % 3 === 0) s.quote(i, k * 10, 100 + (k % 5), 102 + (k % 5));
        else s.trade(i, k * 10);
        const last = s.out.orders[s.out.orders.length - 1];
        if (last && k % 11 === 0) s.fill(last.clientOrderId, last.instrumentId, last.side, last.sizeLots);
      }
      return JSON.stringify(s.out.orders);
    };
    const a = run();
    expect(a).toBe(run());
    expect(JSON.parse(a).length).toBeGreaterThan(50);
  });

  it('is built by the registry under kind "latency-probe"', () => {
    const out = new RecordingOutput();
    const s: Strategy = createStrategy(out, SPECS, { kind: 'latency-probe', everyNEvents: 5 });
    expect(s).toBeInstanceOf(LatencyProbe);
    expect((s as LatencyProbe).config.everyNEvents).toBe(5);
  });

  it('validates its config, naming the field', () => {
    expect(validateLatencyProbeConfig({}).everyNEvents).toBe(50);
    expect(() => validateLatencyProbeConfig({ everyNEvents: 0 })).toThrow(/everyNEvents/);
    expect(() => validateLatencyProbeConfig({ everyNEvents: 2.5 })).toThrow(/everyNEvents/);
    expect(() => validateLatencyProbeConfig({ strategyId: 256 })).toThrow(/strategyId/);
    expect(() => validateLatencyProbeConfig({ minIntervalUs: -1 })).toThrow(/minIntervalUs/);
    expect(() => validateLatencyProbeConfig({ everyNEvent: 5 })).toThrow(/unknown field everyNEvent/);
    expect(() => validateLatencyProbeConfig(null)).toThrow(/object/);
    expect(() => new LatencyProbe(new RecordingOutput(), [], {})).toThrow(/instruments/);
  });

  it('allocates nothing per event once warm', () => {
    let n = 0;
    const sink: StrategyOutput = { submit: () => void n++, cancel: () => undefined, signal: () => undefined };
    const probe = new LatencyProbe(sink, SPECS, { everyNEvents: 3 });
    const book = new L2Book(8);
    const d = new BookDeltas(4);
    d.instrumentId = 0;
    d.isSnapshot = true;
    d.bidCount = 1;
    d.askCount = 1;
    d.bidPriceTicks[0] = 99;
    d.askPriceTicks[0] = 101;
    d.bidSizeLots[0] = 1;
    d.askSizeLots[0] = 1;
    book.applyDeltas(d);
    const t = new TradeTick();
    const f = new Fill();
    const drive = (count: number): void => {
      for (let k = 0; k < count; k++) {
        d.tsRecvUs = k;
        probe.onBookDeltas(d, book, k);
        t.tsRecvUs = k;
        probe.onTrade(t, k);
        f.clientOrderId = n;
        f.side = k % 2 === 0 ? Side.Buy : Side.Sell;
        f.sizeLots = 1;
        probe.onFill(f);
      }
    };
    drive(50_000); // warm up the JIT
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage().heapUsed;
    drive(200_000);
    const grown = process.memoryUsage().heapUsed - before;
    expect(n).toBeGreaterThan(100_000);
    // 400k handler calls: a single allocation per call would be > 6 MB.
    expect(grown).toBeLessThan(2_000_000);
  });
});
