/**
 * UnifiedExchange against the OKX mock's REST side: markets (and their disk
 * cache), order-book snapshot, paper mode refusing orders, demo mode
 * refusing without opt-in / keys / a private secret file, and a signed
 * demo request reaching the mock with `x-simulated-trading: 1`.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrderType, Side } from '../../src/core/domain/enums.ts';
import { UnifiedExchange, redactSecrets } from '../../src/gateway/unified-exchange.ts';
import { startOkxMockServer, type OkxMockServer } from '../support/okx-mock/server.ts';

const KEYS = { apiKey: 'demo-key-0123456789', secret: 'demo-secret-ABCDEFGHIJ', passphrase: 'demo-pass-xyz987' };
const ENV = { QHFT_OKX_API_KEY: KEYS.apiKey, QHFT_OKX_SECRET: KEYS.secret, QHFT_OKX_PASSPHRASE: KEYS.passphrase };
const SYMBOLS = ['BTC-USDT-SWAP', 'ETH-USDT-SWAP'];

let mock: OkxMockServer;
let dir: string;
const opened: UnifiedExchange[] = [];
function make(opts: ConstructorParameters<typeof UnifiedExchange>[0]): UnifiedExchange {
  const x = new UnifiedExchange(opts);
  opened.push(x);
  return x;
}

beforeAll(async () => {
  mock = await startOkxMockServer({ seed: 3, bookDepth: 30, credentials: KEYS });
  dir = mkdtempSync(join(tmpdir(), 'qhft-okx-ux-'));
});
afterEach(async () => {
  for (const x of opened.splice(0)) await x.close();
  mock.restRequests.length = 0;
});
afterAll(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('UnifiedExchange, paper mode', () => {
  it('loads markets over REST, caches them, and restarts without any REST call', async () => {
    const cache = join(dir, 'markets.json');
    const a = make({ symbols: SYMBOLS, restUrl: mock.restUrl, marketsCachePath: cache, env: {} });
    const specs = await a.loadMarkets();
    expect(specs.map((s) => [s.id, s.symbol, s.tickSize, s.lotSize, s.contractValue, s.makerFeeBps, s.takerFeeBps])).toEqual([
      [0, 'BTC-USDT-SWAP', 0.1, 0.01, 0.01, 2, 5],
      [1, 'ETH-USDT-SWAP', 0.01, 0.01, 0.1, 2, 5],
    ]);
    const calls = mock.restRequests.map((r) => `${r.method} ${r.path}?instType=${r.query.instType}`);
    expect(calls).toEqual(['GET /api/v5/public/instruments?instType=SWAP']);
    expect(mock.restRequests[0]!.headers['ok-access-key']).toBeUndefined();

    mock.restRequests.length = 0;
    const b = make({ symbols: ['ETH-USDT-SWAP'], restUrl: mock.restUrl, marketsCachePath: cache, env: {} });
    const specsB = await b.loadMarkets();
    expect(specsB[0]).toMatchObject({ id: 0, symbol: 'ETH-USDT-SWAP', tickSize: 0.01 });
    expect(mock.restRequests).toHaveLength(0);
  });

  it('fetches a REST order book on the instrument grid', async () => {
    const x = make({ symbols: SYMBOLS, restUrl: mock.restUrl, env: {} });
    await x.loadMarkets();
    const ob = await x.fetchOrderBook(1, 20);
    const m = mock.model.model('ETH-USDT-SWAP')!;
    expect(ob.bids).toHaveLength(20);
    expect(ob.asks).toHaveLength(20);
    expect(ob.bids[0]).toEqual([m.bestBid(), m.bids.get(m.bestBid())]);
    expect(ob.asks[0]).toEqual([m.bestAsk(), m.asks.get(m.bestAsk())]);
    expect(ob.tsExchangeUs).toBeGreaterThan(1.6e15);
    const req = mock.restRequests.find((r) => r.path === '/api/v5/market/books')!;
    expect(req.query).toMatchObject({ instId: 'ETH-USDT-SWAP', sz: '20' });
  });

  it('refuses to place or cancel orders', async () => {
    const x = make({ symbols: SYMBOLS, restUrl: mock.restUrl, env: ENV });
    await x.loadMarkets();
    await expect(x.placeOrder({ instrumentId: 0, side: Side.Buy, type: OrderType.Limit, priceTicks: 650000, sizeLots: 1 })).rejects.toThrow(/refused in 'paper' mode/);
    await expect(x.cancelOrder(0, { exchangeOrderId: '1' })).rejects.toThrow(/refused in 'paper' mode/);
    expect(mock.restRequests.filter((r) => r.path.startsWith('/api/v5/trade'))).toHaveLength(0);
  });
});

describe('UnifiedExchange, demo mode', () => {
  it('refuses to start without confirmDemoTrading: true', () => {
    expect(() => make({ mode: 'demo', symbols: SYMBOLS, restUrl: mock.restUrl, env: ENV })).toThrow(/confirmDemoTrading/);
  });

  it('refuses to start without keys, naming the variables and never a value', () => {
    let msg = '';
    try {
      make({ mode: 'demo', confirmDemoTrading: true, symbols: SYMBOLS, restUrl: mock.restUrl, env: { QHFT_OKX_API_KEY: KEYS.apiKey } });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/QHFT_OKX_SECRET, QHFT_OKX_PASSPHRASE/);
    expect(msg).not.toContain(KEYS.apiKey);
  });

  it('refuses a secret file readable by group or others, naming the path and mode', () => {
    const f = join(dir, 'okx-keys.json');
    writeFileSync(f, JSON.stringify(KEYS));
    chmodSync(f, 0o644);
    expect(() => make({ mode: 'demo', confirmDemoTrading: true, symbols: SYMBOLS, restUrl: mock.restUrl, secretFile: f, env: {} })).toThrow(
      new RegExp(`${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*mode is 0644`),
    );
    chmodSync(f, 0o600);
    const x = make({ mode: 'demo', confirmDemoTrading: true, symbols: SYMBOLS, restUrl: mock.restUrl, secretFile: f, env: {} });
    expect(x.mode).toBe('demo');
  });

  it('sends signed orders with x-simulated-trading: 1 and never exposes the keys', async () => {
    const x = make({ mode: 'demo', confirmDemoTrading: true, symbols: SYMBOLS, restUrl: mock.restUrl, env: ENV });
    await x.loadMarkets();
    const placed = await x.placeOrder({ instrumentId: 0, side: Side.Buy, type: OrderType.PostOnly, priceTicks: 650001, sizeLots: 3, clientOrderId: 'qhft42' });
    expect(placed.exchangeOrderId).toMatch(/^\d+$/);
    await x.cancelOrder(0, { exchangeOrderId: placed.exchangeOrderId });

    const place = mock.restRequests.find((r) => r.path === '/api/v5/trade/batch-orders' || r.path === '/api/v5/trade/order')!;
    expect(place).toBeDefined();
    expect(place.headers['x-simulated-trading']).toBe('1');
    expect(place.headers['ok-access-key']).toBe(KEYS.apiKey);
    expect(place.headers['ok-access-passphrase']).toBe(KEYS.passphrase);
    const body = JSON.parse(place.body) as Record<string, unknown>[] | Record<string, unknown>;
    const order = Array.isArray(body) ? body[0]! : body;
    expect(order).toMatchObject({ instId: 'BTC-USDT-SWAP', side: 'buy', ordType: 'post_only', px: '65000.1', sz: '0.03', clOrdId: 'qhft42', tdMode: 'cross' });
    const cancel = mock.restRequests.find((r) => r.path === '/api/v5/trade/cancel-order')!;
    expect(cancel.headers['x-simulated-trading']).toBe('1');
    expect(JSON.parse(cancel.body)).toMatchObject({ instId: 'BTC-USDT-SWAP', ordId: placed.exchangeOrderId });

    const shown = inspect(x, { depth: 10 }) + JSON.stringify(x);
    for (const v of Object.values(KEYS)) expect(shown).not.toContain(v);
  });

  it('redacts keys from errors of rejected signed requests', async () => {
    // A mock that knows other keys answers 50111/50113: the error must not carry ours.
    const other = await startOkxMockServer({ seed: 3, bookDepth: 5, credentials: { ...KEYS, apiKey: 'someone-else-key' } });
    try {
      const x = make({ mode: 'demo', confirmDemoTrading: true, symbols: SYMBOLS, restUrl: other.restUrl, env: ENV });
      await x.loadMarkets();
      const err = (await x.placeOrder({ instrumentId: 0, side: Side.Sell, type: OrderType.Limit, priceTicks: 650000, sizeLots: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      )) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(/50111|OK-ACCESS-KEY/i);
      for (const v of Object.values(KEYS)) expect(err.message).not.toContain(v);
    } finally {
      await other.close();
    }
  });

  it('redactSecrets masks OK-ACCESS-* header values and literal secrets', () => {
    const text = `headers {"OK-ACCESS-KEY":"abc123","OK-ACCESS-SIGN":"c2lnbg==","OK-ACCESS-PASSPHRASE":"pw"} OK-ACCESS-TIMESTAMP: 2026-01-01T00:00:00Z body has ${KEYS.secret}`;
    const out = redactSecrets(text, [KEYS.secret]);
    expect(out).not.toMatch(/abc123|c2lnbg==|"pw"|2026-01-01T00|ABCDEFGHIJ/);
    expect(out).toContain('"OK-ACCESS-KEY":"***"');
  });
});
