/**
 * Per-hop latency histograms kept by the stage that observes the hop.
 *
 * Each message carries the stage stamps (core/codec StageStamps), so a stage
 * computes `its stamp − upstream stamp` and records it here; no side
 * channel. Values are recorded in nanoseconds (HDR, 3 significant digits,
 * up to one hour). Every second the stage posts cumulative, compressed
 * snapshots to the main thread, which merges them without pausing anyone.
 * Hot: `record` (allocation-free in hdr-histogram-js's JS Float64 histogram);
 * cold: `snapshot` (encodes, allocates, ~1 Hz).
 */
import * as hdr from 'hdr-histogram-js';

export const HDR_HIGHEST_NS = 3_600_000_000_000;

export function newLatencyHistogram(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: HDR_HIGHEST_NS, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

/** Encoded histograms by hop name, as posted to the main thread. */
export type HopSnapshot = Record<string, string>;

export class HopLatency {
  private readonly names: readonly string[];
  private readonly histograms: hdr.Histogram[];
  /** False: `record` does nothing (a run without latency measurement, EngineStageParams.latency). */
  private readonly enabled: boolean;

  constructor(hopNames: readonly string[], enabled = true) {
    this.names = hopNames;
    this.histograms = hopNames.map(() => newLatencyHistogram());
    this.enabled = enabled;
  }

  /** Records `deltaUs` for hop `i`; ignores unset stamps (≤ 0 or NaN means a stamp was missing). */
  record(i: number, deltaUs: number): void {
    if (!this.enabled || !(deltaUs >= 0)) return;
    const ns = Math.round(deltaUs * 1000);
    this.histograms[i]!.recordValue(ns < HDR_HIGHEST_NS ? ns : HDR_HIGHEST_NS);
  }

  snapshot(): HopSnapshot {
    const out: HopSnapshot = {};
    for (let i = 0; i < this.names.length; i++) {
      if (this.histograms[i]!.totalCount > 0) out[this.names[i]!] = hdr.encodeIntoCompressedBase64(this.histograms[i]!);
    }
    return out;
  }
}
