/** OrderTable: slot allocation and the clientOrderId hash index against a Map model. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OrderIntent } from '../../src/core/domain/orders.ts';
import { NO_SLOT, OrderTable, SlotState } from '../../src/gateway/paper-exchange/index.ts';

describe('OrderTable', () => {
  it('finds every live id and forgets freed ones after random alloc/free (backward-shift delete)', () => {
    const op = fc.record({ alloc: fc.boolean(), id: fc.integer({ min: 1, max: 200 }), big: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const t = new OrderTable(32);
        const model = new Map<number, number>();
        const o = new OrderIntent();
        for (const { alloc, id: small, big } of ops) {
          const id = big ? small * 2 ** 40 + 7 : small; // ids above 2^32 too
          if (alloc && !model.has(id)) {
            o.clientOrderId = id;
            const s = t.alloc(o);
            if (model.size === 32) expect(s).toBe(NO_SLOT);
            else {
              expect(t.state[s]).toBe(SlotState.InFlight);
              model.set(id, s);
              if (small % 2 === 0) t.addResting(s);
            }
          } else if (!alloc && model.has(id)) {
            t.free(model.get(id)!);
            model.delete(id);
          }
          for (const [k, s] of model) expect(t.find(k)).toBe(s);
          expect(t.find(id)).toBe(model.get(id) ?? NO_SLOT);
          expect(t.liveCount).toBe(model.size);
          for (let r = 0; r < t.restingCount; r++) expect(t.restingPos[t.resting[r]!]).toBe(r);
        }
      }),
      { seed: 4242, numRuns: 100 },
    );
  });

  it('rejects a bad capacity at construction with the value', () => {
    expect(() => new OrderTable(0)).toThrow(/got 0/);
  });
});
