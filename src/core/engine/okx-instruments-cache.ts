/**
 * Instruments for `--source okx`: the exchange's own metadata (tick, lot,
 * contract value, minimum size, fees) from OKX REST
 * `GET /api/v5/public/instruments?instType=SWAP` through ccxt, with a disk
 * cache so a restart makes no REST call at all.
 *
 * Role: start-up only (cold). Owning thread: the main thread resolves the
 * specs before any worker starts (ProductionEngine.start); the okx feed
 * worker then reads the same cache file to hand ccxt its markets
 * (`setMarkets`), so the feed and the engine agree on ids and grids and the
 * worker makes no REST call either.
 *
 * Cache: `.qhft/okx-markets.json` (override: `QHFT_OKX_MARKETS_CACHE`), the
 * okx-instruments.ts format `{version: 1, exchange, savedAtMs, markets}`
 * with `exchange` = `okx <REST base URL>`: a cache written from a local mock
 * is never used against www.okx.com (or the other way round) — a different
 * URL is a miss and the file is rewritten. A cache older than
 * `OKX_MARKETS_MAX_AGE_MS` (24 h; OKX changes tick sizes now and then) or
 * lacking a configured symbol is refreshed from REST; if REST then fails, a
 * stale cache that has the symbols is used with a warning rather than not
 * starting.
 *
 * Errors: ConfigError naming the symbol (not listed by the exchange) or the
 * REST URL (unreachable, and no usable cache).
 */
import { readFileSync } from 'node:fs';
import ccxt from 'ccxt';
import { ConfigError } from '../config/config-error.ts';
import type { InstrumentSpec } from '../domain/instrument.ts';
import { okxRestBaseUrl } from '../../feed/okx/okx-endpoints.ts';
import { findMarket, specsFromMarkets, writeMarketsCache, type CcxtMarketLike, type MarketsCacheFile } from '../../feed/okx/okx-instruments.ts';

export const DEFAULT_OKX_MARKETS_CACHE = '.qhft/okx-markets.json';
export const OKX_MARKETS_CACHE_ENV = 'QHFT_OKX_MARKETS_CACHE';
/** A cache older than this is refreshed from REST (and still used if REST fails). */
export const OKX_MARKETS_MAX_AGE_MS = 24 * 3600 * 1000;

/** The cache file for this process (env override, else `.qhft/okx-markets.json` under the working directory). */
export function okxMarketsCachePath(env: NodeJS.ProcessEnv = process.env): string {
  const p = env[OKX_MARKETS_CACHE_ENV];
  return p !== undefined && p !== '' ? p : DEFAULT_OKX_MARKETS_CACHE;
}

/** What the cache's `exchange` field must say for markets loaded from `restUrl`. */
export function okxMarketsTag(restUrl: string): string {
  return `okx ${okxRestBaseUrl(restUrl)}`;
}

export interface TaggedMarkets {
  markets: CcxtMarketLike[];
  savedAtMs: number;
}

/**
 * Reads the cache if it exists, parses, and was written for `restUrl`;
 * undefined otherwise (missing, unreadable, other URL, bare arrays without a tag).
 */
export function readOkxMarketsCache(path: string, restUrl: string): TaggedMarkets | undefined {
  let parsed: Partial<MarketsCacheFile> | null;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<MarketsCacheFile> | null;
  } catch {
    return undefined; // missing or corrupt: a miss, REST rewrites it
  }
  if (parsed === null || typeof parsed !== 'object' || parsed.version !== 1 || parsed.exchange !== okxMarketsTag(restUrl)) return undefined;
  const markets = parsed.markets;
  if (!Array.isArray(markets) || markets.some((m) => typeof m !== 'object' || m === null || typeof m.id !== 'string')) return undefined;
  return { markets, savedAtMs: typeof parsed.savedAtMs === 'number' ? parsed.savedAtMs : 0 };
}

/** OKX perpetual-swap markets from REST via ccxt (the only network call; cold). */
async function fetchSwapMarkets(restUrl: string, timeoutMs: number): Promise<CcxtMarketLike[]> {
  const ex = new ccxt.okx({
    timeout: timeoutMs,
    enableRateLimit: false,
    options: { fetchMarkets: { types: ['swap'] }, defaultType: 'swap' },
  });
  (ex.urls as { api: Record<string, string> }).api = { ...(ex.urls as { api: Record<string, string> }).api, rest: okxRestBaseUrl(restUrl) };
  try {
    const loaded = await ex.loadMarkets(true);
    return Object.values(loaded) as unknown as CcxtMarketLike[];
  } finally {
    await ex.close().catch(() => undefined);
  }
}

export interface ResolveOkxInstrumentsOptions {
  symbols: readonly string[];
  restUrl: string;
  /** Default `okxMarketsCachePath()`. */
  cachePath?: string;
  maxAgeMs?: number;
  /** REST timeout (default 10000 ms). */
  timeoutMs?: number;
  log?: (line: string) => void;
  /** Clock for the cache age (tests). */
  nowMs?: () => number;
}

export interface ResolvedOkxInstruments {
  specs: InstrumentSpec[];
  source: 'cache' | 'rest' | 'stale-cache';
  cachePath: string;
}

/** The specs for `symbols` (ids 0..n-1 in that order) from the cache or OKX REST. */
export async function resolveOkxInstruments(o: ResolveOkxInstrumentsOptions): Promise<ResolvedOkxInstruments> {
  if (o.symbols.length === 0) throw new ConfigError('--symbols', o.symbols, 'at least one instrument');
  const rest = okxRestBaseUrl(o.restUrl);
  const cachePath = o.cachePath ?? okxMarketsCachePath();
  const log = o.log ?? (() => {});
  const now = (o.nowMs ?? Date.now)();
  const cached = readOkxMarketsCache(cachePath, rest);
  const hasAll = cached !== undefined && o.symbols.every((s) => findMarket(cached.markets, s) !== undefined);
  if (hasAll && now - cached.savedAtMs <= (o.maxAgeMs ?? OKX_MARKETS_MAX_AGE_MS)) {
    return { specs: specsFromMarkets(cached.markets, o.symbols), source: 'cache', cachePath };
  }
  let markets: CcxtMarketLike[];
  try {
    markets = await fetchSwapMarkets(rest, o.timeoutMs ?? 10_000);
  } catch (e) {
    const why = (e as Error).message.split('\n')[0]!.slice(0, 300);
    if (hasAll) {
      log(`warning: okx instruments: REST ${rest} failed (${why}); using the cache from ${new Date(cached.savedAtMs).toISOString()} (${cachePath})`);
      return { specs: specsFromMarkets(cached.markets, o.symbols), source: 'stale-cache', cachePath };
    }
    throw new ConfigError('--okx-rest-url', rest, `an OKX REST endpoint that answers /api/v5/public/instruments (${why}); no usable cache at ${cachePath}`);
  }
  const specs = specsFromMarkets(markets, o.symbols); // ConfigError naming an unknown symbol
  try {
    writeMarketsCache(cachePath, okxMarketsTag(rest), markets);
  } catch (e) {
    log(`warning: okx instruments: cannot write the cache ${cachePath}: ${(e as Error).message}`);
  }
  return { specs, source: 'rest', cachePath };
}

/** ProductionEngine's hook: specs for the configured symbols, logged once. */
export async function loadOkxInstruments(config: { symbols: readonly string[]; okxRestUrl: string }, log: (line: string) => void): Promise<InstrumentSpec[]> {
  const r = await resolveOkxInstruments({ symbols: config.symbols, restUrl: config.okxRestUrl, log });
  log(`okx: ${r.specs.length} instruments from ${r.source === 'rest' ? `${okxRestBaseUrl(config.okxRestUrl)} (cached in ${r.cachePath})` : r.cachePath}: ` +
    r.specs.map((s) => `${s.symbol} tick=${s.tickSize} lot=${s.lotSize} ctVal=${s.contractValue}`).join(', '));
  return r.specs;
}
