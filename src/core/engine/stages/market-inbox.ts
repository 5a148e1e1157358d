/**
 * Decodes a market-data record from a ring into the stage's reused carriers.
 * One instance per stage; hot (per message), allocation-free.
 */
import {
  MsgType,
  decodeBestBidOffer,
  decodeBookDeltas,
  decodeFundingRate,
  decodeLiquidation,
  decodeMarkPrice,
  decodeTrade,
  newStageStampSet,
  type StageStampSet,
} from '../../codec/index.ts';
import { BestBidOffer, BookDeltas, FundingRateEvent, LiquidationEvent, MarkPriceEvent, TradeTick } from '../../domain/market-events.ts';

export class MarketInbox {
  readonly book = new BookDeltas();
  readonly trade = new TradeTick();
  readonly liquidation = new LiquidationEvent();
  readonly funding = new FundingRateEvent();
  readonly mark = new MarkPriceEvent();
  readonly bbo = new BestBidOffer();
  readonly stamps: StageStampSet = newStageStampSet();
  /** Exchange timestamp of the last decoded message (a field: no boxing on return). */
  tsExchangeUs = 0;
  instrumentId = 0;

  /** True when `msgTypeId` is market data this inbox understands. */
  static isMarketData(msgTypeId: number): boolean {
    return msgTypeId >= MsgType.BookDeltas && msgTypeId <= MsgType.MarkPrice;
  }

  /**
   * Decodes into the matching carrier. Returns false for a book larger than
   * the carrier (counted by the caller as schema-invalid) or an unknown type.
   */
  decode(msgTypeId: number, bytes: Uint8Array, index: number): boolean {
    switch (msgTypeId) {
      case MsgType.BookDeltas:
        if (!decodeBookDeltas(bytes, index, this.book, this.stamps)) return false;
        this.tsExchangeUs = this.book.tsExchangeUs;
        this.instrumentId = this.book.instrumentId;
        return true;
      case MsgType.Trade:
        decodeTrade(bytes, index, this.trade, this.stamps);
        this.tsExchangeUs = this.trade.tsExchangeUs;
        this.instrumentId = this.trade.instrumentId;
        return true;
      case MsgType.Liquidation:
        decodeLiquidation(bytes, index, this.liquidation, this.stamps);
        this.tsExchangeUs = this.liquidation.tsExchangeUs;
        this.instrumentId = this.liquidation.instrumentId;
        return true;
      case MsgType.FundingRate:
        decodeFundingRate(bytes, index, this.funding, this.stamps);
        this.tsExchangeUs = this.funding.tsExchangeUs;
        this.instrumentId = this.funding.instrumentId;
        return true;
      case MsgType.MarkPrice:
        decodeMarkPrice(bytes, index, this.mark, this.stamps);
        this.tsExchangeUs = this.mark.tsExchangeUs;
        this.instrumentId = this.mark.instrumentId;
        return true;
      case MsgType.BestBidOffer:
        decodeBestBidOffer(bytes, index, this.bbo, this.stamps);
        this.tsExchangeUs = this.bbo.tsExchangeUs;
        this.instrumentId = this.bbo.instrumentId;
        return true;
      default:
        return false;
    }
  }
}
