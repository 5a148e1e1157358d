/**
 * HdrHistogram-style percentile series for the Latency page.
 *
 * Role: turns a histogram (any object with getValueAtPercentile / totalCount /
 * maxValue, e.g. hdr-histogram-js) into the (percentile, value) points that
 * HdrHistogram's plotter draws on a 1/(1-p) axis: ticks halve the distance
 * to 100% (50, 75, 87.5, ...) so 90 / 99 / 99.9 / 99.99 are evenly spaced.
 * Owning thread: main. Cold (once per snapshot).
 */
import type { PercentilePoint } from './engine-view.ts';

export interface PercentileSource {
  getValueAtPercentile(percentile: number): number;
  readonly totalCount: number;
  readonly maxValue: number;
}

/**
 * Points at percentiles 1 - 2^-k/ticksPerHalf... up to the last recorded value.
 * `scale` converts the histogram's unit to µs (1e-3 for a ns histogram).
 */
export function hdrPercentileSeries(h: PercentileSource, scale = 1, ticksPerHalfDistance = 4): PercentilePoint[] {
  const out: PercentilePoint[] = [];
  if (h.totalCount === 0) return out;
  // Stop when a further step would resolve fewer than one sample.
  const maxP = Math.min(99.9999, 100 * (1 - 1 / h.totalCount));
  for (let k = 0; ; k++) {
    const halvings = k / ticksPerHalfDistance;
    const p = 100 * (1 - Math.pow(0.5, halvings));
    if (p > maxP) break;
    out.push({ percentile: round(p), valueUs: h.getValueAtPercentile(p) * scale });
    if (k > 200) break;
  }
  // the max; percentile values are "highest equivalent" bucket values, so keep the curve monotonic
  const prev = out.length > 0 ? out[out.length - 1]!.valueUs : 0;
  out.push({ percentile: round(maxP), valueUs: Math.max(prev, h.maxValue * scale) });
  return out;
}

function round(p: number): number {
  return Math.round(p * 1e6) / 1e6;
}
