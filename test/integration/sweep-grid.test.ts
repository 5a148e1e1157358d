/**
 * Sweeps on a real piscina pool (synthetic seeds and the shipped
 * recording): the expected number of rows, identical per-task results
 * across runs and whatever the thread count, a task the strategy refuses
 * reported with its parameters while the others finish, and six fill-model
 * band rows per parameter set.
 */
import { describe, expect, it } from 'vitest';
import { expandTasks, parseGrid } from '../../src/research/sweep-grid.ts';
import { runSweep } from '../../src/research/sweep.ts';
import type { SweepResult } from '../../src/research/sweep-result.ts';

const BUSY = {
  synthetic: { jumpsPerHour: 3600, jumpSizeBps: 60 },
  strategy: { warmupUs: 1_000_000, baselineHalfLifeUs: 30_000_000, windowUs: 3_000_000, cooldownUs: 3_000_000, timeStopUs: 4_000_000, minBurstNotionalQuote: 10_000, minMoveBps: 10 },
};

/** What must not depend on the thread that ran a task. */
function essence(r: SweepResult) {
  return { taskId: r.taskId, ok: r.ok, error: r.error, events: r.events, fillsHash: r.fillsHash, fills: r.fills, pnlNet: r.pnlNet, sharpe: r.sharpe, maxDrawdown: r.maxDrawdown, denied: r.denied };
}

describe('qhft sweep on a piscina pool', () => {
  // windowBuckets 128 passes the grid (10 s / 128 is whole) but not the hunter
  // with this base windowUs (3 s / 128 is not): those two tasks must fail alone.
  const grid = parseGrid({
    inputs: { synthetic: { seeds: [7], durationS: 20 } },
    base: BUSY,
    grid: { 'strategy.windowBuckets': [10, 20, 128], 'strategy.stopLossBps': [5, 25] },
  });
  const tasks = expandTasks(grid);

  it('returns one row per task, the same on 1 and 2 threads, and reports a refused parameter set without stopping', async () => {
    expect(tasks).toHaveLength(6);
    const one = await runSweep(tasks, { threads: 1 });
    const two = await runSweep(tasks, { threads: 2 });
    expect(one.results).toHaveLength(6);
    expect(two.results).toHaveLength(6);
    expect(one.cancelled).toBe(false);
    expect(two.results.map(essence)).toEqual(one.results.map(essence));
    // Both threads did work in the 2-thread pool.
    expect(new Set(two.results.map((r) => r.threadId)).size).toBe(2);

    const failed = one.results.filter((r) => !r.ok);
    expect(failed.map((r) => r.params['strategy.windowBuckets'])).toEqual([128, 128]);
    for (const f of failed) {
      expect(f.error).toMatch(/windowUs must be a multiple of windowBuckets/);
      expect(f.params).toHaveProperty(['strategy.stopLossBps']);
    }
    const ok = one.results.filter((r) => r.ok);
    expect(ok).toHaveLength(4);
    for (const r of ok) {
      expect(r.events).toBeGreaterThan(50_000);
      expect(r.fills).toBeGreaterThan(0);
      expect(r.fillsHash).toMatch(/^[0-9a-f]{16}$/);
      expect(r.lost).toBe(0);
      expect(r.pnlNet).toBeCloseTo(r.pnlRealized + r.pnlUnrealized - r.pnlFees + r.pnlFunding, 9);
      expect(r.maxDrawdown).toBeGreaterThanOrEqual(0);
      expect(r.fillRate).toBeGreaterThan(0);
      expect(r.fillRate).toBeLessThanOrEqual(1);
    }
    // The parameters matter: not every successful task traded alike.
    expect(new Set(ok.map((r) => r.pnlNet)).size).toBeGreaterThan(1);
  });

  it('replays each parameter set under six fill-model bands', async () => {
    const g = parseGrid(
      { inputs: { synthetic: { seeds: [7], durationS: 10 } }, base: { ...BUSY, strategy: { ...BUSY.strategy, entryOrderType: 'limit' } } },
      { bands: true },
    );
    const out = await runSweep(expandTasks(g), { threads: 2 });
    expect(out.results).toHaveLength(6);
    expect(out.results.every((r) => r.ok && r.paramSetId === 0)).toBe(true);
    expect(out.results.map((r) => r.band)).toEqual(['optimistic+0ms', 'optimistic+5ms', 'pro-rata+0ms', 'pro-rata+5ms', 'pessimistic+0ms', 'pessimistic+5ms']);
    // Added latency changes what fills on this input.
    expect(out.results[1]!.fillsHash).not.toBe(out.results[0]!.fillsHash);
    for (const r of out.results) {
      // Every fill has exactly one cause; the exits are IOCs, so some take liquidity.
      expect(r.fillsTaker + r.fillsQueue + r.fillsTradeThrough + r.fillsBookCross).toBe(r.fills);
      expect(r.fillsTaker).toBeGreaterThan(0);
    }
    // Bands whose runs had no queue-decided fill must agree across queue models (same latency).
    for (const lat of ['+0ms', '+5ms']) {
      const same = out.results.filter((r) => r.band.endsWith(lat));
      if (same.every((r) => r.fillsQueue === 0)) expect(new Set(same.map((r) => r.fillsHash)).size).toBe(1);
    }
  });

  it('keeps finished results when cancelled', async () => {
    const abort = new AbortController();
    const out = await runSweep(tasks, {
      threads: 1,
      maxGroup: 2, // three replay groups of two: cancelled after the first
      signal: abort.signal,
      onResult: (_r, p) => {
        if (p.done === 2) abort.abort();
      },
    });
    expect(out.cancelled).toBe(true);
    expect(out.results.length).toBeGreaterThanOrEqual(2);
    expect(out.results.length).toBeLessThan(6);
  });

  it('sweeps the shipped recording: four rows, identical across runs and thread counts, and the parameters matter', async () => {
    const shipped = parseGrid({
      inputs: { recordings: ['test/fixtures/recordings/synthetic-seed1-25s.qrec'] },
      base: { strategy: BUSY.strategy, risk: { defaultMaxPositionLots: 2 } }, // the recording's own config (test/fixtures/engine/busy-market.json)
      grid: { 'strategy.timeStopUs': [1_000_000, 4_000_000], 'strategy.entryOrderType': ['ioc', 'limit'] },
    });
    const tasks = expandTasks(shipped);
    expect(tasks).toHaveLength(4);
    const a = await runSweep(tasks, { threads: 1 });
    const b = await runSweep(tasks, { threads: 1 });
    const c = await runSweep(tasks, { threads: 2 });
    const alone = await runSweep(tasks, { threads: 2, maxGroup: 1 });
    for (const out of [a, b, c, alone]) expect(out.results.map((r) => [r.taskId, r.ok, r.error])).toEqual([[0, true, ''], [1, true, ''], [2, true, ''], [3, true, '']]);
    expect(b.results.map(essence)).toEqual(a.results.map(essence));
    expect(c.results.map(essence)).toEqual(a.results.map(essence));
    expect(alone.results.map(essence)).toEqual(a.results.map(essence));
    // One replay group of four on one thread, two of two on two, each task alone with maxGroup 1.
    expect([a, c, alone].map((out) => out.results.map((r) => r.groupSize))).toEqual([[4, 4, 4, 4], [2, 2, 2, 2], [1, 1, 1, 1]]);
    for (const r of a.results) {
      expect(r.events).toBeGreaterThan(5_000); // the whole recording, every task
      expect(r.events).toBe(a.results[0]!.events);
      expect(r.fills).toBeGreaterThan(0);
      expect(r.lost).toBe(0);
    }
    expect(new Set(a.results.map((r) => r.fillsHash)).size).toBe(4);
  });

  it('queues more than ten tasks without a listener-leak warning on the user\'s terminal', async () => {
    const many = expandTasks(parseGrid({ inputs: { synthetic: { seeds: Array.from({ length: 12 }, (_, i) => i + 1), durationS: 1 } }, base: BUSY }));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const out = await runSweep(many, { threads: 1 });
      expect(out.results).toHaveLength(12);
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });
});
