/**
 * Instruments for `--source okx` (src/core/engine/okx-instruments-cache.ts):
 * OKX REST through ccxt once, then the disk cache; a cache written for
 * another REST URL, or too old, is refreshed; REST down falls back to a
 * stale cache; unknown symbols and no metadata at all are refused, naming
 * the symbol or the URL — by `qhft run` too, with the bad-value exit code 2.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/config/config-error.ts';
import { okxMarketsCachePath, okxMarketsTag, readOkxMarketsCache, resolveOkxInstruments } from '../../src/core/engine/okx-instruments-cache.ts';
import { startOkxMockServer, type OkxMockServer } from '../support/okx-mock/index.ts';

const SYMBOLS = ['ETH-USDT-SWAP', 'BTC-USDT-SWAP'];
/** Nothing listens here: connection refused at once. */
const DEAD_REST = 'http://127.0.0.1:1';

let mock: OkxMockServer;
let dir: string;
let n = 0;
const cacheFile = () => join(dir, `markets-${n++}.json`);
const instrumentCalls = () => mock.restRequests.filter((r) => r.path === '/api/v5/public/instruments');

beforeAll(async () => {
  mock = await startOkxMockServer({ seed: 1 });
  dir = mkdtempSync(join(tmpdir(), 'qhft-okx-instr-'));
});

afterAll(async () => {
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('resolveOkxInstruments', () => {
  it('loads from OKX REST once (SWAP only), then from the cache with no network call', async () => {
    const cachePath = cacheFile();
    mock.restRequests.length = 0;
    const a = await resolveOkxInstruments({ symbols: SYMBOLS, restUrl: mock.restUrl, cachePath });
    expect(a.source).toBe('rest');
    expect(instrumentCalls().map((r) => r.query.instType)).toEqual(['SWAP']);
    expect(a.specs.map((s) => [s.id, s.symbol, s.tickSize, s.lotSize, s.contractValue, s.minSizeLots])).toEqual([
      [0, 'ETH-USDT-SWAP', 0.01, 0.01, 0.1, 1],
      [1, 'BTC-USDT-SWAP', 0.1, 0.01, 0.01, 1],
    ]);
    const file = JSON.parse(readFileSync(cachePath, 'utf8')) as { version: number; exchange: string };
    expect(file.version).toBe(1);
    expect(file.exchange).toBe(okxMarketsTag(mock.restUrl));

    const b = await resolveOkxInstruments({ symbols: SYMBOLS, restUrl: `${mock.restUrl}/`, cachePath });
    expect(b.source).toBe('cache');
    expect(b.specs).toEqual(a.specs);
    expect(instrumentCalls()).toHaveLength(1);
  });

  it('does not use a cache written for another REST URL, or one older than the max age', async () => {
    const cachePath = cacheFile();
    await resolveOkxInstruments({ symbols: SYMBOLS, restUrl: mock.restUrl, cachePath });
    expect(readOkxMarketsCache(cachePath, 'https://www.okx.com')).toBeUndefined();
    // Pretend the cache came from www.okx.com: a miss for the mock, refreshed over REST.
    const body = JSON.parse(readFileSync(cachePath, 'utf8')) as { exchange: string };
    writeFileSync(cachePath, JSON.stringify({ ...body, exchange: okxMarketsTag('https://www.okx.com') }));
    mock.restRequests.length = 0;
    expect((await resolveOkxInstruments({ symbols: SYMBOLS, restUrl: mock.restUrl, cachePath })).source).toBe('rest');
    expect(instrumentCalls()).toHaveLength(1);
    // Too old: refreshed.
    const later = Date.now() + 25 * 3600 * 1000;
    expect((await resolveOkxInstruments({ symbols: SYMBOLS, restUrl: mock.restUrl, cachePath, nowMs: () => later })).source).toBe('rest');
    expect(instrumentCalls()).toHaveLength(2);
  });

  it('falls back to a stale cache when REST is down, with a warning', async () => {
    const cachePath = cacheFile();
    await resolveOkxInstruments({ symbols: SYMBOLS, restUrl: mock.restUrl, cachePath });
    // The same markets, as if saved long ago from a server that is now down.
    const body = JSON.parse(readFileSync(cachePath, 'utf8')) as Record<string, unknown>;
    writeFileSync(cachePath, JSON.stringify({ ...body, exchange: okxMarketsTag(DEAD_REST), savedAtMs: 0 }));
    const logs: string[] = [];
    const r = await resolveOkxInstruments({ symbols: SYMBOLS, restUrl: DEAD_REST, cachePath, log: (l) => logs.push(l) });
    expect(r.source).toBe('stale-cache');
    expect(r.specs.map((s) => s.symbol)).toEqual(SYMBOLS);
    expect(logs.join('\n')).toMatch(/REST http:\/\/127\.0\.0\.1:1 failed .*using the cache from 1970-01-01/);
  });

  it('refuses an unknown symbol, and REST down with no cache, naming what is wrong', async () => {
    await expect(resolveOkxInstruments({ symbols: ['NOPE-USDT-SWAP'], restUrl: mock.restUrl, cachePath: cacheFile() })).rejects.toThrow(
      /invalid --symbols: "NOPE-USDT-SWAP" \(an instrument the exchange lists/,
    );
    const err = await resolveOkxInstruments({ symbols: SYMBOLS, restUrl: DEAD_REST, cachePath: cacheFile() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/invalid --okx-rest-url: "http:\/\/127\.0\.0\.1:1" .*no usable cache/);
  });

  it('qhft run refuses a symbol the exchange does not list: exit 2, the flag and the value named', async () => {
    const c = spawn(
      process.execPath,
      ['bin/qhft.js', 'run', '--source', 'okx', '--symbols', 'NOPE-USDT-SWAP', '--okx-ws-url', mock.wsUrl, '--okx-rest-url', mock.restUrl, '--duration', '2s', '--no-http', '--journal-dir', join(dir, 'journal')],
      { env: { ...process.env, QHFT_OKX_MARKETS_CACHE: cacheFile(), QHFT_MYSQL_URL: '' } },
    );
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((res) => c.on('exit', res));
    expect(out).toMatch(/^qhft run: invalid --symbols: "NOPE-USDT-SWAP" \(an instrument the exchange lists/m);
    expect(code, out).toBe(2);
  });

  it('puts the cache under .qhft/ unless QHFT_OKX_MARKETS_CACHE says otherwise', () => {
    expect(okxMarketsCachePath({})).toBe('.qhft/okx-markets.json');
    expect(okxMarketsCachePath({ QHFT_OKX_MARKETS_CACHE: '/tmp/x.json' })).toBe('/tmp/x.json');
  });
});
