/**
 * `qhft load-journal PATH`: loads a writer journal into MySQL after the fact
 * (the engine ran without a database, or exited while it was down):
 * `qhft migrate && qhft load-journal .qhft/writer.journal`.
 *
 * Role: offline replay. Owning thread: the CLI's main thread; never runs
 * beside a live writer on the same file. Cold path.
 * Records are loaded in order, one transaction each, with the same
 * idempotent upserts as the live writer, so a load that fails half-way can
 * simply be re-run: nothing is duplicated. The journal is truncated only
 * after every record committed.
 */
import { existsSync } from 'node:fs';
import { connectOnce, DbError, parseMysqlUrl, toDbError } from './connection.ts';
import { Journal, type TailProblem } from './journal.ts';
import { REQUIRED_SCHEMA_VERSION, schemaStatus } from './migrate.ts';
import { decodeBatch, writeBatchTx, type SqlMode } from './tables.ts';

export interface LoadJournalOptions {
  /** Keep the journal after loading (default: truncate it). */
  keep?: boolean;
  sqlMode?: SqlMode;
  connectTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface LoadJournalResult {
  records: number;
  rows: number;
  /** Records whose payload could not be decoded (left out, counted). */
  skipped: number;
  /** An invalid tail found (and moved to `<path>.corrupt-<offset>`), if any. */
  tail: TailProblem | null;
  truncated: boolean;
}

export async function loadJournal(path: string, url: string, opts: LoadJournalOptions = {}): Promise<LoadJournalResult> {
  const t = parseMysqlUrl(url);
  if (!existsSync(path)) throw new Error(`load-journal: no journal at ${path}`);
  const status = await schemaStatus(url, { connectTimeoutMs: opts.connectTimeoutMs });
  if (status.current < REQUIRED_SCHEMA_VERSION) {
    throw new DbError('no-schema', t.redacted, `schema version ${status.current} < ${REQUIRED_SCHEMA_VERSION} required by this journal: run qhft migrate first`);
  }
  const log = opts.log ?? (() => undefined);
  const journal = Journal.open(path, { fsync: 'always' });
  if (journal.recoveredTail) {
    log(`journal ${path}: invalid tail at byte ${journal.recoveredTail.offset} (${journal.recoveredTail.reason}, ${journal.recoveredTail.bytes} bytes) moved to ${path}.corrupt-${journal.recoveredTail.offset}`);
  }
  const conn = await connectOnce(url, { connectTimeoutMs: opts.connectTimeoutMs });
  const result: LoadJournalResult = { records: 0, rows: 0, skipped: 0, tail: journal.recoveredTail, truncated: false };
  try {
    const records = journal.readFrom();
    for (const rec of records) {
      let batch;
      try {
        batch = decodeBatch(rec.payload);
      } catch (err) {
        result.skipped++;
        log(`journal ${path}: record at byte ${rec.offset} skipped: ${String(err)}`);
        continue;
      }
      try {
        await writeBatchTx(conn, batch, opts.sqlMode ?? 'query');
      } catch (err) {
        const e = toDbError(err, t.redacted, t.database);
        throw new DbError(e.kind, t.redacted, `load-journal stopped at record ${result.records + 1} of ${records.length} (byte ${rec.offset}); journal kept, re-running is safe: ${e.message}`, e.code, err);
      }
      result.records++;
      result.rows += batch.rows;
    }
    if (!opts.keep) {
      journal.truncate();
      result.truncated = true;
    }
    log(`loaded ${result.rows} rows from ${result.records} records of ${path} into ${t.redacted}`);
    return result;
  } finally {
    journal.close();
    await conn.end().catch(() => conn.destroy());
  }
}
