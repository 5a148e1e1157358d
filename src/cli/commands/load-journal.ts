/**
 * `qhft load-journal [--mysql-url URL] [--journal PATH] [--keep]`: loads the
 * rows the engine journalled (run without a database, or while it was down)
 * into MySQL, in order, with the writer's idempotent upserts: re-running it,
 * or loading a journal whose rows partly reached the database already,
 * duplicates nothing. `qhft migrate && qhft load-journal`.
 * Without --journal: `.qhft/journal/writer.journal` (QHFT_JOURNAL_DIR), plus
 * the per-process journals (`writer-<pid>.journal`) of engines no longer
 * running. A journal locked by a running engine is refused (that engine
 * replays it itself). Exit codes: 0 ok (also: nothing to load), 1 database
 * or file error, 2 bad flags. Cold path.
 */
import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FlagError, parseFlags } from '../../gateway/db/cli-flags.ts';
import { DbError } from '../../gateway/db/connection.ts';
import { AUTO_DATABASE_URL, defaultJournalPath, defaultMysqlUrl } from '../../gateway/db/defaults.ts';
import { scanJournal } from '../../gateway/db/journal.ts';
import { loadJournal } from '../../gateway/db/load-journal.ts';

export const LOAD_JOURNAL_USAGE = `usage: qhft load-journal [--mysql-url URL] [--journal PATH] [--keep]

Loads rows journalled by the engine's writer into MySQL (run qhft migrate
first). Safe to re-run: rows already in the database are not duplicated.

options:
  --mysql-url URL   mysql://user:password@host:3306/database
                    (default: $QHFT_MYSQL_URL, else ${AUTO_DATABASE_URL})
  --journal PATH    the journal file (also accepted as the only argument;
                    default: ${defaultJournalPath({})} and the journals of
                    engines that are no longer running beside it)
  --keep            keep the journal after loading (default: empty it)
  --help            this text

exit codes: 0 ok, 1 database or file error, 2 bad flags
`;

function lockedByLiveProcess(path: string): number | null {
  try {
    const pid = Number(readFileSync(`${path}.lock`, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? -1 : null;
  }
}

export async function command(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseFlags(argv, { values: ['mysql-url', 'journal'], bools: ['keep', 'help'] });
    if (flags.positionals.length > 1 || (flags.positionals.length === 1 && flags.values.has('journal'))) throw new FlagError('give one journal (--journal PATH)');
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`qhft load-journal: ${err.message}\n${LOAD_JOURNAL_USAGE}`);
    return 2;
  }
  if (flags.bools.has('help')) {
    process.stdout.write(LOAD_JOURNAL_USAGE);
    return 0;
  }
  const url = defaultMysqlUrl(flags.values.get('mysql-url'));
  const explicit = flags.values.get('journal') ?? flags.positionals[0];
  let paths: string[];
  if (explicit !== undefined) {
    if (!existsSync(explicit)) {
      process.stderr.write(`qhft load-journal: no journal at ${explicit}\n`);
      return 1;
    }
    paths = [explicit];
  } else {
    const main = defaultJournalPath();
    const dir = dirname(main);
    const others = existsSync(dir) ? readdirSync(dir).filter((f) => /^writer-\d+\.journal$/.test(f)).map((f) => join(dir, f)) : [];
    paths = [main, ...others].filter((p) => existsSync(p));
    if (paths.length === 0) {
      process.stdout.write(`qhft load-journal: no journal at ${main}; nothing to load\n`);
      return 0;
    }
  }
  let failed = false;
  for (const path of paths) {
    const pid = lockedByLiveProcess(path);
    if (pid !== null) {
      process.stderr.write(`qhft load-journal: ${path} belongs to a running engine (pid ${pid}); it replays its journal itself — skipped\n`);
      if (explicit !== undefined) return 1;
      continue;
    }
    let records: number;
    try {
      records = scanJournal(path).records.length;
    } catch (err) {
      process.stderr.write(`qhft load-journal: ${(err as Error).message}\n`);
      failed = true;
      continue;
    }
    if (records === 0) {
      process.stdout.write(`${path}: empty; nothing to load\n`);
      continue;
    }
    try {
      const r = await loadJournal(path, url, { keep: flags.bools.has('keep'), log: (l) => process.stdout.write(`${l}\n`) });
      if (r.skipped > 0) process.stdout.write(`${path}: ${r.skipped} unreadable records skipped\n`);
      if (!flags.bools.has('keep') && /writer-\d+\.journal$/.test(path)) unlinkSync(path);
    } catch (err) {
      const msg = err instanceof DbError ? err.message : (err as Error).message;
      process.stderr.write(`qhft load-journal: ${msg}\n`);
      if (err instanceof DbError && err.kind === 'bad-url') return 2;
      return 1;
    }
  }
  return failed ? 1 : 0;
}
