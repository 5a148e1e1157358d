/**
 * attachWriter: connects a running ProductionEngine to the writer thread.
 *
 * Role: main-thread side of persistence. Owning thread: main. The listener
 * (`onEventRecord`) is warm: it runs for every record the engine drains from
 * its event rings and costs a few hundred ns (a copy into a retention log, a
 * copy into the writer ring); everything else here is cold (start-up, ~1 Hz
 * stats, shutdown).
 *
 * How a record travels: stage event ring → EventCollector (main) → this
 * listener → retention log (main memory) → writer ring (SharedArrayBuffer,
 * Block policy, 16 MiB) → writer thread → BatchWriter → MySQL or the journal.
 * - Main never waits: when the writer ring is full the record stays in the
 *   retention log (the overflow queue, counted) and is pushed on a later turn.
 *   Nothing is ever dropped except `ui.book` samples by design (sampling).
 * - The writer acknowledges records once their rows are durable; main frees
 *   the retention log up to that point. A writer thread that dies is
 *   restarted (new ring, same journal) and fed again from the first
 *   unacknowledged record; replays are idempotent upserts. 0 lost, 0 dup.
 *
 * Database choice (`resolveWriterTarget`): `--mysql-url`/`QHFT_MYSQL_URL`
 * when given (`none` = journal only); otherwise, if a server answers on
 * 127.0.0.1:3306 as root without a password (the development default), the
 * database `qhft` there, created and migrated on first use (`test` is left
 * to the test suites); otherwise the journal only, with the command that
 * loads it later. A database that is unreachable, refuses the credentials or
 * lacks the schema is reported at start, and the engine trades on, the rows
 * going to the journal until the database works.
 *
 * Files in `--journal-dir` (default .qhft/journal): `writer.journal` (CRC
 * journal; a second engine running at the same time gets `writer-<pid>.journal`),
 * its `.lock`, and `fills.log` (one `run_id fill_id client_order_id` line per
 * fill once it is durable: the engine's report of fills that a crash cannot lose).
 *
 * Tuning by environment: QHFT_DB_BOOK_SAMPLE_MS (top-of-book rows per
 * instrument, default one per 1000 ms; 0 = none), QHFT_DB_TRADE_SAMPLE_EVERY
 * (1 in N public trades, default 10; 0 = none), QHFT_DB_LIQUIDATIONS (1/0),
 * QHFT_DB_FSYNC (always | interval | never; default interval).
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { epochTimeOriginMs, nowUs } from '../../core/clock.ts';
import { engineVersion } from '../../core/engine-version.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { MsgType, Stage, msgTypeName, decodeOrderAccepted, decodeOrderCancelled, decodeOrderUpdate, readInstrumentId, readStamp } from '../../core/codec/index.ts';
import { OrderStatus, OrderUpdate } from '../../core/domain/orders.ts';
import type { EventListener } from '../../core/engine/event-collector.ts';
import { SIM_START_UNIX_US, type ProductionEngine } from '../../core/engine/production-engine.ts';
import type { RunSummary } from '../../core/engine/summary.ts';
import { BackpressurePolicy, createRing, INSUFFICIENT_CAPACITY, SpscRing } from '../../core/ring/index.ts';
import { startTsWorker } from '../../core/worker-loader.ts';
import { BatchWriter, type FlushResult, type WriterState } from './batch-writer.ts';
import { AUTO_DATABASE_URL, AUTO_SERVER_URL, FILLS_LOG_FILE, isDisabledUrl, JOURNAL_FILE } from './defaults.ts';
import { DbError, parseMysqlUrl, probe, redactUrl } from './connection.ts';
import { Journal, parseFsyncPolicy, type FsyncPolicy } from './journal.ts';
import { migrate, REQUIRED_SCHEMA_VERSION, schemaStatus } from './migrate.ts';
import { RowMapper } from './row-mapper.ts';
import type { InstrumentRow, RunRow } from './row-types.ts';
import { WRITER_PREFIX_BYTES, type MainToWriter, type SamplingOptions, type WriterInit, type WriterThreadStats, type WriterToMain } from './writer-protocol.ts';

export { AUTO_DATABASE_URL, AUTO_SERVER_URL } from './defaults.ts';

const WORKER_URL = new URL('./writer-worker.ts', import.meta.url);
const MiB = 1 << 20;
const RETENTION_CHUNK_BYTES = MiB;
const REPORT_EVERY_MS = 5_000;
const PUMP_EVERY_MS = 5;
const CLOSE_TIMEOUT_MS = 45_000;
/**
 * Memory bound for records waiting for a writer thread that is dead or stuck
 * (a healthy writer acknowledges within ~100 ms, outages included: it spills
 * to the journal). Beyond it records are counted as unpersisted and logged,
 * rather than letting the engine run out of memory.
 */
const MAX_RETAINED_BYTES = 1024 * MiB;
/** A writer thread that dies this many times in a row before `ready` is not restarted again. */
const MAX_BOOT_FAILURES = 3;

export interface WriterOptions {
  /** Resolved database URL, or null for journal only. */
  url: string | null;
  journalDir: string;
  ringBytes: number;
  fsync: FsyncPolicy;
  maxBatchRows: number;
  maxBatchDelayMs: number;
  queryTimeoutMs: number;
  connectTimeoutMs: number;
  sampling: SamplingOptions;
}

/** What the status line, the summary and the monitor show. */
export interface EngineWriterStats {
  state: WriterState | 'starting' | 'restarting' | 'failed';
  /** runs.run_id of this run (every row carries it). */
  runId: number;
  url: string;
  journalPath: string;
  rowsWritten: number;
  rowsPerS: number;
  /** Rows in the writer's memory (waiting for or in a batch). */
  queueDepth: number;
  batchLagMs: number;
  journalRows: number;
  journalBytes: number;
  errors: number;
  lastError: string | null;
  /** Records main handed to the writer (seq of the last one). */
  forwarded: number;
  /** Records whose rows are durable (DB or journal). */
  acked: number;
  /** Records waiting in main because the writer ring was full (now / ever). */
  overflowDepth: number;
  overflowRecords: number;
  /** Bytes main holds for replay (unacknowledged records). */
  retainedBytes: number;
  restarts: number;
  /** Records not persisted because the writer thread was dead too long (normally 0). */
  unpersisted: number;
  /** Exit → ready of the last restart (ms). */
  lastRestartMs: number | null;
  badRecords: number;
}

export interface WriterCloseResult {
  complete: boolean;
  stats: EngineWriterStats;
  flush: FlushResult | null;
  /** Lines for the operator (printed after the summary). */
  notes: string[];
}

export interface WriterHandle {
  readonly url: string | null;
  readonly journalPath: string;
  readonly fillsLogPath: string;
  stats(): EngineWriterStats;
  /** Compact text for the engine's status line. */
  statusText(): string;
  /** Ends the run row, flushes, stops the thread. Call after `engine.stop()`. */
  close(summary: RunSummary, reason: string): Promise<WriterCloseResult>;
  /** Resolves once the writer thread has started (or given up). */
  ready(): Promise<void>;
  /** Test hook (RISK-CONTROLS T8): terminates the writer thread; it is restarted. */
  killThreadForTest(): Promise<void>;
}

const handles = new WeakMap<ProductionEngine, WriterHandle>();

/** The writer attached to an engine, if any (for the monitor's status). */
export function writerOf(engine: ProductionEngine): WriterHandle | undefined {
  return handles.get(engine);
}

function envInt(env: NodeJS.ProcessEnv, name: string, d: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return d;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

export function writerOptionsFromEnv(config: EngineConfig, url: string | null, env: NodeJS.ProcessEnv = process.env): WriterOptions {
  return {
    url,
    journalDir: config.journalDir,
    ringBytes: 16 * MiB,
    fsync: parseFsyncPolicy(env.QHFT_DB_FSYNC ?? 'interval'),
    maxBatchRows: 1000,
    maxBatchDelayMs: 50,
    queryTimeoutMs: 5_000,
    connectTimeoutMs: 2_000,
    sampling: {
      bookSampleMs: envInt(env, 'QHFT_DB_BOOK_SAMPLE_MS', 1000, 0),
      tradeSampleEvery: envInt(env, 'QHFT_DB_TRADE_SAMPLE_EVERY', 10, 0),
      liquidations: envInt(env, 'QHFT_DB_LIQUIDATIONS', 1, 0) !== 0,
    },
  };
}

export interface WriterTarget {
  url: string | null;
  /** How it was chosen. */
  source: 'flag' | 'auto' | 'none';
  /** Start-up lines for the operator. */
  notes: string[];
}

const loadHint = (url: string | null, journalPath: string) => {
  const flag = url === null || url === AUTO_DATABASE_URL ? '' : ` --mysql-url ${redactUrl(url)}`;
  return `qhft migrate${flag} && qhft load-journal${flag} --journal ${journalPath}`;
};

/**
 * Chooses the database (see the header). Never throws for database trouble:
 * it says what is wrong and the engine runs on the journal.
 */
export async function resolveWriterTarget(configured: string | null, journalPath: string): Promise<WriterTarget> {
  if (configured !== null && isDisabledUrl(configured)) {
    return { url: null, source: 'none', notes: [`writer: database disabled (--mysql-url ${configured}): journal only; load it later with: ${loadHint(null, journalPath)}`] };
  }
  if (configured === null) {
    const p = await probe(AUTO_SERVER_URL, { connectTimeoutMs: 700 });
    if (!p.ok) {
      return {
        url: null,
        source: 'none',
        notes: [`writer: no database configured (--mysql-url / QHFT_MYSQL_URL) and none answers on 127.0.0.1:3306: journal only; load it later with: ${loadHint(null, journalPath)} (add --mysql-url URL for another server)`],
      };
    }
    try {
      const r = await migrate(AUTO_DATABASE_URL, { createDatabase: true, connectTimeoutMs: 2000 });
      const what = r.applied.length > 0 ? `applied ${r.applied.join(', ')}` : 'schema up to date';
      return { url: AUTO_DATABASE_URL, source: 'auto', notes: [`writer: MySQL ${AUTO_DATABASE_URL} (found a server on 127.0.0.1:3306; ${what})`] };
    } catch (err) {
      return { url: null, source: 'none', notes: [`writer: a server answers on 127.0.0.1:3306 but ${AUTO_DATABASE_URL} cannot be used: ${(err as Error).message}; journal only`] };
    }
  }
  let redacted: string;
  try {
    redacted = parseMysqlUrl(configured).redacted;
  } catch (err) {
    return { url: null, source: 'none', notes: [`writer: ${(err as Error).message}; journal only`] };
  }
  try {
    const s = await schemaStatus(configured, { connectTimeoutMs: 2000 });
    if (s.newerThanCode || s.checksumMismatch.length > 0) {
      const why = s.newerThanCode ? `schema version ${s.current} is newer than this build (${s.latestKnown})` : `applied migrations changed: ${s.checksumMismatch.join('; ')}`;
      return { url: null, source: 'none', notes: [`writer: MySQL ${redacted}: ${why}; refusing to write there: journal only`] };
    }
    if (s.current < REQUIRED_SCHEMA_VERSION) {
      throw new DbError('no-schema', redacted, `schema version ${s.current} < ${REQUIRED_SCHEMA_VERSION}: the tables are missing — run: qhft migrate --mysql-url ${redacted}`);
    }
    return { url: configured, source: 'flag', notes: [`writer: MySQL ${redacted} (schema version ${s.current})`] };
  } catch (err) {
    const msg = (err as Error).message;
    return {
      url: configured,
      source: 'flag',
      notes: [
        `writer: ${msg}`,
        `writer: trading continues; rows go to the journal and are written when the database works (retried with backoff), or later with: ${loadHint(configured, journalPath)}`,
      ],
    };
  }
}

// ---------------------------------------------------------------- journal lock

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `<path>.lock` (pid inside); a stale lock (dead pid) is taken over. Returns false if a live process holds it. */
function tryLock(path: string): boolean {
  const lock = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) return false;
      unlinkSync(lock);
    }
  }
  return false;
}

function chooseJournal(dir: string): { path: string; shared: boolean } {
  mkdirSync(dir, { recursive: true });
  const main = join(dir, JOURNAL_FILE);
  if (tryLock(main)) return { path: main, shared: true };
  const own = join(dir, `writer-${process.pid}.journal`);
  if (!tryLock(own)) throw new Error(`cannot lock a journal in ${dir}`);
  return { path: own, shared: false };
}

function unlock(path: string): void {
  try {
    unlinkSync(`${path}.lock`);
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------- retention log

interface Chunk {
  buf: Uint8Array;
  dv: DataView;
  used: number;
  lastSeq: number;
}

/**
 * Records main has forwarded and the writer has not yet acknowledged, in
 * order, in 1 MiB chunks (no allocation per record). Entry layout:
 * [u32 payload length][i32 msgTypeId][f64 seq][f64 aux][FlatBuffers bytes], 8-aligned.
 * Three positions: acknowledged ≤ sent (in the writer ring) ≤ appended.
 */
export class RetentionLog {
  private readonly chunks: Chunk[] = [];
  private readonly spare: Chunk[] = [];
  private sendChunk = 0;
  private sendOff = 0;
  lastSeq = 0;
  sentSeq = 0;
  ackedSeq = 0;
  bytes = 0;

  private newChunk(min: number): Chunk {
    const c = min <= RETENTION_CHUNK_BYTES ? this.spare.pop() : undefined;
    if (c !== undefined) {
      c.used = 0;
      c.lastSeq = 0;
      return c;
    }
    const buf = new Uint8Array(Math.max(RETENTION_CHUNK_BYTES, min));
    return { buf, dv: new DataView(buf.buffer), used: 0, lastSeq: 0 };
  }

  append(msgTypeId: number, src: Uint8Array, index: number, length: number, aux: number): number {
    const seq = ++this.lastSeq;
    const need = (8 + WRITER_PREFIX_BYTES + length + 7) & ~7;
    let c = this.chunks[this.chunks.length - 1];
    if (c === undefined || c.buf.length - c.used < need) {
      c = this.newChunk(need);
      this.chunks.push(c);
    }
    const o = c.used;
    c.dv.setUint32(o, length, true);
    c.dv.setInt32(o + 4, msgTypeId, true);
    c.dv.setFloat64(o + 8, seq, true);
    c.dv.setFloat64(o + 16, aux, true);
    c.buf.set(src.subarray(index, index + length), o + 8 + WRITER_PREFIX_BYTES);
    c.used = o + need;
    c.lastSeq = seq;
    this.bytes += need;
    return seq;
  }

  get unsent(): number {
    return this.lastSeq - this.sentSeq;
  }

  /** Copies unsent records into the ring until it is full. Returns false if the ring filled up. */
  pump(ring: SpscRing): boolean {
    while (this.sendChunk < this.chunks.length) {
      const c = this.chunks[this.sendChunk]!;
      if (this.sendOff >= c.used) {
        if (this.sendChunk === this.chunks.length - 1) return true;
        this.sendChunk++;
        this.sendOff = 0;
        continue;
      }
      const o = this.sendOff;
      const length = c.dv.getUint32(o, true);
      const type = c.dv.getInt32(o + 4, true);
      const seq = c.dv.getFloat64(o + 8, true);
      const need = (8 + WRITER_PREFIX_BYTES + length + 7) & ~7;
      if (seq > this.ackedSeq) {
        const idx = ring.tryClaim(type, WRITER_PREFIX_BYTES + length);
        if (idx === INSUFFICIENT_CAPACITY) return false;
        if (idx < 0) throw new RangeError(`writer ring refused a record of ${length} bytes (status ${idx})`);
        ring.bytes.set(c.buf.subarray(o + 8, o + 8 + WRITER_PREFIX_BYTES + length), idx);
        ring.commit(idx);
      }
      this.sentSeq = seq;
      this.sendOff = o + need;
    }
    return true;
  }

  /** Frees every chunk whose records are all acknowledged. */
  ack(seq: number): void {
    if (seq <= this.ackedSeq) return;
    this.ackedSeq = seq;
    while (this.chunks.length > 1 && this.sendChunk > 0 && this.chunks[0]!.lastSeq <= seq) {
      const c = this.chunks.shift()!;
      this.bytes -= c.used;
      this.sendChunk--;
      if (c.buf.length === RETENTION_CHUNK_BYTES && this.spare.length < 4) this.spare.push(c);
    }
  }

  /** After a writer restart: send again from the first unacknowledged record. */
  rewind(): void {
    this.sendChunk = 0;
    this.sendOff = 0;
    this.sentSeq = this.ackedSeq;
  }

  /** Every unacknowledged record, in order (main-thread fallback at close). */
  *unacked(): Generator<{ type: number; seq: number; aux: number; buf: Uint8Array; index: number }> {
    for (const c of this.chunks) {
      let o = 0;
      while (o < c.used) {
        const length = c.dv.getUint32(o, true);
        const seq = c.dv.getFloat64(o + 8, true);
        if (seq > this.ackedSeq) yield { type: c.dv.getInt32(o + 4, true), seq, aux: c.dv.getFloat64(o + 16, true), buf: c.buf, index: o + 8 + WRITER_PREFIX_BYTES };
        o += (8 + WRITER_PREFIX_BYTES + length + 7) & ~7;
      }
    }
  }
}

// ---------------------------------------------------------------- sampling of ui.book

/** Keeps a configurable share of the lossy monitor feed (book, trades, liquidations). */
class UiSampler {
  private readonly lastBookUs = new Map<number, number>();
  private trades = 0;
  constructor(private readonly o: SamplingOptions) {}

  keep(msgTypeId: number, bytes: Uint8Array, index: number): boolean {
    switch (msgTypeId) {
      case MsgType.BookDeltas:
      case MsgType.BestBidOffer: {
        if (this.o.bookSampleMs <= 0) return false;
        const t = readStamp(bytes, index, Stage.Sanitizer) || nowUs();
        const inst = readInstrumentId(bytes, index);
        const last = this.lastBookUs.get(inst);
        if (last !== undefined && t - last < this.o.bookSampleMs * 1000) return false;
        this.lastBookUs.set(inst, t);
        return true;
      }
      case MsgType.Trade:
        return this.o.tradeSampleEvery > 0 && this.trades++ % this.o.tradeSampleEvery === 0;
      case MsgType.Liquidation:
        return this.o.liquidations;
      default:
        return false;
    }
  }
}

// ---------------------------------------------------------------- run rows

function configJson(config: EngineConfig): string {
  const c = { ...config, mysqlUrl: config.mysqlUrl === null ? null : redactUrl(config.mysqlUrl) };
  return JSON.stringify(c, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

export function runRows(engine: ProductionEngine): { run: RunRow; instruments: InstrumentRow[]; epochUnixUs: number; wallEpochUnixUs: number } {
  const config = engine.config;
  const json = configJson(config);
  const wallEpochUnixUs = Math.round(epochTimeOriginMs() * 1000);
  const epochUnixUs = config.clock === 'sim' ? SIM_START_UNIX_US : wallEpochUnixUs;
  const run: RunRow = {
    run_id: engine.runId,
    config_hash: createHash('sha256').update(json).digest('hex'),
    source: config.source,
    engine_version: engineVersion(),
    topology: config.topology,
    clock_mode: config.clock,
    seed: config.seed,
    host: hostname(),
    epoch_unix_us: epochUnixUs,
    started_unix_us: Date.now() * 1000,
    ended_unix_us: null,
    exit_reason: null,
    config_json: json,
    summary_json: null,
  };
  const instruments = engine.instruments.map((i) => ({
    run_id: engine.runId, instrument_id: i.id, symbol: i.symbol, tick_size: i.tickSize, lot_size: i.lotSize, contract_value: i.contractValue,
    min_size_lots: i.minSizeLots, price_decimals: i.priceDecimals, size_decimals: i.sizeDecimals, maker_fee_bps: i.makerFeeBps, taker_fee_bps: i.takerFeeBps,
  }));
  return { run, instruments, epochUnixUs, wallEpochUnixUs };
}

// ---------------------------------------------------------------- the handle

const EMPTY_THREAD_STATS: WriterThreadStats = {
  state: 'ok', queueDepth: 0, batchLagMs: 0, oldestPendingMs: 0, journalRows: 0, journalBytes: 0, journalRecords: 0, rowsSpilled: 0,
  rowsWritten: 0, rowsPerS: 0, batches: 0, errors: 0, rejectedRows: 0, lastError: null, lastErrorKind: null, records: 0, badRecords: 0,
  ackedSeq: 0, rowsByTable: {},
};

class EngineWriter implements WriterHandle, EventListener {
  readonly url: string | null;
  readonly journalPath: string;
  readonly fillsLogPath: string;
  private readonly engine: ProductionEngine;
  private readonly o: WriterOptions;
  private readonly log: (line: string) => void;
  private readonly retention = new RetentionLog();
  private readonly sampler: UiSampler;
  private readonly venueSeq = new Map<number, number>();
  private readonly update = new OrderUpdate();
  private readonly rows: ReturnType<typeof runRows>;
  private ring: SpscRing;
  private worker: Worker | null = null;
  private standby: Worker | null = null;
  private generation = 0;
  private state: EngineWriterStats['state'] = 'starting';
  private thread: WriterThreadStats = { ...EMPTY_THREAD_STATS };
  /** Rows written by earlier incarnations (so rowsWritten never goes back). */
  private rowsWrittenBefore = 0;
  private errorsBefore = 0;
  private badBefore = 0;
  private overflowRecords = 0;
  private listenerErrors = 0;
  private unpersisted = 0;
  private restarts = 0;
  private bootFailures = 0;
  private exitedAtMs = 0;
  private lastRestartMs: number | null = null;
  private pumpTimer: NodeJS.Timeout | null = null;
  private reportTimer: NodeJS.Timeout | null = null;
  private closing = false;
  private closedResolve: ((m: Extract<WriterToMain, { type: 'closed' }> | null) => void) | null = null;
  private lastLoggedError = '';
  private lastLoggedErrorAtMs = 0;
  private lastState: string = '';
  private readyResolve: (() => void) | null = null;
  private warnedRetention = false;

  constructor(engine: ProductionEngine, o: WriterOptions, journalPath: string, log: (line: string) => void) {
    this.engine = engine;
    this.o = o;
    this.log = log;
    this.url = o.url;
    this.journalPath = journalPath;
    this.fillsLogPath = join(resolve(o.journalDir), FILLS_LOG_FILE);
    this.sampler = new UiSampler(o.sampling);
    this.rows = runRows(engine);
    this.ring = this.newRing();
  }

  private newRing(): SpscRing {
    return new SpscRing(createRing({ capacityBytes: this.o.ringBytes, policy: BackpressurePolicy.Block, name: 'writer' }));
  }

  // ---- warm: one call per drained event record ----

  onEventRecord(ring: string, msgTypeId: number, bytes: Uint8Array, index: number, length: number): void {
    // Never throw into the collector: a writer problem must not disturb the engine.
    try {
      this.forward(ring, msgTypeId, bytes, index, length);
    } catch (err) {
      this.listenerErrors++;
      if (this.listenerErrors <= 3) this.log(`writer: record not forwarded (${msgTypeName(msgTypeId)} on ${ring}): ${(err as Error).message}`);
    }
  }

  private forward(ring: string, msgTypeId: number, bytes: Uint8Array, index: number, length: number): void {
    if (this.state === 'closed') return;
    let aux = 0;
    if (ring === 'ui.book') {
      if (!this.sampler.keep(msgTypeId, bytes, index)) return;
    } else if (msgTypeId === MsgType.OrderAccepted || msgTypeId === MsgType.OrderUpdate || msgTypeId === MsgType.OrderCancelled) {
      const u = this.update;
      if (msgTypeId === MsgType.OrderAccepted) decodeOrderAccepted(bytes, index, u);
      else if (msgTypeId === MsgType.OrderCancelled) decodeOrderCancelled(bytes, index, u);
      else decodeOrderUpdate(bytes, index, u);
      aux = (this.venueSeq.get(u.clientOrderId) ?? 0) + 1;
      const s = u.status;
      if (s === OrderStatus.Filled || s === OrderStatus.Cancelled || s === OrderStatus.Rejected) this.venueSeq.delete(u.clientOrderId);
      else this.venueSeq.set(u.clientOrderId, aux);
    } else if (msgTypeId === MsgType.Heartbeat) {
      return;
    }
    if (this.retention.bytes > MAX_RETAINED_BYTES) {
      if (this.unpersisted++ === 0) this.log(`writer: ERROR: ${Math.round(this.retention.bytes / MiB)} MiB of records wait for a writer thread that does not answer (state ${this.state}); further records are NOT persisted (counted)`);
      return;
    }
    this.retention.append(msgTypeId, bytes, index, length, aux);
    if (this.worker !== null && !this.retention.pump(this.ring)) this.overflowRecords++;
  }

  // ---- cold ----

  start(): void {
    this.engine.collector.listeners.push(this);
    this.spawn();
    this.pumpTimer = setInterval(() => this.pumpBacklog(), PUMP_EVERY_MS);
    this.reportTimer = setInterval(() => this.sendReports(), REPORT_EVERY_MS);
  }

  ready(): Promise<void> {
    if (this.state !== 'starting' && this.state !== 'restarting') return Promise.resolve();
    return new Promise((res) => (this.readyResolve = res));
  }

  private pumpBacklog(): void {
    if (this.worker === null || this.retention.unsent === 0) return;
    this.retention.pump(this.ring);
    if (!this.warnedRetention && this.retention.bytes > 256 * MiB) {
      this.warnedRetention = true;
      this.log(`writer: warning: ${Math.round(this.retention.bytes / MiB)} MiB of records wait for the writer thread (state ${this.state}, ${this.thread.lastError ?? 'no error'})`);
    }
  }

  private sendReports(final = false): void {
    const reports = this.engine.reports() as Record<string, { hops?: Record<string, string> } | undefined>;
    const hops: Record<string, string>[] = [];
    for (const r of Object.values(reports)) if (r?.hops) hops.push(r.hops);
    if (hops.length === 0 && !final) return;
    this.post({ type: 'reports', tsUs: nowUs(), hops });
  }

  private post(m: MainToWriter): void {
    this.worker?.postMessage(m);
  }

  /** A thread with the writer's modules loaded, waiting for `start` (see writer-worker.ts). */
  private spawnStandby(): void {
    if (this.closing || this.standby !== null || this.state === 'failed') return;
    const w = startTsWorker(WORKER_URL, { name: 'qhft-writer-standby' });
    this.standby = w;
    w.unref();
    w.on('error', (err) => this.log(`writer: standby thread error: ${err.message}`));
    w.once('exit', () => {
      if (this.standby === w) this.standby = null;
    });
  }

  private spawn(): void {
    const init: WriterInit = {
      runId: this.engine.runId,
      url: this.o.url,
      journalPath: this.journalPath,
      fillsLogPath: this.fillsLogPath,
      fsync: this.o.fsync,
      maxBatchRows: this.o.maxBatchRows,
      maxBatchDelayMs: this.o.maxBatchDelayMs,
      queryTimeoutMs: this.o.queryTimeoutMs,
      connectTimeoutMs: this.o.connectTimeoutMs,
      epochUnixUs: this.rows.epochUnixUs,
      wallEpochUnixUs: this.rows.wallEpochUnixUs,
      run: this.rows.run,
      instruments: this.rows.instruments,
      sampling: this.o.sampling,
      generation: this.generation,
      resumeAfterSeq: this.retention.ackedSeq,
    };
    const w = this.standby ?? startTsWorker(WORKER_URL, { name: 'qhft-writer' });
    this.standby = null;
    w.ref();
    this.worker = w;
    let booted = false;
    w.on('message', (m: WriterToMain) => {
      if (this.worker !== w) return;
      if (m.type === 'ready') booted = true;
      this.onMessage(m);
    });
    w.on('error', (err) => {
      if (this.worker === w) this.log(`writer: thread error: ${err.message}`);
    });
    w.on('exit', (code) => {
      if (this.worker !== w) return;
      this.worker = null;
      if (this.closing) {
        this.closedResolve?.(null);
        return;
      }
      this.bootFailures = booted ? 0 : this.bootFailures + 1;
      this.rowsWrittenBefore += this.thread.rowsWritten;
      this.errorsBefore += this.thread.errors;
      this.badBefore += this.thread.badRecords;
      this.thread = { ...EMPTY_THREAD_STATS, journalRows: this.thread.journalRows, journalBytes: this.thread.journalBytes, ackedSeq: this.retention.ackedSeq };
      if (this.bootFailures >= MAX_BOOT_FAILURES) {
        this.state = 'failed';
        this.log(`writer: thread failed to start ${this.bootFailures} times (exit code ${code}); not restarting. ${this.retention.lastSeq - this.retention.ackedSeq} records are held in memory and journalled at exit`);
        this.readyResolve?.();
        return;
      }
      this.exitedAtMs = Date.now();
      this.restarts++;
      this.state = 'restarting';
      this.log(`writer: thread exited (code ${code}); restarting, resuming after record ${this.retention.ackedSeq}`);
      this.generation++;
      this.ring = this.newRing();
      this.retention.rewind();
      this.spawn();
    });
    w.postMessage({ type: 'start', ring: this.ring.sab, init } satisfies MainToWriter);
  }

  private onMessage(m: WriterToMain): void {
    switch (m.type) {
      case 'ready':
        if (this.exitedAtMs > 0) {
          this.lastRestartMs = Date.now() - this.exitedAtMs;
          this.log(`writer: thread restarted in ${this.lastRestartMs} ms (generation ${m.generation})`);
          this.exitedAtMs = 0;
        }
        if (m.journalRowsAtStart > 0) this.log(`writer: ${m.journalRowsAtStart} rows found in journal ${this.journalPath}; replaying them${this.url === null ? ' when a database is configured' : ''}`);
        this.state = 'ok';
        this.retention.pump(this.ring);
        this.sendReports();
        this.readyResolve?.();
        this.readyResolve = null;
        this.spawnStandby();
        return;
      case 'ack':
        this.retention.ack(m.seq);
        return;
      case 'stats':
        this.thread = m.stats;
        this.retention.ack(m.stats.ackedSeq);
        if (this.state !== 'restarting' && this.state !== 'failed') this.state = m.stats.state;
        this.noteState();
        return;
      case 'error':
        this.log(m.message);
        return;
      case 'loaded':
        return;
      case 'closed':
        this.thread = m.stats;
        this.retention.ack(m.stats.ackedSeq);
        this.closedResolve?.(m);
        return;
    }
  }

  /** Logs database trouble and recovery once per change (never per retry). */
  private noteState(): void {
    const t = this.thread;
    const now = Date.now();
    if (t.lastError !== null && t.errors > 0 && (t.lastError !== this.lastLoggedError || now - this.lastLoggedErrorAtMs > 60_000) && this.state === 'journalling') {
      this.lastLoggedError = t.lastError;
      this.lastLoggedErrorAtMs = now;
      this.log(`writer: ${t.lastError}; journalling (${t.journalRows} rows in ${this.journalPath}), retrying`);
    }
    if (this.lastState === 'journalling' && this.state === 'ok') this.log(`writer: database answers again; journal replayed (${this.rowsWrittenBefore + t.rowsWritten} rows written so far)`);
    this.lastState = this.state;
  }

  stats(): EngineWriterStats {
    const t = this.thread;
    return {
      state: this.state,
      runId: this.engine.runId,
      url: this.url === null ? '(journal only)' : redactUrl(this.url),
      journalPath: this.journalPath,
      rowsWritten: this.rowsWrittenBefore + t.rowsWritten,
      rowsPerS: t.rowsPerS,
      queueDepth: t.queueDepth,
      batchLagMs: t.batchLagMs,
      journalRows: t.journalRows,
      journalBytes: t.journalBytes,
      errors: this.errorsBefore + t.errors,
      lastError: t.lastError,
      forwarded: this.retention.lastSeq,
      acked: this.retention.ackedSeq,
      overflowDepth: this.retention.unsent,
      overflowRecords: this.overflowRecords,
      retainedBytes: this.retention.bytes,
      restarts: this.restarts,
      unpersisted: this.unpersisted + this.listenerErrors,
      lastRestartMs: this.lastRestartMs,
      badRecords: this.badBefore + t.badRecords,
    };
  }

  statusText(): string {
    const s = this.stats();
    const kb = (b: number) => (b >= 10 * 1024 * 1024 ? `${Math.round(b / MiB)}MB` : `${Math.round(b / 1024)}KB`);
    let t = `db ${s.state} ${s.rowsPerS}r/s q${s.queueDepth} lag ${s.batchLagMs}ms jnl ${s.journalRows}r/${kb(s.journalBytes)} err ${s.errors}`;
    if (s.overflowDepth > 0) t += ` backlog ${s.overflowDepth}`;
    if (s.restarts > 0) t += ` restarts ${s.restarts}`;
    return t;
  }

  async killThreadForTest(): Promise<void> {
    const w = this.worker;
    if (w !== null) await w.terminate();
  }

  async close(summary: RunSummary, reason: string): Promise<WriterCloseResult> {
    if (this.pumpTimer) clearInterval(this.pumpTimer);
    if (this.reportTimer) clearInterval(this.reportTimer);
    this.pumpTimer = this.reportTimer = null;
    // Records drained by engine.stop() are in the retention log; wait for a restarting thread.
    if (this.state === 'restarting' || this.state === 'starting') await Promise.race([this.ready(), sleep(10_000)]);
    this.closing = true;
    if (this.standby !== null) {
      const sb = this.standby;
      this.standby = null;
      void sb.terminate();
    }
    let closed: Extract<WriterToMain, { type: 'closed' }> | null = null;
    if (this.worker !== null) {
      this.sendReports(true);
      this.post({ type: 'end', run: { run_id: this.engine.runId, ended_unix_us: Date.now() * 1000, exit_reason: reason, summary_json: JSON.stringify(summary) } });
      const done = new Promise<Extract<WriterToMain, { type: 'closed' }> | null>((res) => (this.closedResolve = res));
      this.post({ type: 'close', lastSeq: this.retention.lastSeq });
      const deadline = Date.now() + CLOSE_TIMEOUT_MS;
      // Keep feeding the ring until the thread answers (it may be full).
      const feeder = setInterval(() => {
        if (this.worker !== null) this.retention.pump(this.ring);
      }, PUMP_EVERY_MS);
      closed = await Promise.race([done, sleep(Math.max(0, deadline - Date.now())).then(() => null)]);
      clearInterval(feeder);
      if (this.worker !== null) {
        const w = this.worker;
        this.worker = null;
        await w.terminate();
      }
    }
    const notes: string[] = [];
    let flush: FlushResult | null = closed?.flush ?? null;
    if (this.retention.ackedSeq < this.retention.lastSeq) {
      // The thread did not confirm everything (it hung or failed): journal the rest from here.
      const left = this.retention.lastSeq - this.retention.ackedSeq;
      try {
        flush = await this.journalFromMain(summary, reason);
        notes.push(`writer: the writer thread did not confirm ${left} records${closed === null ? ' before its close timeout' : ''}; journalled them from the main thread`);
      } catch (err) {
        notes.push(`writer: ${left} records could NOT be persisted: ${(err as Error).message}`);
      }
    }
    this.state = 'closed';
    unlock(this.journalPath);
    const st = this.stats();
    const complete = flush?.complete === true && this.retention.ackedSeq >= this.retention.lastSeq && st.unpersisted === 0;
    if (st.unpersisted > 0) notes.push(`writer: ${st.unpersisted} records were NOT persisted (writer thread unavailable)`);
    if (flush !== null) notes.unshift(`writer: ${flush.message}`);
    notes.push(
      `writer: ${st.rowsWritten} rows written to ${st.url}, ${st.journalRows} rows in journal ${this.journalPath}, ${st.errors} database errors` +
        (st.restarts > 0 ? `, ${st.restarts} thread restarts` : '') +
        (st.overflowRecords > 0 ? `, ${st.overflowRecords} records waited in memory for a full ring` : ''),
    );
    return { complete, stats: st, flush, notes };
  }

  /** Last resort: map the unconfirmed records here and append them to the journal (no database). */
  private async journalFromMain(summary: RunSummary, reason: string): Promise<FlushResult> {
    const w = new BatchWriter({ url: null, journalPath: this.journalPath, fsync: 'always' });
    const mapper = new RowMapper(this.engine.runId, this.rows.epochUnixUs, this.rows.wallEpochUnixUs, false);
    w.write('runs', { ...this.rows.run, ended_unix_us: Date.now() * 1000, exit_reason: reason, summary_json: JSON.stringify(summary) });
    for (const i of this.rows.instruments) w.write('instruments', i);
    let last = this.retention.ackedSeq;
    for (const r of this.retention.unacked()) {
      mapper.map(r.type, r.buf, r.index, r.seq, r.aux, w);
      last = r.seq;
    }
    const res = await w.close();
    this.retention.ack(last);
    return res;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/**
 * Attaches the writer to a started engine: chooses the database, takes the
 * journal, starts the writer thread and registers the event listener (from
 * this call on, no record is missed: the collector has not polled yet when
 * `runCommand` calls its onStarted hook). Resolves once the database is
 * chosen; the thread boots in the background (`ready()` waits for it) while
 * records queue in memory.
 */
export async function attachWriter(engine: ProductionEngine, config: EngineConfig, log: (line: string) => void, overrides: Partial<WriterOptions> = {}): Promise<WriterHandle> {
  let j: { path: string; shared: boolean };
  try {
    j = chooseJournal(resolve(config.journalDir));
    checkJournal(j.path, log);
  } catch (err) {
    const why = `cannot use a journal in ${config.journalDir}: ${(err as Error).message}`;
    log(`writer: ERROR: ${why}; this run is NOT persisted (trading continues)`);
    const h = new UnavailableWriter(engine, why);
    handles.set(engine, h);
    return h;
  }
  if (!j.shared) log(`writer: ${join(config.journalDir, JOURNAL_FILE)} is in use by another running engine; using ${j.path}`);
  const listenerFirst = new EventBuffer();
  engine.collector.listeners.push(listenerFirst);
  let target: WriterTarget;
  try {
    target = overrides.url !== undefined ? { url: overrides.url, source: 'flag', notes: [] } : await resolveWriterTarget(config.mysqlUrl, j.path);
  } catch (err) {
    target = { url: null, source: 'none', notes: [`writer: ${(err as Error).message}; journal only`] };
  }
  for (const n of target.notes) log(n);
  const o = { ...writerOptionsFromEnv(config, target.url), ...overrides, url: target.url };
  const w = new EngineWriter(engine, o, j.path, log);
  // Records drained while we probed the database: hand them over, then listen directly.
  const i = engine.collector.listeners.indexOf(listenerFirst);
  if (i >= 0) engine.collector.listeners.splice(i, 1);
  for (const r of listenerFirst.take()) w.onEventRecord(r.ring, r.type, r.bytes, 0, r.bytes.length);
  w.start();
  handles.set(engine, w);
  return w;
}

/** A journal this build cannot read (foreign file, newer format) is moved aside, never appended to. */
function checkJournal(path: string, log: (line: string) => void): void {
  try {
    Journal.open(path, { fsync: 'never' }).close();
  } catch (err) {
    const aside = `${path}.unreadable-${Date.now()}`;
    renameSync(path, aside);
    log(`writer: ${(err as Error).message}; moved it to ${aside} and started a new journal`);
  }
}

/** Stands in when no journal can be opened: says so everywhere, persists nothing. */
class UnavailableWriter implements WriterHandle {
  readonly url = null;
  readonly journalPath = '(none)';
  readonly fillsLogPath = '(none)';
  constructor(
    private readonly engine: ProductionEngine,
    private readonly why: string,
  ) {}
  stats(): EngineWriterStats {
    const s = this.engine.summary();
    return {
      state: 'failed', runId: this.engine.runId, url: '(none)', journalPath: '(none)', rowsWritten: 0, rowsPerS: 0, queueDepth: 0, batchLagMs: 0,
      journalRows: 0, journalBytes: 0, errors: 1, lastError: this.why, forwarded: 0, acked: 0, overflowDepth: 0, overflowRecords: 0,
      retainedBytes: 0, restarts: 0, unpersisted: s.signals + s.fills, lastRestartMs: null, badRecords: 0,
    };
  }
  statusText(): string {
    return 'db FAILED (not persisted)';
  }
  ready(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<WriterCloseResult> {
    return Promise.resolve({ complete: false, stats: this.stats(), flush: null, notes: [`writer: this run was NOT persisted: ${this.why}`] });
  }
  killThreadForTest(): Promise<void> {
    return Promise.resolve();
  }
}

/** Holds records (copied) while the database is being chosen at start-up. */
class EventBuffer implements EventListener {
  private records: { ring: string; type: number; bytes: Uint8Array }[] = [];
  onEventRecord(ring: string, msgTypeId: number, bytes: Uint8Array, index: number, length: number): void {
    this.records.push({ ring, type: msgTypeId, bytes: bytes.slice(index, index + length) });
  }
  take(): { ring: string; type: number; bytes: Uint8Array }[] {
    const r = this.records;
    this.records = [];
    return r;
  }
}
