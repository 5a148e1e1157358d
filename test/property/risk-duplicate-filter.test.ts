// DuplicateIntentFilter against a naive list model: same answer for every
// lookup over random record/expire sequences with colliding intents.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DuplicateIntentFilter } from '../../src/risk/index.ts';

const SEED = 20_260_302;

describe('DuplicateIntentFilter against a list model', () => {
  it('finds exactly the identical intents accepted inside the window', () => {
    const op = fc.record({
      dtUs: fc.integer({ min: 0, max: 40 }),
      inst: fc.integer({ min: 0, max: 1 }),
      buy: fc.boolean(),
      type: fc.integer({ min: 1, max: 2 }),
      px: fc.oneof(fc.integer({ min: 100, max: 104 }), fc.constant(2 ** 40 + 100)),
      lots: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 400 }), (ops) => {
        const W = 100;
        const f = new DuplicateIntentFilter(64, W);
        const model: { ts: number; key: string }[] = [];
        let now = 0;
        for (const o of ops) {
          now += o.dtUs;
          const side = o.buy ? 1 : -1;
          const key = `${o.inst}/${side}/${o.type}/${o.px}/${o.lots}`;
          f.expire(now);
          while (model.length > 0 && now - model[0]!.ts >= W) model.shift();
          const hit = model.find((m) => m.key === key);
          const age = f.findAgeUs(now, o.inst, side, o.type, o.px, o.lots);
          expect(age).toBe(hit ? now - hit.ts : -1);
          if (!hit && model.length < 64) {
            f.record(now, o.inst, side, o.type, o.px, o.lots);
            model.push({ ts: now, key });
          }
          expect(f.size).toBe(model.length);
        }
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
