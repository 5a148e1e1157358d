/**
 * A sweep task replays in-process, single-threaded — yet it must trade
 * exactly as the threaded engine does on the same input and config: same
 * fill stream (fillsHash), same PnL, same order counts. Compared against
 * `qhft run --clock sim` in both topologies (real worker threads).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/core/engine/summary.ts';
import { runReplay } from '../../src/research/replay-runner.ts';
import { expandTasks, parseGrid } from '../../src/research/sweep-grid.ts';
import { runSweepTask } from '../../src/research/sweep-task.ts';

const BUSY = {
  synthetic: { jumpsPerHour: 3600, jumpSizeBps: 60 },
  strategy: { warmupUs: 1_000_000, baselineHalfLifeUs: 30_000_000, windowUs: 2_000_000, cooldownUs: 3_000_000, timeStopUs: 4_000_000, minBurstNotionalQuote: 10_000, minMoveBps: 10 },
};
/** Resting limit entries, timeouts and cancels, a slower pessimistic venue. */
const LIMIT = { ...BUSY, strategy: { ...BUSY.strategy, entryOrderType: 'limit' }, venue: { entryLatencyUs: 2_000, queueModel: 'pessimistic' } };
const tmp = mkdtempSync(join(tmpdir(), 'qhft-sweep-eq-'));
let n = 0;

function engine(sections: object, seed: number, topology: 'fused' | 'dedicated'): RunSummary {
  const config = join(tmp, `config${n}.json`);
  writeFileSync(config, JSON.stringify(sections));
  const out = join(tmp, `summary${n++}.json`);
  const r = spawnSync(
    process.execPath,
    ['bin/qhft.js', 'run', '--clock', 'sim', '--duration', '10s', '--topology', topology, '--no-http', '--seed', String(seed), '--config', config, '--summary-json', out],
    { encoding: 'utf8', timeout: 110_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as RunSummary;
}

function sweepRow(sections: Record<string, Record<string, unknown>>, seed: number) {
  const [task] = expandTasks(parseGrid({ inputs: { synthetic: { seeds: [seed], durationS: 10 } }, base: sections }));
  const row = runSweepTask(task!);
  expect(row.ok, row.error).toBe(true);
  expect(row.fills).toBeGreaterThan(0);
  expect(row.lost).toBe(0);
  return row;
}

describe('sweep task vs threaded engine', () => {
  // The dedicated run is limited to the case where the engine's two
  // topologies agree with each other (busy market, seed 7, as engine-e2e);
  // they do not for every input (see the sweep issue note), and a sweep
  // task is, by construction, the fused pipeline.
  it.each([
    ['busy market, seed 7', 'fused', BUSY, 7],
    ['busy market, seed 7', 'dedicated', BUSY, 7],
    ['limit entries + 2 ms pessimistic venue, seed 11', 'fused', LIMIT, 11],
  ] as const)('%s: same fill stream and PnL as `qhft run --topology %s`', (_name, topology, sections, seed) => {
    const row = sweepRow(sections as Record<string, Record<string, unknown>>, seed);
    const s = engine(sections, seed, topology);
    expect(row.fillsHash).toBe(s.fillsHash);
    expect(row.fills).toBe(s.fills);
    expect(row.events).toBe(s.events.in);
    expect(row.ordersSubmitted).toBe(s.orders.submitted);
    expect(row.ordersAccepted).toBe(s.orders.accepted);
    expect(row.denied).toEqual(s.orders.denied);
    expect(row.pnlRealized).toBe(s.pnl.realized);
    expect(row.pnlFees).toBe(s.pnl.fees);
    expect(row.pnlNet).toBe(s.pnl.net);
    // The engine measures latency (every order's tick-to-trade)…
    expect(s.latencyUs.tickToTrade.count).toBe(s.orders.accepted);
    expect(Object.keys(s.latencyUs.hops)).toEqual(expect.arrayContaining(['feed>sanitizer', 'sanitizer>strategy', 'strategy>risk', 'risk>execution']));
  });

  it('replays without latency measurement (no hop histogram filled) and still trades', () => {
    // …a sweep task does not (EngineStageParams.latency): its figures would be
    // function-call times nobody reads, at ~25 % of a replay's cost. The test
    // above shows the decisions are the engine's all the same.
    const [task] = expandTasks(parseGrid({ inputs: { synthetic: { seeds: [7], durationS: 10 } }, base: BUSY }));
    const o = runReplay(task!.spec);
    expect(o.summary.fills).toBeGreaterThan(0);
    expect(o.summary.latencyUs.hops).toEqual({});
    expect(o.summary.latencyUs.tickToTrade.count).toBe(0);
  });
});

describe('sweep task on a recording', () => {
  it('replays a `qhft run --record` recording to the recorded run’s fill stream', () => {
    const rec = join(tmp, 'busy7.qrec');
    const out = join(tmp, 'recorded.json');
    const config = join(tmp, 'busy.json');
    writeFileSync(config, JSON.stringify(BUSY));
    const r = spawnSync(
      process.execPath,
      ['bin/qhft.js', 'run', '--clock', 'sim', '--duration', '10s', '--topology', 'fused', '--no-http', '--seed', '7', '--config', config, '--record', rec, '--summary-json', out],
      { encoding: 'utf8', timeout: 110_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(out, 'utf8')) as RunSummary;
    const [task] = expandTasks(parseGrid({ inputs: { recordings: [rec] }, base: BUSY }));
    const row = runSweepTask(task!);
    expect(row.ok, row.error).toBe(true);
    expect(row.events).toBe(s.events.in);
    expect(s.lost).toBe(0);
    expect(row.lost).toBe(0);
    expect(row.fills).toBeGreaterThan(0);
    expect(row.fillsHash).toBe(s.fillsHash);
    expect(row.pnlNet).toBe(s.pnl.net);
  });
});
