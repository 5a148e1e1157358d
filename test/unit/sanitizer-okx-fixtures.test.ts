import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FeedState } from '../../src/core/domain/enums.ts';
import { BookDeltas } from '../../src/core/domain/market-events.ts';
import { L0Sanitizer } from '../../src/core/sanitizer/l0-sanitizer.ts';
import { OkxBookChecksum, crc32Signed } from '../../src/core/sanitizer/okx-checksum.ts';
import { RejectReason } from '../../src/core/sanitizer/reject-reason.ts';
import { validateSanitizerConfig } from '../../src/core/sanitizer/sanitizer-config.ts';
import {
  BCH_SWAP_SPEC,
  BTC_SPOT_DOC_SPEC,
  BTC_SWAP_SPEC,
  BTC_USD_SWAP_SPEC,
  FIXTURE_SPECS,
  GCT_SPEC,
  IOST_SWAP_SPEC,
  LTC_FUT_SPEC,
  RecordingSink,
  loadFixture,
  okxBboToEvent,
  okxBookToDeltas,
  okxFundingToEvent,
  okxLiquidationToEvents,
  okxMarkToEvent,
  okxTradeToTick,
} from './helpers-sanitizer.ts';
import { makeInstrumentSpec } from '../../src/core/domain/instrument.ts';

/** The 2022 gocryptotrader recording predates seqId, so sequence ids are not required for it. */
function sanitizer(requireSeqIds = true): { san: L0Sanitizer; sink: RecordingSink } {
  const sink = new RecordingSink();
  const san = new L0Sanitizer(FIXTURE_SPECS, validateSanitizerConfig({ requireSeqIds }), sink);
  return { san, sink };
}

function feed(san: L0Sanitizer, d: BookDeltas): RejectReason {
  return san.onBookDeltas(d, d.tsRecvUs);
}

describe('OKX checksum against real fixtures', () => {
  it('validates the gocryptotrader snapshot checksum -1462286744', () => {
    const { san } = sanitizer(false);
    const d = okxBookToDeltas(loadFixture('books_snapshot_gocryptotrader.json'), GCT_SPEC, new BookDeltas());
    expect(d.checksum).toBe(-1462286744);
    expect(feed(san, d)).toBe(RejectReason.Accepted);
    expect(san.feedState(GCT_SPEC.id)).toBe(FeedState.Ok);
    // The hashed string is OKX's raw, shortest-form decimals, rebuilt from integer ticks.
    const ck = new OkxBookChecksum(GCT_SPEC.tickSize, GCT_SPEC.priceDecimals, GCT_SPEC.lotSize, GCT_SPEC.sizeDecimals);
    expect(ck.compute(san.book(GCT_SPEC.id))).toBe(-1462286744);
    expect(ck.lastString().startsWith('0.07014:56:0.07026:5:0.07011:608:0.07027:765:0.07009:110:0.07028:110:0.07006:1264:0.0703:1264')).toBe(true);
  });

  it('validates checksum 602733915 after applying the synthetic update on top', () => {
    const { san } = sanitizer(false);
    feed(san, okxBookToDeltas(loadFixture('books_snapshot_gocryptotrader.json'), GCT_SPEC, new BookDeltas()));
    const u = okxBookToDeltas(loadFixture('books_update_synthetic_valid_checksum.json'), GCT_SPEC, new BookDeltas());
    expect(u.checksum).toBe(602733915);
    expect(feed(san, u)).toBe(RejectReason.Accepted);
    expect(san.feedState(GCT_SPEC.id)).toBe(FeedState.Ok);
    expect(san.book(GCT_SPEC.id).bestAsk()).toBe(7027); // 0.07026 deleted
  });

  it('accepts the no-op gocryptotrader update whose checksum stays -1462286744', () => {
    const { san } = sanitizer(false);
    feed(san, okxBookToDeltas(loadFixture('books_snapshot_gocryptotrader.json'), GCT_SPEC, new BookDeltas()));
    const u = okxBookToDeltas(loadFixture('books_update_gocryptotrader.json'), GCT_SPEC, new BookDeltas());
    expect(u.isSnapshot).toBe(false);
    expect(feed(san, u)).toBe(RejectReason.Accepted);
  });

  it('marks the book INVALID and requests a resync when one size of the update is corrupted', () => {
    const { san, sink } = sanitizer(false);
    feed(san, okxBookToDeltas(loadFixture('books_snapshot_gocryptotrader.json'), GCT_SPEC, new BookDeltas()));
    const msg = loadFixture('books_update_synthetic_valid_checksum.json');
    (msg.data[0]!.bids as string[][])[0]![1] = '61'; // was "60"
    expect(feed(san, okxBookToDeltas(msg, GCT_SPEC, new BookDeltas()))).toBe(RejectReason.ChecksumMismatch);
    expect(san.feedState(GCT_SPEC.id)).toBe(FeedState.Invalid);
    expect(san.resyncRequested(GCT_SPEC.id)).toBe(true);
    expect(sink.resyncs).toBe(1);
  });

  it('does not reproduce OKX strings with fixed decimals (toFixed): only trimmed decimals match', () => {
    const e = loadFixture('books_snapshot_gocryptotrader.json').data[0]!;
    const bids = e.bids as string[][];
    const asks = e.asks as string[][];
    const parts: string[] = [];
    for (let i = 0; i < 25; i++) {
      parts.push(Number(bids[i]![0]).toFixed(5), bids[i]![1]!, Number(asks[i]![0]).toFixed(5), asks[i]![1]!);
    }
    expect(crc32(parts.join(':')) | 0).not.toBe(-1462286744);
  });

  it('formats shorter sides, integer prices and multi-unit ticks like OKX', () => {
    const spec = makeInstrumentSpec({ id: 9, symbol: 'X', tickSize: 0.5, lotSize: 0.01, minSizeLots: 1, contractValue: 1, makerFeeBps: 0, takerFeeBps: 0 });
    const { san } = { san: new L0Sanitizer([spec], validateSanitizerConfig({}), new RecordingSink()) };
    const d = new BookDeltas(8);
    d.instrumentId = 9;
    d.tsExchangeUs = 1;
    d.tsRecvUs = 1;
    d.isSnapshot = true;
    d.seqId = 1;
    d.prevSeqId = -1;
    d.bidCount = 2;
    d.askCount = 1;
    d.bidPriceTicks.set([200, 1]); // 100, 0.5
    d.bidSizeLots.set([100, 1]); // 1, 0.01
    d.askPriceTicks[0] = 201; // 100.5
    d.askSizeLots[0] = 250; // 2.5
    san.onBookDeltas(d, 1);
    const ck = new OkxBookChecksum(spec.tickSize, spec.priceDecimals, spec.lotSize, spec.sizeDecimals);
    const v = ck.compute(san.book(9));
    expect(ck.lastString()).toBe('100:1:100.5:2.5:0.5:0.01');
    expect(v).toBe(crc32('100:1:100.5:2.5:0.5:0.01') | 0);
  });

  it('computes the same CRC-32 as zlib', () => {
    const bytes = new Uint8Array(1000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) & 0xff;
    expect(crc32Signed(bytes, 1000)).toBe(crc32(bytes) | 0);
    expect(crc32Signed(bytes, 0)).toBe(0);
  });
});

describe('OKX doc and recorded fixtures pass the sanitizer', () => {
  it('accepts the books snapshot and continuous update from the docs (checksum 0 = not verified)', () => {
    const { san } = sanitizer();
    const d = okxBookToDeltas(loadFixture('books_snapshot_doc.json'), BTC_SPOT_DOC_SPEC, new BookDeltas());
    expect([d.seqId, d.prevSeqId]).toEqual([123456, -1]);
    expect(feed(san, d)).toBe(RejectReason.Accepted);
    const u = okxBookToDeltas(loadFixture('books_update_doc.json'), BTC_SPOT_DOC_SPEC, new BookDeltas());
    expect([u.seqId, u.prevSeqId]).toEqual([123457, 123456]);
    expect(feed(san, u)).toBe(RejectReason.Accepted);
    expect(san.feedState(BTC_SPOT_DOC_SPEC.id)).toBe(FeedState.Ok);
    expect(feed(san, u)).toBe(RejectReason.Duplicate);
  });

  it('accepts books5 (docs and a real ccxt recording) as snapshots', () => {
    const { san } = sanitizer();
    expect(feed(san, okxBookToDeltas(loadFixture('books5_doc.json'), BCH_SWAP_SPEC, new BookDeltas()))).toBe(RejectReason.Accepted);
    expect(feed(san, okxBookToDeltas(loadFixture('books5_real_ccxt.json'), BTC_SWAP_SPEC, new BookDeltas()))).toBe(RejectReason.Accepted);
    expect(san.canTrade(BTC_SWAP_SPEC.id, 1786541241006_000 + 1_000)).toBe(true);
    expect(san.book(BTC_SWAP_SPEC.id).bestBid()).toBe(639214);
  });

  it('accepts trades (docs and real), bbo-tbt, mark price, funding rate and liquidation fixtures', () => {
    const { san } = sanitizer();
    const btcSpot = makeInstrumentSpec({ id: 7, symbol: 'BTC-USDT', tickSize: 0.1, lotSize: 0.00000001, minSizeLots: 1, contractValue: 1, makerFeeBps: 8, takerFeeBps: 10 });
    const san2 = new L0Sanitizer([btcSpot], validateSanitizerConfig({}), new RecordingSink());
    const td = okxTradeToTick(loadFixture('trades_doc.json'), btcSpot);
    expect(td.sizeLots).toBe(12060306);
    expect(san2.onTrade(td, td.tsRecvUs)).toBe(RejectReason.Accepted);
    expect(san2.onTrade(td, td.tsRecvUs)).toBe(RejectReason.Duplicate);

    const tr = okxTradeToTick(loadFixture('trades_real_ccxt.json'), BTC_SWAP_SPEC);
    expect(san.onTrade(tr, tr.tsRecvUs)).toBe(RejectReason.Accepted);
    const bbo = okxBboToEvent(loadFixture('bbo-tbt_doc.json'), BCH_SWAP_SPEC);
    expect(san.onBbo(bbo, bbo.tsRecvUs)).toBe(RejectReason.Accepted);
    const mark = okxMarkToEvent(loadFixture('mark-price_doc.json'), LTC_FUT_SPEC);
    expect(mark.priceTicks).toBe(100);
    expect(san.onMarkPrice(mark, mark.tsRecvUs)).toBe(RejectReason.Accepted);
    const fr = okxFundingToEvent(loadFixture('funding-rate_doc.json'), BTC_USD_SWAP_SPEC);
    expect(san.onFundingRate(fr, fr.tsRecvUs)).toBe(RejectReason.Accepted);
    const liqs = okxLiquidationToEvents(loadFixture('liquidation-orders_doc.json'), IOST_SWAP_SPEC);
    expect(liqs.length).toBe(1);
    expect(liqs[0]!.priceTicks).toBe(7831);
    expect(san.onLiquidation(liqs[0]!, liqs[0]!.tsRecvUs)).toBe(RejectReason.Accepted);
    expect(san.counts[RejectReason.Accepted]).toBe(5);
  });

  it('rejects an off-grid decimal from a fixture: toUnits yields NaN, counted as NON_FINITE', () => {
    const { san } = sanitizer();
    const msg = loadFixture('trades_real_ccxt.json');
    msg.data[0]!.px = '63913.45'; // BTC-USDT-SWAP tick is 0.1
    const t = okxTradeToTick(msg, BTC_SWAP_SPEC);
    expect(t.priceTicks).toBeNaN();
    expect(san.onTrade(t, t.tsRecvUs)).toBe(RejectReason.NonFinite);
  });
});
