/**
 * `qhft run --explain`: the thread layout a user is about to run — threads,
 * the stages on each, every ring with its size and policy, the wait
 * strategy, the instruments — printed without starting anything (no
 * workers, no network, no database), exit 0.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { RINGS } from '../../src/core/engine/topology.ts';

function explain(...args: string[]): string {
  const r = spawnSync(process.execPath, ['bin/qhft.js', 'run', '--explain', ...args], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout + r.stderr;
}

describe('qhft run --explain', () => {
  it('dedicated (the default): one worker per stage, every ring with size and policy, the instruments', () => {
    const out = explain();
    expect(out).toMatch(/^topology: dedicated$/m);
    for (const stage of ['feed', 'sanitizer', 'strategy', 'risk', 'execution']) {
      expect(out).toMatch(new RegExp(`^  ${stage} +\\(worker\\) +stages: ${stage}; wait strategy: \\S+`, 'm'));
    }
    expect(out).toMatch(/^ {2}writer +\(worker\)/m);
    for (const r of RINGS) expect(out).toMatch(new RegExp(`^  ${r.name.replace('.', '\\.')} +${r.from} → ${r.to} +\\d+ [KM]iB +(block|drop-oldest|drop-newest)`, 'm'));
    expect(out).toMatch(/^instruments: 0=BTC-USDT-SWAP 1=ETH-USDT-SWAP$/m);
    expect(out).toMatch(/^cores: \d+; hot threads: 5;/m);
  });

  it('fused: sanitizer → strategy → risk → execution on one core worker, fed by the feed worker', () => {
    const out = explain('--topology', 'fused', '--clock', 'sim', '--idle', 'busy-spin');
    expect(out).toMatch(/^topology: fused$/m);
    expect(out).toMatch(/^ {2}core +\(worker\) +stages: sanitizer → strategy → risk → execution; wait strategy: busy-spin$/m);
    expect(out).not.toMatch(/^ {2}sanitizer +\(worker\)/m);
    expect(out).toMatch(/^clock: sim \(stages take turns/m);
    expect(out).toMatch(/^cores: \d+; hot threads: 2;/m);
  });

  it('--source okx names the instruments it will load, offline (no REST call at --explain)', () => {
    const out = explain('--source', 'okx', '--symbols', 'SOL-USDT-SWAP,BTC-USDT-SWAP', '--okx-rest-url', 'http://127.0.0.1:9');
    expect(out).toMatch(/^instruments: 0=SOL-USDT-SWAP 1=BTC-USDT-SWAP \(tick and lot sizes loaded from OKX at start\)$/m);
  });
});
