/**
 * Shared monotonic clock for every thread of the process.
 *
 * Role: gives each thread a `nowUs()` on one common epoch (the main thread's
 * `performance.timeOrigin`), so a timestamp stamped on one worker can be
 * subtracted from one stamped on another to get a hop latency.
 * Owning thread: any; hot (called per message); no allocation.
 *
 * Why not `process.hrtime.bigint()`: it allocates a bigint per call and
 * bigint is banned on the hot path. `performance.now()` is a monotonic
 * double, but each worker counts from its own start, so we shift it by the
 * difference of the two threads' `timeOrigin`s once, at start-up.
 * Values stay small (µs since the main thread started), which keeps
 * sub-microsecond precision in a float64.
 */

let originShiftMs = 0;

/** Called once in a worker with the main thread's `performance.timeOrigin`. */
export function adoptEpoch(mainTimeOriginMs: number): void {
  originShiftMs = performance.timeOrigin - mainTimeOriginMs;
}

/** The main thread's `performance.timeOrigin`, to hand to workers. */
export function epochTimeOriginMs(): number {
  return performance.timeOrigin - originShiftMs;
}

/** Microseconds since the shared epoch (main thread start). Float64, monotonic. */
export function nowUs(): number {
  return (performance.now() + originShiftMs) * 1000;
}

/**
 * A message stamp: `nowUs()` when the run measures latency, else 0 (an unset
 * stamp, which every hop ignores). Hot; a branch, no clock read when off.
 */
export function stampUs(measuring: boolean): number {
  return measuring ? nowUs() : 0;
}

/** Nanoseconds since the shared epoch, for sub-microsecond measurements. */
export function nowNs(): number {
  return (performance.now() + originShiftMs) * 1e6;
}

/** Unix time in microseconds of a shared-epoch timestamp (for exchange-ts comparisons). */
export function epochUsToUnixUs(tsUs: number): number {
  return epochTimeOriginMs() * 1000 + tsUs;
}

/** Shared-epoch microseconds for "now" as Unix µs (wall clock); cold path. */
export function unixNowUs(): number {
  return epochUsToUnixUs(nowUs());
}
