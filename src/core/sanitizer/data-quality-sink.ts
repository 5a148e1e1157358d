/**
 * Where L0Sanitizer reports data-quality transitions.
 *
 * Role: the sanitizer stage implements this once (e.g. by writing a
 * data-quality message onto its output ring for the monitor and the risk
 * stage). Owning thread: the sanitizer stage worker; called synchronously
 * from inside `onBookDeltas`/`onTimer`/…, only on *transitions* (never per
 * message in steady state). Implementations must not throw and should not
 * allocate: pass a long-lived object with methods, not closures per call.
 */
import type { FeedState } from '../domain/enums.ts';
import type { RejectReason } from './reject-reason.ts';

/** Bit flags that block trading without changing FeedState. */
export const enum QualityFlag {
  None = 0,
  /** Spread or top-of-book depth out of order: no taker orders. */
  Disorderly = 1,
  /** Book mid beyond the spike threshold, awaiting confirmation: no trading. */
  Quarantined = 2,
  /** |clock skew| above `skewAlarmUs`: alarm only. */
  SkewAlarm = 4,
  /** |clock skew| above `maxSkewUs`: no entries. */
  SkewBlocked = 8,
  /** Instrument suspended / pre-open / delisting / inside its new-listing window. */
  NotLive = 16,
}

export interface DataQualitySink {
  /** FeedState changed (Ok ↔ Stale ↔ Invalid). `value` is the measurement behind it (ticks, µs, seqId…). */
  onDataQuality(instrumentId: number, newState: FeedState, reason: RejectReason, value: number, tsUs: number): void;
  /** The set of QualityFlag bits changed. */
  onQualityFlags(instrumentId: number, flags: number, reason: RejectReason, value: number, tsUs: number): void;
  /** The book went INVALID: the feed should resubscribe / fetch a snapshot. Emitted once per INVALID episode. */
  onResyncRequest(instrumentId: number, reason: RejectReason, tsUs: number): void;
}

/** A sink that ignores everything (benchmarks, tests that only read counters). */
export class NullDataQualitySink implements DataQualitySink {
  onDataQuality(): void {}
  onQualityFlags(): void {}
  onResyncRequest(): void {}
}
