/**
 * Where the database commands and the engine's writer look by default.
 * Cold constants (no imports, so the CLI commands stay light).
 *
 * - No `--mysql-url` / `QHFT_MYSQL_URL`: `qhft run` probes 127.0.0.1:3306
 *   (root, no password: the development default) and, if a server answers,
 *   uses the database `qhft` there, creating and migrating it on first use
 *   (`test` is left to the test suites, which create and drop their own
 *   databases). `qhft migrate` and `qhft load-journal` default to the same URL.
 * - `--mysql-url none` (or off / journal): the journal only.
 * - The journal lives in `--journal-dir` / `QHFT_JOURNAL_DIR` (default
 *   `.qhft/journal`), file `writer.journal`.
 */
import { join } from 'node:path';

export const AUTO_SERVER_URL = 'mysql://root@127.0.0.1:3306/';
export const AUTO_DATABASE_URL = 'mysql://root@127.0.0.1:3306/qhft';
export const DEFAULT_JOURNAL_DIR = '.qhft/journal';
export const JOURNAL_FILE = 'writer.journal';
export const FILLS_LOG_FILE = 'fills.log';

export function isDisabledUrl(url: string): boolean {
  return ['none', 'off', 'journal'].includes(url.trim().toLowerCase());
}

/** `--mysql-url`, else QHFT_MYSQL_URL, else the development default. */
export function defaultMysqlUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? (env.QHFT_MYSQL_URL !== undefined && env.QHFT_MYSQL_URL !== '' ? env.QHFT_MYSQL_URL : AUTO_DATABASE_URL);
}

export function defaultJournalPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.QHFT_JOURNAL_DIR !== undefined && env.QHFT_JOURNAL_DIR !== '' ? env.QHFT_JOURNAL_DIR : DEFAULT_JOURNAL_DIR, JOURNAL_FILE);
}
