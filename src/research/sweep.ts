/**
 * Research at scale: parameter sweeps and parallel replays on a piscina
 * worker pool. Each task replays one (input, parameter set, fill-model band)
 * in simulated time through the engine's own stage code, in-process and
 * single-threaded (replay-runner.ts), so one task runs at full speed and
 * produces the fill stream the threaded engine would (same fillsHash).
 * Tasks over one input run in replay groups (`groupTasks`): one feed and
 * one sanitizer per group, a lane of strategy → risk → execution per task.
 *
 * Owning thread: main (the pool, progress, cancellation); the replays run on
 * the pool's workers (sweep-worker.mjs → sweep-task.ts). Cold here.
 * Concurrency contract: groups share nothing — each builds its own rings,
 * stages and venues — and within a group a lane only reads what the shared
 * feed and sanitizer produce, so a task's result does not depend on the
 * thread count, its group, or which worker ran it (tests compare them);
 * results are returned in task order.
 *
 * Mentor's Corner — the ideal is a backtest farm: C++/Rust simulators on many
 * cores at tens of M events/s each. Ours runs the engine's own stage code on
 * piscina, and decodes and checks each event of an input once for up to 8
 * parameter sets: 16 tasks on one recording, 2-vCPU EPYC VM: 1.22 M
 * task-events/s on 1 thread (2.15× the same tasks alone), 1.79 M on 2 (×1.58;
 * a CPU-bound loop ×1.96). The rest is the engine's logic per lane, kept on
 * purpose: a sweep through other code would measure a different strategy.
 */
import { setMaxListeners } from 'node:events';
import { cpus } from 'node:os';
import { Piscina } from 'piscina';
import { replayStreamKey } from './replay-runner.ts';
import type { SweepTask } from './sweep-grid.ts';
import { emptyResult, type SweepResult } from './sweep-result.ts';

const WORKER_URL = new URL('./sweep-worker.mjs', import.meta.url);

export type RankBy = 'net' | 'sharpe';

export interface SweepProgress {
  done: number;
  total: number;
  failed: number;
  elapsedMs: number;
  /** Remaining time at the observed rate; NaN until a task finished. */
  etaMs: number;
  best: SweepResult | null;
}

export interface SweepOptions {
  /** Pool size; default: the core count. */
  threads?: number;
  /** Aborting it cancels queued and running tasks; finished results are kept. */
  signal?: AbortSignal;
  rankBy?: RankBy;
  /**
   * Most tasks replayed together over one feed and sanitizer (`groupTasks`);
   * 1 = every task alone. Default DEFAULT_MAX_GROUP.
   */
  maxGroup?: number;
  /** A pool from `createSweepPool` to reuse (warm workers); the caller destroys it. Default: a fresh pool. */
  pool?: Piscina;
  onResult?(result: SweepResult, progress: SweepProgress): void;
}

export interface SweepOutcome {
  /** Finished results in task order (cancelled tasks are absent). */
  results: SweepResult[];
  cancelled: boolean;
  threads: number;
  wallMs: number;
}

export function defaultThreads(): number {
  return Math.max(1, cpus().length);
}

export function score(r: SweepResult, rankBy: RankBy): number {
  if (!r.ok) return -Infinity;
  return rankBy === 'sharpe' ? r.sharpe : r.pnlNet;
}

/** Best first; ties by task id so the order is deterministic. */
export function rank(results: readonly SweepResult[], rankBy: RankBy): SweepResult[] {
  return results.filter((r) => r.ok).sort((a, b) => score(b, rankBy) - score(a, rankBy) || a.taskId - b.taskId);
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || /abort/i.test(err.message));
}

/**
 * Lanes per replay group by default: the feed's and sanitizer's share of a
 * replayed event (~55 % on the busy recording) is paid once per group, so
 * 8 lanes replay ~2× the task-events/s of 8 lone replays (README, sweep
 * bench); more lanes add little and keep finished rows back longer.
 */
export const DEFAULT_MAX_GROUP = 8;

/**
 * Splits tasks into replay groups: tasks with the same market stream
 * (`replayStreamKey`: input and sanitizer configuration), in task order, in
 * groups of ⌈n / threads⌉ (at most `maxGroup`) so every thread gets work.
 * A task's result does not depend on its group (test/property/replay-group.test.ts).
 */
export function groupTasks(tasks: readonly SweepTask[], threads: number, maxGroup = DEFAULT_MAX_GROUP): SweepTask[][] {
  const byStream = new Map<string, SweepTask[]>();
  for (const t of tasks) {
    const key = replayStreamKey(t.spec);
    const same = byStream.get(key);
    if (same === undefined) byStream.set(key, [t]);
    else same.push(t);
  }
  const groups: SweepTask[][] = [];
  for (const same of byStream.values()) {
    const size = Math.max(1, Math.min(Math.floor(maxGroup), Math.ceil(same.length / Math.max(1, threads))));
    for (let i = 0; i < same.length; i += size) groups.push(same.slice(i, i + size));
  }
  return groups;
}

/** A pool of `threads` sweep workers, one replay group at a time each. */
export function createSweepPool(threads: number): Piscina {
  return new Piscina({
    filename: WORKER_URL.href,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    idleTimeout: 60_000,
  });
}

/** Runs every task on a piscina pool; resolves when all finished or the signal aborted. */
export async function runSweep(tasks: readonly SweepTask[], opts: SweepOptions = {}): Promise<SweepOutcome> {
  const ownPool = opts.pool === undefined;
  const pool = opts.pool ?? createSweepPool(Math.max(1, Math.floor(opts.threads ?? defaultThreads())));
  const threads = pool.options.maxThreads;
  const rankBy = opts.rankBy ?? 'net';
  const t0 = Date.now();
  const byId = new Map<number, SweepResult>();
  let failed = 0;
  let best: SweepResult | null = null;
  const local = new AbortController();
  // Every queued task holds one abort listener until it settles (piscina's),
  // so the default cap of 10 would print a leak warning for any real sweep.
  setMaxListeners(tasks.length + 10, local.signal);
  const onAbort = () => local.abort();
  if (opts.signal?.aborted) local.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(
      groupTasks(tasks, threads, opts.maxGroup).map(async (group) => {
        let rows: SweepResult[];
        try {
          rows = (await pool.run(group, { signal: local.signal })) as SweepResult[];
        } catch (err) {
          if (local.signal.aborted && isAbort(err)) return;
          // A worker died (not a task error: those come back as rows); keep going.
          rows = group.map((task) => ({ ...emptyResult(task, -1), error: `worker: ${(err as Error).message}` }));
        }
        for (const r of rows) {
          byId.set(r.taskId, r);
          if (!r.ok) failed++;
          else if (best === null || score(r, rankBy) > score(best, rankBy)) best = r;
          const done = byId.size;
          const elapsedMs = Date.now() - t0;
          opts.onResult?.(r, { done, total: tasks.length, failed, elapsedMs, etaMs: (elapsedMs / done) * (tasks.length - done), best });
        }
      }),
    );
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (ownPool) await pool.destroy();
  }
  const results = tasks.map((t) => byId.get(t.taskId)).filter((r): r is SweepResult => r !== undefined);
  return { results, cancelled: local.signal.aborted, threads, wallMs: Date.now() - t0 };
}
