/**
 * Platform hiccups, jHiccup-style: what the machine itself does to a thread
 * that never stops running. Each of `threads` workers spins on the clock for
 * the window and keeps every gap longer than the threshold (the times the OS
 * or the hypervisor took its CPU away). From the gaps we compute, exactly,
 * the delay a message arriving at a uniformly random moment would wait for
 * that thread to run again: P(delay > d) = Σ max(0, gap − d) / window.
 *
 * Why in the pipeline benchmark: a spinning stage cannot have a tick-to-trade
 * p99 below the platform's own p99 stall, whatever the code does. Measured on
 * the same machine in the same run, it says how much of a latency tail is the
 * machine's. Cold path (benchmark only).
 */
import { startTsWorker } from '../../src/core/worker-loader.ts';

export interface HiccupSummary {
  /** Spinning threads measured at once. */
  threads: number;
  windowMs: number;
  /** Delay a random arrival would see, µs (time-weighted; 0 when the thread was running). */
  p99Us: number;
  p999Us: number;
  /** Longest single gap, µs. */
  maxUs: number;
  /** Share of the window the threads were not running, %. */
  lostPct: number;
  /** Gaps longer than 1 ms per second, per thread. */
  gapsOver1msPerS: number;
}

const THRESHOLD_NS = 2_000;
const MAX_GAPS = 1 << 20;

interface WorkerResult {
  gapsNs: Float64Array;
  overflow: number;
  windowNs: number;
}

/** The delay d such that Σ max(0, gap − d) = (1 − q) · total: binary search on a monotone function. */
export function timeWeightedQuantileNs(gapsNs: ArrayLike<number>, totalNs: number, q: number): number {
  const budget = (1 - q) * totalNs;
  const excess = (d: number): number => {
    let s = 0;
    for (let i = 0; i < gapsNs.length; i++) if (gapsNs[i]! > d) s += gapsNs[i]! - d;
    return s;
  };
  let hi = 0;
  for (let i = 0; i < gapsNs.length; i++) if (gapsNs[i]! > hi) hi = gapsNs[i]!;
  if (excess(0) <= budget) return 0;
  let lo = 0;
  for (let k = 0; k < 60 && hi - lo > 10; k++) {
    const mid = (lo + hi) / 2;
    if (excess(mid) > budget) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Spins `threads` workers for `windowMs` at once; returns the merged, time-weighted stall distribution. */
export async function measureHiccups(threads: number, windowMs: number): Promise<HiccupSummary> {
  const entry = new URL('./hiccup.worker.ts', import.meta.url);
  const results = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<WorkerResult>((resolve, reject) => {
          const w = startTsWorker(entry, { workerData: { windowMs, thresholdNs: THRESHOLD_NS, maxGaps: MAX_GAPS } });
          w.once('message', (m: WorkerResult) => {
            resolve(m);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
  const all: number[] = [];
  let totalNs = 0;
  let lostNs = 0;
  let over1ms = 0;
  for (const r of results) {
    if (r.overflow > 0) throw new Error(`hiccup meter: ${r.overflow} gaps over the ${MAX_GAPS} kept; shorten the window`);
    totalNs += r.windowNs;
    for (const g of r.gapsNs) {
      all.push(g);
      lostNs += g;
      if (g > 1e6) over1ms++;
    }
  }
  const us = (ns: number): number => Math.round(ns / 100) / 10;
  return {
    threads,
    windowMs,
    p99Us: us(timeWeightedQuantileNs(all, totalNs, 0.99)),
    p999Us: us(timeWeightedQuantileNs(all, totalNs, 0.999)),
    maxUs: us(all.reduce((a, b) => Math.max(a, b), 0)),
    lostPct: Math.round((10_000 * lostNs) / totalNs) / 100,
    gapsOver1msPerS: Math.round((10 * over1ms) / (totalNs / 1e9)) / 10,
  };
}
