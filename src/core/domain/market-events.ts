/**
 * Market-data events as the domain logic sees them.
 *
 * These are *reused, mutable* carriers: a stage owns one of each, fills it
 * from the FlatBuffers message on its input ring, and hands it to the logic
 * (sanitizer, strategy, paper venue). A callee must copy what it wants to keep;
 * the object is only valid during the call (Agrona's `onMessage` contract).
 * Prices are integer ticks, sizes integer lots, timestamps µs:
 * `tsExchangeUs` is the exchange's Unix time, `tsRecvUs` our shared-epoch
 * receive time (see core/clock.ts).
 */
import { Side } from './enums.ts';

/** Maximum levels a single BookDeltas can carry (OKX `books` snapshots are 400 per side). */
export const MAX_BOOK_LEVELS = 400;

/**
 * L2 book snapshot or incremental update. A level with size 0 deletes that price.
 * Levels live in preallocated typed arrays; only the first `bidCount` / `askCount` are valid.
 */
export class BookDeltas {
  instrumentId = 0;
  tsExchangeUs = 0;
  tsRecvUs = 0;
  /** OKX seqId / prevSeqId (-1 on a snapshot's prevSeqId). 0 when the venue has none. */
  seqId = 0;
  prevSeqId = 0;
  /** True for a full snapshot: replaces the whole book. */
  isSnapshot = false;
  /** OKX CRC32 checksum as signed int32; 0 = not provided (OKX since June 2026). */
  checksum = 0;
  bidCount = 0;
  askCount = 0;
  readonly bidPriceTicks: Float64Array;
  readonly bidSizeLots: Float64Array;
  readonly askPriceTicks: Float64Array;
  readonly askSizeLots: Float64Array;

  constructor(maxLevels: number = MAX_BOOK_LEVELS) {
    this.bidPriceTicks = new Float64Array(maxLevels);
    this.bidSizeLots = new Float64Array(maxLevels);
    this.askPriceTicks = new Float64Array(maxLevels);
    this.askSizeLots = new Float64Array(maxLevels);
  }

  reset(): void {
    this.instrumentId = 0;
    this.tsExchangeUs = 0;
    this.tsRecvUs = 0;
    this.seqId = 0;
    this.prevSeqId = 0;
    this.isSnapshot = false;
    this.checksum = 0;
    this.bidCount = 0;
    this.askCount = 0;
  }
}

/** A public trade print. */
export class TradeTick {
  instrumentId = 0;
  tsExchangeUs = 0;
  tsRecvUs = 0;
  /** Exchange trade id (numeric; OKX ids fit in 2^53). */
  tradeId = 0;
  priceTicks = 0;
  sizeLots = 0;
  /** Side of the taker. */
  aggressorSide: Side = Side.Buy;
}

/**
 * A forced (liquidation) order reported by the exchange.
 * `side` is the liquidation order's side: Sell = a long was liquidated (forced selling).
 */
export class LiquidationEvent {
  instrumentId = 0;
  tsExchangeUs = 0;
  tsRecvUs = 0;
  side: Side = Side.Sell;
  /** Bankruptcy price, in ticks. */
  priceTicks = 0;
  sizeLots = 0;
}

export class FundingRateEvent {
  instrumentId = 0;
  tsExchangeUs = 0;
  tsRecvUs = 0;
  /** Funding rate as a fraction per funding interval (0.0001 = 1 bp). */
  rate = 0;
  /** Unix µs of the next funding settlement. */
  fundingTimeUs = 0;
}

export class MarkPriceEvent {
  instrumentId = 0;
  tsExchangeUs = 0;
  tsRecvUs = 0;
  priceTicks = 0;
}

/** Best bid/offer (OKX `bbo-tbt` or a ticker). */
export class BestBidOffer {
  instrumentId = 0;
  tsExchangeUs = 0;
  tsRecvUs = 0;
  bidPriceTicks = 0;
  bidSizeLots = 0;
  askPriceTicks = 0;
  askSizeLots = 0;
}
