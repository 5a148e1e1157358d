/**
 * The headless paper engine end to end, with real worker threads on the
 * synthetic market: trading happens, the risk invariants hold on every
 * fill, the accounting closes, shutdown leaves no thread behind, the fill
 * stream is deterministic in simulated time (and identical across
 * topologies), and failures are reported loudly.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEngineConfig, parseArgv } from '../../src/core/config/engine-config.ts';
import { MsgType, PositionUpdateEvent, decodePositionUpdate } from '../../src/core/codec/index.ts';
import { ProductionEngine } from '../../src/core/engine/production-engine.ts';
import type { RunSummary } from '../../src/core/engine/summary.ts';
import { StageState } from '../../src/core/stage/control-block.ts';

const BUSY = 'test/fixtures/engine/busy-market.json';
const tmp = mkdtempSync(join(tmpdir(), 'qhft-engine-'));
let n = 0;

function qhft(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string; summary?: RunSummary } {
  const file = join(tmp, `s${n++}.json`);
  const r = spawnSync(process.execPath, ['bin/qhft.js', 'run', '--no-http', '--summary-json', file, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  let summary: RunSummary | undefined;
  try {
    summary = JSON.parse(readFileSync(file, 'utf8')) as RunSummary;
  } catch {
    summary = undefined;
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, summary };
}

/** events in = accepted + rejected; every intent accepted or denied; fills reconcile. */
function expectAccountingCloses(s: RunSummary): void {
  const rejected = Object.values(s.events.rejected).reduce((a, b) => a + b, 0);
  expect(s.events.in).toBe(s.events.accepted + rejected);
  const denied = Object.values(s.orders.denied).reduce((a, b) => a + b, 0);
  expect(s.orders.submitted).toBe(s.orders.accepted + denied);
  for (const [pair, v] of Object.entries(s.reconciliation)) expect(v.received, pair).toBe(v.sent);
  expect(s.lost).toBe(0);
  expect(s.fillsHash).toMatch(/^[0-9a-f]{16}$/);
  // Every fill has exactly one cause.
  expect(s.fillCauses.taker + s.fillCauses.queue + s.fillCauses.tradeThrough + s.fillCauses.bookCross).toBe(s.fills);
}

describe('ProductionEngine on the synthetic market (real workers)', () => {
  it('trades through the dedicated pipeline with |position| ≤ max on every fill, closes its accounts and leaves no thread', async () => {
    const config = loadEngineConfig(parseArgv(['--duration', '6s', '--no-http', '--config', BUSY]), {});
    const engine = new ProductionEngine(config, () => undefined);
    const maxPositionLots = 2; // busy-market.json risk.defaultMaxPositionLots
    const pos = new PositionUpdateEvent();
    let worst = 0;
    let positionUpdates = 0;
    engine.collector.listeners.push({
      onEventRecord(_ring, msgTypeId, bytes, index) {
        if (msgTypeId !== MsgType.PositionUpdate) return;
        decodePositionUpdate(bytes, index, pos);
        positionUpdates++;
        worst = Math.max(worst, Math.abs(pos.positionLots));
      },
    });
    await engine.start();
    const reason = await engine.done;
    const { summary, exitCode } = await engine.stop(reason);
    expect(reason).toBe('duration');
    expect(exitCode).toBe(0);
    expect(summary.events.in).toBeGreaterThan(10_000);
    expect(summary.orders.submitted).toBeGreaterThan(0);
    expect(summary.fills).toBeGreaterThan(0);
    expect(positionUpdates).toBe(summary.fills);
    expect(worst).toBeLessThanOrEqual(maxPositionLots);
    expectAccountingCloses(summary);
    // Every order decided on a market event is timed; timer-driven exits have no triggering tick.
    expect(summary.latencyUs.tickToTrade.count).toBeGreaterThan(0);
    expect(summary.latencyUs.tickToTrade.count).toBeLessThanOrEqual(summary.orders.accepted);
    for (const hop of ['feed>sanitizer', 'sanitizer>strategy', 'strategy>risk', 'risk>execution']) {
      expect(summary.latencyUs.hops[hop]?.count, hop).toBeGreaterThan(0);
    }
    // Every worker exited on its own (no termination), so no thread is left.
    const stages = (engine as unknown as { stages: { state(): StageState; name: string }[] }).stages;
    for (const s of stages) expect(s.state(), s.name).toBe(StageState.Stopped);
    expect(summary.stageErrors).toEqual([]);
  });

  it('gives the identical fill stream twice in simulated time, and the same in both topologies', () => {
    // Seed 11 once diverged at the tail of a dedicated run (a backlog drained after turns were off).
    const args = ['--clock', 'sim', '--duration', '12s', '--config', BUSY, '--seed', '11'];
    const a = qhft([...args, '--topology', 'fused']);
    const b = qhft([...args, '--topology', 'fused']);
    const c = qhft([...args, '--topology', 'dedicated']);
    for (const r of [a, b, c]) {
      expect(r.code, r.stderr).toBe(0);
      expectAccountingCloses(r.summary!);
    }
    expect(a.summary!.fills).toBeGreaterThan(0);
    expect(b.summary!.fillsHash).toBe(a.summary!.fillsHash);
    expect(c.summary!.fillsHash).toBe(a.summary!.fillsHash);
    expect(b.summary!.pnl).toEqual(a.summary!.pnl);
    expect(c.summary!.pnl).toEqual(a.summary!.pnl);
    // A different seed trades differently.
    const d = qhft(['--clock', 'sim', '--duration', '12s', '--config', BUSY, '--seed', '8', '--topology', 'fused']);
    expect(d.summary!.fillsHash).not.toBe(a.summary!.fillsHash);
  });

  it('trips the kill switch and exits non-zero, naming the stage, when a stage throws', () => {
    const r = qhft(['--duration', '20s', '--config', BUSY], { QHFT_TEST_FAULT: 'strategy:throw:3000' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILURE: strategy: stage strategy: Error: injected fault in stage strategy/);
    expect(r.stderr).toMatch(/kill switch engaged/);
    expect(r.summary!.durationS).toBeLessThan(15);
    expect(r.summary!.stageErrors.join(' ')).toMatch(/strategy/);
  });

  it('detects a hung stage by its heartbeat and exits non-zero', () => {
    const r = qhft(['--duration', '30s', '--config', BUSY], { QHFT_TEST_FAULT: 'risk:hang:3000' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stage risk missed heartbeats/);
    expect(r.summary!.stageErrors.join(' ')).toMatch(/risk/);
  });

  it.each([
    [['--topology', 'ring'], /invalid --topology: "ring"/],
    [['--duration', 'forever'], /invalid --duration: "forever"/],
    [['--symbols', 'NOPE-USDT-SWAP'], /invalid --symbols: "NOPE-USDT-SWAP"/],
    [['--what'], /invalid --what/],
  ])('refuses %j with exit code 2 and starts nothing', (args, message) => {
    const t0 = Date.now();
    const r = qhft(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.summary).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
