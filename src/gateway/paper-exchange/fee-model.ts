/**
 * Trading fees of the simulated venue.
 *
 * Role: the quote-currency fee of one fill (hftbacktest's `FeeModel`).
 * Owning thread: execution stage worker. Hot: once per fill, no allocation.
 * Sign: positive = paid, negative = rebate received (as `Fill.feeQuote`).
 */
import { Liquidity } from '../../core/domain/enums.ts';
import { notionalQuote, type InstrumentSpec } from '../../core/domain/instrument.ts';

export interface FeeModel {
  feeQuote(spec: InstrumentSpec, priceTicks: number, sizeLots: number, liquidity: Liquidity): number;
}

/**
 * Fee = notional × bps / 10 000, with the instrument's maker/taker bps
 * (OKX regular tier: maker 2, taker 5 — `DEFAULT_INSTRUMENTS`).
 */
export class BpsFeeModel implements FeeModel {
  feeQuote(spec: InstrumentSpec, priceTicks: number, sizeLots: number, liquidity: Liquidity): number {
    const bps = liquidity === Liquidity.Maker ? spec.makerFeeBps : spec.takerFeeBps;
    return (notionalQuote(spec, priceTicks, sizeLots) * bps) / 10_000;
  }
}
