/**
 * `qhft sweep --mysql-url` against a real MariaDB/MySQL (never a mock): the
 * sweep and every task row land in `sweeps` / `sweep_results` with the values
 * the sweep computed, a second write adds nothing, a database without the
 * 0002 migration is refused with the fix named, and from the CLI a bad URL is
 * refused before any replay while a database that is down loses nothing
 * (the JSON-lines file holds every row). Each run uses its own databases
 * `qhft_test_sweep*_<random>` and drops them.
 * Server: QHFT_TEST_MYSQL_URL, default mysql://root@127.0.0.1:3306/test.
 * Under CI a missing server FAILS; elsewhere the suite is skipped with a warning.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../../src/gateway/db/connection.ts';
import { DEFAULT_MIGRATIONS_DIR, migrate } from '../../src/gateway/db/migrate.ts';
import { writeSweepResults, type SweepHeader } from '../../src/research/sweep-db.ts';
import { expandTasks, parseGrid } from '../../src/research/sweep-grid.ts';
import { emptyResult, type SweepResult } from '../../src/research/sweep-result.ts';
import { runSweep } from '../../src/research/sweep.ts';
import { DB_SUFFIX, sql, TEST_MYSQL_URL, testDatabaseUp } from '../support/test-database.ts';

const BASE_URL = TEST_MYSQL_URL;
const dbUp = await testDatabaseUp('sweep-db');

const suffix = DB_SUFFIX;
const created: string[] = [];


async function freshDb(tag: string): Promise<string> {
  const name = `qhft_test_${tag}_${suffix}`;
  await sql(BASE_URL, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  created.push(name);
  return withDatabase(BASE_URL, name);
}

const BUSY = {
  synthetic: { jumpsPerHour: 3600, jumpSizeBps: 60 },
  strategy: { warmupUs: 1_000_000, baselineHalfLifeUs: 30_000_000, windowUs: 2_000_000, cooldownUs: 3_000_000, timeStopUs: 4_000_000, minBurstNotionalQuote: 10_000, minMoveBps: 10 },
};
const GRID_DOC = { name: 'dbtest', inputs: { synthetic: { seeds: [1, 2], durationS: 8 } }, base: BUSY, grid: { 'strategy.takeProfitBps': [10, 25] } };

describe.skipIf(!dbUp)('sweep results in MySQL (real MariaDB)', () => {
  let url: string;
  let results: SweepResult[];
  let header: SweepHeader;
  const tmp = mkdtempSync(join(tmpdir(), 'qhft-sweepdb-'));

  beforeAll(async () => {
    url = await freshDb('sweep');
    await migrate(url);
    const grid = parseGrid(GRID_DOC);
    const tasks = expandTasks(grid);
    const out = await runSweep(tasks, { threads: 2 });
    // One failed task too: its error must be stored with its parameters.
    const failed = { ...emptyResult(tasks[0]!, -1), taskId: 99, error: 'Error: refused on purpose' };
    results = [...out.results, failed];
    header = { sweepId: `dbtest-${suffix}`, grid, gridFile: 'grid.json', threads: out.threads, tasks: tasks.length + 1, cancelled: false, startedUnixMs: Date.now(), wallMs: out.wallMs };
  }, 120_000);

  afterAll(async () => {
    for (const db of created) await sql(BASE_URL, `DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('stores the sweep and one row per task with the values the sweep computed; a second write adds nothing', async () => {
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    expect(await writeSweepResults(url, header, results)).toBe(5);
    expect(await writeSweepResults(url, header, results)).toBe(5);

    const sweeps = await sql(url, 'SELECT * FROM sweeps');
    expect(sweeps).toHaveLength(1);
    expect(sweeps[0]).toMatchObject({ sweep_id: header.sweepId, name: 'dbtest', tasks: 5, finished: 5, failed: 1, cancelled: 0, threads: 2 });
    expect(JSON.parse(String(sweeps[0]!.grid_json)).grid).toEqual({ 'strategy.takeProfitBps': [10, 25] });

    const rows = await sql(url, 'SELECT * FROM sweep_results WHERE sweep_id = ? ORDER BY task_id', [header.sweepId]);
    expect(rows.map((r) => Number(r.task_id))).toEqual(results.map((r) => r.taskId).sort((a, b) => a - b));
    for (const r of results) {
      const row = rows.find((x) => Number(x.task_id) === r.taskId)!;
      expect(JSON.parse(String(row.params_json))).toEqual(r.params);
      expect(Number(row.ok)).toBe(r.ok ? 1 : 0);
      expect(row.error).toBe(r.error === '' ? null : r.error);
      expect(Number(row.events)).toBe(r.events);
      expect(Number(row.group_size)).toBe(r.groupSize);
      expect(Number(row.pnl_net)).toBeCloseTo(r.pnlNet, 9);
      expect(Number(row.fills)).toBe(r.fills);
      expect([row.fills_taker, row.fills_queue, row.fills_trade_through, row.fills_book_cross].map(Number)).toEqual([r.fillsTaker, r.fillsQueue, r.fillsTradeThrough, r.fillsBookCross]);
      expect(String(row.fills_hash)).toBe(r.fillsHash);
      expect(JSON.parse(String(row.denied_json))).toEqual(r.denied);
    }
    // The index the ranking query uses gives the sweep's best task.
    const best = await sql(url, 'SELECT task_id FROM sweep_results WHERE sweep_id = ? AND ok = 1 ORDER BY pnl_net DESC LIMIT 1', [header.sweepId]);
    const top = results.filter((r) => r.ok).sort((a, b) => b.pnlNet - a.pnlNet)[0]!;
    expect(Number(best[0]!.task_id)).toBe(top.taskId);
  });

  it('refuses a database migrated only to 0001 or 0002, naming the fix, and writes nothing', async () => {
    for (const upTo of [1, 2]) {
      const partial = mkdtempSync(join(tmpdir(), `qhft-mig${upTo}-`));
      for (const f of ['0001_init.sql', '0002_sweep_results.sql'].slice(0, upTo)) copyFileSync(join(DEFAULT_MIGRATIONS_DIR, f), join(partial, f));
      const old = await freshDb(`sweepv${upTo}`);
      await migrate(old, { dir: partial });
      rmSync(partial, { recursive: true, force: true });
      await expect(writeSweepResults(old, header, results)).rejects.toThrow(
        new RegExp(`no-schema: schema version ${upTo} < 3: the sweep tables are missing or out of date — run: qhft migrate --mysql-url`),
      );
      expect(await sql(old, 'SELECT COUNT(*) AS n FROM schema_migrations')).toEqual([{ n: upTo }]);
      if (upTo === 2) expect(await sql(old, 'SELECT COUNT(*) AS n FROM sweep_results')).toEqual([{ n: 0 }]);
      else expect(await sql(old, "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'sweep%'")).toEqual([{ n: 0 }]);
    }
  });

  it('CLI: writes to the database; a malformed URL is refused before any replay; a database that is down loses nothing', async () => {
    const gridFile = join(tmp, 'grid.json');
    writeFileSync(gridFile, JSON.stringify({ ...GRID_DOC, inputs: { synthetic: { seeds: [3], durationS: 4 } } }));
    const cli = (args: string[]) => spawnSync(process.execPath, ['bin/qhft.js', 'sweep', '--grid', gridFile, '--threads', '1', ...args], { encoding: 'utf8', timeout: 110_000, cwd: process.cwd() });

    const db = await freshDb('sweepcli');
    await migrate(db);
    const ok = cli(['--mysql-url', db]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/database: sweep dbtest-\d+ and 2 result rows written/);
    expect(await sql(db, 'SELECT COUNT(*) AS n FROM sweep_results')).toEqual([{ n: 2 }]);

    const bad = cli(['--mysql-url', 'mysql://root@127.0.0.1:3306']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--mysql-url: "mysql:\/\/root@127\.0\.0\.1:3306" names no database/);
    expect(bad.stdout).not.toMatch(/tasks finished/);

    const refused = cli(['--group-size', '0']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/--group-size: expected an integer in \[1, 64\], got "0"/);
    expect(refused.stdout).not.toMatch(/tasks finished/);

    const csv = join(tmp, 'down.csv');
    const down = cli(['--mysql-url', 'mysql://root:pw@127.0.0.1:1/x', '--csv', csv]);
    expect(down.status, down.stderr).toBe(1);
    expect(down.stderr).toMatch(/database: MySQL mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/x: unreachable: .*nothing is lost: the rows are in .*down\.jsonl/);
    expect(down.stderr).not.toContain(':pw@');
    const lines = readFileSync(join(tmp, 'down.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => (JSON.parse(l) as SweepResult).ok)).toEqual([true, true]);
    expect(readdirSync(tmp)).toContain('down.csv');
  }, 240_000);
});
