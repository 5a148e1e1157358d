/**
 * Table specs (columns, keys, idempotent upsert policy), multi-row INSERT
 * building, and the batch format shared by the batch writer, the journal and
 * load-journal.
 *
 * Role: the single place that knows how a row becomes SQL. Owning thread: the
 * writer thread (and the CLI for load-journal). Cold path relative to the
 * engine; warm for the writer (one string build per batch).
 *
 * Upsert policy per table (why not INSERT IGNORE anywhere: IGNORE also turns
 * real data errors — too long, NULL, out of range — into warnings and silently
 * stores a mangled row; `ON DUPLICATE KEY UPDATE` only ever handles the
 * duplicate-key case and lets every other error surface):
 * - `first-wins` (immutable facts: signals, fills, events, market data,
 *   instruments, position snapshots): `ON DUPLICATE KEY UPDATE run_id = run_id`,
 *   a no-op update, so a retried or replayed row changes nothing.
 * - `merge` (runs, orders): each non-key column = COALESCE(new, old), so rows
 *   from different stages (intent, risk decision, venue) fill in their own
 *   columns; the venue columns only move forward (`venue_update_seq` guard),
 *   so replaying an old update after a newer one cannot roll the state back.
 * - `latest-wins` (latency_summaries): the row with the newest `ts_us` wins.
 * All three are idempotent AND order-insensitive, so a journal replayed after
 * a partial commit, or a timed-out batch retried after it did commit, lands
 * the same final state (RISK-CONTROLS.md §3: writer retries must be idempotent).
 * `VALUES(col)` is used rather than MySQL 8.0.19's row alias because MariaDB
 * and TiDB do not accept the alias; MySQL 8 accepts VALUES() with a
 * deprecation note.
 */
import mysql from 'mysql2/promise';
import type { Connection, PoolConnection } from 'mysql2/promise';
import { toDbError, type DbErrorKind } from './connection.ts';
import type { RowsByTable, TableName } from './row-types.ts';

export type SqlValue = number | string | null;
export type UpsertPolicy = 'first-wins' | 'merge' | 'latest-wins';

export interface TableSpec {
  readonly name: TableName;
  readonly columns: readonly string[];
  readonly key: readonly string[];
  readonly policy: UpsertPolicy;
  /** The `ON DUPLICATE KEY UPDATE …` clause, built once. */
  readonly onDuplicate: string;
}

/** Compile-time check that a column list names every field of the row type, and nothing else. */
function columnsOf<R>() {
  return <const C extends readonly (keyof R & string)[]>(
    c: C & ([Exclude<keyof R, C[number]>] extends [never] ? unknown : { missing: Exclude<keyof R, C[number]> }),
  ): readonly string[] => c;
}

const q = (c: string) => `\`${c}\``;

function spec(name: TableName, columns: readonly string[], key: readonly string[], policy: UpsertPolicy, onDuplicate?: string): TableSpec {
  const rest = columns.filter((c) => !key.includes(c));
  let clause: string;
  if (onDuplicate !== undefined) clause = onDuplicate;
  else if (policy === 'first-wins') clause = `${q(key[0]!)} = ${q(key[0]!)}`;
  else if (policy === 'merge') clause = rest.map((c) => `${q(c)} = COALESCE(VALUES(${q(c)}), ${q(c)})`).join(', ');
  else {
    // latest-wins on ts_us: ts_us must be assigned last (assignments see earlier ones).
    const cols = [...rest.filter((c) => c !== 'ts_us'), 'ts_us'];
    clause = cols.map((c) => `${q(c)} = IF(VALUES(\`ts_us\`) >= \`ts_us\`, VALUES(${q(c)}), ${q(c)})`).join(', ');
  }
  return { name, columns, key, policy, onDuplicate: ` ON DUPLICATE KEY UPDATE ${clause}` };
}

const ORDER_COLUMNS = columnsOf<RowsByTable['orders']>()([
  'run_id', 'client_order_id', 'signal_id', 'strategy_id', 'instrument_id', 'side', 'order_type', 'price_ticks',
  'size_lots', 'reduce_only', 'ts_trigger_recv_us', 'ts_signal_us', 'risk_decision', 'deny_reason', 'deny_detail',
  'ts_risk_us', 'venue_status', 'venue_reason', 'filled_lots', 'venue_update_seq', 'ts_venue_ack_us', 'ts_last_update_us',
]);

/** Orders: intent and risk columns COALESCE-merge; venue columns advance only with venue_update_seq. */
function ordersClause(): string {
  const intentAndRisk = ORDER_COLUMNS.filter((c) => !['run_id', 'client_order_id'].includes(c) && !c.startsWith('venue_') && c !== 'filled_lots' && c !== 'ts_last_update_us' && c !== 'ts_venue_ack_us');
  const newer = 'VALUES(`venue_update_seq`) IS NOT NULL AND (`venue_update_seq` IS NULL OR VALUES(`venue_update_seq`) >= `venue_update_seq`)';
  const venue = ['venue_status', 'venue_reason', 'filled_lots', 'ts_last_update_us', 'venue_update_seq']; // seq last
  return [
    ...intentAndRisk.map((c) => `${q(c)} = COALESCE(VALUES(${q(c)}), ${q(c)})`),
    '`ts_venue_ack_us` = COALESCE(`ts_venue_ack_us`, VALUES(`ts_venue_ack_us`))',
    ...venue.map((c) => `${q(c)} = IF(${newer}, VALUES(${q(c)}), ${q(c)})`),
  ].join(', ');
}

export const TABLES: { readonly [T in TableName]: TableSpec } = {
  runs: spec('runs', columnsOf<RowsByTable['runs']>()([
    'run_id', 'config_hash', 'source', 'engine_version', 'topology', 'clock_mode', 'seed', 'host', 'epoch_unix_us',
    'started_unix_us', 'ended_unix_us', 'exit_reason', 'config_json', 'summary_json',
  ]), ['run_id'], 'merge'),
  instruments: spec('instruments', columnsOf<RowsByTable['instruments']>()([
    'run_id', 'instrument_id', 'symbol', 'tick_size', 'lot_size', 'contract_value', 'min_size_lots', 'price_decimals',
    'size_decimals', 'maker_fee_bps', 'taker_fee_bps',
  ]), ['run_id', 'instrument_id'], 'first-wins'),
  signals: spec('signals', columnsOf<RowsByTable['signals']>()([
    'run_id', 'signal_id', 'strategy_id', 'instrument_id', 'action', 'side', 'price_ticks', 'size_lots', 'reason',
    'detail', 'ts_trigger_recv_us', 'ts_signal_us',
  ]), ['run_id', 'signal_id'], 'first-wins'),
  orders: spec('orders', ORDER_COLUMNS, ['run_id', 'client_order_id'], 'merge', ordersClause()),
  fills: spec('fills', columnsOf<RowsByTable['fills']>()([
    'run_id', 'fill_id', 'client_order_id', 'instrument_id', 'side', 'price_ticks', 'size_lots', 'liquidity',
    'fee_quote', 'ts_trigger_recv_us', 'ts_fill_us',
  ]), ['run_id', 'fill_id'], 'first-wins'),
  position_snapshots: spec('position_snapshots', columnsOf<RowsByTable['position_snapshots']>()([
    'run_id', 'snapshot_id', 'instrument_id', 'ts_us', 'position_lots', 'avg_entry_ticks', 'mark_ticks',
    'realized_pnl', 'unrealized_pnl', 'fees_quote',
  ]), ['run_id', 'snapshot_id', 'instrument_id'], 'first-wins'),
  risk_events: spec('risk_events', columnsOf<RowsByTable['risk_events']>()([
    'run_id', 'event_id', 'ts_us', 'kind', 'instrument_id', 'client_order_id', 'state_from', 'state_to', 'reason',
    'value', 'limit_value', 'detail',
  ]), ['run_id', 'event_id'], 'first-wins'),
  dq_events: spec('dq_events', columnsOf<RowsByTable['dq_events']>()([
    'run_id', 'event_id', 'ts_us', 'instrument_id', 'kind', 'feed_state', 'seq_expected', 'seq_got', 'value', 'detail',
  ]), ['run_id', 'event_id'], 'first-wins'),
  latency_summaries: spec('latency_summaries', columnsOf<RowsByTable['latency_summaries']>()([
    'run_id', 'hop', 'ts_us', 'unit', 'sample_count', 'p50', 'p90', 'p99', 'p999', 'p_max', 'mean', 'co_corrected',
    'hdr_base64',
  ]), ['run_id', 'hop'], 'latest-wins'),
  book_samples: spec('book_samples', columnsOf<RowsByTable['book_samples']>()([
    'run_id', 'instrument_id', 'sample_id', 'ts_exchange_unix_us', 'ts_recv_us', 'bid_ticks', 'bid_lots', 'ask_ticks',
    'ask_lots', 'feed_state',
  ]), ['run_id', 'instrument_id', 'sample_id'], 'first-wins'),
  market_trades: spec('market_trades', columnsOf<RowsByTable['market_trades']>()([
    'run_id', 'instrument_id', 'trade_id', 'ts_exchange_unix_us', 'ts_recv_us', 'price_ticks', 'size_lots',
    'aggressor_side',
  ]), ['run_id', 'instrument_id', 'trade_id'], 'first-wins'),
  liquidations: spec('liquidations', columnsOf<RowsByTable['liquidations']>()([
    'run_id', 'liquidation_id', 'instrument_id', 'ts_exchange_unix_us', 'ts_recv_us', 'side', 'price_ticks', 'size_lots',
  ]), ['run_id', 'liquidation_id'], 'first-wins'),
};

/** Fixed table order inside a batch (parents first, for readability of the journal). */
export const TABLE_ORDER: readonly TableName[] = [
  'runs', 'instruments', 'signals', 'orders', 'fills', 'position_snapshots', 'risk_events', 'dq_events',
  'latency_summaries', 'book_samples', 'market_trades', 'liquidations',
];

export function isTableName(t: string): t is TableName {
  return Object.prototype.hasOwnProperty.call(TABLES, t);
}

/**
 * Row object → values in column order. Non-finite numbers become NULL (DOUBLE
 * cannot hold NaN/Infinity), booleans 1/0, undefined NULL.
 */
export function rowValues(spec: TableSpec, row: object): SqlValue[] {
  const r = row as Record<string, unknown>;
  const cols = spec.columns;
  const out = new Array<SqlValue>(cols.length);
  for (let i = 0; i < cols.length; i++) {
    const v = r[cols[i]!];
    if (typeof v === 'number') out[i] = Number.isFinite(v) ? v : null;
    else if (typeof v === 'string') out[i] = v;
    else if (typeof v === 'boolean') out[i] = v ? 1 : 0;
    else if (v === null || v === undefined) out[i] = null;
    else throw new TypeError(`${spec.name}.${cols[i]}: unsupported value type ${typeof v}`);
  }
  return out;
}

/** One table's rows inside a batch; `columns` travel with the rows (journal robustness). */
export interface TableChunk {
  table: TableName;
  columns: readonly string[];
  rows: SqlValue[][];
}

/** A unit of work: written in one transaction, or appended as one journal record. */
export interface Batch {
  chunks: TableChunk[];
  rows: number;
}

/** SQL text for a multi-row insert (`query` mode: values escaped client-side). */
function literal(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') return String(v);
  return mysql.escape(v);
}

/** Largest statement we send; far below the 16 MiB max_allowed_packet default. */
export const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

/** Builds one or more `INSERT … VALUES (…),(…) ON DUPLICATE KEY UPDATE …` statements. */
export function buildInsertSql(chunk: TableChunk, maxBytes = MAX_STATEMENT_BYTES): string[] {
  const spec = TABLES[chunk.table];
  const head = `INSERT INTO ${q(spec.name)} (${chunk.columns.map(q).join(',')}) VALUES `;
  const out: string[] = [];
  let parts: string[] = [];
  let bytes = head.length + spec.onDuplicate.length;
  for (const row of chunk.rows) {
    let s = '(';
    for (let i = 0; i < row.length; i++) s += (i ? ',' : '') + literal(row[i]!);
    s += ')';
    if (parts.length > 0 && bytes + s.length + 1 > maxBytes) {
      out.push(head + parts.join(',') + spec.onDuplicate);
      parts = [];
      bytes = head.length + spec.onDuplicate.length;
    }
    parts.push(s);
    bytes += s.length + 1;
  }
  if (parts.length > 0) out.push(head + parts.join(',') + spec.onDuplicate);
  return out;
}

/** Placeholder SQL for `execute` (server-side prepared) mode, n rows. */
export function buildPreparedSql(chunk: TableChunk, n: number): string {
  const spec = TABLES[chunk.table];
  const one = `(${chunk.columns.map(() => '?').join(',')})`;
  return `INSERT INTO ${q(spec.name)} (${chunk.columns.map(q).join(',')}) VALUES ${new Array<string>(n).fill(one).join(',')}${spec.onDuplicate}`;
}

/** `query`: client-side escaped text protocol; `execute`: server-side prepared statements. */
export type SqlMode = 'query' | 'execute';

/** Prepared statements take at most 65,535 placeholders. */
const MAX_PLACEHOLDERS = 65_535;

/** Writes all chunks of a batch in ONE transaction. Throws the driver error on failure. */
export async function writeBatchTx(conn: Connection | PoolConnection, batch: Batch, mode: SqlMode = 'query', timeoutMs = 10_000): Promise<void> {
  await conn.query({ sql: 'START TRANSACTION', timeout: timeoutMs });
  try {
    for (const chunk of batch.chunks) {
      if (chunk.rows.length === 0) continue;
      if (mode === 'query') {
        for (const sql of buildInsertSql(chunk)) await conn.query({ sql, timeout: timeoutMs });
      } else {
        const per = Math.max(1, Math.floor(MAX_PLACEHOLDERS / chunk.columns.length));
        for (let i = 0; i < chunk.rows.length; i += per) {
          const rows = chunk.rows.slice(i, i + per);
          await conn.execute({ sql: buildPreparedSql(chunk, rows.length), timeout: timeoutMs }, rows.flat());
        }
      }
    }
    await conn.query({ sql: 'COMMIT', timeout: timeoutMs });
  } catch (err) {
    // Roll back only when the server answered. After a timeout or a lost link
    // the connection still waits for (or has lost) the previous reply, so a
    // ROLLBACK queued behind it waited as long as the server hung — and the
    // writer with it, neither journalling nor counting the error. Callers
    // destroy such a connection; the server rolls back when it closes.
    if (!LINK_FAILURES.has(toDbError(err, '').kind)) await conn.query({ sql: 'ROLLBACK', timeout: timeoutMs }).catch(() => undefined);
    throw err;
  }
}

/** Error kinds after which a connection's state is unknown (see writeBatchTx). */
const LINK_FAILURES = new Set<DbErrorKind>(['timeout', 'connection-lost', 'unreachable']);

/** Journal payload: `{"v":1,"b":[[table,[columns],[[values]…]]…]}` (UTF-8 JSON). */
export function encodeBatch(batch: Batch): string {
  return JSON.stringify({ v: 1, b: batch.chunks.map((c) => [c.table, c.columns, c.rows]) });
}

/**
 * Parses a journal payload. Columns are matched by name, so a journal written
 * by an older build (fewer columns) still loads; an unknown table or column
 * throws with its name.
 */
export function decodeBatch(payload: Buffer | string): Batch {
  const doc = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8')) as { v?: number; b?: unknown };
  if (doc.v !== 1 || !Array.isArray(doc.b)) throw new Error(`journal record: unsupported payload version ${String(doc.v)}`);
  const chunks: TableChunk[] = [];
  let total = 0;
  for (const entry of doc.b as unknown[]) {
    const [table, columns, rows] = entry as [string, string[], SqlValue[][]];
    if (!isTableName(table)) throw new Error(`journal record: unknown table "${table}"`);
    const spec = TABLES[table];
    let out = rows;
    if (columns.length !== spec.columns.length || columns.some((c, i) => c !== spec.columns[i])) {
      const idx = spec.columns.map((c) => columns.indexOf(c));
      const unknown = columns.filter((c) => !spec.columns.includes(c));
      if (unknown.length > 0) throw new Error(`journal record: table ${table} has unknown columns ${unknown.join(',')}`);
      out = rows.map((r) => idx.map((j) => (j < 0 ? null : r[j]!)));
    }
    chunks.push({ table, columns: spec.columns, rows: out });
    total += out.length;
  }
  return { chunks, rows: total };
}
