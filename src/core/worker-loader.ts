/**
 * How we start a worker_thread on a TypeScript entry file.
 *
 * The project runs its TypeScript through tsx (no build step: `npm ci && npm
 * start` must work as is). On Node 20 a loader does not follow into workers,
 * and `--import tsx` in a worker's execArgv is ignored (measured here:
 * "Unknown file extension .ts"). What works is a two-line eval bootstrap
 * that registers tsx's ESM hooks inside the worker, then imports the entry.
 * URLs are resolved from this file, not the cwd, so `npx qhft` works from any
 * directory. Cold path: used only when starting threads (~30–60 ms each).
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

const TSX_API_URL = import.meta.resolve('tsx/esm/api');

/** Eval source that registers tsx in the worker and loads `entry`. */
function bootstrapSource(entry: URL): string {
  return (
    `import(${JSON.stringify(TSX_API_URL)})` +
    `.then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })` +
    `.catch((e) => { process.nextTick(() => { throw e; }); });`
  );
}

/** Starts a worker on a `.ts` (or `.js`) entry file given as a URL. */
export function startTsWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  return new Worker(bootstrapSource(entry), { ...options, eval: true });
}
