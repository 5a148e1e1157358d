/**
 * BatchWriter, journal spill/replay and load-journal against a real
 * MariaDB/MySQL (never a mock), in a database of its own `qhft_test_<random>`.
 * Server: QHFT_TEST_MYSQL_URL, default mysql://root@127.0.0.1:3306/test.
 * Under CI a missing server FAILS; elsewhere the suite is skipped with a warning.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter, type BatchWriterOptions } from '../../src/gateway/db/batch-writer.ts';
import { withDatabase } from '../../src/gateway/db/connection.ts';
import { HEADER_BYTES, scanJournal } from '../../src/gateway/db/journal.ts';
import { loadJournal } from '../../src/gateway/db/load-journal.ts';
import { migrate } from '../../src/gateway/db/migrate.ts';
import { LINEAGE_SQL } from '../../src/gateway/db/queries.ts';
import type { BookSampleRow, FillRow, OrderRow, SignalRow } from '../../src/gateway/db/row-types.ts';
import { decodeBatch, TABLES } from '../../src/gateway/db/tables.ts';
import { DB_SUFFIX, sql, TEST_MYSQL_URL, testDatabaseUp } from '../support/test-database.ts';

const BASE_URL = TEST_MYSQL_URL;
const dbUp = await testDatabaseUp('db-writer');

const suffix = DB_SUFFIX;
const DOWN_URL = 'mysql://root@127.0.0.1:1/qhft_unreachable';


const fill = (run: number, id: number, priceTicks = 650_000 + id): FillRow => ({
  run_id: run, fill_id: id, client_order_id: id, instrument_id: 0, side: id % 2 ? 1 : -1, price_ticks: priceTicks,
  size_lots: 1 + (id % 5), liquidity: 2, fee_quote: 0.0325, ts_trigger_recv_us: 1000 * id, ts_fill_us: 1000 * id + 120,
});
const book = (run: number, id: number): BookSampleRow => ({
  run_id: run, instrument_id: id % 2, sample_id: id, ts_exchange_unix_us: 1_760_000_000_000_000 + id, ts_recv_us: 50 * id,
  bid_ticks: 650_000, bid_lots: 10, ask_ticks: 650_001, ask_lots: 12, feed_state: 0,
});
const emptyOrder = (run: number, id: number): OrderRow => ({
  run_id: run, client_order_id: id, signal_id: null, strategy_id: null, instrument_id: null, side: null, order_type: null,
  price_ticks: null, size_lots: null, reduce_only: null, ts_trigger_recv_us: null, ts_signal_us: null, risk_decision: null,
  deny_reason: null, deny_detail: null, ts_risk_us: null, venue_status: null, venue_reason: null, filled_lots: null,
  venue_update_seq: null, ts_venue_ack_us: null, ts_last_update_us: null,
});

async function count(url: string, table: string, run: number): Promise<{ n: number; distinct: number }> {
  const key = TABLES[table as keyof typeof TABLES].key;
  const [r] = await sql(url, `SELECT COUNT(*) AS n, COUNT(DISTINCT ${key.slice(1).join(', ')}) AS d FROM ${table} WHERE run_id = ?`, [run]);
  return { n: Number(r!.n), distinct: Number(r!.d) };
}

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!dbUp)('BatchWriter (real MariaDB)', () => {
  let url: string;
  let dbName: string;
  let dir: string;
  const writers: BatchWriter[] = [];
  const extraDbs: string[] = [];
  let runSeq = 1;

  function writer(o: Partial<BatchWriterOptions> & { url: string | null }): BatchWriter {
    const w = new BatchWriter({ journalPath: join(dir, `w${writers.length}.journal`), fsync: 'never', retryMinMs: 20, retryMaxMs: 100, maxBatchDelayMs: 10, ...o });
    writers.push(w);
    return w;
  }

  beforeAll(async () => {
    dbName = `qhft_test_w_${suffix}`;
    url = withDatabase(BASE_URL, dbName);
    await migrate(url, { createDatabase: true });
    dir = mkdtempSync(join(tmpdir(), 'qhft-writer-'));
  });

  afterEach(async () => {
    for (const w of writers.splice(0)) await w.close().catch(() => undefined);
  });

  afterAll(async () => {
    for (const db of [dbName, ...extraDbs]) await sql(BASE_URL, `DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the table specs name exactly the columns of the migrated schema', async () => {
    for (const spec of Object.values(TABLES)) {
      const cols = await sql(url, 'SELECT column_name AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position', [dbName, spec.name]);
      expect(cols.map((r) => String(r.c)), spec.name).toEqual([...spec.columns]);
    }
  });

  it('lands batched writes with exact counts', async () => {
    const run = runSeq++;
    const w = writer({ url, maxBatchRows: 1000 });
    for (let i = 1; i <= 5000; i++) w.write('fills', fill(run, i));
    for (let i = 1; i <= 3001; i++) w.write('book_samples', book(run, i));
    const r = await w.flush();
    expect(r).toMatchObject({ complete: true, journalRows: 0, rowsWritten: 8001 });
    expect(await count(url, 'fills', run)).toEqual({ n: 5000, distinct: 5000 });
    expect(await count(url, 'book_samples', run)).toEqual({ n: 3001, distinct: 3001 });
    const s = w.stats();
    expect(s.batches).toBeGreaterThanOrEqual(9);
    expect(s).toMatchObject({ rowsWritten: 8001, queueDepth: 0, errors: 0, journalRows: 0, state: 'ok' });
  });

  it('writing the same ids twice (a retry) creates no duplicate rows', async () => {
    const run = runSeq++;
    const w = writer({ url, maxBatchRows: 300 });
    for (let i = 1; i <= 1000; i++) w.write('fills', fill(run, i));
    await w.flush();
    // The retry carries the same ids (a different price proves first-wins).
    for (let i = 1; i <= 1000; i++) w.write('fills', fill(run, i, 1));
    for (let i = 1; i <= 1000; i++) w.write('fills', fill(run, i, 2));
    await w.flush();
    expect(await count(url, 'fills', run)).toEqual({ n: 1000, distinct: 1000 });
    const [p] = await sql(url, 'SELECT MIN(price_ticks) AS lo FROM fills WHERE run_id = ?', [run]);
    expect(Number(p!.lo)).toBe(650_001);
  });

  it('merges an order from intent, risk and venue rows; a stale venue update cannot roll it back', async () => {
    const run = runSeq++;
    const w = writer({ url });
    w.write('orders', { ...emptyOrder(run, 7), signal_id: 3, strategy_id: 1, instrument_id: 0, side: 1, order_type: 3, price_ticks: 650_010, size_lots: 4, reduce_only: 0, ts_trigger_recv_us: 100, ts_signal_us: 130 });
    w.write('orders', { ...emptyOrder(run, 7), risk_decision: 1, ts_risk_us: 140 });
    w.write('orders', { ...emptyOrder(run, 7), venue_status: 1, venue_update_seq: 1, filled_lots: 0, ts_venue_ack_us: 180, ts_last_update_us: 180 });
    w.write('orders', { ...emptyOrder(run, 7), venue_status: 4, venue_update_seq: 2, filled_lots: 4, ts_venue_ack_us: 999, ts_last_update_us: 200 });
    await w.flush();
    // A replay of the first venue update (journal retry) arrives late.
    w.write('orders', { ...emptyOrder(run, 7), venue_status: 1, venue_update_seq: 1, filled_lots: 0, ts_venue_ack_us: 180, ts_last_update_us: 180 });
    await w.flush();
    const [o] = await sql(url, 'SELECT * FROM orders WHERE run_id = ? AND client_order_id = 7', [run]);
    expect(o).toMatchObject({ signal_id: 3, side: 1, size_lots: 4, risk_decision: 1, ts_risk_us: 140, venue_status: 4, filled_lots: 4, venue_update_seq: 2, ts_venue_ack_us: 180, ts_last_update_us: 200 });
  });

  it('the lineage query explains a fill back to its signal, with every stage timestamp', async () => {
    const run = runSeq++;
    const w = writer({ url });
    w.write('instruments', { run_id: run, instrument_id: 0, symbol: 'BTC-USDT-SWAP', tick_size: 0.1, lot_size: 0.01, contract_value: 0.01, min_size_lots: 1, price_decimals: 1, size_decimals: 2, maker_fee_bps: 2, taker_fee_bps: 5 });
    const sig: SignalRow = { run_id: run, signal_id: 11, strategy_id: 1, instrument_id: 0, action: 1, side: 1, price_ticks: 650_010, size_lots: 4, reason: 'LIQ_BURST', detail: 'burst 3 liqs / 200 ms', ts_trigger_recv_us: 1_000, ts_signal_us: 1_012 };
    w.write('signals', sig);
    w.write('signals', { ...sig, signal_id: 12, action: 0, side: null, price_ticks: null, size_lots: null, reason: 'NO_TRADE_SPREAD', detail: null, ts_signal_us: 1_500 });
    w.write('orders', { ...emptyOrder(run, 21), signal_id: 11, strategy_id: 1, instrument_id: 0, side: 1, order_type: 3, price_ticks: 650_010, size_lots: 4, reduce_only: 0, ts_trigger_recv_us: 1_000, ts_signal_us: 1_012 });
    w.write('orders', { ...emptyOrder(run, 21), risk_decision: 1, ts_risk_us: 1_020 });
    w.write('orders', { ...emptyOrder(run, 21), venue_status: 4, venue_update_seq: 1, filled_lots: 4, ts_venue_ack_us: 1_050, ts_last_update_us: 1_050 });
    w.write('fills', { ...fill(run, 31), client_order_id: 21, price_ticks: 650_005, size_lots: 4, ts_trigger_recv_us: 1_000, ts_fill_us: 1_050 });
    expect((await w.flush()).complete).toBe(true);
    const rows = await sql(url, LINEAGE_SQL, [run, 31]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      fill_id: 31, symbol: 'BTC-USDT-SWAP', signal_id: 11, signal_reason: 'LIQ_BURST', client_order_id: 21, risk_decision: 1,
      deny_reason: null, venue_status: 4, ts_trigger_recv_us: 1_000, ts_signal_us: 1_012, ts_risk_us: 1_020, ts_venue_ack_us: 1_050,
      ts_fill_us: 1_050, trigger_to_signal_us: 12, signal_to_risk_us: 8, risk_to_venue_us: 30, tick_to_fill_us: 50,
    });
    expect(Number(rows[0]!.fill_price)).toBeCloseTo(65_000.5, 6);
    const [nt] = await sql(url, "SELECT reason FROM signals WHERE run_id = ? AND action = 0", [run]);
    expect(nt!.reason).toBe('NO_TRADE_SPREAD');
  });

  it('DB down: rows spill to the journal, then replay in order when it is back (0 lost, 0 dup)', async () => {
    const run = runSeq++;
    const errors: string[] = [];
    const w = writer({ url: DOWN_URL, maxBatchRows: 500, onError: (e) => errors.push(e.message) });
    for (let i = 1; i <= 2600; i++) w.write('fills', fill(run, i));
    const r = await w.flush();
    expect(r.complete).toBe(false);
    expect(r.journalRows).toBe(2600);
    expect(r.message).toMatch(/2600 rows .* left in journal .*w\d+\.journal because MySQL mysql:\/\/root@127\.0\.0\.1:1\/qhft_unreachable: unreachable/);
    expect(w.stats()).toMatchObject({ state: 'journalling', journalRows: 2600, rowsWritten: 0, lastErrorKind: 'unreachable' });
    expect(errors[0]).toMatch(/ECONNREFUSED/);
    // More rows while down go behind the journalled ones; the journal is in arrival order.
    for (let i = 2601; i <= 3000; i++) w.write('fills', fill(run, i));
    await waitFor(() => w.stats().journalRows === 3000, 'rows spilled while down');
    const ids = scanJournal(r.journalPath).records.flatMap((rec) => decodeBatch(rec.payload).chunks.flatMap((c) => c.rows.map((v) => v[1] as number)));
    expect(ids).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    // A batch that may have committed before the link died is retried as well (duplicate in the journal).
    for (let i = 1; i <= 100; i++) w.write('fills', fill(run, i));
    await waitFor(() => w.stats().journalRows === 3100, 'retried rows spilled');

    w.setUrl(url);
    await waitFor(() => w.stats().state === 'ok', 'journal replay');
    const s = w.stats();
    expect(s).toMatchObject({ journalRows: 0, journalBytes: HEADER_BYTES, journalRecords: 0, rowsWritten: 3100 });
    expect(statSync(r.journalPath).size).toBe(HEADER_BYTES);
    expect(await count(url, 'fills', run)).toEqual({ n: 3000, distinct: 3000 });
    expect((await w.flush()).complete).toBe(true);
  });

  it('wrong password and missing schema give clear errors while the writer keeps journalling', async () => {
    const run = runSeq++;
    const bad = new URL(url);
    bad.username = 'qhft_nobody';
    bad.password = 'hunter2';
    const w = writer({ url: bad.toString() });
    for (let i = 1; i <= 50; i++) w.write('fills', fill(run, i));
    const r1 = await w.flush();
    expect(r1.complete).toBe(false);
    expect(w.stats().lastErrorKind).toBe('auth');
    expect(w.stats().lastError).toMatch(/qhft_nobody:\*\*\*@127\.0\.0\.1:\d+\/.*auth: .*check the user and password/);
    expect(w.stats().lastError).not.toContain('hunter2');

    // An empty, never-migrated database.
    const emptyDb = `qhft_test_empty_${suffix}`;
    extraDbs.push(emptyDb);
    await sql(BASE_URL, `CREATE DATABASE \`${emptyDb}\``);
    const emptyUrl = withDatabase(BASE_URL, emptyDb);
    w.setUrl(emptyUrl);
    for (let i = 51; i <= 80; i++) w.write('fills', fill(run, i));
    const r2 = await w.flush();
    expect(r2.complete).toBe(false);
    expect(w.stats().lastErrorKind).toBe('no-schema');
    expect(w.stats().lastError).toMatch(new RegExp(`${emptyDb}: no-schema: .*run qhft migrate`));
    expect(r2.journalRows).toBe(80);

    // A database that does not exist at all.
    w.setUrl(withDatabase(BASE_URL, `qhft_test_nodb_${suffix}`));
    await waitFor(() => w.stats().lastErrorKind === 'no-database', 'no-database error');
    expect(w.stats().lastError).toMatch(/no-database: .*create it first/);

    // The operator migrates it; the journal drains on the next retry.
    await migrate(emptyUrl);
    w.setUrl(emptyUrl);
    await waitFor(() => w.stats().journalRows === 0, 'replay into the migrated database');
    expect(await count(emptyUrl, 'fills', run)).toEqual({ n: 80, distinct: 80 });
  });

  it('bounds memory while a batch is in flight by spilling to the journal', async () => {
    const run = runSeq++;
    const w = writer({ url, maxBatchRows: 200, maxQueueRows: 1000 });
    for (let i = 1; i <= 20_000; i++) w.write('book_samples', book(run, i));
    expect(w.stats().queueDepth).toBeLessThanOrEqual(1000 + 200);
    expect(w.stats().journalRows).toBeGreaterThan(0);
    expect((await w.flush()).complete).toBe(true);
    expect(await count(url, 'book_samples', run)).toEqual({ n: 20_000, distinct: 20_000 });
  });

  it('sets aside rows the server rejects as data, and writes the rest', async () => {
    const run = runSeq++;
    const w = writer({ url });
    for (let i = 1; i <= 10; i++) {
      w.write('signals', { run_id: run, signal_id: i, strategy_id: 1, instrument_id: 0, action: 0, side: null, price_ticks: null, size_lots: null, reason: i === 5 ? 'X'.repeat(200) : 'NO_TRADE', detail: null, ts_trigger_recv_us: i, ts_signal_us: i });
    }
    const r = await w.flush();
    expect(r.complete).toBe(true);
    expect(r.message).toMatch(/1 rejected rows in .*\.rejected/);
    expect(w.stats()).toMatchObject({ rejectedRows: 1, lastErrorKind: 'data' });
    expect(await count(url, 'signals', run)).toEqual({ n: 9, distinct: 9 });
    expect(scanJournal(`${r.journalPath}.rejected`).records).toHaveLength(1);
  });

  it('load-journal loads what a run without a database journalled, once', async () => {
    const run = runSeq++;
    const w = writer({ url: null });
    for (let i = 1; i <= 1234; i++) w.write('fills', fill(run, i));
    const r = await w.close();
    expect(r).toMatchObject({ complete: false, journalRows: 1234 });
    expect(r.message).toMatch(/no database configured.*qhft load-journal/);

    const unmigrated = `qhft_test_unmig_${suffix}`;
    extraDbs.push(unmigrated);
    await sql(BASE_URL, `CREATE DATABASE \`${unmigrated}\``);
    await expect(loadJournal(r.journalPath, withDatabase(BASE_URL, unmigrated))).rejects.toThrow(/no-schema: schema version 0 < 1 .*run qhft migrate first/);

    const res = await loadJournal(r.journalPath, url);
    expect(res).toMatchObject({ rows: 1234, skipped: 0, truncated: true, tail: null });
    expect(statSync(r.journalPath).size).toBe(HEADER_BYTES);
    // Loading again (e.g. the user ran it twice) changes nothing.
    expect((await loadJournal(r.journalPath, url)).rows).toBe(0);
    expect(await count(url, 'fills', run)).toEqual({ n: 1234, distinct: 1234 });
  });

  it('replays a journal left by a crashed writer at start-up', async () => {
    const run = runSeq++;
    const path = join(dir, 'crash.journal');
    const a = new BatchWriter({ url: DOWN_URL, journalPath: path, fsync: 'always', retryMinMs: 10_000 });
    for (let i = 1; i <= 700; i++) a.write('fills', fill(run, i));
    expect((await a.close()).journalRows).toBe(700);
    // The process exits with the database down; the next one opens the same journal.
    const b = writer({ url, journalPath: path });
    expect(b.stats().journalRows).toBe(700);
    await waitFor(() => b.stats().journalRows === 0, 'start-up replay');
    expect(await count(url, 'fills', run)).toEqual({ n: 700, distinct: 700 });
  });
});
