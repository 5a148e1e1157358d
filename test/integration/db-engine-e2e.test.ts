/**
 * The engine's writer end to end, against a real MariaDB/MySQL (never a mock),
 * in a database of its own (`qhft_e2e_<random>`, created and dropped here):
 * a deterministic synthetic run (--clock sim --topology fused) persists rows
 * whose counts equal the run's summary, the fill stream in the database
 * hashes to the summary's fillsHash, the lineage query joins a fill back to
 * its signal; a run whose database does not answer keeps trading on the
 * journal, says how to load it, and `qhft load-journal` then loads it with
 * the same counts (and loading twice duplicates nothing).
 * Server: QHFT_TEST_MYSQL_URL, default mysql://root@127.0.0.1:3306/test.
 * Under CI a missing server FAILS; elsewhere the suite is skipped with a warning.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FillHash } from '../../src/core/engine/fill-hash.ts';
import type { RunSummary } from '../../src/core/engine/summary.ts';
import { withDatabase } from '../../src/gateway/db/connection.ts';
import type { EngineWriterStats } from '../../src/gateway/db/engine-writer.ts';
import { migrate } from '../../src/gateway/db/migrate.ts';
import { LINEAGE_SQL } from '../../src/gateway/db/queries.ts';
import { sql, TEST_MYSQL_URL, testDatabaseUp } from '../support/test-database.ts';

const BASE_URL = TEST_MYSQL_URL;
const dbUp = await testDatabaseUp('db-engine-e2e');

const BUSY = 'test/fixtures/engine/busy-market.json';
const SIM = ['--clock', 'sim', '--topology', 'fused', '--duration', '60s', '--config', BUSY, '--seed', '7', '--no-http'];
const DOWN_URL = 'mysql://root@127.0.0.1:1/qhft_unreachable';

type Summary = RunSummary & { writer: EngineWriterStats };

function qhft(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/qhft.js', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}


async function one(url: string, q: string, params: unknown[] = []): Promise<number> {
  const [r] = await sql(url, q, params);
  return Number(Object.values(r!)[0]);
}

/** Row counts of one run, as the summary counts them. */
async function counts(url: string, run: number) {
  return {
    fills: await one(url, 'SELECT COUNT(*) FROM fills WHERE run_id = ?', [run]),
    distinctFills: await one(url, 'SELECT COUNT(DISTINCT fill_id) FROM fills WHERE run_id = ?', [run]),
    orders: await one(url, 'SELECT COUNT(*) FROM orders WHERE run_id = ?', [run]),
    accepted: await one(url, 'SELECT COUNT(*) FROM orders WHERE run_id = ? AND risk_decision = 1', [run]),
    denied: await one(url, 'SELECT COUNT(*) FROM orders WHERE run_id = ? AND risk_decision = 2', [run]),
    signals: await one(url, 'SELECT COUNT(*) FROM signals WHERE run_id = ?', [run]),
    noTradeSignals: await one(url, 'SELECT COUNT(*) FROM signals WHERE run_id = ? AND action = 0', [run]),
  };
}

function expectCountsMatch(c: Awaited<ReturnType<typeof counts>>, s: RunSummary): void {
  const denied = Object.values(s.orders.denied).reduce((a, b) => a + b, 0);
  expect(s.fills).toBeGreaterThan(0);
  expect(c.fills).toBe(s.fills);
  expect(c.distinctFills).toBe(s.fills);
  expect(c.orders).toBe(s.orders.submitted);
  expect(c.accepted).toBe(s.orders.accepted);
  expect(c.denied).toBe(denied);
  expect(c.signals).toBe(s.signals);
}

/** The fill stream as stored, hashed the way the engine hashes it. */
async function dbFillsHash(url: string, run: number): Promise<string> {
  const rows = await sql(url, 'SELECT fill_id, client_order_id, instrument_id, side, price_ticks, size_lots FROM fills WHERE run_id = ? ORDER BY fill_id', [run]);
  const h = new FillHash();
  for (const r of rows) h.add(Number(r.fill_id), Number(r.client_order_id), Number(r.instrument_id), Number(r.side), Number(r.price_ticks), Number(r.size_lots));
  return h.hex();
}

describe.skipIf(!dbUp)('engine → writer thread → MariaDB (real server)', () => {
  const dbName = `qhft_e2e_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const url = withDatabase(BASE_URL, dbName);
  const dir = mkdtempSync(join(tmpdir(), 'qhft-db-e2e-'));

  beforeAll(async () => {
    await migrate(url, { createDatabase: true });
  });

  afterAll(async () => {
    await sql(BASE_URL, `DROP DATABASE IF EXISTS \`${dbName}\``).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a synthetic run persists rows that match its summary, hash and lineage', async () => {
    const t0 = Date.now();
    const file = join(dir, 'a.json');
    const r = qhft(['run', ...SIM, '--mysql-url', url, '--journal-dir', join(dir, 'ja'), '--summary-json', file]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(file, 'utf8')) as Summary;
    const run = s.writer.runId;
    console.log(`[db-engine-e2e] run ${run}: ${s.fills} fills, ${s.orders.submitted} orders, ${s.signals} signals; writer ${s.writer.rowsWritten} rows, ${s.writer.errors} errors (${Date.now() - t0} ms)`);
    expect(r.stdout).toContain('writer: all rows written to');
    expect(s.writer.state).toBe('closed');
    expect(s.writer.journalRows).toBe(0);
    expect(s.writer.acked).toBe(s.writer.forwarded);

    const c = await counts(url, run);
    expectCountsMatch(c, s);
    expect(c.noTradeSignals).toBeGreaterThan(0);
    expect(await dbFillsHash(url, run)).toBe(s.fillsHash);

    // Every approved order reached the venue; every fill's order is filled there.
    expect(await one(url, 'SELECT COUNT(*) FROM orders WHERE run_id = ? AND risk_decision = 1 AND venue_status IS NULL', [run])).toBe(0);
    expect(await one(url, 'SELECT COUNT(*) FROM fills f JOIN orders o ON o.run_id = f.run_id AND o.client_order_id = f.client_order_id WHERE f.run_id = ?', [run])).toBe(s.fills);
    // Denied orders carry DRBGuard's reason, by the summary's counts.
    const denies = await sql(url, 'SELECT deny_reason, COUNT(*) AS n FROM orders WHERE run_id = ? AND risk_decision = 2 GROUP BY deny_reason', [run]);
    expect(Object.fromEntries(denies.map((d) => [String(d.deny_reason), Number(d.n)]))).toEqual(s.orders.denied);

    // Lineage: a fill back to the signal that caused it, with a timestamp at every stage.
    const [f] = await sql(url, 'SELECT fill_id FROM fills WHERE run_id = ? ORDER BY fill_id LIMIT 1', [run]);
    const [lin] = await sql(url, LINEAGE_SQL, [run, f!.fill_id]);
    expect(lin).toBeDefined();
    expect(Number(lin!.signal_id)).toBeGreaterThan(0);
    expect(String(lin!.signal_reason)).toMatch(/^(ENTER|EXIT)_/);
    expect(Number(lin!.risk_decision)).toBe(1);
    expect(lin!.symbol).toMatch(/-USDT-SWAP$/);
    for (const col of ['ts_signal_us', 'ts_risk_us', 'ts_venue_ack_us', 'ts_fill_us']) expect(lin![col], col).not.toBeNull();

    // The run row carries its end and summary; instruments and latency summaries are there.
    const [runRow] = await sql(url, 'SELECT * FROM runs WHERE run_id = ?', [run]);
    expect(runRow!.exit_reason).toBe('feed-done');
    expect(runRow!.ended_unix_us).not.toBeNull();
    expect(runRow!.config_hash).toMatch(/^[0-9a-f]{64}$/);
    expect((JSON.parse(String(runRow!.summary_json)) as RunSummary).fillsHash).toBe(s.fillsHash);
    expect(await one(url, 'SELECT COUNT(*) FROM instruments WHERE run_id = ?', [run])).toBe(2);
    const [t2t] = await sql(url, "SELECT sample_count, hdr_base64 FROM latency_summaries WHERE run_id = ? AND hop = 'tick>trade'", [run]);
    expect(Number(t2t!.sample_count)).toBe(s.latencyUs.tickToTrade.count);
    expect(String(t2t!.hdr_base64).length).toBeGreaterThan(10);
    expect(await one(url, 'SELECT COUNT(*) FROM position_snapshots WHERE run_id = ?', [run])).toBeGreaterThan(0);
    expect(await one(url, 'SELECT COUNT(*) FROM liquidations WHERE run_id = ?', [run])).toBeGreaterThan(0);
    expect(await one(url, 'SELECT COUNT(*) FROM market_trades WHERE run_id = ?', [run])).toBeGreaterThan(0);

    // The fills log reports every fill once durable.
    const logged = readFileSync(join(dir, 'ja', 'fills.log'), 'utf8').trim().split('\n').filter((l) => l.startsWith(`${run} `));
    expect(logged).toHaveLength(s.fills);
  });

  it('without a reachable database the run trades on the journal, says how to load it, and load-journal loads it', async () => {
    const t0 = Date.now();
    const file = join(dir, 'b.json');
    const jdir = join(dir, 'jb');
    const r = qhft(['run', ...SIM, '--mysql-url', DOWN_URL, '--journal-dir', jdir, '--summary-json', file]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(file, 'utf8')) as Summary;
    expect(s.fills).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/writer: MySQL mysql:\/\/root@127\.0\.0\.1:1\/qhft_unreachable: unreachable/);
    expect(r.stderr).toContain('trading continues');
    expect(r.stdout).toMatch(/rows \(\d+ bytes\) left in journal .*writer\.journal/);
    expect(r.stdout).toMatch(/qhft migrate && qhft load-journal/);
    expect(s.writer.journalRows).toBeGreaterThan(0);
    expect(s.writer.rowsWritten).toBe(0);
    expect(s.writer.acked).toBe(s.writer.forwarded);
    const journal = join(jdir, 'writer.journal');
    expect(existsSync(journal)).toBe(true);
    // Same seed, same market: the journal-only run traded exactly like the first one.
    const a = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as Summary;
    expect(s.fillsHash).toBe(a.fillsHash);

    const load = qhft(['load-journal', '--mysql-url', url, '--journal', journal]);
    expect(load.code, load.stderr).toBe(0);
    expect(load.stdout).toMatch(/loaded \d+ rows/);
    const run = s.writer.runId;
    expectCountsMatch(await counts(url, run), s);
    expect(await dbFillsHash(url, run)).toBe(s.fillsHash);
    // Loading again finds an empty journal; nothing is duplicated either way.
    const again = qhft(['load-journal', '--mysql-url', url, '--journal', journal]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('empty; nothing to load');
    expectCountsMatch(await counts(url, run), s);
    console.log(`[db-engine-e2e] journal-only run ${run}: ${s.writer.journalRows} rows journalled and loaded (${Date.now() - t0} ms)`);
  });

  it('load-journal and migrate report bad flags and database errors with exit codes 2 and 1', () => {
    const bad = qhft(['load-journal', '--nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown flag --nope');
    const missing = qhft(['load-journal', '--mysql-url', url, '--journal', join(dir, 'missing.journal')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no journal at');
    const down = qhft(['migrate', '--mysql-url', DOWN_URL]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/unreachable: .*ECONNREFUSED/);
    const noDb = qhft(['migrate', '--mysql-url', withDatabase(BASE_URL, `${dbName}_missing`)]);
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toContain('--create-database');
    const ok = qhft(['migrate', '--mysql-url', url]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('schema up to date');
  });
});
