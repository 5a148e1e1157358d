/**
 * Research at scale: parameter sweeps and parallel replays on a piscina
 * worker pool. Each task replays one (input, parameter set, fill-model band)
 * in simulated time through the engine's own stage code, in-process and
 * single-threaded (replay-runner.ts), so one task runs at full speed and
 * produces the fill stream the threaded engine would (same fillsHash).
 *
 * Owning thread: main (the pool, progress, cancellation); the replays run on
 * the pool's workers (sweep-worker.mjs → sweep-task.ts). Cold here.
 * Concurrency contract: tasks share nothing — each builds its own rings,
 * stages and venue — so the result of a task does not depend on the thread
 * count or on which worker ran it; results are returned in task order.
 *
 * Mentor's Corner — the ideal is a backtest farm: many cores pulling L3
 * replays from a columnar tick store into C++/Rust simulators at tens of M
 * events/s per core. Ours is piscina on the local cores over recorded or
 * synthetic L2, through the engine's own stage code minus the live-only
 * work (no latency stamps, market data handed over decoded, the strategy
 * reading the sanitizer's books, rings reused across tasks):
 * `npm run bench -- sweep` on a 2-vCPU AMD EPYC VM, ~1.07 M recorded
 * events/s per thread, 1.79 M on 2 (×1.70; a CPU-bound loop: ×2.00). What
 * is left is the engine's own logic per event (checks, two L2 books,
 * strategy, guard, venue), kept on purpose: a sweep through other code would
 * measure a different strategy.
 */
import { setMaxListeners } from 'node:events';
import { cpus } from 'node:os';
import { Piscina } from 'piscina';
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

/** A pool of `threads` sweep workers, one task at a time each. */
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
  let firstError: unknown = null;
  try {
    await Promise.all(
      tasks.map(async (task) => {
        let r: SweepResult;
        try {
          r = (await pool.run(task, { signal: local.signal })) as SweepResult;
        } catch (err) {
          if (local.signal.aborted && isAbort(err)) return;
          // A worker died (not a task error: those come back as rows); keep going.
          firstError ??= err;
          r = { ...emptyResult(task, -1), error: `worker: ${(err as Error).message}` };
        }
        byId.set(task.taskId, r);
        if (!r.ok) failed++;
        else if (best === null || score(r, rankBy) > score(best, rankBy)) best = r;
        const done = byId.size;
        const elapsedMs = Date.now() - t0;
        opts.onResult?.(r, { done, total: tasks.length, failed, elapsedMs, etaMs: (elapsedMs / done) * (tasks.length - done), best });
      }),
    );
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (ownPool) await pool.destroy();
  }
  const results = tasks.map((t) => byId.get(t.taskId)).filter((r): r is SweepResult => r !== undefined);
  return { results, cancelled: local.signal.aborted, threads, wallMs: Date.now() - t0 };
}
