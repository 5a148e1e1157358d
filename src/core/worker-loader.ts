/**
 * How we start a worker_thread on a TypeScript entry file.
 *
 * The project runs its TypeScript through tsx (no build step: `npm ci && npm
 * start` must work as is). A loader registered in the main thread does not
 * follow into workers, so each worker gets `--import <absolute tsx URL>` in its
 * execArgv. The URL is resolved from this file, not the cwd, so `npx qhft`
 * works from any directory. Cold path: used only when starting threads.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

const TSX_IMPORT_URL = import.meta.resolve('tsx');

/** execArgv that lets a worker load `.ts` modules. */
export function tsWorkerExecArgv(): string[] {
  return ['--import', TSX_IMPORT_URL];
}

/** Starts a worker on a `.ts` (or `.js`) entry file given as a URL. */
export function startTsWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const execArgv = entry.pathname.endsWith('.ts')
    ? [...tsWorkerExecArgv(), ...(options.execArgv ?? [])]
    : options.execArgv;
  return new Worker(entry, { ...options, execArgv });
}
