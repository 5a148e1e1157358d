// The fixed-capacity open-order table and the sliding-window limiter DRBGuard builds on.
import { describe, expect, it } from 'vitest';
import { OpenOrderTable, SlidingWindowLimiter } from '../../src/risk/index.ts';

describe('OpenOrderTable', () => {
  it('finds, removes and refuses inserts when full or duplicate', () => {
    const t = new OpenOrderTable(3);
    expect(t.insert(10, 0, 1, 100, 5, 0, 0, 0)).toBe(0);
    expect(t.insert(11, 0, -1, 101, 5, 0, 0, 0)).toBe(1);
    expect(t.insert(10, 0, 1, 100, 5, 0, 0, 0)).toBe(-1);
    expect(t.insert(12, 0, 1, 100, 5, 0, 0, 0)).toBe(2);
    expect(t.insert(13, 0, 1, 100, 5, 0, 0, 0)).toBe(-1); // full
    expect(t.remove(10)).toBe(true);
    expect(t.find(10)).toBe(-1);
    expect(t.orderId[t.find(12)]).toBe(12); // moved into the hole
    expect(t.insert(0, 0, 1, 1, 1, 0, 0, 0)).toBe(-1);
    expect(t.find(0)).toBe(-1);
  });

  it('matches a Map model over a seeded random insert/remove sequence with colliding ids', () => {
    const seed = 0x5eed;
    let s = seed;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
    const t = new OpenOrderTable(64);
    const model = new Map<number, number>();
    for (let step = 0; step < 20_000; step++) {
      // ids spread over a small range plus high bits, so probe chains collide and wrap.
      const id = 1 + Math.floor(rand() * 200) + (rand() < 0.3 ? 2 ** 40 : 0);
      if (rand() < 0.55) {
        const row = t.insert(id, 0, 1, id % 1000, 1, 0, 0, 0);
        if (model.has(id) || model.size >= 64) expect(row).toBe(-1);
        else {
          expect(row).toBeGreaterThanOrEqual(0);
          model.set(id, id % 1000);
        }
      } else {
        expect(t.remove(id)).toBe(model.delete(id));
      }
      expect(t.count).toBe(model.size);
    }
    for (const [id, px] of model) expect(t.priceTicks[t.find(id)]).toBe(px);
    for (let r = 0; r < t.count; r++) expect(model.has(t.orderId[r]!)).toBe(true);
  });
});

describe('SlidingWindowLimiter', () => {
  it('allows maxEvents in any window and frees a slot exactly windowUs after the oldest', () => {
    const l = new SlidingWindowLimiter(3, 1_000);
    for (const t of [0, 10, 20]) {
      expect(l.wouldAllow(t)).toBe(true);
      l.record(t);
    }
    expect(l.wouldAllow(999)).toBe(false);
    expect(l.wouldAllow(1_000)).toBe(true);
    l.record(1_000);
    expect(l.wouldAllow(1_009)).toBe(false);
    expect(l.wouldAllow(1_010)).toBe(true);
    expect(l.countInWindow(1_005)).toBe(3);
  });
});
