/**
 * Sweep results into MySQL/MariaDB/TiDB: one `sweeps` row per sweep and one
 * `sweep_results` row per finished task (schemas/sql/0002_sweep_results.sql,
 * 0003_sweep_group_size.sql).
 *
 * Owning thread: the CLI's main thread, after the pool has finished (or was
 * cancelled). Cold: a few hundred rows, one transaction.
 *
 * Idempotent: rows are keyed (sweep_id, task_id) and inserted first-wins, so
 * writing the same sweep twice (a retry after a lost connection) leaves one
 * copy. The caller writes the JSON-lines file first, so a database that is
 * down or lacks the table loses nothing: the error names the URL and the fix.
 */
import { hostname } from 'node:os';
import type { RowDataPacket } from 'mysql2/promise';
import { engineVersion } from '../core/engine-version.ts';
import { connectOnce, DbError, parseMysqlUrl, toDbError } from '../gateway/db/connection.ts';
import { schemaStatus } from '../gateway/db/migrate.ts';
import type { SweepGrid } from './sweep-grid.ts';
import type { SweepResult } from './sweep-result.ts';

/** The last migration the sweep tables need (0002 creates them, 0003 adds `group_size`). */
export const SWEEP_SCHEMA_VERSION = 3;
/** Rows per multi-row INSERT (a 1000-task sweep is two statements). */
const ROWS_PER_INSERT = 500;

export interface SweepHeader {
  sweepId: string;
  grid: SweepGrid;
  gridFile: string;
  threads: number;
  tasks: number;
  cancelled: boolean;
  startedUnixMs: number;
  wallMs: number;
}

const RESULT_COLUMNS = [
  'sweep_id', 'task_id', 'param_set_id', 'input', 'band', 'params_json', 'ok', 'error', 'events', 'group_size', 'wall_ms',
  'pnl_net', 'pnl_realized', 'pnl_unrealized', 'pnl_fees', 'pnl_funding', 'sharpe', 'max_drawdown',
  'fills', 'fills_taker', 'fills_queue', 'fills_trade_through', 'fills_book_cross', 'orders_submitted', 'orders_accepted', 'filled_orders', 'fill_rate', 'denied_json', 'fills_hash', 'lost', 'kill_switch',
] as const;

/** A non-finite DOUBLE (a Sharpe ratio of a flat run) has no SQL value: store 0, as the CSV's readers would. */
function dbl(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

/** The validated grid as JSON (its `grid` and `random.params` are Maps, which JSON.stringify would print as {}). */
function gridJson(g: SweepGrid): string {
  return JSON.stringify(g, (_key, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v));
}

function resultRow(sweepId: string, r: SweepResult): unknown[] {
  return [
    sweepId, r.taskId, r.paramSetId, r.input, r.band, JSON.stringify(r.params), r.ok ? 1 : 0, r.error === '' ? null : r.error, r.events, r.groupSize, dbl(r.wallMs),
    dbl(r.pnlNet), dbl(r.pnlRealized), dbl(r.pnlUnrealized), dbl(r.pnlFees), dbl(r.pnlFunding), dbl(r.sharpe), dbl(r.maxDrawdown),
    r.fills, r.fillsTaker, r.fillsQueue, r.fillsTradeThrough, r.fillsBookCross, r.ordersSubmitted, r.ordersAccepted, r.filledOrders, dbl(r.fillRate), JSON.stringify(r.denied), r.fillsHash, r.lost, r.killSwitch ? 1 : 0,
  ];
}

/**
 * Writes the sweep and its results; returns the rows of sweep_results that
 * the database now holds for this sweep. Throws a DbError naming the URL: the
 * server is unreachable, refuses the credentials, or has no sweep tables (run
 * `qhft migrate`).
 */
export async function writeSweepResults(url: string, h: SweepHeader, results: readonly SweepResult[]): Promise<number> {
  const t = parseMysqlUrl(url);
  const status = await schemaStatus(url, { connectTimeoutMs: 5_000 });
  if (status.newerThanCode) {
    throw new DbError('newer-schema', t.redacted, `schema version ${status.current} is newer than this build knows (${status.latestKnown}); refusing to write there`);
  }
  if (status.current < SWEEP_SCHEMA_VERSION) {
    throw new DbError('no-schema', t.redacted, `schema version ${status.current} < ${SWEEP_SCHEMA_VERSION}: the sweep tables are missing or out of date — run: qhft migrate --mysql-url ${t.redacted}`);
  }
  const c = await connectOnce(url, { connectTimeoutMs: 5_000 });
  try {
    await c.query('START TRANSACTION');
    const failed = results.filter((r) => !r.ok).length;
    await c.query(
      `INSERT INTO sweeps (sweep_id, name, grid_file, grid_json, engine_version, host, threads, tasks, finished, failed, cancelled, started_unix_us, wall_ms)
       VALUES (?) ON DUPLICATE KEY UPDATE sweep_id = sweep_id`,
      [[h.sweepId, h.grid.name, h.gridFile, gridJson(h.grid), engineVersion(), hostname(), h.threads, h.tasks, results.length, failed, h.cancelled ? 1 : 0, Math.round(h.startedUnixMs * 1000), dbl(h.wallMs)]],
    );
    for (let i = 0; i < results.length; i += ROWS_PER_INSERT) {
      const rows = results.slice(i, i + ROWS_PER_INSERT).map((r) => resultRow(h.sweepId, r));
      await c.query(`INSERT INTO sweep_results (${RESULT_COLUMNS.join(', ')}) VALUES ? ON DUPLICATE KEY UPDATE task_id = task_id`, [rows]);
    }
    await c.query('COMMIT');
    const [n] = await c.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM sweep_results WHERE sweep_id = ?', [h.sweepId]);
    return Number(n[0]!.n);
  } catch (err) {
    c.destroy();
    throw err instanceof DbError ? err : toDbError(err, t.redacted, t.database);
  } finally {
    await c.end().catch(() => undefined);
  }
}
