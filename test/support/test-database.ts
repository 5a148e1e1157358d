/**
 * The MariaDB/MySQL the database tests run against, and the rule they share:
 * under CI a missing server FAILS (a test that cannot pass is registered in
 * the calling file); elsewhere the calling suite is skipped with a warning.
 * Server: QHFT_TEST_MYSQL_URL, default mysql://root@127.0.0.1:3306/test.
 */
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { connectOnce, probe } from '../../src/gateway/db/connection.ts';

export const TEST_MYSQL_URL = process.env.QHFT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** Probes the test server; returns true if it answers. `suite` names the file in the skip warning. */
export async function testDatabaseUp(suite: string): Promise<boolean> {
  const reach = await probe(TEST_MYSQL_URL);
  if (reach.ok) return true;
  const why = `no MySQL/MariaDB at ${TEST_MYSQL_URL}: ${reach.error.message}`;
  if (process.env.CI) {
    describe('MariaDB under CI', () => {
      it('answers (CI requires the database tests to run)', () => {
        expect.fail(`CI is set but ${why}`);
      });
    });
  } else {
    console.warn(`[${suite}] SKIPPED: ${why}`);
  }
  return false;
}

/** One statement on a fresh connection (test set-up and checks, not the code under test). */
export async function sql(url: string, text: string, params: unknown[] = []): Promise<RowDataPacket[]> {
  const c = await connectOnce(url);
  try {
    const [rows] = await c.query<RowDataPacket[]>(text, params);
    return rows;
  } finally {
    await c.end();
  }
}

/** A suffix that keeps databases of concurrent test files and runs apart. */
export const DB_SUFFIX = `${process.pid}_${Math.floor(Math.random() * 1e9)}`;
