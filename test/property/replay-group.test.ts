/**
 * A replay group (one feed and one sanitizer in front of several lanes of
 * strategy → risk → execution, src/research/replay-runner.ts) must decide,
 * in every lane, exactly what a replay of that lane's parameters alone
 * decides: same fill stream, orders, denials, signals, PnL and PnL series.
 * Lanes share the sanitizer's decoded carriers and books, so a lane that
 * wrote to them, or took a hand-off meant for the next, would show here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayStreamKey, runReplay, runReplayGroup, type ReplayOutcome, type ReplaySpec } from '../../src/research/replay-runner.ts';
import { expandTasks, parseGrid } from '../../src/research/sweep-grid.ts';

const SHIPPED = join(import.meta.dirname, '..', 'fixtures', 'recordings', 'synthetic-seed1-25s.qrec');
const BUSY = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'engine', 'busy-market.json'), 'utf8')) as Record<string, Record<string, unknown>>;

/** What a lane decided (everything but timings). */
function decisions(o: ReplayOutcome) {
  const s = o.summary;
  return {
    fillsHash: s.fillsHash,
    fills: s.fills,
    fillCauses: s.fillCauses,
    orders: s.orders,
    signals: s.signals,
    events: s.events,
    pnl: s.pnl,
    lost: s.lost,
    tradingState: s.tradingState,
    metrics: o.metrics,
    filledOrders: o.filledOrders,
    replayed: o.events,
    stageErrors: o.stageErrors,
  };
}

interface LaneParams {
  minMoveBps: number;
  entry: 'ioc' | 'limit';
  queueModel: 'optimistic' | 'pro-rata' | 'pessimistic';
  entryLatencyUs: number;
  maxPositionLots: number;
}

const laneParams: fc.Arbitrary<LaneParams> = fc.record({
  minMoveBps: fc.integer({ min: 3, max: 20 }),
  entry: fc.constantFrom('ioc' as const, 'limit' as const),
  queueModel: fc.constantFrom('optimistic' as const, 'pro-rata' as const, 'pessimistic' as const),
  entryLatencyUs: fc.constantFrom(0, 500, 2_000, 20_000),
  maxPositionLots: fc.integer({ min: 1, max: 3 }),
});

function specFor(input: 'recording' | 'synthetic', p: LaneParams): ReplaySpec {
  const base = {
    synthetic: BUSY.synthetic,
    strategy: { ...BUSY.strategy, minMoveBps: p.minMoveBps, entryOrderType: p.entry },
    risk: { defaultMaxPositionLots: p.maxPositionLots },
    venue: { queueModel: p.queueModel, entryLatencyUs: p.entryLatencyUs },
  };
  const inputs = input === 'recording' ? { recordings: [SHIPPED] } : { synthetic: { seeds: [5], durationS: 20 } };
  const [task] = expandTasks(parseGrid({ inputs, base }));
  return task!.spec;
}

describe('replay group: lanes behind one sanitizer', () => {
  for (const input of ['recording', 'synthetic'] as const) {
    it(`each lane decides what it would alone (${input === 'recording' ? 'the shipped recording' : 'synthetic seed 5'})`, () => {
      let lanesWithFills = 0;
      let distinct = 0;
      fc.assert(
        fc.property(fc.array(laneParams, { minLength: 2, maxLength: 4 }), (params) => {
          const specs = params.map((p) => specFor(input, p));
          expect(new Set(specs.map(replayStreamKey)).size).toBe(1);
          const group = runReplayGroup(specs);
          const alone = specs.map((s) => decisions(runReplay(s)));
          group.forEach((lane, i) => {
            if (!lane.ok) throw lane.error;
            expect(lane.outcome.groupSize).toBe(specs.length);
            expect(decisions(lane.outcome)).toEqual(alone[i]);
            if (lane.outcome.summary.fills > 0) lanesWithFills++;
          });
          distinct += new Set(alone.map((a) => a.fillsHash)).size > 1 ? 1 : 0;
        }),
        { numRuns: 6, seed: 20261125 },
      );
      // Not vacuous: lanes traded, and lanes in one group traded differently.
      expect(lanesWithFills).toBeGreaterThan(6);
      expect(distinct).toBeGreaterThan(2);
    }, 120_000);
  }

  it('a lane whose parameters a component refuses fails alone; the others run as they would alone', () => {
    const good = specFor('recording', { minMoveBps: 5, entry: 'ioc', queueModel: 'pro-rata', entryLatencyUs: 0, maxPositionLots: 2 });
    const bad: ReplaySpec = { ...good, venue: { ...good.venue, queueModel: 'psychic' } };
    const group = runReplayGroup([bad, good]);
    expect(group[0]!.ok).toBe(false);
    expect(String((group[0] as { error: unknown }).error)).toMatch(/queueModel/);
    expect(group[1]!.ok).toBe(true);
    if (group[1]!.ok) {
      expect(group[1].outcome.groupSize).toBe(1);
      expect(decisions(group[1].outcome)).toEqual(decisions(runReplay(good)));
    }
  });

  it('refuses specs that do not share one market stream', () => {
    const a = specFor('recording', { minMoveBps: 5, entry: 'ioc', queueModel: 'pro-rata', entryLatencyUs: 0, maxPositionLots: 2 });
    const b: ReplaySpec = { ...a, sanitizer: { ...a.sanitizer, spikeThresholdBps: 1 } };
    expect(() => runReplayGroup([a, b])).toThrow(/one market stream/);
  });
});
