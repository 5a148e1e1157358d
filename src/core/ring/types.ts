/**
 * The two faces of a ring that other modules program against.
 * Type-only: the codec (producer side) and the stages (consumer side) depend
 * on these, not on the ring's implementation.
 */

/** Returned by `tryClaim` when the record does not fit now (Agrona's INSUFFICIENT_CAPACITY). */
export const INSUFFICIENT_CAPACITY = -2;

/**
 * Producer side: claim space for one record, encode straight into `bytes`
 * at the returned index, then `commit` (or `abort`). Single producer only.
 */
export interface RecordClaimer {
  /** The ring's data region; a claimed payload lives at `[index, index + length)`. */
  readonly bytes: Uint8Array;
  /**
   * Reserves `length` payload bytes for a record of `msgTypeId` (≥ 1).
   * Returns the payload index in `bytes`, or INSUFFICIENT_CAPACITY (never throws
   * on the hot path; a drop-policy ring counts the drop itself).
   */
  tryClaim(msgTypeId: number, length: number): number;
  /** Publishes the claimed record (release store of the tail). */
  commit(index: number): void;
  /** Gives the claimed space back as padding; the consumer skips it. */
  abort(index: number): void;
}

/**
 * Consumer side callback, Agrona style: the record is read in place, valid
 * only during the call. Implemented by a long-lived object (no closures).
 */
export interface RecordHandler {
  onMessage(msgTypeId: number, buffer: Uint8Array, index: number, length: number): void;
}

/** Returned by `tryClaim` when `length` exceeds the ring's maxPayloadLength. */
export const MSG_TOO_LARGE = -3;
/** Returned by `tryClaim` for a msgTypeId < 1, a negative or non-integer length. */
export const INVALID_ARGUMENT = -4;

/**
 * What a producer does when the ring is full. Fixed per ring at creation.
 * Block: never overwrite, the producer waits (trading and order flow).
 * DropNewest / DropOldest: never wait, count every lost message exactly
 * (telemetry and UI feeds only).
 */
export const enum BackpressurePolicy {
  Block = 0,
  DropNewest = 1,
  DropOldest = 2,
}

/** Consumer side of a ring, as a stage loop sees it. */
export interface RecordReader {
  /** Delivers up to `limit` records to `handler`, publishes the head once; returns the count. */
  read(handler: RecordHandler, limit: number): number;
  /** True when a `read` would find something (consumer side; cheap, allocation-free). */
  hasWork(): boolean;
}

/** Anything a parked consumer can poll before sleeping (one ring, or all of a thread's rings). */
export interface Readiness {
  hasWork(): boolean;
}

/**
 * Blocks the calling (worker) thread until woken or `timeoutMs` passes,
 * without losing a wake-up that races with the call. Never on the main thread.
 */
export interface Parker {
  park(timeoutMs: number): void;
}
