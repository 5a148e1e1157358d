/**
 * `qhft migrate [--mysql-url URL] [--create-database] [--status]`: applies
 * schemas/sql/NNNN_*.sql to MySQL / MariaDB / TiDB (src/gateway/db/migrate.ts).
 * URL: --mysql-url, else QHFT_MYSQL_URL, else mysql://root@127.0.0.1:3306/qhft
 * (that default database is created if missing; another one only with
 * --create-database). Exit codes: 0 ok, 1 database error (unreachable, auth,
 * missing database, refused schema), 2 bad flags. Cold path.
 */
import { FlagError, parseFlags } from '../../gateway/db/cli-flags.ts';
import { DbError, redactUrl } from '../../gateway/db/connection.ts';
import { AUTO_DATABASE_URL, defaultMysqlUrl } from '../../gateway/db/defaults.ts';
import { migrate, schemaStatus } from '../../gateway/db/migrate.ts';

export const MIGRATE_USAGE = `usage: qhft migrate [--mysql-url URL] [--create-database] [--status]

Applies the SQL migrations in schemas/sql/ (idempotent: a re-run with nothing
pending changes nothing). The same files can be applied by hand with the
mariadb / mysql client.

options:
  --mysql-url URL      mysql://user:password@host:3306/database
                       (default: $QHFT_MYSQL_URL, else ${AUTO_DATABASE_URL})
  --create-database    create the database if it does not exist
                       (always done for the default database)
  --status             only report the schema version and pending files
  --help               this text

exit codes: 0 ok, 1 database error, 2 bad flags
`;

export async function command(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseFlags(argv, { values: ['mysql-url'], bools: ['create-database', 'status', 'help'] });
    if (flags.positionals.length > 0) throw new FlagError(`unexpected argument "${flags.positionals[0]}"`);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`qhft migrate: ${err.message}\n${MIGRATE_USAGE}`);
    return 2;
  }
  if (flags.bools.has('help')) {
    process.stdout.write(MIGRATE_USAGE);
    return 0;
  }
  const url = defaultMysqlUrl(flags.values.get('mysql-url'));
  try {
    if (flags.bools.has('status')) {
      const s = await schemaStatus(url);
      process.stdout.write(
        `${s.url}: schema version ${s.current} (this build knows ${s.latestKnown})` +
          (s.pending.length > 0 ? `; pending: ${s.pending.join(', ')}` : '') +
          (s.checksumMismatch.length > 0 ? `; CHANGED since applied: ${s.checksumMismatch.join('; ')}` : '') +
          (s.newerThanCode ? '; NEWER than this build' : '') +
          (s.upToDate ? '; up to date' : '') +
          '\n',
      );
      return s.upToDate ? 0 : 1;
    }
    const createDatabase = flags.bools.has('create-database') || url === AUTO_DATABASE_URL;
    const r = await migrate(url, { createDatabase, log: (l) => process.stdout.write(`${l}\n`) });
    process.stdout.write(r.applied.length > 0 ? `${redactUrl(url)}: schema at version ${r.current}\n` : `${redactUrl(url)}: schema up to date (version ${r.current}); nothing to apply\n`);
    return 0;
  } catch (err) {
    if (err instanceof DbError) {
      process.stderr.write(`qhft migrate: ${err.message}\n`);
      return err.kind === 'bad-url' ? 2 : 1;
    }
    process.stderr.write(`qhft migrate: ${(err as Error).message}\n`);
    return 1;
  }
}
