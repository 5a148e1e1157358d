/**
 * Instrument table for a run: symbols → InstrumentSpec with dense ids in the
 * order given. Synthetic and replay runs use the built-in OKX metadata below
 * (2026); the live OKX source replaces it with the exchange's own metadata.
 * Cold path.
 */
import { ConfigError } from '../config/config-error.ts';
import { readHeader } from '../../feed/recording/index.ts';
import { makeInstrumentSpec, type InstrumentSpec } from '../domain/instrument.ts';

type Meta = Omit<InstrumentSpec, 'id' | 'symbol' | 'priceDecimals' | 'sizeDecimals'>;

const KNOWN: Record<string, Meta> = {
  'BTC-USDT-SWAP': { tickSize: 0.1, lotSize: 0.01, minSizeLots: 1, contractValue: 0.01, makerFeeBps: 2, takerFeeBps: 5 },
  'ETH-USDT-SWAP': { tickSize: 0.01, lotSize: 0.01, minSizeLots: 1, contractValue: 0.1, makerFeeBps: 2, takerFeeBps: 5 },
  'SOL-USDT-SWAP': { tickSize: 0.01, lotSize: 0.01, minSizeLots: 1, contractValue: 1, makerFeeBps: 2, takerFeeBps: 5 },
  'XRP-USDT-SWAP': { tickSize: 0.0001, lotSize: 0.01, minSizeLots: 1, contractValue: 100, makerFeeBps: 2, takerFeeBps: 5 },
  'DOGE-USDT-SWAP': { tickSize: 0.00001, lotSize: 0.01, minSizeLots: 1, contractValue: 1000, makerFeeBps: 2, takerFeeBps: 5 },
};

export function knownSymbols(): string[] {
  return Object.keys(KNOWN);
}

export function resolveInstruments(symbols: readonly string[]): InstrumentSpec[] {
  const seen = new Set<string>();
  return symbols.map((symbol, id) => {
    const meta = KNOWN[symbol];
    if (!meta) throw new ConfigError('--symbols', symbol, `no built-in metadata for this instrument; known: ${knownSymbols().join(', ')}`);
    if (seen.has(symbol)) throw new ConfigError('--symbols', symbol, 'listed twice');
    seen.add(symbol);
    return makeInstrumentSpec({ id, symbol, ...meta });
  });
}

/** A replay trades the instruments the recording was made with. */
export function instrumentsOfRecording(path: string): InstrumentSpec[] {
  try {
    return [...readHeader(path).instruments];
  } catch (err) {
    throw new ConfigError('--replay-file', path, (err as Error).message);
  }
}
