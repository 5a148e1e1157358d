/**
 * OKX instruments from ccxt unified markets (fixtures/okx), the markets
 * cache file, and endpoint normalisation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { okxRestBaseUrl, okxWsBaseUrl } from '../../src/feed/okx/okx-endpoints.ts';
import {
  loadInstruments, readMarketsCache, specsFromMarkets, writeMarketsCache, type CcxtMarketLike, type MarketsSource,
} from '../../src/feed/okx/okx-instruments.ts';
import { loadOkxFixture, okxFixturePath } from '../support/okx-mock/server.ts';

const MARKETS = loadOkxFixture<CcxtMarketLike[]>('ccxt_unified_markets_swap.json');

class StubExchange implements MarketsSource {
  markets: Record<string, unknown> | undefined;
  loads = 0;
  set: unknown;
  async loadMarkets(): Promise<Record<string, unknown>> {
    this.loads++;
    return Object.fromEntries(MARKETS.map((m) => [m.symbol, m]));
  }
  setMarkets(m: unknown): unknown {
    this.set = m;
    return m;
  }
}

describe('OKX instruments', () => {
  it('builds specs from tickSz / lotSz / ctVal / minSz and fees, ids in configured order', () => {
    const specs = specsFromMarkets(MARKETS, ['ETH-USDT-SWAP', 'BTC/USD:BTC', 'BTC-USDT-SWAP']);
    expect(specs).toEqual([
      { id: 0, symbol: 'ETH-USDT-SWAP', tickSize: 0.01, lotSize: 0.01, minSizeLots: 1, contractValue: 0.1, makerFeeBps: 2, takerFeeBps: 5, priceDecimals: 2, sizeDecimals: 2 },
      { id: 1, symbol: 'BTC-USD-SWAP', tickSize: 0.1, lotSize: 1, minSizeLots: 1, contractValue: 100, makerFeeBps: 2, takerFeeBps: 5, priceDecimals: 1, sizeDecimals: 0 },
      { id: 2, symbol: 'BTC-USDT-SWAP', tickSize: 0.1, lotSize: 0.01, minSizeLots: 1, contractValue: 0.01, makerFeeBps: 2, takerFeeBps: 5, priceDecimals: 1, sizeDecimals: 2 },
    ]);
  });

  it('names an unknown or repeated symbol', () => {
    expect(() => specsFromMarkets(MARKETS, ['SOL-USDT-SWAP'])).toThrow(/SOL-USDT-SWAP/);
    expect(() => specsFromMarkets(MARKETS, ['BTC-USDT-SWAP', 'BTC/USDT:USDT'])).toThrow(/once/);
  });

  it('loads from REST once, then from the cache; reads a bare ccxt markets array too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qhft-okx-inst-'));
    try {
      const cache = join(dir, 'sub', 'markets.json');
      const a = new StubExchange();
      expect((await loadInstruments(a, 'okx', { symbols: ['BTC-USDT-SWAP'], cachePath: cache })).source).toBe('rest');
      expect(a.loads).toBe(1);
      const b = new StubExchange();
      const r = await loadInstruments(b, 'okx', { symbols: ['BTC-USDT-SWAP', 'ETH-USDT-SWAP'], cachePath: cache });
      expect(r.source).toBe('cache');
      expect(b.loads).toBe(0);
      expect(b.set).toHaveLength(3);
      // a cache missing a configured symbol falls back to REST
      writeMarketsCache(cache, 'okx', MARKETS.slice(0, 1));
      const c = new StubExchange();
      expect((await loadInstruments(c, 'okx', { symbols: ['ETH-USDT-SWAP'], cachePath: cache })).source).toBe('rest');
      expect(readMarketsCache(okxFixturePath('ccxt_unified_markets_swap.json'))).toHaveLength(3);
      expect(readMarketsCache(join(dir, 'missing.json'))).toBeUndefined();
      writeFileSync(join(dir, 'bad.json'), '{"markets": 3}');
      expect(() => readMarketsCache(join(dir, 'bad.json'))).toThrow(/marketsCachePath/);
      const d = new StubExchange();
      expect((await loadInstruments(d, 'okx', { symbols: ['ETH-USDT-SWAP'], markets: MARKETS })).source).toBe('given');
      expect(d.loads).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('normalises endpoints: ccxt wants the /ws/v5 base', () => {
    expect(okxWsBaseUrl('ws://127.0.0.1:9000/ws/v5/public')).toBe('ws://127.0.0.1:9000/ws/v5');
    expect(okxWsBaseUrl('wss://wspap.okx.com:8443/ws/v5/public?brokerId=9999')).toBe('wss://wspap.okx.com:8443/ws/v5');
    expect(okxWsBaseUrl('wss://ws.okx.com:8443/ws/v5/')).toBe('wss://ws.okx.com:8443/ws/v5');
    expect(() => okxWsBaseUrl('http://x/ws/v5')).toThrow(/okxWsUrl/);
    expect(okxRestBaseUrl('http://127.0.0.1:9000/')).toBe('http://127.0.0.1:9000');
    expect(() => okxRestBaseUrl('ftp://x')).toThrow(/okxRestUrl/);
  });
});
