/**
 * `qhft` command-line entry. Cold path.
 * Each sub-command lives in src/cli/commands/<name>.ts and exports
 * `command(argv): Promise<number>`; this file only dispatches.
 */

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: (argv: string[]) => Promise<number> }> }> = {
  run: { summary: 'run the paper engine (synthetic market by default)', load: () => import('./commands/run.ts') },
  migrate: { summary: 'apply the SQL migrations to MySQL/MariaDB/TiDB', load: () => import('./commands/migrate.ts') },
  'load-journal': { summary: 'load rows journalled while the database was away', load: () => import('./commands/load-journal.ts') },
  record: { summary: 'record a market-data session without trading', load: () => import('./commands/record.ts') },
  sweep: { summary: 'parameter sweeps and parallel replays on a worker pool', load: () => import('./commands/sweep.ts') },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(13)} ${c.summary}`);
  return `usage: qhft <command> [options]   (qhft <command> --help)\n\ncommands:\n${rows.join('\n')}\n  help          print this help\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`qhft: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  let mod: { command: (argv: string[]) => Promise<number> };
  try {
    mod = await entry.load();
  } catch (err) {
    process.stderr.write(`qhft: command "${name}" is not available in this build (${(err as Error).message})\n`);
    return 2;
  }
  return mod.command(rest);
}
