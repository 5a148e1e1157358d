/**
 * One spinning thread that measures its own scheduling gaps (see
 * hiccup-meter.ts): reads the clock in a tight loop and keeps every gap
 * longer than `thresholdNs`. Posts the gaps (ns) and the window length.
 */
import { parentPort, workerData } from 'node:worker_threads';

const { windowMs, thresholdNs, maxGaps } = workerData as { windowMs: number; thresholdNs: number; maxGaps: number };
const gaps = new Float64Array(maxGaps);
let n = 0;
let overflow = 0;
const start = performance.now();
const end = start + windowMs;
let last = start;
const thresholdMs = thresholdNs / 1e6;
while (last < end) {
  const t = performance.now();
  const g = t - last;
  last = t;
  if (g > thresholdMs) {
    if (n < maxGaps) gaps[n++] = g * 1e6;
    else overflow++;
  }
}
parentPort!.postMessage({ gapsNs: gaps.slice(0, n), overflow, windowNs: (last - start) * 1e6 });
