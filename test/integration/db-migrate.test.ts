/**
 * Migrations against a real MariaDB/MySQL (never a mock). Each run uses its
 * own database `qhft_test_<random>` and drops it afterwards.
 * Server: QHFT_TEST_MYSQL_URL, default mysql://root@127.0.0.1:3306/test.
 * Under CI a missing server FAILS; elsewhere the suite is skipped with a warning.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { connectOnce, parseMysqlUrl, withDatabase } from '../../src/gateway/db/connection.ts';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations, migrate, schemaStatus, splitSql } from '../../src/gateway/db/migrate.ts';
import { DB_SUFFIX, TEST_MYSQL_URL, testDatabaseUp } from '../support/test-database.ts';

const BASE_URL = TEST_MYSQL_URL;
const dbUp = await testDatabaseUp('db-migrate');

const suffix = DB_SUFFIX;
const created: string[] = [];

async function admin(sql: string): Promise<RowDataPacket[]> {
  const c = await connectOnce(BASE_URL);
  try {
    const [rows] = await c.query<RowDataPacket[]>(sql);
    return rows;
  } finally {
    await c.end();
  }
}

async function freshDb(tag: string): Promise<string> {
  const name = `qhft_test_${tag}_${suffix}`;
  await admin(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  created.push(name);
  return name;
}

/** Columns and indexes of every table but schema_migrations, comparable across databases. */
async function shape(db: string): Promise<{ columns: string[]; indexes: string[]; engines: string[] }> {
  const cols = await admin(`SELECT table_name AS t, column_name AS c, column_type AS ty, is_nullable AS n, column_key AS k
    FROM information_schema.columns WHERE table_schema = '${db}' AND table_name <> 'schema_migrations' ORDER BY t, ordinal_position`);
  const idx = await admin(`SELECT table_name AS t, index_name AS i, seq_in_index AS s, column_name AS c, non_unique AS u
    FROM information_schema.statistics WHERE table_schema = '${db}' AND table_name <> 'schema_migrations' ORDER BY t, i, s`);
  const eng = await admin(`SELECT table_name AS t, engine AS e, table_collation AS co FROM information_schema.tables
    WHERE table_schema = '${db}' AND table_name <> 'schema_migrations' ORDER BY t`);
  return {
    columns: cols.map((r) => `${r.t}.${r.c} ${r.ty} ${r.n} ${r.k}`),
    indexes: idx.map((r) => `${r.t}.${r.i}#${r.s}=${r.c} u${r.u}`),
    engines: eng.map((r) => `${r.t} ${r.e} ${r.co}`),
  };
}

describe.skipIf(!dbUp)('migrate (real MariaDB)', () => {
  let url: string;
  let dbName: string;

  beforeAll(async () => {
    dbName = await freshDb('mig');
    url = withDatabase(BASE_URL, dbName);
  });

  afterAll(async () => {
    for (const db of created) await admin(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
  });

  it('applies every migration to an empty database', async () => {
    const r = await migrate(url);
    const files = readdirSync(DEFAULT_MIGRATIONS_DIR).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
    expect(r.applied).toEqual(files);
    expect(r.current).toBe(files.length);
    const tables = (await admin(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = '${dbName}'`)).map((x) => String(x.t)).sort();
    for (const t of ['runs', 'instruments', 'signals', 'orders', 'fills', 'position_snapshots', 'risk_events', 'dq_events',
      'latency_summaries', 'book_samples', 'market_trades', 'liquidations', 'sweeps', 'sweep_results', 'schema_migrations']) {
      expect(tables).toContain(t);
    }
    const status = await schemaStatus(url);
    expect(status).toMatchObject({ current: files.length, latestKnown: files.length, pending: [], upToDate: true, newerThanCode: false });
    expect(status.applied[0]!.checksum).toBe(loadMigrations()[0]!.checksum);
  });

  it('re-running is a no-op', async () => {
    const before = await admin(`SELECT version, applied_at FROM \`${dbName}\`.schema_migrations ORDER BY version`);
    const r = await migrate(url);
    expect(r.applied).toEqual([]);
    expect(r.current).toBe(loadMigrations().length);
    expect(await admin(`SELECT version, applied_at FROM \`${dbName}\`.schema_migrations ORDER BY version`)).toEqual(before);
  });

  it('refuses a database whose schema version is newer than it knows', async () => {
    await admin(`INSERT INTO \`${dbName}\`.schema_migrations (version, name, checksum, execution_ms) VALUES (999, '0999_future.sql', REPEAT('0', 64), 0)`);
    try {
      await expect(migrate(url)).rejects.toThrow(/newer-schema.*version 999 is newer than this build knows/);
      await expect(migrate(url)).rejects.toThrow(new RegExp(`mysql://root@127\\.0\\.0\\.1:\\d+/${dbName}`));
      expect(await schemaStatus(url)).toMatchObject({ current: 999, newerThanCode: true, upToDate: false });
    } finally {
      await admin(`DELETE FROM \`${dbName}\`.schema_migrations WHERE version = 999`);
    }
  });

  it('refuses when an applied migration file was changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qhft-mig-'));
    try {
      cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
      const f = join(dir, '0001_init.sql');
      writeFileSync(f, readFileSync(f, 'utf8') + '\n-- an innocent-looking edit\n');
      await expect(migrate(url, { dir })).rejects.toThrow(/checksum: applied migration file\(s\) changed.*0001_init\.sql/);
      expect((await schemaStatus(url, { dir })).checksumMismatch).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the URL and the cause: unreachable, wrong password, missing database', async () => {
    await expect(migrate('mysql://root:s3cret@127.0.0.1:1/nowhere')).rejects.toThrow(/mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/nowhere.*unreachable.*ECONNREFUSED/);
    const bad = new URL(url);
    bad.username = 'qhft_nobody';
    bad.password = 'wrong-password';
    const err = await migrate(bad.toString()).catch((e: Error) => e);
    expect(String(err)).toMatch(/auth: .*ER_ACCESS_DENIED_ERROR.*check the user and password/);
    expect(String(err)).toContain(`qhft_nobody:***@`);
    expect(String(err)).not.toContain('wrong-password');
    const missing = withDatabase(BASE_URL, `qhft_test_missing_${suffix}`);
    await expect(migrate(missing)).rejects.toThrow(new RegExp(`qhft_test_missing_${suffix}: no-database: .*ER_BAD_DB_ERROR`));
    created.push(`qhft_test_missing_${suffix}`);
    const r = await migrate(missing, { createDatabase: true });
    expect(r.current).toBe(loadMigrations().length);
  });

  it('the raw SQL files apply with the mariadb command-line client and give the same tables', async () => {
    const cliDb = await freshDb('cli');
    const t = parseMysqlUrl(BASE_URL);
    for (const m of loadMigrations()) {
      const file = join(DEFAULT_MIGRATIONS_DIR, m.name);
      const res = spawnSync('mariadb', [`-h${t.host}`, `-P${t.port}`, `-u${t.user}`, cliDb], {
        input: readFileSync(file),
        env: { ...process.env, MYSQL_PWD: t.password },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(res.error, `spawn mariadb: ${String(res.error)}`).toBeUndefined();
      expect(res.status, `mariadb < ${m.name}: ${res.stderr}`).toBe(0);
    }
    const a = await shape(dbName);
    const b = await shape(cliDb);
    expect(b.columns.length).toBeGreaterThan(50);
    expect(b).toEqual(a);
  });

  it('splits scripts on semicolons outside quotes and comments', () => {
    expect(splitSql("-- c;\nCREATE TABLE a (x VARCHAR(3) DEFAULT ';');\n/* ; */ SELECT 1; # x;\n")).toEqual([
      "CREATE TABLE a (x VARCHAR(3) DEFAULT ';')",
      'SELECT 1',
    ]);
  });
});
