/**
 * Deterministic record/replay: the md ring's records are the recording, and
 * replaying a recording in simulated time reproduces every fill of the run
 * that recorded it (same fillsHash), twice in a row.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRecording } from '../../src/feed/recording/index.ts';
import type { RunSummary } from '../../src/core/engine/summary.ts';

const BUSY = 'test/fixtures/engine/busy-market.json';
const SHIPPED = 'test/fixtures/recordings/synthetic-seed1-25s.qrec';
const tmp = mkdtempSync(join(tmpdir(), 'qhft-rec-'));
let n = 0;

function qhft(cmd: string, args: string[]): { code: number | null; stderr: string; stdout: string; summary?: RunSummary } {
  const file = join(tmp, `s${n++}.json`);
  const r = spawnSync(process.execPath, ['bin/qhft.js', cmd, '--no-http', '--summary-json', file, ...args], {
    encoding: 'utf8',
    env: { ...process.env, QHFT_MYSQL_URL: '', QHFT_JOURNAL_DIR: join(tmp, 'journal') },
    timeout: 120_000,
  });
  let summary: RunSummary | undefined;
  try {
    summary = JSON.parse(readFileSync(file, 'utf8')) as RunSummary;
  } catch {
    summary = undefined;
  }
  return { code: r.status, stderr: r.stderr, stdout: r.stdout, summary };
}

describe('record and replay', () => {
  it('replays a recording twice with the identical fill stream of the live run that recorded it', () => {
    const rec = join(tmp, 'live.qrec');
    const live = qhft('run', ['--clock', 'sim', '--duration', '15s', '--topology', 'fused', '--config', BUSY, '--seed', '3', '--record', rec]);
    expect(live.code, live.stderr).toBe(0);
    expect(live.summary!.fills).toBeGreaterThan(0);
    const d = describeRecording(rec);
    expect(d.frames).toBe(live.summary!.events.in);
    expect(d.truncatedTailBytes).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = qhft('run', ['--source', 'replay', '--replay-file', rec, '--clock', 'sim', '--topology', 'fused', '--config', BUSY]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.summary!.events.in).toBe(live.summary!.events.in);
      expect(r.summary!.fillsHash).toBe(live.summary!.fillsHash);
      expect(r.summary!.pnl).toEqual(live.summary!.pnl);
      expect(r.summary!.lost).toBe(0);
    }
  });

  it('replays the shipped recording deterministically, in both topologies', () => {
    const args = ['--source', 'replay', '--replay-file', SHIPPED, '--clock', 'sim', '--config', BUSY];
    const a = qhft('run', [...args, '--topology', 'fused']);
    const b = qhft('run', [...args, '--topology', 'dedicated']);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.summary!.fills).toBeGreaterThan(0);
    expect(b.summary!.fillsHash).toBe(a.summary!.fillsHash);
  });

  it('still replays the valid prefix of a recording with a torn tail', () => {
    const torn = join(tmp, 'torn.qrec');
    copyFileSync(SHIPPED, torn);
    truncateSync(torn, Math.floor(statSync(torn).size * 0.7) + 3);
    const d = describeRecording(torn);
    expect(d.truncatedTailBytes).toBeGreaterThan(0);
    const r = qhft('run', ['--source', 'replay', '--replay-file', torn, '--clock', 'sim', '--topology', 'fused', '--config', BUSY]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary!.events.in).toBe(d.frames);
  });

  it('records without trading and describes the file', () => {
    const rec = join(tmp, 'notrade.qrec');
    const r = qhft('record', ['--record', rec, '--clock', 'sim', '--duration', '5s', '--topology', 'fused']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary!.orders.submitted).toBe(0);
    const info = spawnSync(process.execPath, ['bin/qhft.js', 'record', '--info', rec], { encoding: 'utf8' });
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/source synthetic, seed 1/);
    expect(info.stdout).toMatch(new RegExp(`${r.summary!.events.in} frames`));
  });

  it('refuses a replay file that is not a recording, naming it', () => {
    const bogus = join(tmp, 'bogus.qrec');
    copyFileSync(BUSY, bogus);
    const r = qhft('run', ['--source', 'replay', '--replay-file', bogus]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid --replay-file: ".*bogus\.qrec"/);
  });
});
