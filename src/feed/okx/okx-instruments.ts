/**
 * Instrument metadata from ccxt markets: OKX `tickSz`, `lotSz`, `ctVal`,
 * `minSz` and the fee tier → InstrumentSpec with dense ids in the order of
 * the configured symbols, plus a JSON cache on disk so a restart needs no
 * REST call (ccxt `setMarkets()` with the saved markets).
 *
 * Role: start-up helper for OKXLiveService and UnifiedExchange. Owning
 * thread: whichever starts the feed; cold. Throws ConfigError with the
 * offending symbol / field on bad input (start-up only).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../../core/config/config-error.ts';
import { makeInstrumentSpec, type InstrumentSpec } from '../../core/domain/instrument.ts';

/** The subset of a ccxt unified market we read (ccxt's `Market` type, loosely). */
export interface CcxtMarketLike {
  id: string;
  symbol: string;
  type?: string;
  active?: boolean | null;
  maker?: number;
  taker?: number;
  contractSize?: number;
  precision?: { amount?: number; price?: number };
  info?: Record<string, unknown>;
  [k: string]: unknown;
}

/** What ccxt's `Exchange` offers for markets (kept structural so tests can pass a stub). */
export interface MarketsSource {
  markets?: Record<string, unknown> | undefined;
  loadMarkets(reload?: boolean): Promise<Record<string, unknown>>;
  setMarkets(markets: unknown, currencies?: unknown): unknown;
}

export interface MarketsCacheFile {
  version: 1;
  exchange: string;
  savedAtMs: number;
  markets: CcxtMarketLike[];
}

function str(info: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = info?.[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function positive(symbol: string, field: string, v: unknown): number {
  const x = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!(x > 0) || !Number.isFinite(x)) throw new ConfigError(`instrument ${symbol}.${field}`, v, 'a positive number');
  return x;
}

/**
 * One ccxt market → InstrumentSpec. Prefers OKX's raw `info` strings
 * (tickSz, lotSz, ctVal, minSz), falling back to ccxt's unified
 * precision / contractSize / limits for other exchanges.
 */
export function specFromCcxtMarket(m: CcxtMarketLike, id: number): InstrumentSpec {
  const info = m.info;
  const sym = m.id;
  const tickSize = positive(sym, 'tickSz', str(info, 'tickSz') ?? m.precision?.price);
  const lotSize = positive(sym, 'lotSz', str(info, 'lotSz') ?? m.precision?.amount);
  const contractValue = positive(sym, 'ctVal', str(info, 'ctVal') ?? m.contractSize ?? 1);
  const limits = m.limits as { amount?: { min?: number } } | undefined;
  const minSz = positive(sym, 'minSz', str(info, 'minSz') ?? limits?.amount?.min ?? lotSize);
  const minSizeLots = Math.max(1, Math.round(minSz / lotSize));
  const makerFeeBps = Math.round((typeof m.maker === 'number' ? m.maker : 0.0002) * 1e4 * 1e6) / 1e6;
  const takerFeeBps = Math.round((typeof m.taker === 'number' ? m.taker : 0.0005) * 1e4 * 1e6) / 1e6;
  return makeInstrumentSpec({ id, symbol: sym, tickSize, lotSize, minSizeLots, contractValue, makerFeeBps, takerFeeBps });
}

/** Finds a configured symbol (OKX instId `BTC-USDT-SWAP` or ccxt `BTC/USDT:USDT`) among markets. */
export function findMarket(markets: Iterable<CcxtMarketLike>, symbol: string): CcxtMarketLike | undefined {
  for (const m of markets) if (m.id === symbol || m.symbol === symbol) return m;
  return undefined;
}

/** Specs for `symbols`, ids 0..n-1 in the given order; ConfigError naming any unknown symbol. */
export function specsFromMarkets(markets: Iterable<CcxtMarketLike>, symbols: readonly string[]): InstrumentSpec[] {
  const list = [...markets];
  const seen = new Set<string>();
  return symbols.map((s, i) => {
    const m = findMarket(list, s);
    if (m === undefined) throw new ConfigError('--symbols', s, `an instrument the exchange lists (${list.length} markets loaded)`);
    if (seen.has(m.id)) throw new ConfigError('symbols', s, 'each instrument once');
    seen.add(m.id);
    return specFromCcxtMarket(m, i);
  });
}

/**
 * Reads a markets cache: either our `{version, exchange, markets}` file or a
 * bare array of ccxt unified markets (e.g. fixtures/okx/ccxt_unified_markets_swap.json).
 * Returns undefined when the file does not exist; throws ConfigError when it is unreadable.
 */
export function readMarketsCache(path: string): CcxtMarketLike[] | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError('marketsCachePath', path, `a readable file (${(e as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('marketsCachePath', path, `a JSON markets cache (${(e as Error).message})`);
  }
  const arr = Array.isArray(parsed) ? parsed : (parsed as Partial<MarketsCacheFile> | null)?.markets;
  if (!Array.isArray(arr) || arr.some((m) => typeof m !== 'object' || m === null || typeof (m as CcxtMarketLike).id !== 'string')) {
    throw new ConfigError('marketsCachePath', path, 'an array of ccxt markets or {version, markets: [...]}');
  }
  return arr as CcxtMarketLike[];
}

/** Writes the cache atomically (tmp + rename). */
export function writeMarketsCache(path: string, exchange: string, markets: CcxtMarketLike[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const body: MarketsCacheFile = { version: 1, exchange, savedAtMs: Date.now(), markets };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(body) + '\n');
  renameSync(tmp, path);
}

export interface LoadInstrumentsOptions {
  /** Configured symbols, in id order. */
  symbols: readonly string[];
  /** JSON cache file; read first, written after a REST load. */
  cachePath?: string;
  /** Markets given directly (offline): used instead of the cache and REST. */
  markets?: readonly CcxtMarketLike[];
  /** Ignore the cache and load from REST (then rewrite it). */
  reload?: boolean;
}

export interface LoadedInstruments {
  specs: InstrumentSpec[];
  /** Where the markets came from. */
  source: 'given' | 'cache' | 'rest';
}

/**
 * Loads markets into `exchange` (ccxt) and builds the specs. Order of
 * preference: `markets` given → cache file → `exchange.loadMarkets()` (REST;
 * then the cache is written). The first two make no network call at all.
 */
export async function loadInstruments(exchange: MarketsSource, exchangeId: string, opts: LoadInstrumentsOptions): Promise<LoadedInstruments> {
  if (opts.symbols.length === 0) throw new ConfigError('symbols', opts.symbols, 'at least one instrument');
  if (opts.markets !== undefined) {
    exchange.setMarkets([...opts.markets]);
    return { specs: specsFromMarkets(opts.markets, opts.symbols), source: 'given' };
  }
  if (opts.cachePath !== undefined && opts.reload !== true) {
    const cached = readMarketsCache(opts.cachePath);
    if (cached !== undefined) {
      // A cache that lacks a configured symbol (new listing) falls through to REST.
      if (opts.symbols.every((s) => findMarket(cached, s) !== undefined)) {
        exchange.setMarkets(cached);
        return { specs: specsFromMarkets(cached, opts.symbols), source: 'cache' };
      }
    }
  }
  const loaded = await exchange.loadMarkets(true);
  const markets = Object.values(loaded) as CcxtMarketLike[];
  const specs = specsFromMarkets(markets, opts.symbols);
  if (opts.cachePath !== undefined) writeMarketsCache(opts.cachePath, exchangeId, markets);
  return { specs, source: 'rest' };
}
