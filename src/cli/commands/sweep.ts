/**
 * `qhft sweep --grid FILE [--threads N] [--group-size N] [--top N]
 * [--rank net|sharpe] [--bands] [--csv PATH] [--json PATH] [--mysql-url URL]`: parameter sweeps
 * and parallel replays on a piscina pool (src/research/). Cold path.
 *
 * A bad grid or flag: message naming the field, exit 2, nothing started.
 * Ctrl-C (SIGINT/SIGTERM): queued and running tasks are cancelled, finished
 * results are printed and written, exit 130; a second signal exits at once.
 * Exit 0 when every task ran (failed tasks are rows, reported with their
 * parameters), 1 when every task failed or the database refused the rows
 * (they are in the JSON-lines file, written first).
 */
import { join } from 'node:path';
import { parseMysqlUrl, redactUrl } from '../../gateway/db/connection.ts';
import { countTasks, expandTasks, GridError, loadGridFile, parameterSets, type SweepGrid } from '../../research/sweep-grid.ts';
import { DEFAULT_MAX_GROUP, defaultThreads, runSweep, type RankBy } from '../../research/sweep.ts';
import { writeSweepResults } from '../../research/sweep-db.ts';
import { formatBands, formatFailures, formatTop, progressLine, toCsv, toJsonLines, writeFile } from '../../research/sweep-report.ts';

export const SWEEP_USAGE = `usage: qhft sweep --grid FILE [options]

Replays each (input, parameter set[, fill-model band]) of the grid in
simulated time through the engine's own stage code, on a worker pool.

options:
  --grid FILE        sweep definition, JSON or YAML (.yaml/.yml; see examples/sweep-hunter.json, .yaml)
  --threads N        pool size (default: cores = ${defaultThreads()})
  --group-size N     replay up to N tasks of one input together, sharing its feed and
                     sanitizer (default ${DEFAULT_MAX_GROUP}; 1 = each task alone; results are the same)
  --top N            rows of the ranking to print (default 10)
  --rank net|sharpe  rank by net PnL (default) or the Sharpe-like ratio
  --bands            replay every parameter set under the fill-model bands
                     (optimistic / pro-rata / pessimistic queue × +0 / +5 ms entry latency)
  --csv PATH         write every row as CSV (and PATH.jsonl next to it)
  --json PATH        write every row as JSON
  --mysql-url URL    (or QHFT_MYSQL_URL) also write the sweep and every row to the
                     sweeps / sweep_results tables (run qhft migrate first); the rows
                     go to a JSON-lines file too, so a database failure loses nothing
  --help             this text
`;

interface SweepArgs {
  grid: string;
  threads: number;
  groupSize: number;
  top: number;
  rankBy: RankBy;
  bands: boolean;
  csv: string | null;
  json: string | null;
  mysqlUrl: string | null;
}

class UsageError extends Error {}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): SweepArgs {
  const valued = new Set(['grid', 'threads', 'group-size', 'top', 'rank', 'csv', 'json', 'mysql-url']);
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(a)}`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (name === 'bands' || name === 'help') {
      flags.set(name, true);
      continue;
    }
    if (!valued.has(name)) throw new UsageError(`--${name}: unknown flag; known: --grid --threads --group-size --top --rank --bands --csv --json --mysql-url --help`);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name}: flag needs a value`);
    flags.set(name, value);
  }
  const grid = flags.get('grid');
  if (typeof grid !== 'string') throw new UsageError('--grid: required (a sweep definition file)');
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const v = flags.get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
    return n;
  };
  const rank = flags.get('rank') ?? 'net';
  if (rank !== 'net' && rank !== 'sharpe') throw new UsageError(`--rank: expected net or sharpe, got ${JSON.stringify(rank)}`);
  const str = (name: string): string | null => {
    const v = flags.get(name);
    return typeof v === 'string' ? v : null;
  };
  const mysqlUrl = str('mysql-url') ?? (env.QHFT_MYSQL_URL || null);
  if (mysqlUrl !== null) {
    // Refused before a minute of replays, not after: the shape only (reachability is checked at the end).
    const from = flags.has('mysql-url') ? '--mysql-url' : 'QHFT_MYSQL_URL';
    let db: string;
    try {
      db = parseMysqlUrl(mysqlUrl).database;
    } catch (err) {
      throw new UsageError(`${from}: ${(err as Error).message}`);
    }
    if (db === '') throw new UsageError(`${from}: ${JSON.stringify(redactUrl(mysqlUrl))} names no database (mysql://user@host:3306/DATABASE)`);
  }
  return {
    grid,
    threads: int('threads', defaultThreads(), 1, 256),
    groupSize: int('group-size', DEFAULT_MAX_GROUP, 1, 64),
    top: int('top', 10, 1, 100_000),
    rankBy: rank,
    bands: flags.get('bands') === true,
    csv: str('csv'),
    json: str('json'),
    mysqlUrl,
  };
}

function describe(g: SweepGrid, tasks: number, threads: number, groupSize: number): string {
  const sets = parameterSets(g).length;
  const inputs = (g.synthetic?.seeds.length ?? 0) + g.recordings.length;
  const bands = g.bands === null ? 1 : g.bands.queueModels.length * g.bands.addedEntryLatencyUs.length;
  const grouping = groupSize > 1 ? `, tasks of one input in replay groups of up to ${groupSize}` : ', each task alone';
  return `sweep ${g.name}: ${tasks} tasks = ${sets} parameter sets × ${inputs} inputs${bands > 1 ? ` × ${bands} fill-model bands` : ''}, on ${threads} thread${threads > 1 ? 's' : ''}${grouping}`;
}

export async function command(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(SWEEP_USAGE);
    return 0;
  }
  let args: SweepArgs;
  let grid: SweepGrid;
  try {
    args = parseArgs(argv, process.env);
    grid = loadGridFile(args.grid, { bands: args.bands });
  } catch (err) {
    if (err instanceof UsageError || err instanceof GridError) {
      process.stderr.write(`qhft sweep: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const tasks = expandTasks(grid);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(describe(grid, countTasks(grid), args.threads, args.groupSize));

  const startedUnixMs = Date.now();
  const abort = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      log(`\n${sig}: cancelling; finished results are kept (send again to exit now)`);
      abort.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const tty = process.stderr.isTTY === true;
  let lastLogMs = 0;
  const outcome = await runSweep(tasks, {
    threads: args.threads,
    maxGroup: args.groupSize,
    signal: abort.signal,
    rankBy: args.rankBy,
    onResult(r, p) {
      if (!r.ok && !tty) log(`task ${r.taskId} failed: ${r.error}`);
      if (tty) process.stderr.write(`\r\x1b[2K${progressLine(p, args.rankBy)}`);
      else if (Date.now() - lastLogMs > 5_000 || p.done === p.total) {
        lastLogMs = Date.now();
        log(progressLine(p, args.rankBy));
      }
    },
  }).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
  if (tty) process.stderr.write('\n');

  const { results } = outcome;
  const ok = results.filter((r) => r.ok);
  const events = ok.reduce((a, r) => a + r.events, 0);
  const busyMs = ok.reduce((a, r) => a + r.wallMs, 0);
  const out: string[] = [];
  out.push(`${outcome.cancelled ? 'CANCELLED: ' : ''}${results.length}/${tasks.length} tasks finished (${results.length - ok.length} failed) in ${(outcome.wallMs / 1000).toFixed(1)} s on ${outcome.threads} threads`);
  out.push(`replayed ${events} events: ${Math.round((events * 1000) / Math.max(1, outcome.wallMs))} events/s total, ${Math.round((events * 1000) / Math.max(1, busyMs))} events/s per busy thread`);
  out.push('');
  out.push(`top ${Math.min(args.top, ok.length)} by ${args.rankBy}:`);
  out.push(formatTop(results, args.top, args.rankBy));
  if (grid.bands !== null && ok.length > 0) {
    const bandOrder = [...new Set(tasks.map((t) => t.band))];
    const bestSets = [...new Set(ok.sort((a, b) => b.pnlNet - a.pnlNet || a.taskId - b.taskId).map((r) => r.paramSetId))].slice(0, args.top);
    out.push('');
    out.push('fill-model bands (net PnL per band; spread = best − worst):');
    out.push(formatBands(results, bandOrder, bestSets));
    out.push('queue fills = resting fills that waited for the queue ahead to trade, the only ones the queue model decides (the rest took');
    out.push('liquidity, or our price was traded through or crossed by the book): 0 means the queue models cannot differ on that input.');
  }
  const failures = formatFailures(results);
  if (failures !== '') {
    out.push('');
    out.push('failed tasks:');
    out.push(failures);
  }
  process.stdout.write(`${out.join('\n')}\n`);

  const sweepId = `${grid.name}-${startedUnixMs}`;
  if (args.csv !== null) {
    writeFile(args.csv, toCsv(results));
    log(`csv written to ${args.csv}`);
  }
  let jsonl: string | null = null;
  if (args.csv !== null) jsonl = `${args.csv.replace(/\.csv$/i, '')}.jsonl`;
  else if (args.mysqlUrl !== null) jsonl = join('.qhft', 'sweeps', `${sweepId}.jsonl`);
  if (jsonl !== null) {
    writeFile(jsonl, toJsonLines(results, sweepId));
    log(`json lines written to ${jsonl}`);
  }
  let dbFailed = false;
  if (args.mysqlUrl !== null) {
    const header = { sweepId, grid, gridFile: args.grid, threads: outcome.threads, tasks: tasks.length, cancelled: outcome.cancelled, startedUnixMs, wallMs: outcome.wallMs };
    try {
      const n = await writeSweepResults(args.mysqlUrl, header, results);
      log(`database: sweep ${sweepId} and ${n} result rows written (tables sweeps, sweep_results)`);
    } catch (err) {
      dbFailed = true;
      log(`qhft sweep: database: ${(err as Error).message}; nothing is lost: the rows are in ${jsonl}`);
    }
  }
  if (args.json !== null) {
    writeFile(args.json, `${JSON.stringify({ sweepId, grid: args.grid, threads: outcome.threads, cancelled: outcome.cancelled, wallMs: outcome.wallMs, tasks: tasks.length, results }, null, 2)}\n`);
    log(`json written to ${args.json}`);
  }
  if (outcome.cancelled) return 130;
  return (results.length > 0 && ok.length === 0) || dbFailed ? 1 : 0;
}
