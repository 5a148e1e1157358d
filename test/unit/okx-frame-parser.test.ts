/**
 * OkxFrameParser on the fixtures/okx payloads, fed as raw text frames:
 * exact ticks / lots / timestamps per channel, books sequence handling
 * (snapshot, continuous update, gap, duplicate, heartbeat, seq reset),
 * liquidation filtering, events, and malformed frames.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Side } from '../../src/core/domain/enums.ts';
import { makeInstrumentSpec } from '../../src/core/domain/instrument.ts';
import { OkxEventType, OkxFrameKind, OkxFrameParser } from '../../src/feed/okx/okx-frame-parser.ts';
import { okxFixturePath } from '../support/okx-mock/server.ts';
import { RecordingSink } from '../support/okx-mock/recording-sink.ts';

const raw = (name: string): string => readFileSync(okxFixturePath(name), 'utf8');
const withInst = (text: string, instId: string): string => text.replace(/"instId"\s*:\s*"[^"]*"/g, `"instId":"${instId}"`);

// Grids: the swaps we trade plus doc instruments, so each fixture lands on its own grid.
const SPECS = [
  makeInstrumentSpec({ id: 0, symbol: 'BTC-USDT-SWAP', tickSize: 0.1, lotSize: 0.01, minSizeLots: 1, contractValue: 0.01, makerFeeBps: 2, takerFeeBps: 5 }),
  makeInstrumentSpec({ id: 1, symbol: 'BTC-USDT', tickSize: 0.00001, lotSize: 0.00000001, minSizeLots: 1, contractValue: 1, makerFeeBps: 8, takerFeeBps: 10 }),
  makeInstrumentSpec({ id: 2, symbol: 'BCH-USDT-SWAP', tickSize: 0.01, lotSize: 1, minSizeLots: 1, contractValue: 0.1, makerFeeBps: 2, takerFeeBps: 5 }),
  makeInstrumentSpec({ id: 3, symbol: 'BTC-USD-SWAP', tickSize: 0.1, lotSize: 1, minSizeLots: 1, contractValue: 100, makerFeeBps: 2, takerFeeBps: 5 }),
  makeInstrumentSpec({ id: 4, symbol: 'LTC-USD-190628', tickSize: 0.001, lotSize: 1, minSizeLots: 1, contractValue: 10, makerFeeBps: 2, takerFeeBps: 5 }),
];
const RECV = 123.5;

function setup(onGap?: (id: number) => void): { p: OkxFrameParser; sink: RecordingSink; gaps: number[] } {
  const gaps: number[] = [];
  const p = new OkxFrameParser(SPECS, { onGap: onGap ?? ((id) => gaps.push(id)) });
  return { p, sink: new RecordingSink(), gaps };
}

describe('OkxFrameParser: channels', () => {
  it('parses trades_doc.json and trades_real_ccxt.json into TradeTicks', () => {
    const { p, sink } = setup();
    // The doc's spot BTC-USDT on its 0.00001 / 1e-8 grid
    expect(p.parseFrame(raw('trades_doc.json'), RECV, sink)).toBe(OkxFrameKind.Data);
    expect(p.parseFrame(raw('trades_real_ccxt.json'), RECV, sink)).toBe(OkxFrameKind.Data);
    expect(sink.trades).toEqual([
      { instrumentId: 1, tsExchangeUs: 1630048897897000, tsRecvUs: RECV, tradeId: 130639474, priceTicks: 4221990000, sizeLots: 12060306, aggressorSide: Side.Buy },
      { instrumentId: 0, tsExchangeUs: 1786540436090000, tsRecvUs: RECV, tradeId: 2832749645, priceTicks: 639134, sizeLots: 3495, aggressorSide: Side.Sell },
    ]);
  });

  it('passes off-grid values through as NaN', () => {
    const { p, sink } = setup();
    p.parseFrame(withInst(raw('trades_doc.json'), 'BTC-USDT-SWAP'), RECV, sink);
    expect(sink.trades[0]!.priceTicks).toBe(422199);
    expect(sink.trades[0]!.sizeLots).toBeNaN(); // 0.12060306 is not a multiple of 0.01
    expect(p.counters.malformed).toBe(0);
  });

  it('parses the real 2022 books snapshot (39 bids / 37 asks) with its checksum', () => {
    const { p, sink } = setup();
    p.parseFrame(raw('books_snapshot_gocryptotrader.json'), RECV, sink);
    const b = sink.books[0]!;
    expect(b).toMatchObject({ instrumentId: 1, isSnapshot: true, prevSeqId: -1, seqId: 0, checksum: -1462286744, tsExchangeUs: 1659792392540000, tsRecvUs: RECV });
    expect(b.bids).toHaveLength(39);
    expect(b.asks).toHaveLength(37);
    expect(b.asks[0]).toEqual([7026, 500000000]);
    expect(b.bids[38]).toEqual([4363, 100000000]);
    // the synthetic update with a valid checksum: delete (size 0), resize, insert
    p.parseFrame(raw('books_update_synthetic_valid_checksum.json'), RECV, sink);
    expect(sink.books[1]).toMatchObject({ isSnapshot: false, checksum: 602733915, asks: [[7026, 0], [7027, 70000000000]], bids: [[7014, 6000000000], [7012, 1500000000]] });
  });

  it('parses books snapshot + update (doc) with continuous seqIds', () => {
    const { p, sink, gaps } = setup();
    p.parseFrame(withInst(raw('books_snapshot_doc.json'), 'BCH-USDT-SWAP'), RECV, sink);
    p.parseFrame(withInst(raw('books_update_doc.json'), 'BCH-USDT-SWAP'), RECV, sink);
    expect(sink.books.map((b) => [b.isSnapshot, b.prevSeqId, b.seqId, b.bids.length, b.asks.length])).toEqual([
      [true, -1, 123456, 8, 8],
      [false, 123456, 123457, 8, 8],
    ]);
    expect(sink.books[0]!.asks[0]).toEqual([847698, 415]);
    expect(p.lastSeqId(2)).toBe(123457);
    expect(gaps).toEqual([]);
  });

  it('parses books5 and bbo-tbt as top-N snapshots, bbo-tbt also as a BBO', () => {
    const { p, sink } = setup();
    p.parseFrame(raw('books5_doc.json'), RECV, sink);
    p.parseFrame(raw('bbo-tbt_doc.json'), RECV, sink);
    expect(sink.books[0]).toMatchObject({ instrumentId: 2, isSnapshot: true, prevSeqId: -1, seqId: 363996337, tsExchangeUs: 1670324386802000 });
    expect(sink.books[0]!.asks).toEqual([[11106, 55154], [11107, 53276], [11108, 72435], [11109, 70312], [11110, 67272]]);
    expect(sink.books[1]).toMatchObject({ bids: [[11105, 57745]], asks: [[11106, 55154]] });
    expect(sink.bbos).toEqual([{ instrumentId: 2, tsExchangeUs: 1670324386802000, tsRecvUs: RECV, bidPriceTicks: 11105, bidSizeLots: 57745, askPriceTicks: 11106, askSizeLots: 55154 }]);
  });

  it('emits one LiquidationEvent per details[] entry, filtered to our instruments', () => {
    const { p, sink } = setup();
    const doc = raw('liquidation-orders_doc.json');
    expect(p.parseFrame(doc, RECV, sink)).toBe(OkxFrameKind.Data);
    expect(sink.liquidations).toHaveLength(0);
    expect(p.counters.liquidationsFiltered).toBe(1);
    const frame = JSON.parse(withInst(doc, 'BTC-USDT-SWAP')) as { data: { details: Record<string, string>[] }[] };
    const d = frame.data[0]!.details[0]!;
    frame.data[0]!.details.push({ ...d, bkPx: '64000.5', sz: '0.5', side: 'sell', ts: '1692266434099' });
    p.parseFrame(JSON.stringify(frame), RECV, sink);
    expect(sink.liquidations).toEqual([
      // bkPx 0.007831 is off the 0.1 grid
      { instrumentId: 0, tsExchangeUs: 1692266434010000, tsRecvUs: RECV, side: Side.Buy, priceTicks: NaN, sizeLots: 1300 },
      { instrumentId: 0, tsExchangeUs: 1692266434099000, tsRecvUs: RECV, side: Side.Sell, priceTicks: 640005, sizeLots: 50 },
    ]);
  });

  it('parses funding-rate, mark-price and tickers', () => {
    const { p, sink } = setup();
    p.parseFrame(raw('funding-rate_doc.json'), RECV, sink);
    p.parseFrame(raw('mark-price_doc.json'), RECV, sink);
    p.parseFrame(raw('tickers_real_ccxt.json'), RECV, sink);
    p.parseFrame(raw('tickers_doc.json'), RECV, sink);
    expect(sink.fundingRates).toEqual([{ instrumentId: 3, tsExchangeUs: 1700724675402000, tsRecvUs: RECV, rate: 0.0001875391284828, fundingTimeUs: 1700726400000000 }]);
    expect(sink.markPrices).toEqual([{ instrumentId: 4, tsExchangeUs: 1597026383085000, tsRecvUs: RECV, priceTicks: 100 }]);
    expect(sink.bbos[0]).toEqual({ instrumentId: 0, tsExchangeUs: 1786540471710000, tsRecvUs: RECV, bidPriceTicks: 639210, bidSizeLots: 77930, askPriceTicks: 639211, askSizeLots: 187175 });
    expect(sink.bbos[1]).toMatchObject({ instrumentId: 1, bidPriceTicks: 888888000, askPriceTicks: 999999000, bidSizeLots: 500000000, askSizeLots: 1100000000 });
  });

  it('skips tickers when the sink has no onBbo', () => {
    const p = new OkxFrameParser(SPECS);
    const sink = { onBookDeltas() {}, onTrade() {}, onLiquidation() {}, onFundingRate() {}, onMarkPrice() {} };
    expect(p.parseFrame(raw('tickers_real_ccxt.json'), RECV, sink)).toBe(OkxFrameKind.Data);
    expect(p.counters.emitted).toBe(0);
  });
});

describe('OkxFrameParser: books sequence', () => {
  const frame = (action: string, prev: number, seq: number, px = '100.01'): string =>
    JSON.stringify({ arg: { channel: 'books', instId: 'BCH-USDT-SWAP' }, action, data: [{ asks: [[px, '3', '0', '1']], bids: [], ts: '1700000000000', checksum: 0, prevSeqId: prev, seqId: seq }] });

  it('drops updates until the first snapshot', () => {
    const { p, sink } = setup();
    p.parseFrame(frame('update', 9, 10), RECV, sink);
    expect(sink.books).toHaveLength(0);
    expect(p.counters.droppedAwaitingSnapshot).toBe(1);
  });

  it('accepts continuous updates, heartbeats (seq = prev) and a maintenance reset (seq < prev)', () => {
    const { p, sink, gaps } = setup();
    p.parseFrame(frame('snapshot', -1, 10), RECV, sink);
    p.parseFrame(frame('update', 10, 15), RECV, sink);
    p.parseFrame(frame('update', 15, 15), RECV, sink);
    p.parseFrame(frame('update', 15, 3), RECV, sink);
    p.parseFrame(frame('update', 3, 4), RECV, sink);
    expect(gaps).toEqual([]);
    expect(sink.books).toHaveLength(5);
    expect(p.lastSeqId(2)).toBe(4);
  });

  it('emits the gapped update, calls onGap, then drops updates until a new snapshot', () => {
    const { p, sink, gaps } = setup();
    p.parseFrame(frame('snapshot', -1, 10), RECV, sink);
    p.parseFrame(frame('update', 11, 12), RECV, sink); // 10 → 11 missing
    expect(gaps).toEqual([2]);
    expect(sink.books.at(-1)).toMatchObject({ prevSeqId: 11, seqId: 12 });
    p.parseFrame(frame('update', 12, 13), RECV, sink);
    expect(sink.books).toHaveLength(2);
    expect(p.counters.droppedAwaitingSnapshot).toBe(1);
    p.parseFrame(frame('snapshot', -1, 20), RECV, sink);
    p.parseFrame(frame('update', 20, 21), RECV, sink);
    expect(sink.books).toHaveLength(4);
    expect(p.counters.gaps).toBe(1);
  });

  it('passes a duplicate through as stale without a resync', () => {
    const { p, sink, gaps } = setup();
    p.parseFrame(frame('snapshot', -1, 10), RECV, sink);
    p.parseFrame(frame('update', 10, 11), RECV, sink);
    p.parseFrame(frame('update', 10, 11), RECV, sink);
    p.parseFrame(frame('update', 11, 12), RECV, sink);
    expect(gaps).toEqual([]);
    expect(p.counters.staleUpdates).toBe(1);
    expect(sink.books).toHaveLength(4);
    expect(p.lastSeqId(2)).toBe(12);
  });
});

describe('OkxFrameParser: events and rejects', () => {
  it('classifies subscribe / unsubscribe acks, errors, notices and pong', () => {
    const { p, sink } = setup();
    expect(p.parseFrame(raw('ws_subscribe_ack.json'), RECV, sink)).toBe(OkxFrameKind.Event);
    expect(p.lastEventType).toBe(OkxEventType.Subscribe);
    expect(p.lastEventChannel).toBe('tickers');
    expect(p.parseFrame(raw('subscribe_ack_real_ccxt.json'), RECV, sink)).toBe(OkxFrameKind.Event);
    expect(p.parseFrame(raw('ws_unsubscribe_ack.json'), RECV, sink)).toBe(OkxFrameKind.Event);
    expect(p.lastEventType).toBe(OkxEventType.Unsubscribe);
    p.parseFrame(raw('ws_error.json'), RECV, sink);
    expect([p.lastEventType, p.lastEventCode]).toEqual([OkxEventType.Error, '60012']);
    expect(p.lastEventMsg).toMatch(/^Invalid request/);
    p.parseFrame(raw('ws_notice.json'), RECV, sink);
    expect([p.lastEventType, p.lastEventCode]).toEqual([OkxEventType.Notice, '64008']);
    p.parseFrame(raw('ws_channel_conn_count_error.json'), RECV, sink);
    expect(p.lastEventType).toBe(OkxEventType.ConnCountError);
    expect(p.parseFrame('pong', RECV, sink)).toBe(OkxFrameKind.Pong);
    expect(p.counters).toMatchObject({ events: 6, errorEvents: 2, notices: 1, pongs: 1, malformed: 0, emitted: 0 });
  });

  it('counts and skips malformed frames; ignores channels and instruments that are not ours', () => {
    const { p, sink } = setup();
    const bad = [
      '', 'ping', '{', '[]', '42', 'null', '{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"}}',
      '{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":{}}',
      '{"arg":{"channel":"trades"},"data":[]}',
      '{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[{"px":"1","sz":"1","side":"up"}]}',
      '{"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"snapshot","data":[{"asks":[["1"]],"bids":[]}]}',
      '{"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"patch","data":[]}',
      '{"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"snapshot","data":[{"asks":"x","bids":[]}]}',
      '{"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"instId":"BTC-USDT-SWAP"}]}',
      '{"event":7}',
    ];
    for (const b of bad) expect(p.parseFrame(b, RECV, sink), b).toBe(OkxFrameKind.Malformed);
    expect(p.counters.malformed).toBe(bad.length);
    expect(p.parseFrame('{"arg":{"channel":"candle1m","instId":"BTC-USDT-SWAP"},"data":[]}', RECV, sink)).toBe(OkxFrameKind.Ignored);
    expect(p.parseFrame(withInst(raw('trades_real_ccxt.json'), 'DOGE-USDT-SWAP'), RECV, sink)).toBe(OkxFrameKind.Ignored);
    expect(p.counters.ignored).toBe(2);
    expect(p.counters.emitted).toBe(0);
    // a book with more levels than the carrier holds is malformed, not truncated
    const small = new OkxFrameParser(SPECS, { maxBookLevels: 5 });
    expect(small.parseFrame(raw('books_snapshot_doc.json'), RECV, sink)).toBe(OkxFrameKind.Malformed);
  });

  it('rejects instrument tables whose ids are not dense', () => {
    expect(() => new OkxFrameParser([SPECS[1]!])).toThrow(/dense/);
  });
});
