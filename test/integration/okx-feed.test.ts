/**
 * The real ccxt client + OKXLiveService against the local OKX mock:
 * every channel into carriers (field by field against fixtures/okx),
 * gap → resync, reconnect after a drop and after a notice, keepalive past
 * the idle timeout, malformed frames counted, STALE while disconnected.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Side } from '../../src/core/domain/enums.ts';
import { OKXLiveService, type OKXLiveServiceOptions, type OkxFeedStatus } from '../../src/feed/okx/okx-live-service.ts';
import type { CcxtMarketLike } from '../../src/feed/okx/okx-instruments.ts';
import { loadOkxFixture, startOkxMockServer, type OkxMockServer } from '../support/okx-mock/server.ts';
import { RecordingSink } from '../support/okx-mock/recording-sink.ts';

const MARKETS = loadOkxFixture<CcxtMarketLike[]>('ccxt_unified_markets_swap.json');
const SYMBOLS = ['BTC-USDT-SWAP', 'ETH-USDT-SWAP', 'BTC-USD-SWAP'];
const BTC = 0;
const ETH = 1;
const BTCUSD = 2;

async function until(pred: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Deep copy of a fixture with every instId replaced. */
function withInstId<T>(fixture: T, instId: string): T {
  return JSON.parse(JSON.stringify(fixture).replace(/"instId":"[^"]*"/g, `"instId":"${instId}"`)) as T;
}

let mock: OkxMockServer;
let svc: OKXLiveService | undefined;
let sink: RecordingSink;
let statuses: OkxFeedStatus[];

async function startFeed(extra: Partial<OKXLiveServiceOptions> = {}, waitForAll = true): Promise<OKXLiveService> {
  statuses = [];
  svc = new OKXLiveService({
    sink,
    symbols: SYMBOLS,
    wsUrl: mock.wsUrl,
    restUrl: mock.restUrl,
    markets: MARKETS,
    staleAfterMs: 400,
    reconnect: { baseMs: 20, maxMs: 200 },
    onStatus: (s) => statuses.push(s),
    ...extra,
  });
  await svc.start();
  if (!waitForAll) return svc;
  // every subscription acknowledged and the three book snapshots in
  await until(() => sink.books.filter((b) => b.isSnapshot).length >= SYMBOLS.length, 'initial snapshots');
  await until(() => (mock.subscribeCounts.get('liquidation-orders:SWAP') ?? 0) >= 1 && (mock.subscribeCounts.get('tickers:BTC-USD-SWAP') ?? 0) >= 1, 'subscriptions');
  return svc;
}

beforeEach(async () => {
  mock = await startOkxMockServer({ seed: 7, bookDepth: 50 });
  sink = new RecordingSink();
});

afterEach(async () => {
  await svc?.stop();
  svc = undefined;
  await mock.close();
});

describe('OKXLiveService on the OKX mock (real ccxt client)', () => {
  it('subscribes every channel through ccxt and loads instruments offline with dense ids', async () => {
    const s = await startFeed();
    expect(s.instruments.map((i) => [i.id, i.symbol, i.tickSize, i.lotSize, i.contractValue, i.minSizeLots])).toEqual([
      [0, 'BTC-USDT-SWAP', 0.1, 0.01, 0.01, 1],
      [1, 'ETH-USDT-SWAP', 0.01, 0.01, 0.1, 1],
      [2, 'BTC-USD-SWAP', 0.1, 1, 100, 1],
    ]);
    expect(mock.restRequests).toHaveLength(0); // setMarkets: no REST call
    for (const ch of ['books', 'trades', 'tickers', 'mark-price', 'funding-rate']) {
      for (const sym of SYMBOLS) expect(mock.subscribeCounts.get(`${ch}:${sym}`), `${ch}:${sym}`).toBe(1);
    }
    expect(mock.subscribeCounts.get('liquidation-orders:SWAP')).toBe(1);
    expect(mock.connectionCount()).toBe(1); // all over one socket
    const st = s.status();
    expect(st.connected).toBe(true);
    expect(st.connects).toBe(1);
  });

  it('turns fixture frames into carriers, field by field', async () => {
    const s = await startFeed();
    sink.clear();

    // trades (real frame): 63913.4 / 0.1 = 639134 ticks, 34.95 / 0.01 = 3495 lots
    mock.push('trades', 'BTC-USDT-SWAP', loadOkxFixture('trades_real_ccxt.json'));
    // trades (doc) on ETH: px on grid, sz 0.12060306 is off the 0.01 grid → NaN passed through
    mock.push('trades', 'ETH-USDT-SWAP', withInstId(loadOkxFixture('trades_doc.json'), 'ETH-USDT-SWAP'));
    await until(() => sink.trades.length === 2, 'trades');
    expect(sink.trades[0]).toMatchObject({
      instrumentId: BTC, tradeId: 2832749645, priceTicks: 639134, sizeLots: 3495, aggressorSide: Side.Sell, tsExchangeUs: 1786540436090000,
    });
    expect(sink.trades[0]!.tsRecvUs).toBeGreaterThan(0);
    expect(sink.trades[1]).toMatchObject({ instrumentId: ETH, tradeId: 130639474, priceTicks: 4221990, aggressorSide: Side.Buy, tsExchangeUs: 1630048897897000 });
    expect(sink.trades[1]!.sizeLots).toBeNaN();

    // books snapshot + update (doc) on ETH: seqIds continue 123456 → 123457
    mock.push('books', 'ETH-USDT-SWAP', withInstId(loadOkxFixture('books_snapshot_doc.json'), 'ETH-USDT-SWAP'));
    mock.push('books', 'ETH-USDT-SWAP', withInstId(loadOkxFixture('books_update_doc.json'), 'ETH-USDT-SWAP'));
    await until(() => sink.books.length === 2, 'books');
    const [snap, upd] = sink.books;
    expect(snap).toMatchObject({ instrumentId: ETH, isSnapshot: true, seqId: 123456, prevSeqId: -1, checksum: 0, tsExchangeUs: 1597026383085000 });
    expect(snap!.asks[0]).toEqual([847698, 41500]);
    expect(snap!.asks[7]).toEqual([850696, 10000]);
    expect(snap!.bids[0]).toEqual([847697, 25600]);
    expect(snap!.bids[7]).toEqual([844600, 9500]);
    expect(snap!.bids).toHaveLength(8);
    expect(upd).toMatchObject({ instrumentId: ETH, isSnapshot: false, seqId: 123457, prevSeqId: 123456 });
    expect(s.counters!.gaps).toBe(0);

    // liquidations: the doc's IOST-USDT-SWAP is not ours → filtered; ours → one event per details[] entry
    const liq = loadOkxFixture<{ data: { details: Record<string, string>[]; instId: string }[] }>('liquidation-orders_doc.json');
    mock.push('liquidation-orders', 'SWAP', liq);
    const d0 = liq.data[0]!.details[0]!;
    const ours = withInstId(liq, 'BTC-USDT-SWAP');
    ours.data[0]!.details = [
      { ...d0, bkPx: '63900.1', sz: '13', side: 'buy', ts: '1692266434010' },
      { ...d0, bkPx: '63850', sz: '2.5', side: 'sell', posSide: 'long', ts: '1692266434011' },
      { ...d0, bkPx: '63840.7', sz: '0.01', side: 'sell', posSide: 'long', ts: '1692266434012' },
    ];
    mock.push('liquidation-orders', 'SWAP', ours);
    await until(() => sink.liquidations.length === 3, 'liquidations');
    expect(s.counters!.liquidationsFiltered).toBe(1);
    expect(sink.liquidations).toEqual([
      expect.objectContaining({ instrumentId: BTC, side: Side.Buy, priceTicks: 639001, sizeLots: 1300, tsExchangeUs: 1692266434010000 }),
      expect.objectContaining({ instrumentId: BTC, side: Side.Sell, priceTicks: 638500, sizeLots: 250, tsExchangeUs: 1692266434011000 }),
      expect.objectContaining({ instrumentId: BTC, side: Side.Sell, priceTicks: 638407, sizeLots: 1, tsExchangeUs: 1692266434012000 }),
    ]);

    // funding-rate (doc, BTC-USD-SWAP as is)
    mock.push('funding-rate', 'BTC-USD-SWAP', loadOkxFixture('funding-rate_doc.json'));
    // mark-price (doc) on BTC-USDT-SWAP: markPx 0.1 = 1 tick
    mock.push('mark-price', 'BTC-USDT-SWAP', withInstId(loadOkxFixture('mark-price_doc.json'), 'BTC-USDT-SWAP'));
    // tickers (real frame) → BBO
    mock.push('tickers', 'BTC-USDT-SWAP', loadOkxFixture('tickers_real_ccxt.json'));
    await until(() => sink.fundingRates.length === 1 && sink.markPrices.length === 1 && sink.bbos.length === 1, 'funding, mark, bbo');
    expect(sink.fundingRates[0]).toMatchObject({ instrumentId: BTCUSD, rate: 0.0001875391284828, fundingTimeUs: 1700726400000000, tsExchangeUs: 1700724675402000 });
    expect(sink.markPrices[0]).toMatchObject({ instrumentId: BTC, priceTicks: 1, tsExchangeUs: 1597026383085000 });
    expect(sink.bbos[0]).toMatchObject({
      instrumentId: BTC, bidPriceTicks: 639210, bidSizeLots: 77930, askPriceTicks: 639211, askSizeLots: 187175, tsExchangeUs: 1786540471710000,
    });
    const lat = s.latencySummary();
    expect(lat.count).toBeGreaterThan(5);
    expect(s.status().lastEmitUs).toBeGreaterThan(0);
  });

  it('consumes books5 when configured (each frame a top-5 snapshot)', async () => {
    await startFeed({ bookChannel: 'books5', channels: { trades: false, liquidations: false, fundingRate: false, markPrice: false, tickers: false } }, false);
    await until(() => (mock.subscribeCounts.get('books5:BTC-USDT-SWAP') ?? 0) === 1, 'books5 subscription');
    sink.clear();
    mock.push('books5', 'BTC-USDT-SWAP', loadOkxFixture('books5_real_ccxt.json'));
    await until(() => sink.books.length === 1, 'books5 frame');
    expect(sink.books[0]).toMatchObject({ instrumentId: BTC, isSnapshot: true, prevSeqId: -1, seqId: 333794734980, tsExchangeUs: 1786541241006000 });
    expect(sink.books[0]!.asks).toEqual([[639215, 79041], [639218, 32], [639222, 3], [639223, 9081], [639224, 32]]);
    expect(sink.books[0]!.bids[0]).toEqual([639214, 42193]);
  });

  it('resubscribes the book after a sequence gap and gets a fresh snapshot', async () => {
    const s = await startFeed();
    mock.tick(5);
    await until(() => sink.books.filter((b) => b.instrumentId === BTC && !b.isSnapshot).length >= 5, 'updates');
    const snapsBefore = sink.snapshots(BTC).length;
    mock.inject({ type: 'gap', instId: 'BTC-USDT-SWAP' });
    mock.tick(2);
    await until(() => sink.snapshots(BTC).length === snapsBefore + 1, 'resync snapshot');
    expect(s.counters!.gaps).toBe(1);
    expect(s.status().resyncs).toBe(1);
    expect(mock.subscribeCounts.get('books:BTC-USDT-SWAP')).toBe(2);
    // the new snapshot carries the server's current seqId; updates continue from it
    const snap = sink.snapshots(BTC).at(-1)!;
    expect(snap.seqId).toBe(mock.model.model('BTC-USDT-SWAP')!.seqId);
    const n = sink.books.length;
    mock.tick(3);
    await until(() => sink.books.filter((b, i) => i >= n && b.instrumentId === BTC).length >= 3, 'updates after resync');
    expect(sink.books.filter((b, i) => i >= n && b.instrumentId === BTC)[0]!.prevSeqId).toBe(snap.seqId);
    expect(s.counters!.gaps).toBe(1);
  });

  it('passes duplicates through without a resync and resyncs on a reordered pair', async () => {
    const s = await startFeed();
    mock.tick(3);
    mock.inject({ type: 'duplicate', instId: 'ETH-USDT-SWAP' });
    mock.tick(2);
    await until(() => s.counters!.staleUpdates === 1, 'duplicate seen');
    expect(s.counters!.gaps).toBe(0);
    mock.inject({ type: 'out-of-order', instId: 'ETH-USDT-SWAP' });
    mock.tick(3);
    await until(() => s.counters!.gaps === 1 && (mock.subscribeCounts.get('books:ETH-USDT-SWAP') ?? 0) === 2, 'reorder → resync');
  });

  it('counts malformed frames and keeps going', async () => {
    const s = await startFeed();
    mock.inject({ type: 'malformed' });
    mock.inject({ type: 'malformed', text: 'not json at all' });
    mock.push('trades', 'BTC-USDT-SWAP', '{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":"oops"}');
    mock.push('trades', 'BTC-USDT-SWAP', loadOkxFixture('trades_real_ccxt.json'));
    await until(() => sink.trades.length >= 1, 'trade after garbage');
    expect(s.status().malformed).toBe(3);
    expect(s.status().connected).toBe(true);
    expect(s.status().connects).toBe(1);
  });

  it('reports error events with their code and message', async () => {
    const s = await startFeed();
    mock.inject({ type: 'error', code: '60018', msg: "Wrong URL or channel:books,instId:FOO doesn't exist." });
    await until(() => s.status().errors === 1, 'error event');
    expect(s.status().lastError).toMatchObject({ code: '60018', msg: "Wrong URL or channel:books,instId:FOO doesn't exist." });
    expect(statuses.some((x) => x.errors === 1)).toBe(true);
    expect(s.status().connected).toBe(true);
  });

  it('reports STALE while disconnected, reconnects with backoff and resubscribes after a drop', async () => {
    const s = await startFeed();
    mock.tick(2);
    await until(() => !s.status().stale, 'fresh');
    const snapsBefore = sink.books.filter((b) => b.isSnapshot).length;
    mock.inject({ type: 'drop' });
    await until(() => statuses.some((x) => !x.connected && x.stale), 'stale status');
    await until(() => s.status().reconnects === 1, 'reconnect');
    await until(() => sink.books.filter((b) => b.isSnapshot).length === snapsBefore + SYMBOLS.length, 'snapshots after reconnect');
    expect(mock.connectionCount()).toBe(2);
    expect(mock.subscribeCounts.get('books:ETH-USDT-SWAP')).toBe(2);
    expect(mock.subscribeCounts.get('liquidation-orders:SWAP')).toBe(2);
    const st = s.status();
    expect(st.disconnects).toBe(1);
    expect(st.lastDisconnectReason).toMatch(/closed|error/);
    mock.tick(1);
    await until(() => !s.status().stale, 'fresh again');
  });

  it('keeps reporting STALE and retries while the server is unreachable', async () => {
    const s = await startFeed();
    const port = mock.port;
    await mock.close();
    await until(() => s.status().stale && !s.status().connected, 'stale after server gone');
    await new Promise((r) => setTimeout(r, 400));
    expect(s.status().stale).toBe(true);
    expect(s.status().state).toBe('reconnecting');
    // the server comes back on the same port: the feed finds it
    mock = await startOkxMockServer({ seed: 7, bookDepth: 50, port });
    await until(() => s.status().connected, 'reconnected to the restarted server', 6000);
    await until(() => !s.status().stale, 'fresh', 3000);
  });

  it('reconnects at once on a 64008 service-upgrade notice', async () => {
    const s = await startFeed();
    mock.inject({ type: 'notice' });
    await until(() => s.status().reconnects === 1, 'reconnect after notice');
    expect(s.status().notices).toBe(1);
    expect(s.status().lastDisconnectReason).toBe('notice 64008');
    expect(mock.connectionCount()).toBe(2);
    await until(() => mock.connections().length === 1, 'old connection closed');
  });

  it('stays connected past the idle timeout thanks to the text ping', async () => {
    await mock.close();
    mock = await startOkxMockServer({ seed: 7, bookDepth: 20, idleTimeoutMs: 500 });
    // control: a client that never pings is closed by the server
    const raw = new WebSocket(mock.wsUrl);
    const closed = new Promise<number>((r) => raw.on('close', (code) => r(code)));
    const s = await startFeed({ pingIntervalMs: 150 });
    expect(await closed).toBe(4004);
    await new Promise((r) => setTimeout(r, 1200));
    expect(s.status().connected).toBe(true);
    expect(s.status().connects).toBe(1);
    const conn = mock.connections()[0]!;
    expect(conn.pings).toBeGreaterThanOrEqual(4);
    expect(conn.received.filter((m) => m === 'ping').length).toBe(conn.pings);
  });

  it('drops a stalled connection and reconnects', async () => {
    const s = await startFeed({ stallTimeoutMs: 300, pingIntervalMs: 5000 });
    mock.tick(1);
    mock.inject({ type: 'stall', ms: 700 });
    await until(() => s.status().stale, 'stale during stall');
    await until(() => s.status().reconnects >= 1, 'reconnect after stall', 5000);
    expect(s.status().lastDisconnectReason).toMatch(/stalled|closed/);
  });
});
