/**
 * `npm run bench -- db [--json PATH] [--rows N] [--single-rows N] [--runs N] [--mysql-url URL] [--t2t-runs N] [--outage-runs N]`
 *
 * Rows/s into MySQL/MariaDB, all in one run on one server:
 * - `single-row`    baseline: one autocommitted INSERT per row (the naive writer)
 * - `multi-row/query`    1000-row INSERTs, text protocol, values escaped client-side, one tx per batch
 * - `multi-row/execute`  the same with server-side prepared statements (mysql2 `execute`)
 * - `batch-writer`  the BatchWriter end to end (row objects in → committed), 1000 rows / 50 ms,
 *                   default queue cap (200k rows), so a 100k burst stays on the in-memory path
 * - `batch-writer/overload`  the same with a 10k-row queue cap: most rows spill to the
 *                   journal and are replayed (the DB-slow path of RISK-CONTROLS T6/T7)
 * for fills and for sampled top-of-book rows. Each variant writes fresh keys
 * (its own run_id) into a throw-away database `qhft_bench_<random>`.
 * Target (issue): batch-writer ≥ 50,000 rows/s sustained and ≥ 20× single-row.
 * Durability is the server's: innodb_flush_log_at_trx_commit is printed.
 *
 * Then, in the same process and on the same server, the writer's cost to the
 * hot path: the same synthetic run with the writer thread off and on,
 * alternating (ABBA: off on, on off, …; `--t2t-runs` each, default 4);
 * tick-to-trade histograms are merged per variant. `--t2t-clock wall`
 * (default: paced at 10k events/s, ~500 probe orders/s, `--t2t-duration`
 * default 10s, the first 3 s left out) or `sim` (flat-out simulated time, default 300s; see
 * `T2tClock`). Variants `engine/writer-off` and `engine/writer-on`. Target:
 * writer on changes tick-to-trade p99 by < 10%, judged on the median of the
 * per-run p99s (the merged p99 is printed too). `--t2t-runs 0` skips this part.
 *
 * Then RISK-CONTROLS T6 as a measurement (`--outage-runs`, default 2; 0
 * skips): the same live run with the writer on a private MariaDB that is
 * paused (SIGSTOP: connections hang, as in a partition) for 11 s in the
 * middle. Tick-to-trade in the 10 s before the outage vs during it vs the
 * 10 s after (journal replay), same run; at the end every fill the engine
 * reported must be in the database once (0 lost, 0 duplicated). Variants
 * `engine/outage-before|during|after`. Target (issue): p99 during the outage
 * within 10 % of without; one-sided, since it bounds the damage an outage
 * does (a hung database also stops the writer's own database work, and the
 * p99 measured lower during outages than before them).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import * as hdr from 'hdr-histogram-js';
import { DEFAULT_CONFIG, loadEngineConfig, parseArgv, type EngineConfig } from '../src/core/config/engine-config.ts';
import { ProductionEngine } from '../src/core/engine/production-engine.ts';
import { mergeHistograms } from '../src/core/engine/summary.ts';
import { attachWriter } from '../src/gateway/db/engine-writer.ts';
import { BatchWriter } from '../src/gateway/db/batch-writer.ts';
import { connectOnce, withDatabase } from '../src/gateway/db/connection.ts';
import { migrate } from '../src/gateway/db/migrate.ts';
import type { BookSampleRow, FillRow } from '../src/gateway/db/row-types.ts';
import { buildInsertSql, rowValues, TABLES, writeBatchTx, type SqlMode } from '../src/gateway/db/tables.ts';
import { privateMariaDbUnavailable, startPrivateMariaDb } from '../test/support/private-mariadb.ts';
import { cellConfig } from './lib/pipeline-common.ts';
import { benchArgs, median, printTable, summarizeNs, writeJson, type BenchResult } from './lib/report.ts';

type BenchTable = 'fills' | 'book_samples';

function makeRow(table: BenchTable, run: number, i: number): FillRow | BookSampleRow {
  if (table === 'fills') {
    return {
      run_id: run, fill_id: i, client_order_id: i >> 1, instrument_id: i & 1, side: i & 1 ? 1 : -1, price_ticks: 650_000 + (i % 97),
      size_lots: 1 + (i % 9), liquidity: 1 + (i & 1), fee_quote: 0.0325 + (i % 7) * 1e-4, ts_trigger_recv_us: 1000 * i, ts_fill_us: 1000 * i + 87,
    };
  }
  return {
    run_id: run, instrument_id: i & 1, sample_id: i, ts_exchange_unix_us: 1_760_000_000_000_000 + 100 * i, ts_recv_us: 100 * i + 40,
    bid_ticks: 650_000 + (i % 13), bid_lots: 10 + (i % 50), ask_ticks: 650_001 + (i % 13), ask_lots: 12 + (i % 40), feed_state: 0,
  };
}

async function singleRow(url: string, table: BenchTable, run: number, n: number): Promise<number> {
  const c = await connectOnce(url);
  try {
    const spec = TABLES[table];
    const t0 = performance.now();
    let i = 1;
    // At most n rows or ~2 s, whichever first: each row is a commit (an fsync at flush_log_at_trx_commit=1).
    for (; i <= n && (i & 63 || performance.now() - t0 < 2000); i++) {
      const [sql] = buildInsertSql({ table, columns: spec.columns, rows: [rowValues(spec, makeRow(table, run, i))] });
      await c.query(sql!);
    }
    return ((i - 1) * 1000) / (performance.now() - t0);
  } finally {
    await c.end();
  }
}

async function multiRow(url: string, table: BenchTable, run: number, n: number, batchRows: number, mode: SqlMode): Promise<number> {
  const c = await connectOnce(url);
  try {
    const spec = TABLES[table];
    const t0 = performance.now();
    for (let i = 1; i <= n; i += batchRows) {
      const rows = [];
      for (let j = i; j < i + batchRows && j <= n; j++) rows.push(rowValues(spec, makeRow(table, run, j)));
      await writeBatchTx(c, { chunks: [{ table, columns: spec.columns, rows }], rows: rows.length }, mode);
    }
    return (n * 1000) / (performance.now() - t0);
  } finally {
    await c.end();
  }
}

async function batchWriter(url: string, table: BenchTable, run: number, n: number, journalPath: string, maxQueueRows?: number): Promise<{ rowsPerS: number; lagMs: number; spilled: number }> {
  const w = new BatchWriter({ url, journalPath, fsync: 'interval', maxQueueRows });
  // Warm the pool so the connect is not timed.
  w.write(table, makeRow(table, run, 0) as never);
  await w.flush();
  const t0 = performance.now();
  for (let i = 1; i <= n; i++) {
    w.write(table, makeRow(table, run, i) as never);
    // Yield now and then, as a ring-fed writer thread would between polls.
    if ((i & 4095) === 0) await new Promise((r) => setImmediate(r));
  }
  const r = await w.flush();
  const dt = performance.now() - t0;
  const s = w.stats();
  await w.close();
  if (!r.complete) throw new Error(`batch-writer did not finish: ${r.message}`);
  return { rowsPerS: (n * 1000) / dt, lagMs: s.batchLagMs, spilled: s.rowsSpilled };
}

/** A market that trades about once a simulated second (enough tick-to-trade samples). */
const T2T_MARKET = {
  synthetic: { jumpsPerHour: 36000, jumpSizeBps: 60 },
  strategy: { warmupUs: 1_000_000, baselineHalfLifeUs: 30_000_000, windowUs: 1_000_000, cooldownUs: 500_000, timeStopUs: 1_000_000, minBurstNotionalQuote: 5000, minMoveBps: 5 },
  risk: { defaultMaxPositionLots: 2 },
};

interface EngineRun {
  t2t: hdr.Histogram;
  fills: number;
  fillsHash: string;
  wallS: number;
  rows: number;
  writerErrors: number;
}

/**
 * How the on/off runs are driven:
 * - wall (default, the live case): the synthetic market paced at 10k events/s
 *   on the wall clock, fused topology with the engine's automatic wait
 *   strategy, the latency-probe strategy sending ~500 orders/s (thousands of
 *   tick-to-trade samples per run, so a p99 means something); the writer
 *   stores every order, fill and signal plus the sampled market data.
 * - sim: flat-out simulated time (both hot threads busy all the time, so the
 *   writer thread can only take CPU from them: the worst case), on a market
 *   that trades about once a simulated second; fills must be identical.
 */
type T2tClock = 'wall' | 'sim';
/** Wall clock: tick-to-trade samples before this (ms after start) are left out, in both variants. */
const T2T_WALL_WARMUP_MS = 3_000;

/** One in-process synthetic run, with or without the writer thread attached. */
async function engineRun(url: string, dir: string, clock: T2tClock, duration: string, writer: boolean, k: number): Promise<EngineRun> {
  const journalDir = join(dir, `t2t-j${k}`);
  let config: EngineConfig;
  if (clock === 'wall') {
    const base = cellConfig({ topology: 'fused', transport: 'spin-park', rate: 10_000 });
    config = { ...base, idle: DEFAULT_CONFIG.idle, durationUs: loadEngineConfig(parseArgv(['--duration', duration]), {}).durationUs, mysqlUrl: url, journalDir };
  } else {
    const marketFile = join(dir, 't2t-market.json');
    writeFileSync(marketFile, JSON.stringify(T2T_MARKET));
    config = loadEngineConfig(
      parseArgv(['--clock', 'sim', '--topology', 'fused', '--duration', duration, '--seed', '11', '--no-http', '--config', marketFile, '--mysql-url', url, '--journal-dir', journalDir]),
      {},
    );
  }
  const engine = new ProductionEngine(config, () => undefined);
  const t0 = performance.now();
  await engine.start();
  const w = writer ? await attachWriter(engine, config, () => undefined) : null;
  // Wall clock: measure the steady state only. The first seconds hold one-off
  // costs (JIT of a cold engine; the writer thread loading its modules and
  // connecting while the engine already trades) that say nothing about what
  // the writer costs the hot path while it runs.
  let before: hdr.Histogram | undefined;
  if (clock === 'wall') {
    await new Promise((r) => setTimeout(r, T2T_WALL_WARMUP_MS));
    before = mergeHistograms(engine.reports()).get('tickToTrade');
  }
  const reason = await engine.done;
  const res = await engine.stop(reason);
  const wallS = (performance.now() - t0) / 1000;
  const closed = w ? await w.close(res.summary, reason) : null;
  if (closed && !closed.complete) throw new Error(`writer did not finish: ${closed.notes.join('; ')}`);
  const t2t = mergeHistograms(engine.reports()).get('tickToTrade');
  if (t2t && before) t2t.subtract(before);
  if (!t2t || t2t.totalCount === 0) throw new Error('no tick-to-trade samples: the synthetic market did not trade');
  return { t2t, fills: res.summary.fills, fillsHash: res.summary.fillsHash, wallS, rows: closed?.stats.rowsWritten ?? 0, writerErrors: closed?.stats.errors ?? 0 };
}

async function writerOnOff(url: string, dir: string, runs: number, clock: T2tClock, duration: string): Promise<BenchResult[]> {
  const merged = { off: newHist(), on: newHist() };
  const p99s: Record<'off' | 'on', number[]> = { off: [], on: [] };
  const info: Record<'off' | 'on', { fills: number; wallS: number; rows: number; errors: number; hashes: Set<string> }> = {
    off: { fills: 0, wallS: 0, rows: 0, errors: 0, hashes: new Set() },
    on: { fills: 0, wallS: 0, rows: 0, errors: 0, hashes: new Set() },
  };
  let k = 0;
  for (let i = 0; i < runs; i++) {
    // ABBA order (off on, on off, …) so a drift in machine load hits both variants alike.
    for (const v of i % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const r = await engineRun(url, dir, clock, duration, v === 'on', k++);
      merged[v].add(r.t2t);
      p99s[v].push(r.t2t.getValueAtPercentile(99) / 1000);
      const x = info[v];
      x.fills += r.fills;
      x.wallS += r.wallS;
      x.rows += r.rows;
      x.errors += r.writerErrors;
      x.hashes.add(r.fillsHash);
      console.log(`  engine run ${k}: writer ${v.padEnd(3)} ${r.fills} fills, t2t p99 ${(r.t2t.getValueAtPercentile(99) / 1000).toFixed(1)} µs (n=${r.t2t.totalCount}), ${r.wallS.toFixed(1)} s wall${v === 'on' ? `, ${r.rows} rows written` : ''}`);
    }
  }
  const out: BenchResult[] = [];
  for (const v of ['off', 'on'] as const) {
    const x = info[v];
    out.push({
      variant: `engine/writer-${v}`,
      params: clock === 'sim' ? { clock, topology: 'fused', simDuration: duration, runs, seed: 11 } : { clock, topology: 'fused', idle: DEFAULT_CONFIG.idle, rate: 10_000, strategy: 'latency-probe', duration, runs },
      latencyUs: summarizeNs(merged[v]),
      runsP99Us: p99s[v].map((p) => Number(p.toFixed(1))),
      fills: x.fills,
      wallS: Number(x.wallS.toFixed(1)),
      ...(v === 'on' ? { rowsWritten: x.rows, writerErrors: x.errors } : {}),
    });
  }
  const [off, on] = out as [BenchResult, BenchResult];
  // The target is judged on the median of per-run p99s: one scheduler hiccup on a shared
  // 2-core box moves a ~200-sample p99 by 2-3×; the merged p99 is printed beside it.
  const medOff = median(p99s.off);
  const medOn = median(p99s.on);
  const delta = ((medOn - medOff) / medOff) * 100;
  const mergedDelta = ((on.latencyUs!.p99 - off.latencyUs!.p99) / off.latencyUs!.p99) * 100;
  // Only simulated time is deterministic; on the wall clock the fills differ run to run.
  const same = clock === 'sim' ? info.off.hashes.size === 1 && [...info.off.hashes][0] === [...info.on.hashes][0] && info.on.hashes.size === 1 : null;
  off.medianRunP99Us = Number(medOff.toFixed(1));
  on.medianRunP99Us = Number(medOn.toFixed(1));
  on.p99DeltaPct = Number(delta.toFixed(1));
  on.mergedP99DeltaPct = Number(mergedDelta.toFixed(1));
  on.sameFillsHash = same;
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
  console.log(
    `writer on vs off: tick-to-trade p99, median of runs ${medOff.toFixed(1)} → ${medOn.toFixed(1)} µs (${pct(delta)}; target < 10%: ${Math.abs(delta) < 10 ? 'met' : 'NOT met'}); ` +
      `merged ${off.latencyUs!.p99.toFixed(1)} → ${on.latencyUs!.p99.toFixed(1)} µs (${pct(mergedDelta)}); p50 ${off.latencyUs!.p50.toFixed(1)} → ${on.latencyUs!.p50.toFixed(1)} µs; ` +
      `per-run p99 off [${p99s.off.map((p) => p.toFixed(0)).join(', ')}] on [${p99s.on.map((p) => p.toFixed(0)).join(', ')}] µs${same === null ? '' : `; identical fills with and without the writer: ${same}`}`,
  );
  return out;
}

const OUTAGE_WINDOW_MS = 10_000;
const OUTAGE_MS = 11_000;
/**
 * Longer than the on/off runs' 3 s, so the writer thread's own start-up (which
 * inflated a 3–10 s window in a journal-only probe) is well before the first
 * window. With 3 s the "before" p99 was 1.84–1.89 ms vs 1.07–1.76 ms "after";
 * with 8 s the two were 2.02–2.08 vs 2.02–2.25 ms in the recorded run.
 */
const OUTAGE_WARMUP_MS = 8_000;

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One live run with an outage in the middle; histograms of the three windows. */
async function outageRun(dir: string, k: number): Promise<{ windows: hdr.Histogram[]; journalRows: number; state: string; fills: number; inDb: number; distinct: number; complete: boolean }> {
  const db = await startPrivateMariaDb();
  try {
    const url = db.url('qhft_outage');
    await migrate(url, { createDatabase: true });
    const base = cellConfig({ topology: 'fused', transport: 'spin-park', rate: 10_000 });
    const config: EngineConfig = { ...base, idle: DEFAULT_CONFIG.idle, durationUs: null, mysqlUrl: url, journalDir: join(dir, `outage-j${k}`) };
    const engine = new ProductionEngine(config, () => undefined);
    await engine.start();
    const w = await attachWriter(engine, config, () => undefined);
    const t2t = () => mergeHistograms(engine.reports()).get('tickToTrade') ?? newHist();
    await sleepMs(OUTAGE_WARMUP_MS);
    const marks = [t2t()];
    await sleepMs(OUTAGE_WINDOW_MS);
    marks.push(t2t());
    db.pause();
    await sleepMs(OUTAGE_MS);
    marks.push(t2t());
    const during = w.stats();
    db.resume();
    await sleepMs(OUTAGE_WINDOW_MS);
    marks.push(t2t());
    const res = await engine.stop('requested');
    const closed = await w.close(res.summary, 'requested');
    // Latest window first: each subtraction must see the previous mark still cumulative.
    const windows = [3, 2, 1].map((i) => {
      const h = marks[i]!;
      h.subtract(marks[i - 1]!);
      return h;
    }).reverse();
    const c = await connectOnce(url);
    const [n] = await c.query<RowDataPacket[]>('SELECT COUNT(*) AS n, COUNT(DISTINCT fill_id) AS d FROM fills WHERE run_id = ?', [during.runId]);
    await c.end();
    return { windows, journalRows: during.journalRows, state: during.state, fills: res.summary.fills, inDb: Number(n[0]!.n), distinct: Number(n[0]!.d), complete: closed.complete };
  } finally {
    await db.destroy();
  }
}

async function outage(dir: string, runs: number): Promise<BenchResult[]> {
  const why = privateMariaDbUnavailable();
  if (why !== null) {
    console.log(`outage: skipped (${why})`);
    return [];
  }
  const names = ['before', 'during', 'after'] as const;
  const merged = names.map(() => newHist());
  const p99s: number[][] = names.map(() => []);
  let lost = 0;
  let dup = 0;
  for (let k = 0; k < runs; k++) {
    const r = await outageRun(dir, k);
    r.windows.forEach((h, i) => {
      merged[i]!.add(h);
      p99s[i]!.push(h.getValueAtPercentile(99) / 1000);
    });
    lost += Math.max(0, r.fills - r.distinct);
    dup += r.inDb - r.distinct;
    console.log(
      `  outage run ${k + 1}: t2t p99 before / during / after ${r.windows.map((h) => `${(h.getValueAtPercentile(99) / 1000).toFixed(0)} µs (n=${h.totalCount})`).join(' / ')}; ` +
        `writer during: ${r.state}, ${r.journalRows} rows journalled; fills ${r.fills}, in the database ${r.distinct} (${r.inDb - r.distinct} dup), writer complete ${r.complete}`,
    );
  }
  const out: BenchResult[] = names.map((nm, i) => ({
    variant: `engine/outage-${nm}`,
    params: { clock: 'wall', topology: 'fused', idle: DEFAULT_CONFIG.idle, rate: 10_000, strategy: 'latency-probe', windowS: (nm === 'during' ? OUTAGE_MS : OUTAGE_WINDOW_MS) / 1000, runs, outage: 'SIGSTOP 11 s' },
    latencyUs: summarizeNs(merged[i]!),
    runsP99Us: p99s[i]!.map((p) => Number(p.toFixed(1))),
    medianRunP99Us: Number(median(p99s[i]!).toFixed(1)),
  }));
  const delta = ((median(p99s[1]!) - median(p99s[0]!)) / median(p99s[0]!)) * 100;
  out[1]!.p99DeltaPct = Number(delta.toFixed(1));
  out[1]!.lostFills = lost;
  out[1]!.duplicatedFills = dup;
  console.log(`outage vs before: tick-to-trade p99, median of runs ${median(p99s[0]!).toFixed(1)} → ${median(p99s[1]!).toFixed(1)} µs (${delta >= 0 ? '+' : ''}${delta.toFixed(1)}%; target: no more than 10% worse: ${delta < 10 ? 'met' : 'NOT met'}); after ${median(p99s[2]!).toFixed(1)} µs; fills lost ${lost}, duplicated ${dup}`);
  return out;
}

function newHist(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

export async function run(argv: string[]): Promise<void> {
  const { json, flags } = benchArgs(argv);
  const baseUrl = flags.get('mysql-url') ?? process.env.QHFT_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
  const rows = Number(flags.get('rows') ?? 100_000);
  const singleRows = Number(flags.get('single-rows') ?? 2_000);
  const runs = Number(flags.get('runs') ?? 3);
  const t2tRuns = Number(flags.get('t2t-runs') ?? 4);
  const outageRuns = Number(flags.get('outage-runs') ?? 2);
  const t2tClock = (flags.get('t2t-clock') ?? 'wall') as T2tClock;
  if (t2tClock !== 'wall' && t2tClock !== 'sim') throw new Error(`--t2t-clock must be wall or sim, got ${String(t2tClock)}`);
  const t2tDuration = flags.get('t2t-duration') ?? (t2tClock === 'wall' ? '10s' : '300s');
  const batchRows = 1000;
  const dbName = `qhft_bench_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const url = withDatabase(baseUrl, dbName);
  const dir = mkdtempSync(join(tmpdir(), 'qhft-dbbench-'));
  await migrate(url, { createDatabase: true });
  const info = await connectOnce(url);
  const [vars] = await info.query<RowDataPacket[]>("SELECT VERSION() AS v, @@innodb_flush_log_at_trx_commit AS f, @@sync_binlog AS s");
  await info.end();
  const server = { version: String(vars[0]!.v), innodbFlushLogAtTrxCommit: Number(vars[0]!.f), syncBinlog: Number(vars[0]!.s) };
  console.log(`db bench: ${server.version}, innodb_flush_log_at_trx_commit=${server.innodbFlushLogAtTrxCommit}, ${rows} rows × ${runs} runs (single-row: ${singleRows} rows), database ${dbName}`);

  const results: BenchResult[] = [];
  const ratios: Record<string, number> = {};
  let runId = 1;
  try {
    for (const table of ['fills', 'book_samples'] as const) {
      type Variant = { name: string; n: number; params: Record<string, unknown>; f: (run: number) => Promise<number> };
      let lag = 0;
      const spilled = new Map<string, number>();
      const writerVariant = (name: string, maxQueueRows: number | undefined): Variant => ({
        name,
        n: rows,
        params: maxQueueRows === undefined ? { batchRows, batchDelayMs: 50 } : { batchRows, maxQueueRows },
        f: async (r) => {
          const x = await batchWriter(url, table, r, rows, join(dir, `w-${r}.journal`), maxQueueRows);
          if (maxQueueRows === undefined) lag = x.lagMs;
          spilled.set(name, (spilled.get(name) ?? 0) + x.spilled);
          return x.rowsPerS;
        },
      });
      const variants: Variant[] = [
        { name: 'single-row', n: singleRows, params: {}, f: (r) => singleRow(url, table, r, singleRows) },
        { name: 'multi-row/query', n: rows, params: { batchRows }, f: (r) => multiRow(url, table, r, rows, batchRows, 'query') },
        { name: 'multi-row/execute', n: rows, params: { batchRows }, f: (r) => multiRow(url, table, r, rows, batchRows, 'execute') },
        writerVariant('batch-writer', undefined),
        // Overload: a queue cap far below the offered burst, so most rows take the journal path.
        writerVariant('batch-writer/overload', 10_000),
      ];
      // Interleaved (A B C D E, A B C D E, …) so a noisy neighbour hits every variant alike;
      // ratios are taken per round, against that round's single-row figure, then the median.
      const xs = variants.map(() => [] as number[]);
      for (let k = 0; k < runs; k++) {
        for (let v = 0; v < variants.length; v++) xs[v]!.push(await variants[v]!.f(runId++));
      }
      variants.forEach((v, i) => {
        const per = xs[i]!;
        const r: BenchResult = { variant: v.name, params: { table, rows: v.n, ...v.params }, msgsPerS: Math.round(median(per)), rowsPerS: Math.round(median(per)), runsRowsPerS: per.map(Math.round) };
        if (i > 0) {
          r.vsSingleRow = Number(median(per.map((x, k) => x / xs[0]![k]!)).toFixed(1));
          ratios[`${table}:${v.name}`] = r.vsSingleRow as number;
        }
        if (v.name === 'batch-writer') r.lastBatchLagMs = lag;
        if (spilled.has(v.name)) r.rowsSpilledToJournal = spilled.get(v.name);
        results.push(r);
      });
      console.log(`${table}: batch-writer last batch lag ${lag} ms; rows spilled to the journal: ${[...spilled].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    }
    if (t2tRuns > 0) {
      console.log(`tick-to-trade with the writer thread off / on: ${t2tRuns} × 2 synthetic runs of ${t2tDuration} (${t2tClock} clock, fused), alternating`);
      results.push(...(await writerOnOff(url, dir, t2tRuns, t2tClock, t2tDuration)));
    }
    if (outageRuns > 0) {
      console.log(`tick-to-trade through a database outage: ${outageRuns} live runs, private MariaDB paused for ${OUTAGE_MS / 1000} s after ${(OUTAGE_WARMUP_MS + OUTAGE_WINDOW_MS) / 1000} s`);
      results.push(...(await outage(dir, outageRuns)));
    }
  } finally {
    const c = await connectOnce(baseUrl);
    await c.query(`DROP DATABASE IF EXISTS \`${dbName}\``).catch(() => undefined);
    await c.end();
    rmSync(dir, { recursive: true, force: true });
  }

  printTable('db: rows/s into MySQL (msgs/s = rows/s; median of runs)', results);
  console.log('\nratio vs single-row:');
  for (const [k, v] of Object.entries(ratios)) console.log(`  ${k.padEnd(32)} ${v}×`);
  const bw = results.filter((r) => r.variant === 'batch-writer');
  const ok = bw.every((r) => r.msgsPerS! >= 50_000 && (r.vsSingleRow as number) >= 20);
  console.log(`target (batch-writer ≥ 50,000 rows/s and ≥ 20× single-row): ${ok ? 'met' : 'NOT met'}`);
  const on = results.find((r) => r.variant === 'engine/writer-on');
  const t2tTarget = on === undefined ? null : { p99DeltaPctMax: 10, p99DeltaPct: on.p99DeltaPct, met: Math.abs(on.p99DeltaPct as number) < 10 };
  if (t2tTarget !== null) console.log(`target (writer on changes tick-to-trade p99 by < 10%): ${t2tTarget.met ? 'met' : 'NOT met'} (${t2tTarget.p99DeltaPct}%)`);
  const during = results.find((r) => r.variant === 'engine/outage-during');
  const outageTarget = during === undefined ? null : { p99DeltaPctMax: 10, p99DeltaPct: during.p99DeltaPct, met: (during.p99DeltaPct as number) < 10, lostFills: during.lostFills, duplicatedFills: during.duplicatedFills };
  if (outageTarget !== null) console.log(`target (tick-to-trade p99 during a database outage no more than 10% above before it): ${outageTarget.met ? 'met' : 'NOT met'} (${outageTarget.p99DeltaPct}%); lost ${outageTarget.lostFills}, duplicated ${outageTarget.duplicatedFills}`);
  writeJson(json, 'db', results, { server, ratios, target: { rowsPerS: 50_000, vsSingleRow: 20, met: ok }, t2tTarget, outageTarget });
}
