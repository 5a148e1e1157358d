/**
 * DRBGuard's own positions and PnL, per instrument, from fills.
 *
 * Role: signed position in lots, average entry (ticks), realized PnL, fees
 * and the mark used for unrealized PnL; account equity and its peak for the
 * drawdown control. Owning thread: the risk stage (single writer). Hot:
 * `applyFill` and `mark` are O(1) and allocate nothing; the account totals
 * loop over instruments (a handful).
 *
 * PnL in quote currency: (exit − entry) ticks × lots × `quotePerTickLot`,
 * with `quotePerTickLot = tickSize × lotSize × contractValue` (linear
 * USDT-margined swaps). Average entry follows the usual rule: adding keeps a
 * size-weighted average, reducing realizes against it, flipping realizes the
 * whole old position and opens the rest at the fill price.
 */
import type { InstrumentSpec } from '../core/domain/instrument.ts';

export class PositionBook {
  /** Dense by instrument id; `known[i] = 1` for instruments in the table. */
  readonly known: Uint8Array;
  readonly quotePerTickLot: Float64Array;
  readonly positionLots: Float64Array;
  readonly avgEntryTicks: Float64Array;
  readonly realizedQuote: Float64Array;
  readonly feesQuote: Float64Array;
  /** Last good mark (mid) in ticks; 0 = never marked (unrealized falls back to entry, i.e. 0). */
  readonly markTicks: Float64Array;

  constructor(instruments: readonly InstrumentSpec[]) {
    let n = 0;
    for (const s of instruments) n = Math.max(n, s.id + 1);
    this.known = new Uint8Array(n);
    this.quotePerTickLot = new Float64Array(n);
    this.positionLots = new Float64Array(n);
    this.avgEntryTicks = new Float64Array(n);
    this.realizedQuote = new Float64Array(n);
    this.feesQuote = new Float64Array(n);
    this.markTicks = new Float64Array(n);
    for (const s of instruments) {
      if (this.known[s.id]) throw new Error(`PositionBook: instrument id ${s.id} (${s.symbol}) listed twice`);
      this.known[s.id] = 1;
      this.quotePerTickLot[s.id] = s.tickSize * s.lotSize * s.contractValue;
    }
  }

  get size(): number {
    return this.known.length;
  }

  /** Applies a fill of `lots` at `priceTicks`; `side` is +1 buy / −1 sell. */
  applyFill(inst: number, side: number, priceTicks: number, lots: number, feeQuote: number): void {
    const pos = this.positionLots[inst]!;
    const signed = side * lots;
    this.feesQuote[inst] = this.feesQuote[inst]! + feeQuote;
    if (pos === 0 || (pos > 0) === (signed > 0)) {
      const absPos = Math.abs(pos);
      this.avgEntryTicks[inst] = (this.avgEntryTicks[inst]! * absPos + priceTicks * lots) / (absPos + lots);
      this.positionLots[inst] = pos + signed;
      return;
    }
    const closing = Math.min(Math.abs(pos), lots);
    const dir = pos > 0 ? 1 : -1;
    this.realizedQuote[inst] = this.realizedQuote[inst]! + (priceTicks - this.avgEntryTicks[inst]!) * closing * dir * this.quotePerTickLot[inst]!;
    const next = pos + signed;
    this.positionLots[inst] = next;
    if (next === 0) this.avgEntryTicks[inst] = 0;
    else if ((next > 0) !== (pos > 0)) this.avgEntryTicks[inst] = priceTicks;
  }

  mark(inst: number, midTicks: number): void {
    this.markTicks[inst] = midTicks;
  }

  unrealizedQuote(inst: number): number {
    const pos = this.positionLots[inst]!;
    const m = this.markTicks[inst]!;
    if (pos === 0 || m === 0) return 0;
    return (m - this.avgEntryTicks[inst]!) * pos * this.quotePerTickLot[inst]!;
  }

  /** Realized − fees + unrealized over all instruments. */
  totalPnlQuote(): number {
    let t = 0;
    for (let i = 0; i < this.known.length; i++) {
      t += this.realizedQuote[i]! - this.feesQuote[i]! + this.unrealizedQuote(i);
    }
    return t;
  }

  /** Σ |position| × mark (entry if never marked), in quote. */
  grossPositionNotionalQuote(): number {
    let t = 0;
    for (let i = 0; i < this.known.length; i++) {
      const pos = this.positionLots[i]!;
      if (pos === 0) continue;
      const px = this.markTicks[i]! > 0 ? this.markTicks[i]! : this.avgEntryTicks[i]!;
      t += Math.abs(pos) * px * this.quotePerTickLot[i]!;
    }
    return t;
  }
}
