import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { L2Book } from '../../src/core/book/l2-book.ts';
import { Side } from '../../src/core/domain/enums.ts';
import { BookDeltas } from '../../src/core/domain/market-events.ts';

const SEED = 20261124;

/** Reference model: a Map per side, sorted on demand. */
function modelLevels(m: Map<number, number>, descending: boolean, cap: number): [number, number][] {
  const levels = [...m.entries()].sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0]));
  return levels.slice(0, cap);
}

describe('L2Book against a Map model', () => {
  it('keeps both sides sorted, unique, and equal to the model after random set/delete', () => {
    const op = fc.record({
      bid: fc.boolean(),
      price: fc.integer({ min: 900, max: 1100 }),
      size: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50 })),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const book = new L2Book(1000);
        const bids = new Map<number, number>();
        const asks = new Map<number, number>();
        for (const o of ops) {
          const m = o.bid ? bids : asks;
          if (o.size === 0) m.delete(o.price);
          else m.set(o.price, o.size);
          book.set(o.bid ? Side.Buy : Side.Sell, o.price, o.size);
        }
        const eb = modelLevels(bids, true, 1000);
        const ea = modelLevels(asks, false, 1000);
        expect(book.bidCount).toBe(eb.length);
        expect(book.askCount).toBe(ea.length);
        for (let i = 0; i < eb.length; i++) expect([book.bidPrice(i), book.bidSize(i)]).toEqual(eb[i]);
        for (let i = 0; i < ea.length; i++) expect([book.askPrice(i), book.askSize(i)]).toEqual(ea[i]);
        for (const [p, s] of bids) expect(book.sizeAt(Side.Buy, p)).toBe(s);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('applies a snapshot exactly as clearing and setting its levels one by one (ordered, unordered, duplicate, zero, oversized)', () => {
    const level = fc.tuple(fc.integer({ min: 900, max: 1100 }), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50 })));
    // Mostly venue-like (strictly ordered from the touch, sizes > 0), sometimes not.
    const side = (descending: boolean) =>
      fc.oneof(
        fc.uniqueArray(fc.integer({ min: 900, max: 1100 }), { maxLength: 40 }).map((ps) =>
          ps.sort((a, b) => (descending ? b - a : a - b)).map((p, i) => [p, 1 + (i % 7)] as [number, number]),
        ),
        fc.array(level, { maxLength: 40 }),
      );
    fc.assert(
      fc.property(side(true), side(false), fc.integer({ min: 1, max: 48 }), fc.array(level, { maxLength: 6 }), (bids, asks, capacity, before) => {
        const d = new BookDeltas(64);
        d.isSnapshot = true;
        d.bidCount = bids.length;
        d.askCount = asks.length;
        bids.forEach(([p, q], i) => ((d.bidPriceTicks[i] = p), (d.bidSizeLots[i] = q)));
        asks.forEach(([p, q], i) => ((d.askPriceTicks[i] = p), (d.askSizeLots[i] = q)));
        const book = new L2Book(capacity);
        const oracle = new L2Book(capacity);
        for (const [p, q] of before) book.setBid(p, q); // replaced by the snapshot
        book.applyDeltas(d);
        for (const [p, q] of bids) oracle.setBid(p, q);
        for (const [p, q] of asks) oracle.setAsk(p, q);
        const levels = (b: L2Book) => ({
          bids: Array.from({ length: b.bidCount }, (_, i) => [b.bidPrice(i), b.bidSize(i)]),
          asks: Array.from({ length: b.askCount }, (_, i) => [b.askPrice(i), b.askSize(i)]),
        });
        expect(levels(book)).toEqual(levels(oracle));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('copies its best levels into a BookDeltas best first, and that snapshot rebuilds the same book', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 900, max: 1100 }), fc.integer({ min: 0, max: 9 })), { maxLength: 200 }), fc.integer({ min: 1, max: 30 }), (ops, k) => {
        const book = new L2Book(64);
        for (const [bid, p, q] of ops) book.set(bid ? Side.Buy : Side.Sell, p, q);
        const top = new BookDeltas(64);
        book.copyLevelsTo(top, k);
        expect(top.bidCount).toBe(Math.min(k, book.bidCount));
        expect(top.askCount).toBe(Math.min(k, book.askCount));
        for (let i = 0; i < top.bidCount; i++) expect([top.bidPriceTicks[i], top.bidSizeLots[i]]).toEqual([book.bidPrice(i), book.bidSize(i)]);
        for (let i = 0; i < top.askCount; i++) expect([top.askPriceTicks[i], top.askSizeLots[i]]).toEqual([book.askPrice(i), book.askSize(i)]);
        const all = new BookDeltas(64);
        all.isSnapshot = true;
        book.copyLevelsTo(all);
        const copy = new L2Book(64);
        copy.applyDeltas(all);
        expect([copy.bidCount, copy.askCount, copy.bestBid(), copy.bestAsk(), copy.depthLots(Side.Buy, 64), copy.depthLots(Side.Sell, 64)]).toEqual([
          book.bidCount, book.askCount, book.bestBid(), book.bestAsk(), book.depthLots(Side.Buy, 64), book.depthLots(Side.Sell, 64),
        ]);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('stays equal to the model when prices drift and sides overflow (changes at both ends, re-centring)', () => {
    // A capped model: after a change, a side over capacity loses its worst level.
    const capped = (m: Map<number, number>, cap: number, bid: boolean): void => {
      if (m.size <= cap) return;
      const worst = bid ? Math.min(...m.keys()) : Math.max(...m.keys());
      m.delete(worst);
    };
    const op = fc.record({
      bid: fc.boolean(),
      // Mostly at the touch or at the far end, as live and fixed-depth books change.
      offset: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 10, max: 40 }), fc.integer({ min: 0, max: 40 })),
      size: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50 })),
      drift: fc.integer({ min: -2, max: 3 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.array(op, { minLength: 50, maxLength: 1500 }), (cap, ops) => {
        const book = new L2Book(cap);
        const bids = new Map<number, number>();
        const asks = new Map<number, number>();
        let center = 100_000;
        let overflows = 0;
        for (const o of ops) {
          center += o.drift;
          const price = o.bid ? center - o.offset : center + 1 + o.offset;
          const m = o.bid ? bids : asks;
          if (o.size === 0) m.delete(price);
          else {
            const full = m.size === cap && !m.has(price);
            m.set(price, o.size);
            if (full) overflows++;
            capped(m, cap, o.bid);
          }
          book.set(o.bid ? Side.Buy : Side.Sell, price, o.size);
        }
        const eb = modelLevels(bids, true, cap);
        const ea = modelLevels(asks, false, cap);
        expect(Array.from({ length: book.bidCount }, (_, i) => [book.bidPrice(i), book.bidSize(i)])).toEqual(eb);
        expect(Array.from({ length: book.askCount }, (_, i) => [book.askPrice(i), book.askSize(i)])).toEqual(ea);
        for (const [p, q] of asks) expect(book.sizeAt(Side.Sell, p)).toBe(q);
        expect(book.overflowCount).toBe(overflows);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('drops the worst level when a side is full and counts it', () => {
    const book = new L2Book(3);
    book.setBid(100, 1);
    book.setBid(99, 1);
    book.setBid(98, 1);
    book.setBid(97, 1); // worse than all: not kept
    expect(book.bidCount).toBe(3);
    expect(book.overflowCount).toBe(1);
    book.setBid(101, 2); // better: 98 falls off
    expect([0, 1, 2].map((i) => book.bidPrice(i))).toEqual([101, 100, 99]);
    expect(book.overflowCount).toBe(2);
  });

  it('reports mid, spread and crossed state', () => {
    const book = new L2Book(8);
    expect(book.midTicks()).toBeNaN();
    book.setBid(100, 5);
    book.setAsk(102, 5);
    expect(book.midTicks()).toBe(101);
    expect(book.spreadTicks()).toBe(2);
    expect(book.isCrossed()).toBe(false);
    book.setBid(102, 1);
    expect(book.isCrossed()).toBe(true);
    expect(book.depthLots(Side.Buy, 2)).toBe(6);
  });
});
