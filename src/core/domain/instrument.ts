/**
 * Instrument metadata and the integer grid every price and size lives on.
 *
 * Prices are integer *ticks* (price = ticks × tickSize) and sizes integer
 * *lots* (contracts = lots × lotSize), stored in float64, exact below 2^53
 * (hftbacktest's `price_tick`, nautilus's fixed-point `raw`). One contract
 * is worth `contractValue` units of the base currency, so a quote-currency
 * notional is `priceTicks × tickSize × sizeLots × lotSize × contractValue`.
 * Instruments are referred to by a uint32 id on the wire; this table is
 * built once at start-up. Cold path, except the pure conversion helpers.
 */

export interface InstrumentSpec {
  /** uint32 id used on the wire; dense, starting at 0. */
  readonly id: number;
  /** Exchange symbol, e.g. `BTC-USDT-SWAP`. Never on the hot path. */
  readonly symbol: string;
  /** Price increment, e.g. 0.1 for BTC-USDT-SWAP. */
  readonly tickSize: number;
  /** Size increment in contracts, e.g. 0.01. */
  readonly lotSize: number;
  /** Minimum order size in lots. */
  readonly minSizeLots: number;
  /** Base-currency units per contract, e.g. 0.01 BTC. */
  readonly contractValue: number;
  /** Decimal places of tickSize / lotSize, for exact formatting. */
  readonly priceDecimals: number;
  readonly sizeDecimals: number;
  /** Fees in basis points of notional; negative = rebate. OKX regular tier: maker 2, taker 5. */
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
}

/** Number of decimal places in a step such as 0.001 → 3, 5 → 0. */
export function decimalsOf(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) {
    throw new RangeError(`step must be a positive finite number, got ${step}`);
  }
  let d = 0;
  let scaled = step;
  while (Math.abs(scaled - Math.round(scaled)) > 1e-9 * Math.max(1, scaled) && d < 15) {
    d++;
    scaled = step * 10 ** d;
  }
  return d;
}

/**
 * Converts a decimal value (already parsed) to integer units of `step`.
 * Returns NaN when the value is not on the grid (more than 1e-6 of a step off),
 * so the caller can count it as a grid violation instead of silently rounding.
 */
export function toUnits(value: number, step: number): number {
  const units = value / step;
  const rounded = Math.round(units);
  return Math.abs(units - rounded) <= 1e-6 ? rounded : NaN;
}

/** Quote-currency notional of `sizeLots` at `priceTicks`. */
export function notionalQuote(spec: InstrumentSpec, priceTicks: number, sizeLots: number): number {
  return priceTicks * spec.tickSize * sizeLots * spec.lotSize * spec.contractValue;
}

/** Formats ticks as the exchange's decimal string (cold path: logs, REST). */
export function formatPrice(spec: InstrumentSpec, priceTicks: number): string {
  return (priceTicks * spec.tickSize).toFixed(spec.priceDecimals);
}

export function formatSize(spec: InstrumentSpec, sizeLots: number): string {
  return (sizeLots * spec.lotSize).toFixed(spec.sizeDecimals);
}

/** Builds a spec, validating every field; throws with the field and value at start-up. */
export function makeInstrumentSpec(fields: Omit<InstrumentSpec, 'priceDecimals' | 'sizeDecimals'>): InstrumentSpec {
  const { id, symbol, tickSize, lotSize, minSizeLots, contractValue, makerFeeBps, takerFeeBps } = fields;
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new RangeError(`instrument.id must be a uint32, got ${id}`);
  if (typeof symbol !== 'string' || symbol.length === 0) throw new RangeError(`instrument.symbol must be a non-empty string, got ${String(symbol)}`);
  for (const [name, v] of [['tickSize', tickSize], ['lotSize', lotSize], ['contractValue', contractValue]] as const) {
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`instrument ${symbol}: ${name} must be > 0, got ${v}`);
  }
  if (!Number.isInteger(minSizeLots) || minSizeLots < 1) throw new RangeError(`instrument ${symbol}: minSizeLots must be an integer ≥ 1, got ${minSizeLots}`);
  if (!Number.isFinite(makerFeeBps) || !Number.isFinite(takerFeeBps)) throw new RangeError(`instrument ${symbol}: fees must be finite, got maker=${makerFeeBps} taker=${takerFeeBps}`);
  return { ...fields, priceDecimals: decimalsOf(tickSize), sizeDecimals: decimalsOf(lotSize) };
}

/** Two default perpetual swaps (OKX metadata as of 2026), used by the synthetic market and tests. */
export const DEFAULT_INSTRUMENTS: readonly InstrumentSpec[] = [
  makeInstrumentSpec({ id: 0, symbol: 'BTC-USDT-SWAP', tickSize: 0.1, lotSize: 0.01, minSizeLots: 1, contractValue: 0.01, makerFeeBps: 2, takerFeeBps: 5 }),
  makeInstrumentSpec({ id: 1, symbol: 'ETH-USDT-SWAP', tickSize: 0.01, lotSize: 0.01, minSizeLots: 1, contractValue: 0.1, makerFeeBps: 2, takerFeeBps: 5 }),
];
