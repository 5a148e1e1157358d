/**
 * Robust reference price (EWMA) and the spike quarantine that uses it.
 *
 * Role: L0Sanitizer keeps one ReferenceEwma of the book mid per instrument and
 * one SpikeFilter per stream (book mid, trades, mark, BBO). Owning thread:
 * sanitizer stage worker. Hot: one comparison and a multiply per tick, no
 * allocation.
 *
 * Why quarantine-then-confirm instead of a plain band: a lone print 10× away
 * (BitMEX 2024: $8,900 vs $67k) must not move anything, but a real gap move
 * must not be blocked forever either. A print beyond the band becomes a
 * *candidate*; if the next `confirmTicks` ticks sit within the band of that
 * candidate, the move is real and the caller rebases the reference; any
 * tick back near the reference discards the candidate.
 */

export class ReferenceEwma {
  /** Current reference in ticks; NaN until the first sample. */
  value = NaN;

  constructor(private readonly alpha: number) {}

  update(x: number): void {
    this.value = this.value !== this.value ? x : this.value + this.alpha * (x - this.value);
  }

  reset(x: number): void {
    this.value = x;
  }

  /**
   * `update` with the mid of two integer prices. Takes the integers, not the
   * (possibly x.5) mid: integer arguments pass as Smis, while a fractional
   * float64 argument to a call V8 does not inline is boxed in a new HeapNumber.
   */
  updateMid(bidTicks: number, askTicks: number): void {
    const x = (bidTicks + askTicks) / 2;
    this.value = this.value !== this.value ? x : this.value + this.alpha * (x - this.value);
  }

  resetMid(bidTicks: number, askTicks: number): void {
    this.value = (bidTicks + askTicks) / 2;
  }
}

export const enum SpikeVerdict {
  /** Within the band (or no reference yet). */
  Accept = 0,
  /** Beyond the band, not (yet) confirmed: drop it. */
  Quarantine = 1,
  /** This tick completes the confirmation of a new level: accept it and rebase the reference. */
  Confirmed = 2,
}

/** |a − b| / b in basis points. */
export function deviationBps(a: number, b: number): number {
  const d = a - b;
  return ((d < 0 ? -d : d) / b) * 10_000;
}

export class SpikeFilter {
  /** Price of the pending outlier level, NaN when none. */
  candidate = NaN;
  /** Ticks seen so far that confirm `candidate` (not counting the first outlier). */
  confirms = 0;

  constructor(
    private readonly thresholdBps: number,
    private readonly confirmTicks: number,
  ) {}

  /**
   * Inputs of `check`, set by the caller just before it. Fields rather than
   * arguments: a fractional float64 (a mid of x.5 ticks, an EWMA) passed to a
   * call V8 does not inline is boxed in a new HeapNumber every time.
   */
  priceTicks = NaN;
  referenceTicks = NaN;

  /** Classifies `priceTicks` against `referenceTicks` (no reference yet → Accept). */
  check(): SpikeVerdict {
    const p = this.priceTicks;
    const ref = this.referenceTicks;
    if (!(ref > 0) || deviationBps(p, ref) <= this.thresholdBps) {
      this.candidate = NaN;
      this.confirms = 0;
      return SpikeVerdict.Accept;
    }
    if (this.candidate > 0 && deviationBps(p, this.candidate) <= this.thresholdBps) {
      if (++this.confirms >= this.confirmTicks) {
        this.candidate = NaN;
        this.confirms = 0;
        return SpikeVerdict.Confirmed;
      }
      return SpikeVerdict.Quarantine;
    }
    this.candidate = p;
    this.confirms = 0;
    return SpikeVerdict.Quarantine;
  }

  clear(): void {
    this.candidate = NaN;
    this.confirms = 0;
  }
}
