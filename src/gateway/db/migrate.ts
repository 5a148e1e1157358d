/**
 * Schema migrations: applies schemas/sql/NNNN_name.sql in order and records
 * each applied version with the file's SHA-256 in `schema_migrations`.
 *
 * Role: `qhft migrate` and the start-up schema check. Owning thread: the
 * CLI's main thread (never the engine's workers). Cold path.
 *
 * Rules: a re-run with nothing pending is a no-op; a database whose newest
 * applied version is above the newest file this build knows is refused (an
 * older build must not write into a newer schema); an applied file whose
 * checksum changed is refused (edit history by adding a file, never by
 * changing one). A named lock (GET_LOCK, on MySQL, MariaDB and TiDB) keeps two
 * migrators from racing. DDL is not transactional on any of the three, so the
 * files use CREATE TABLE IF NOT EXISTS: a migration that died half-way is
 * simply re-run.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { connectOnce, DbError, parseMysqlUrl, toDbError } from './connection.ts';

/** The schema version this build's writer and row types are written against. */
export const REQUIRED_SCHEMA_VERSION = 1;

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../schemas/sql/', import.meta.url));

export interface Migration {
  version: number;
  /** File name, e.g. `0001_init.sql`. */
  name: string;
  /** SHA-256 hex of the file (CRLF normalised to LF). */
  checksum: string;
  statements: string[];
}

export interface MigrateOptions {
  /** Folder of NNNN_name.sql files; default schemas/sql of this checkout. */
  dir?: string;
  /** CREATE DATABASE if the URL's database is missing (default false: error). */
  createDatabase?: boolean;
  connectTimeoutMs?: number;
  /** Progress lines (default: silent). */
  log?: (line: string) => void;
}

export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
  appliedAt: string;
}

export interface SchemaStatus {
  /** Redacted URL. */
  url: string;
  /** Highest applied version (0 = never migrated). */
  current: number;
  /** Highest version among the files this build has. */
  latestKnown: number;
  applied: AppliedMigration[];
  /** Files not applied yet, in order. */
  pending: string[];
  /** Applied versions whose file changed since. */
  checksumMismatch: string[];
  /** True when the database is ahead of this build. */
  newerThanCode: boolean;
  upToDate: boolean;
}

const FILE_RE = /^(\d{4})_[A-Za-z0-9_-]+\.sql$/;

/** Reads and orders the migration files; throws on duplicates or gaps. */
export function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => FILE_RE.test(f)).sort();
  const out: Migration[] = [];
  for (const name of files) {
    const version = Number(FILE_RE.exec(name)![1]);
    const text = readFileSync(join(dir, name), 'utf8').replace(/\r\n/g, '\n');
    if (out.length > 0 && out[out.length - 1]!.version === version) throw new Error(`migrations in ${dir}: two files with version ${version}`);
    if (version !== out.length + 1) throw new Error(`migrations in ${dir}: expected version ${out.length + 1}, found ${name}`);
    out.push({ version, name, checksum: createHash('sha256').update(text).digest('hex'), statements: splitSql(text) });
  }
  return out;
}

/**
 * Splits a SQL script on `;` outside quotes and comments (the subset the
 * `mariadb` client accepts without DELIMITER). Comment-only pieces are dropped.
 */
export function splitSql(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let hasCode = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const n = text[i + 1];
    if (c === '-' && n === '-' && (i + 2 >= text.length || /\s/.test(text[i + 2]!))) {
      const e = text.indexOf('\n', i);
      i = e < 0 ? text.length : e;
      cur += '\n';
      continue;
    }
    if (c === '#') {
      const e = text.indexOf('\n', i);
      i = e < 0 ? text.length : e;
      cur += '\n';
      continue;
    }
    if (c === '/' && n === '*') {
      const e = text.indexOf('*/', i + 2);
      i = e < 0 ? text.length : e + 1;
      cur += ' ';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' && c !== '`' ? 2 : 1;
      cur += text.slice(i, j + 1);
      hasCode = true;
      i = j;
      continue;
    }
    if (c === ';') {
      if (hasCode) out.push(cur.trim());
      cur = '';
      hasCode = false;
      continue;
    }
    cur += c;
    if (!/\s/.test(c)) hasCode = true;
  }
  if (hasCode) out.push(cur.trim());
  return out;
}

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version      INT          NOT NULL,
  name         VARCHAR(255) NOT NULL,
  checksum     CHAR(64)     NOT NULL,
  applied_at   DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  execution_ms INT          NOT NULL,
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

async function readApplied(c: Connection): Promise<AppliedMigration[] | null> {
  const [t] = await c.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'",
  );
  if (Number(t[0]!.n) === 0) return null;
  const [rows] = await c.query<RowDataPacket[]>(
    "SELECT version, name, checksum, DATE_FORMAT(applied_at, '%Y-%m-%d %H:%i:%s.%f') AS applied_at FROM schema_migrations ORDER BY version",
  );
  return rows.map((r) => ({ version: Number(r.version), name: String(r.name), checksum: String(r.checksum), appliedAt: String(r.applied_at) }));
}

function compare(redacted: string, applied: AppliedMigration[], known: Migration[]): SchemaStatus {
  const byVersion = new Map(known.map((m) => [m.version, m]));
  const current = applied.reduce((m, a) => Math.max(m, a.version), 0);
  const latestKnown = known.length === 0 ? 0 : known[known.length - 1]!.version;
  const appliedSet = new Set(applied.map((a) => a.version));
  const checksumMismatch = applied
    .filter((a) => byVersion.has(a.version) && byVersion.get(a.version)!.checksum !== a.checksum)
    .map((a) => `${a.version} (${a.name}): database ${a.checksum.slice(0, 12)}…, file ${byVersion.get(a.version)!.checksum.slice(0, 12)}…`);
  const pending = known.filter((m) => !appliedSet.has(m.version)).map((m) => m.name);
  const newerThanCode = current > latestKnown;
  return { url: redacted, current, latestKnown, applied, pending, checksumMismatch, newerThanCode, upToDate: !newerThanCode && pending.length === 0 && checksumMismatch.length === 0 };
}

function refuseIfUnsafe(s: SchemaStatus): void {
  if (s.newerThanCode) {
    throw new DbError('newer-schema', s.url, `database schema version ${s.current} is newer than this build knows (${s.latestKnown}); refusing to touch it — upgrade qhft or use another database`);
  }
  if (s.checksumMismatch.length > 0) {
    throw new DbError('checksum', s.url, `applied migration file(s) changed since they were applied: ${s.checksumMismatch.join('; ')} — restore the file(s) and add a new migration instead`);
  }
}

/** Reports where a database stands against this build's migration files. Throws DbError if unreachable. */
export async function schemaStatus(url: string, opts: Pick<MigrateOptions, 'dir' | 'connectTimeoutMs'> = {}): Promise<SchemaStatus> {
  const t = parseMysqlUrl(url);
  const known = loadMigrations(opts.dir);
  const c = await connectOnce(url, { connectTimeoutMs: opts.connectTimeoutMs });
  try {
    return compare(t.redacted, (await readApplied(c)) ?? [], known);
  } catch (err) {
    throw toDbError(err, t.redacted, t.database);
  } finally {
    await c.end().catch(() => c.destroy());
  }
}

/**
 * Applies every pending migration. Returns the file names applied (empty on a
 * no-op re-run) and the resulting schema version.
 */
export async function migrate(url: string, opts: MigrateOptions = {}): Promise<{ applied: string[]; current: number }> {
  const t = parseMysqlUrl(url);
  if (t.database === '') throw new DbError('bad-url', t.redacted, 'the URL names no database (mysql://user@host:3306/DATABASE)');
  const known = loadMigrations(opts.dir);
  const log = opts.log ?? (() => undefined);
  let c: Connection;
  try {
    c = await connectOnce(url, { connectTimeoutMs: opts.connectTimeoutMs });
  } catch (err) {
    if (!(err instanceof DbError && err.kind === 'no-database' && opts.createDatabase)) throw err;
    const admin = await connectOnce(url, { connectTimeoutMs: opts.connectTimeoutMs, noDatabase: true });
    try {
      await admin.query(`CREATE DATABASE IF NOT EXISTS \`${t.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
      log(`created database ${t.database}`);
    } catch (e) {
      throw toDbError(e, t.redacted, t.database);
    } finally {
      await admin.end().catch(() => admin.destroy());
    }
    c = await connectOnce(url, { connectTimeoutMs: opts.connectTimeoutMs });
  }
  const lockName = `qhft_migrate:${t.database}`.slice(0, 64);
  try {
    const [lk] = await c.query<RowDataPacket[]>('SELECT GET_LOCK(?, 30) AS got', [lockName]);
    if (Number(lk[0]!.got) !== 1) throw new DbError('busy', t.redacted, `another migration holds lock ${lockName} (waited 30 s)`);
    try {
      await c.query(CREATE_MIGRATIONS_TABLE);
      const status = compare(t.redacted, (await readApplied(c)) ?? [], known);
      refuseIfUnsafe(status);
      const applied: string[] = [];
      for (const m of known) {
        if (!status.pending.includes(m.name)) continue;
        const t0 = Date.now();
        for (const sql of m.statements) {
          try {
            await c.query(sql);
          } catch (err) {
            const e = toDbError(err, t.redacted, t.database);
            throw new DbError(e.kind, t.redacted, `migration ${m.name} failed: ${e.message}`, e.code, err);
          }
        }
        await c.query('INSERT INTO schema_migrations (version, name, checksum, execution_ms) VALUES (?, ?, ?, ?)', [m.version, m.name, m.checksum, Date.now() - t0]);
        applied.push(m.name);
        log(`applied ${m.name}`);
      }
      return { applied, current: Math.max(status.current, ...known.map((m) => m.version), 0) };
    } finally {
      await c.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
    }
  } catch (err) {
    throw toDbError(err, t.redacted, t.database);
  } finally {
    await c.end().catch(() => c.destroy());
  }
}
