/**
 * Exchange-side trading status of an instrument, as set from config or from
 * venue events (OKX `instruments` channel / status notices).
 *
 * Role: input to L0Sanitizer.canTrade. Owning thread: sanitizer stage
 * worker. Cold: changes a few times a day at most.
 */
export const enum InstrumentStatus {
  /** Normal continuous trading. */
  Live = 0,
  /** Trading halted by the venue. */
  Suspended = 1,
  /** Listed but not yet open (OKX `preopen`). */
  PreOpen = 2,
  /** Scheduled for delisting: no new entries. */
  Delisting = 3,
}
