/**
 * Stable integer codes for every sanitizer verdict and data-quality event.
 *
 * Role: the vocabulary shared by L0Sanitizer, its counters, the data-quality
 * sink and the run summary. Owning thread: any (constants only). Hot: the
 * codes are compared and used as counter indices per message; the names are
 * cold (summary, logs).
 *
 * Values are part of the wire/summary contract: append new codes, never
 * renumber. `Accepted` is 0 so `result === 0` reads "forward it".
 */

export const enum RejectReason {
  /** Passed every check; forward downstream. */
  Accepted = 0,
  /** Structurally wrong: level count out of range, bad side, missing/invalid timestamp. */
  SchemaInvalid = 1,
  /** NaN or ±Infinity in a price or size (the feed's `toUnits` also yields NaN for off-grid decimals). */
  NonFinite = 2,
  /** Price ≤ 0, size < 0, or size = 0 where it is not a level delete. */
  NonPositive = 3,
  /** Finite but not an integer number of ticks/lots. */
  OffGrid = 4,
  /** `prevSeqId` does not continue the last applied `seqId`: book INVALID, resync. */
  SequenceGap = 5,
  /** Repeated seqId / trade id / identical event: dropped, no state change. */
  Duplicate = 6,
  /** seqId or exchange timestamp behind the last applied one: dropped. */
  OutOfOrder = 7,
  /** Best bid ≥ best ask after applying: book INVALID, resync. */
  CrossedBook = 8,
  /** OKX CRC32 over the top 25 levels does not match: book INVALID, resync. */
  ChecksumMismatch = 9,
  /** Incremental book update while the book is INVALID: dropped until a snapshot. */
  AwaitingSnapshot = 10,
  /** Exchange timestamp older than `staleAfterUs` (after removing the skew estimate). */
  StaleExchangeTs = 11,
  /** Print more than `spikeThresholdBps` from the reference, not yet confirmed. */
  SpikeQuarantined = 12,
  /** instrumentId not configured. */
  UnknownInstrument = 13,
  /** A value outside its plausible range (e.g. |funding rate| above the cap). */
  OutOfRange = 14,
  // ---- Codes below appear only as data-quality event reasons, never as a message verdict. ----
  /** No book update for `staleAfterUs` (watchdog in `onTimer`/`canTrade`). */
  NoUpdateTimeout = 15,
  /** |clock-skew estimate| crossed `skewAlarmUs` / `maxSkewUs`. */
  ClockSkew = 16,
  /** Spread above `disorderlySpreadBps`. */
  DisorderlySpread = 17,
  /** Top-of-book depth below `depthCollapseRatio` × its EWMA. */
  DepthCollapse = 18,
  /** Instrument status (suspended / pre-open / delisting / newly listed) changed. */
  InstrumentStatusChange = 19,
  /** Snapshot applied or fresh data arrived: back to Ok / flag cleared. */
  Recovered = 20,
  /** Book mid moved beyond the spike threshold: book quarantined until confirmed. */
  BookSpike = 21,
  /** Initial state: no snapshot received yet. */
  NoSnapshot = 22,
}

/** Size of per-reason counter arrays. */
export const REJECT_REASON_COUNT = 23;

const NAMES: readonly string[] = [
  'ACCEPTED',
  'SCHEMA_INVALID',
  'NON_FINITE',
  'NON_POSITIVE',
  'OFF_GRID',
  'SEQUENCE_GAP',
  'DUPLICATE',
  'OUT_OF_ORDER',
  'CROSSED_BOOK',
  'CHECKSUM_MISMATCH',
  'AWAITING_SNAPSHOT',
  'STALE_EXCHANGE_TS',
  'SPIKE_QUARANTINED',
  'UNKNOWN_INSTRUMENT',
  'OUT_OF_RANGE',
  'NO_UPDATE_TIMEOUT',
  'CLOCK_SKEW',
  'DISORDERLY_SPREAD',
  'DEPTH_COLLAPSE',
  'INSTRUMENT_STATUS_CHANGE',
  'RECOVERED',
  'BOOK_SPIKE',
  'NO_SNAPSHOT',
];

/** Stable SCREAMING_CASE name for summaries and logs (cold path). */
export function rejectReasonName(code: number): string {
  return NAMES[code] ?? `UNKNOWN_${code}`;
}
