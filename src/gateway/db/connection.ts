/**
 * MySQL connection plumbing shared by migrate, the batch writer and
 * load-journal: URL parsing, password redaction, and turning driver errors
 * into `DbError`s whose message names the (redacted) URL and the cause.
 *
 * Role: boundary adapter around mysql2. Owning thread: whichever thread calls
 * it (the writer thread, or the CLI's main thread for migrate/load-journal).
 * Cold path: runs at connect and on errors only.
 */
import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions, Pool, PoolOptions } from 'mysql2/promise';

/** What went wrong, as a stable code the caller can branch on. */
export type DbErrorKind =
  | 'bad-url' // the URL itself cannot be parsed
  | 'unreachable' // TCP connect refused / host unknown / connect timeout
  | 'auth' // wrong user or password
  | 'no-database' // the database in the URL does not exist
  | 'no-schema' // a table or column is missing: run `qhft migrate`
  | 'newer-schema' // the database was migrated by a newer build
  | 'checksum' // an applied migration file was edited
  | 'connection-lost' // the server went away mid-conversation
  | 'timeout' // a query ran past its timeout (outcome unknown)
  | 'busy' // deadlock, lock wait timeout, too many connections, read-only
  | 'data' // the rows themselves are rejected (too long, NULL, out of range)
  | 'other';

/** Kinds where waiting (or a fix outside the writer) can make the same batch succeed. */
const TRANSIENT: ReadonlySet<DbErrorKind> = new Set<DbErrorKind>([
  'unreachable', 'auth', 'no-database', 'no-schema', 'connection-lost', 'timeout', 'busy', 'other',
]);

export class DbError extends Error {
  readonly kind: DbErrorKind;
  /** Redacted URL (password replaced by ***). */
  readonly url: string;
  /** Driver code (`ECONNREFUSED`, `ER_ACCESS_DENIED_ERROR`, …) when there is one. */
  readonly code: string | undefined;

  constructor(kind: DbErrorKind, url: string, detail: string, code?: string, cause?: unknown) {
    super(`MySQL ${url}: ${kind}: ${detail}`, cause === undefined ? undefined : { cause });
    this.name = 'DbError';
    this.kind = kind;
    this.url = url;
    this.code = code;
  }

  /** True if retrying the same rows later may succeed (so they belong in the journal). */
  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }
}

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Empty when the URL names no database. */
  database: string;
  /** The URL with the password replaced by `***`, safe for logs and errors. */
  redacted: string;
}

/**
 * Parses `mysql://user:password@host:port/database` (also `mariadb://`).
 * User and password are percent-decoded. Throws DbError('bad-url').
 */
export function parseMysqlUrl(url: string): MysqlTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DbError('bad-url', redactUrl(url), 'not a URL; expected mysql://user:password@host:3306/database');
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
    throw new DbError('bad-url', redactUrl(url), `protocol must be mysql: or mariadb:, got ${u.protocol}`);
  }
  const port = u.port === '' ? 3306 : Number(u.port);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (database.includes('/') || database.includes('`')) {
    throw new DbError('bad-url', redactUrl(url), `invalid database name "${database}"`);
  }
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port,
    user: decodeURIComponent(u.username) || 'root',
    password: decodeURIComponent(u.password),
    database,
    redacted: redactUrl(url),
  };
}

/** Replaces the password of a URL with `***` (keeps everything else). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

/** Driver error fields we look at (mysql2 errors and Node socket errors). */
interface DriverError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
}

/** Maps a mysql2 / socket error to a DbError with a human cause and hint. */
export function toDbError(err: unknown, redacted: string, database = ''): DbError {
  if (err instanceof DbError) return err;
  const e = (err ?? {}) as DriverError;
  const code = e.code ?? '';
  const text = e.sqlMessage ?? e.message ?? String(err);
  const d = (kind: DbErrorKind, hint: string) => new DbError(kind, redacted, `${text} (${code || 'no code'}) — ${hint}`, code || undefined, err);
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return d('unreachable', 'is the server running, and are host and port right?');
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
    case 'ER_NOT_SUPPORTED_AUTH_MODE':
      return d('auth', 'check the user and password in the URL');
    case 'ER_BAD_DB_ERROR':
      return d('no-database', `create it first: CREATE DATABASE \`${database}\` (or qhft migrate --create-database)`);
    case 'ER_NO_SUCH_TABLE':
    case 'ER_BAD_FIELD_ERROR':
      return d('no-schema', 'the schema is missing or older than this build: run qhft migrate');
    case 'PROTOCOL_CONNECTION_LOST':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ER_SERVER_SHUTDOWN':
    case 'ER_CONNECTION_KILLED':
    case 'ER_QUERY_INTERRUPTED':
    case 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR':
      return d('connection-lost', 'the server went away; rows are kept and retried');
    case 'PROTOCOL_SEQUENCE_TIMEOUT':
      return d('timeout', 'the query timed out; its outcome is unknown, so it is retried (idempotent keys)');
    case 'ER_LOCK_DEADLOCK':
    case 'ER_LOCK_WAIT_TIMEOUT':
    case 'ER_CON_COUNT_ERROR':
    case 'ER_TOO_MANY_USER_CONNECTIONS':
    case 'ER_OPTION_PREVENTS_STATEMENT':
    case 'ER_READ_ONLY_MODE':
      return d('busy', 'the server is busy or read-only; retried later');
    case 'ER_DATA_TOO_LONG':
    case 'ER_BAD_NULL_ERROR':
    case 'ER_TRUNCATED_WRONG_VALUE':
    case 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD':
    case 'ER_WARN_DATA_OUT_OF_RANGE':
    case 'ER_WRONG_VALUE_COUNT_ON_ROW':
    case 'ER_PARSE_ERROR':
    case 'ER_DUP_ENTRY':
      return d('data', 'the rows were rejected by the server');
    default:
      return d('other', 'unexpected error');
  }
}

export interface ConnectOptions {
  connectTimeoutMs?: number;
  /** Connect without selecting the URL's database (to create it). */
  noDatabase?: boolean;
}

function baseOptions(t: MysqlTarget, o: ConnectOptions): ConnectionOptions {
  return {
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    database: o.noDatabase || t.database === '' ? undefined : t.database,
    connectTimeout: o.connectTimeoutMs ?? 5000,
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    multipleStatements: false,
  };
}

/** Opens one connection, throwing a DbError that names the URL and the cause. */
export async function connectOnce(url: string, o: ConnectOptions = {}): Promise<Connection> {
  const t = parseMysqlUrl(url);
  try {
    return await mysql.createConnection(baseOptions(t, o));
  } catch (err) {
    throw toDbError(err, t.redacted, t.database);
  }
}

/** A small pool for one writer: connections are created lazily, on first use. */
export function createWriterPool(url: string, o: ConnectOptions = {}): Pool {
  const t = parseMysqlUrl(url);
  const opts: PoolOptions = { ...baseOptions(t, o), connectionLimit: 1, maxIdle: 1, enableKeepAlive: true, waitForConnections: true, queueLimit: 0 };
  return mysql.createPool(opts);
}

/**
 * Checks that a server answers at `url` (SELECT 1). Never throws: returns the
 * DbError instead, so tests and `qhft doctor`-style checks can print it.
 */
export async function probe(url: string, o: ConnectOptions = {}): Promise<{ ok: true } | { ok: false; error: DbError }> {
  try {
    const c = await connectOnce(url, { connectTimeoutMs: 2000, ...o });
    try {
      await c.query('SELECT 1');
    } finally {
      await c.end().catch(() => c.destroy());
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof DbError ? err : toDbError(err, redactUrl(url)) };
  }
}

/** Returns `url` with its database replaced (for per-test databases). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}
