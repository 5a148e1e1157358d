/**
 * `qhft run`: loads and validates the config, starts the ProductionEngine,
 * prints a status line per second, and at exit the summary table (and the
 * contract JSON with --summary-json). SIGINT/SIGTERM stop cleanly (exit 0);
 * a second signal forces exit. Bad config or flags: message + exit 2,
 * nothing started. Cold path.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../../core/config/config-error.ts';
import { flagsHelp, loadEngineConfig, parseArgv, type EngineConfig } from '../../core/config/engine-config.ts';
import { ProductionEngine, formatSummary, type StopReason } from '../../core/engine/production-engine.ts';
import { mergeHistograms, writeHgrmFiles } from '../../core/engine/summary.ts';
import { attachWriter, type EngineWriterStats } from '../../gateway/db/engine-writer.ts';
import type { DbWriterStats } from '../../gateway/monitor/engine-view.ts';
import { attachMonitor, type MonitorAttachment } from '../monitor-attach.ts';

function dbStatsOf(s: EngineWriterStats): DbWriterStats {
  return { connected: s.state === 'ok', lagMs: s.batchLagMs, queueRecords: s.queueDepth, journalBytes: s.journalBytes, committedRecords: s.rowsWritten };
}

export const RUN_USAGE = `usage: qhft run [options]\n\noptions:\n${flagsHelp()}\n`;

export interface RunHooks {
  /** Called once the engine runs (the monitor and the writer attach here). */
  onStarted?(engine: ProductionEngine): Promise<void> | void;
  /** Called before the summary is printed (flush the writer, close the monitor). */
  onStopping?(engine: ProductionEngine): Promise<string[] | void> | string[] | void;
}

export function loadRunConfig(argv: string[], env: NodeJS.ProcessEnv): EngineConfig {
  return loadEngineConfig(parseArgv(argv), env);
}

export async function runCommand(argv: string[], hooks: RunHooks = {}): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  let config: EngineConfig;
  let engine: ProductionEngine;
  try {
    config = loadRunConfig(argv, process.env);
    engine = new ProductionEngine(config);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof RangeError) {
      process.stderr.write(`qhft run: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (config.explain) {
    process.stdout.write(`${engine.explain()}\n`);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let signals = 0;
  let stopRequested: ((r: StopReason) => void) | null = null;
  const signalled = new Promise<StopReason>((res) => (stopRequested = res));
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      log(`\n${sig}: stopping (drain, cancel working orders, flush); send again to force exit`);
      stopRequested?.('signal');
    } else {
      log(`${sig} again: forced exit`);
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await engine.start();
  } catch (err) {
    // A value only the exchange can judge (an unknown --symbols entry, a REST
    // endpoint that does not answer) is still a bad value: exit 2, as above.
    const bad = err instanceof ConfigError;
    log(`qhft run: ${bad ? '' : 'failed to start: '}${(err as Error).message}`);
    await engine.stop('failure');
    return bad ? 2 : 1;
  }
  // ---- database writer (src/gateway/db/engine-writer.ts): its own thread, MySQL and/or the journal.
  // Attached before onStarted so it sees every record; `statusParts` extend the status line.
  const writer = await attachWriter(engine, config, log);
  const statusParts: Array<() => string> = [() => writer.statusText()];
  // ---- end database writer
  // ---- web monitor (src/cli/monitor-attach.ts): uWebSockets.js on --http-host:--http-port.
  let monitor: MonitorAttachment | null = null;
  try {
    monitor = await attachMonitor(engine, config, log, () => dbStatsOf(writer.stats()));
  } catch (err) {
    log(`monitor: not started: ${(err as Error).message} (the engine keeps running; use --http-port or --no-http)`);
  }
  // ---- end web monitor
  log(`qhft: running ${config.source} market, ${config.symbols.join(',')}, topology ${config.topology}, clock ${config.clock}, wait ${engine.idleKind}` + (config.durationUs !== null ? `, for ${config.durationUs / 1e6}s` : ', until SIGINT/SIGTERM'));
  await hooks.onStarted?.(engine);

  const tty = process.stderr.isTTY === true;
  let prev: { events: number; atMs: number } | null = null;
  const statusTimer = setInterval(() => {
    const st = engine.statusLine(prev);
    prev = st;
    const line = [st.line, ...statusParts.map((f) => f())].join('  ');
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
    else log(line);
  }, 1000);

  const reason = await Promise.race([engine.done, signalled]);
  clearInterval(statusTimer);
  if (tty) process.stderr.write('\n');
  const result = await engine.stop(reason);
  const notes = (await hooks.onStopping?.(engine)) ?? [];
  // ---- database writer: end the run row, flush (or leave rows in the journal), report.
  const flushed = await writer.close(result.summary, reason);
  Object.assign(result.summary, { writer: flushed.stats });
  notes.push(...flushed.notes);
  // ---- end database writer
  await monitor?.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  process.stdout.write(`${formatSummary(result.summary)}\n`);
  for (const n of notes) process.stdout.write(`${n}\n`);
  if (config.summaryJson !== null) {
    mkdirSync(dirname(config.summaryJson), { recursive: true });
    writeFileSync(config.summaryJson, `${JSON.stringify(result.summary, null, 2)}\n`);
    log(`summary written to ${config.summaryJson}`);
  }
  if (config.hdrDir !== null) {
    const files = writeHgrmFiles(config.hdrDir, mergeHistograms(engine.reports()));
    log(`histograms written: ${files.join(', ')}`);
  }
  if (result.exitCode !== 0) log(`qhft run: ended with failures: ${result.summary.stageErrors.join('; ')}`);
  return result.exitCode;
}

/** `qhft run` entry for the dispatcher. */
export function command(argv: string[]): Promise<number> {
  return runCommand(argv);
}
