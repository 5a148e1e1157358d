import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { timeWeightedQuantileNs } from '../../bench/lib/hiccup-meter.ts';

const SEED = 20261124;

/**
 * Model: time in whole µs; an arrival in µs k of a gap of g µs waits g − k
 * (k = 0..g−1), an arrival outside any gap waits 0. Sort every arrival's
 * wait and take the q-quantile.
 */
function modelQuantileUs(gapsUs: number[], totalUs: number, q: number): number {
  const waits: number[] = new Array<number>(totalUs - gapsUs.reduce((a, b) => a + b, 0)).fill(0);
  for (const g of gapsUs) for (let k = 0; k < g; k++) waits.push(g - k);
  waits.sort((a, b) => a - b);
  return waits[Math.min(waits.length - 1, Math.ceil(q * waits.length) - 1)]!;
}

describe('hiccup meter: time-weighted stall quantile', () => {
  it('matches a µs-by-µs model of random arrivals within 1 µs', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 30 }), fc.integer({ min: 0, max: 20_000 }), fc.constantFrom(0.5, 0.9, 0.99, 0.999), (gapsUs, idleUs, q) => {
        const totalUs = gapsUs.reduce((a, b) => a + b, 0) + idleUs + 1;
        const ours = timeWeightedQuantileNs(gapsUs.map((g) => g * 1000), totalUs * 1000, q) / 1000;
        expect(Math.abs(ours - modelQuantileUs(gapsUs, totalUs, q))).toBeLessThanOrEqual(1);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('is 0 when the stalls cover less than 1 − q of the time, and the longest gap at most', () => {
    expect(timeWeightedQuantileNs([5_000], 1_000_000, 0.99)).toBe(0);
    expect(timeWeightedQuantileNs([50_000, 10_000], 100_000, 0.999)).toBeLessThanOrEqual(50_000);
    expect(timeWeightedQuantileNs([50_000, 10_000], 100_000, 0.999)).toBeGreaterThan(49_000);
  });
});
