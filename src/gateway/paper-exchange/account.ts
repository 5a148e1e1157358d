/**
 * Perpetual-swap accounting of the paper account, in quote currency.
 *
 * Role: position, average entry, realized/unrealized PnL, fees, funding and
 * cash per instrument, updated on every paper fill and funding settlement.
 * Owning thread: execution stage worker, single writer. Hot: `applyFill`
 * and `applyFunding` are a few multiplies on typed arrays, no allocation.
 *
 * Definitions (m = tickSize × lotSize × contractValue, quote per tick·lot):
 * - position `positionLots` is signed (long > 0); average entry
 *   `avgEntryTicks` is the volume-weighted price of the open position
 *   (average-cost method; reset on a flip to the flipping fill's price).
 * - realized PnL accrues on the closing part of a fill: closed × (px − avg) × sign × m.
 * - unrealized PnL = position × (mark − avg) × m.
 * - cash is a full-notional ledger: a buy pays px × lots × m, a sell
 *   receives it; fees are paid from cash, funding goes to cash. Hence the
 *   identity the property test checks:
 *   cash + Σ position × mark × m − initial = realized + unrealized − fees + funding.
 *   (A margin venue's wallet balance is `initial + realized − fees + funding`;
 *   see `walletBalanceQuote`.)
 */
import type { InstrumentSpec } from '../../core/domain/instrument.ts';

export class PerpAccount {
  readonly initialCashQuote: number;
  cashQuote: number;
  readonly positionLots: Float64Array;
  readonly avgEntryTicks: Float64Array;
  readonly realizedPnlQuote: Float64Array;
  readonly feesQuote: Float64Array;
  /** Funding received (negative = paid). */
  readonly fundingQuote: Float64Array;
  /** Quote per (tick × lot), per instrument. */
  readonly multiplier: Float64Array;

  constructor(instruments: readonly InstrumentSpec[], initialCashQuote: number) {
    const n = instruments.length;
    this.initialCashQuote = initialCashQuote;
    this.cashQuote = initialCashQuote;
    this.positionLots = new Float64Array(n);
    this.avgEntryTicks = new Float64Array(n);
    this.realizedPnlQuote = new Float64Array(n);
    this.feesQuote = new Float64Array(n);
    this.fundingQuote = new Float64Array(n);
    this.multiplier = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = instruments[i]!;
      this.multiplier[i] = s.tickSize * s.lotSize * s.contractValue;
    }
  }

  /** Books one fill: `side` +1 buy / −1 sell, `feeQuote` positive = paid. */
  applyFill(i: number, side: number, priceTicks: number, sizeLots: number, feeQuote: number): void {
    const m = this.multiplier[i]!;
    const pos = this.positionLots[i]!;
    const signed = side * sizeLots;
    this.cashQuote -= signed * priceTicks * m + feeQuote;
    this.feesQuote[i] = this.feesQuote[i]! + feeQuote;
    if (pos === 0 || (pos > 0) === (signed > 0)) {
      const abs = pos < 0 ? -pos : pos;
      this.avgEntryTicks[i] = (abs * this.avgEntryTicks[i]! + sizeLots * priceTicks) / (abs + sizeLots);
      this.positionLots[i] = pos + signed;
      return;
    }
    const abs = pos < 0 ? -pos : pos;
    const closed = sizeLots < abs ? sizeLots : abs;
    const dir = pos > 0 ? 1 : -1;
    this.realizedPnlQuote[i] = this.realizedPnlQuote[i]! + closed * (priceTicks - this.avgEntryTicks[i]!) * dir * m;
    const next = pos + signed;
    this.positionLots[i] = next;
    if (next === 0) this.avgEntryTicks[i] = 0;
    else if ((next > 0) !== (pos > 0)) this.avgEntryTicks[i] = priceTicks;
  }

  /**
   * Funding settlement (OKX): payment = −position × contractValue × lotSize ×
   * markPrice × rate; longs pay when rate > 0. Returns the amount received.
   */
  applyFunding(i: number, markTicks: number, rate: number): number {
    const amount = -this.positionLots[i]! * markTicks * this.multiplier[i]! * rate;
    this.fundingQuote[i] = this.fundingQuote[i]! + amount;
    this.cashQuote += amount;
    return amount;
  }

  unrealizedPnlQuote(i: number, markTicks: number): number {
    const pos = this.positionLots[i]!;
    return pos === 0 ? 0 : pos * (markTicks - this.avgEntryTicks[i]!) * this.multiplier[i]!;
  }

  positionValueQuote(i: number, markTicks: number): number {
    const pos = this.positionLots[i]!;
    return pos === 0 ? 0 : pos * markTicks * this.multiplier[i]!;
  }

  /** Margin-venue wallet balance: initial + realized − fees + funding (all instruments). */
  walletBalanceQuote(): number {
    let w = this.initialCashQuote;
    for (let i = 0; i < this.positionLots.length; i++) w += this.realizedPnlQuote[i]! - this.feesQuote[i]! + this.fundingQuote[i]!;
    return w;
  }
}
