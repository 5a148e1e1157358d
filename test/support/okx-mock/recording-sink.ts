/**
 * Test sink: copies every carrier the OKX feed emits into plain objects
 * (the feed's carriers are reused, so a test must copy what it keeps).
 */
import type {
  BestBidOffer, BookDeltas, FundingRateEvent, LiquidationEvent, MarkPriceEvent, TradeTick,
} from '../../../src/core/domain/market-events.ts';
import type { OkxEventSink } from '../../../src/feed/okx/okx-event-sink.ts';

export interface BookCopy {
  instrumentId: number;
  tsExchangeUs: number;
  tsRecvUs: number;
  seqId: number;
  prevSeqId: number;
  isSnapshot: boolean;
  checksum: number;
  bids: [number, number][];
  asks: [number, number][];
}

export class RecordingSink implements OkxEventSink {
  books: BookCopy[] = [];
  trades: TradeTick[] = [];
  liquidations: LiquidationEvent[] = [];
  fundingRates: FundingRateEvent[] = [];
  markPrices: MarkPriceEvent[] = [];
  bbos: BestBidOffer[] = [];

  onBookDeltas(d: BookDeltas): void {
    const bids: [number, number][] = [];
    const asks: [number, number][] = [];
    for (let i = 0; i < d.bidCount; i++) bids.push([d.bidPriceTicks[i]!, d.bidSizeLots[i]!]);
    for (let i = 0; i < d.askCount; i++) asks.push([d.askPriceTicks[i]!, d.askSizeLots[i]!]);
    this.books.push({
      instrumentId: d.instrumentId, tsExchangeUs: d.tsExchangeUs, tsRecvUs: d.tsRecvUs, seqId: d.seqId,
      prevSeqId: d.prevSeqId, isSnapshot: d.isSnapshot, checksum: d.checksum, bids, asks,
    });
  }
  onTrade(t: TradeTick): void {
    this.trades.push({ ...t });
  }
  onLiquidation(l: LiquidationEvent): void {
    this.liquidations.push({ ...l });
  }
  onFundingRate(f: FundingRateEvent): void {
    this.fundingRates.push({ ...f });
  }
  onMarkPrice(m: MarkPriceEvent): void {
    this.markPrices.push({ ...m });
  }
  onBbo(b: BestBidOffer): void {
    this.bbos.push({ ...b });
  }

  snapshots(instrumentId: number): BookCopy[] {
    return this.books.filter((b) => b.instrumentId === instrumentId && b.isSnapshot);
  }

  clear(): void {
    this.books = [];
    this.trades = [];
    this.liquidations = [];
    this.fundingRates = [];
    this.markPrices = [];
    this.bbos = [];
  }
}
