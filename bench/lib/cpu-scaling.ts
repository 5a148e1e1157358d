/**
 * The machine's own scaling ceiling for CPU-bound threads: the same fixed
 * arithmetic loop (no allocation, no shared memory, no I/O) on 1 worker
 * thread and then on N at once. A sweep can scale no better than this on
 * the same machine: on a virtual machine two vCPUs need not be two idle
 * physical cores (hyperthread siblings, other tenants), so "linear" means
 * "as linear as this loop", and the sweep bench reports both in one run.
 *
 * Owning thread: the bench's main thread (cold); the loop runs in workers.
 */
import { Worker } from 'node:worker_threads';

/** The worker: a xorshift loop for `ms` of wall time; posts iterations per second. */
const LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const end = performance.now() + workerData.ms;
let x = 2463534242 | 0, n = 0;
while (performance.now() < end) {
  for (let i = 0; i < 4096; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; }
  n += 4096;
}
parentPort.postMessage({ perS: n / (workerData.ms / 1000), x });
`;

function loopOn(threads: number, ms: number): Promise<number[]> {
  return Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(LOOP, { eval: true, workerData: { ms } });
          w.once('message', (m: { perS: number }) => resolve(m.perS));
          w.once('error', reject);
        }),
    ),
  );
}

export interface CpuScaling {
  /** Loop iterations/s on one thread alone. */
  onePerS: number;
  /** Total iterations/s with `threads` running at once. */
  allPerS: number;
  threads: number;
  /** allPerS / onePerS: the ceiling a CPU-bound pool can reach here. */
  factor: number;
}

/** 1 thread, then `threads` at once, `ms` each (after a short warm-up). */
export async function measureCpuScaling(threads: number, ms = 1500): Promise<CpuScaling> {
  await loopOn(1, 200);
  const [one] = await loopOn(1, ms);
  const all = (await loopOn(threads, ms)).reduce((a, b) => a + b, 0);
  return { onePerS: one!, allPerS: all, threads, factor: all / one! };
}
