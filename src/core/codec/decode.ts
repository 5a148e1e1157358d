/**
 * Hot-path decoders: fill a reused domain carrier from a message in place.
 *
 * Role: `decodeX(bytes, index, out, stamps?)` roots ONE reused TableReader
 * (table-reader.ts) at `index` (the record's payload index, any position in
 * the ring's bytes) and copies every field into `out`; `stamps`, when given,
 * receives the StageStamps. Owning thread: the ring's single consumer, during
 * its onMessage call (the record is valid only until the head is released).
 * Zero allocation per call.
 *
 * Every field goes through its vtable slot (FlatBuffers semantics, like the
 * generated readers), never a template offset: any writer's message and any
 * older recording decodes, absent fields read as the schema default. We do
 * not use the generated readers here: measured 100 ns vs ~25 ns per trade
 * (bench/codec.bench.ts); tests cross-check both against each other.
 * For market data, `out.tsRecvUs` is the Recv stamp.
 */
import type { BookDeltas, TradeTick, LiquidationEvent, FundingRateEvent, MarkPriceEvent, BestBidOffer } from '../domain/market-events.ts';
import { Side, OrderType, Liquidity, FeedState, TradingState } from '../domain/enums.ts';
import { OrderStatus, type OrderIntent, type CancelIntent, type OrderUpdate, type Fill } from '../domain/orders.ts';
import type {
  StageStampSet, OrderDeniedEvent, PositionUpdateEvent, RiskEvent, SignalEvent, HeartbeatEvent, DataQualityEvent,
} from './carriers.ts';
import { TableReader } from './table-reader.ts';

const r = new TableReader();

/** Copies field 0 (StageStamps) into `out` (zeros if absent); returns the Recv stamp. */
function readStampsInto(out: StageStampSet | undefined): number {
  const p = r.pos(0);
  if (p < 0) {
    if (out !== undefined) out.fill(0);
    return 0;
  }
  const dv = r.dv;
  const recv = dv.getFloat64(p, true);
  if (out !== undefined) {
    out[0] = recv;
    out[1] = dv.getFloat64(p + 8, true);
    out[2] = dv.getFloat64(p + 16, true);
    out[3] = dv.getFloat64(p + 24, true);
    out[4] = dv.getFloat64(p + 32, true);
    out[5] = dv.getFloat64(p + 40, true);
    out[6] = dv.getFloat64(p + 48, true);
    out[7] = dv.getFloat64(p + 56, true);
  }
  return recv;
}

function readLevels(p: number, n: number, px: Float64Array, sz: Float64Array): void {
  const dv = r.dv;
  for (let k = 0; k < n; k++, p += 16) {
    px[k] = dv.getFloat64(p, true);
    sz[k] = dv.getFloat64(p + 8, true);
  }
}

/**
 * Returns false (level counts left at 0) if the message has more levels than
 * `out` can hold; the caller counts it as a bad message.
 */
export function decodeBookDeltas(bytes: Uint8Array, index: number, out: BookDeltas, stamps?: StageStampSet): boolean {
  r.root(bytes, index);
  out.tsRecvUs = readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.tsExchangeUs = r.f64(2, 0);
  out.seqId = r.f64(3, 0);
  out.prevSeqId = r.f64(4, 0);
  out.isSnapshot = r.bool(5);
  out.checksum = r.i32(6, 0);
  out.bidCount = 0;
  out.askCount = 0;
  const nb = r.vectorLen(7);
  const na = r.vectorLen(8);
  if (nb > out.bidPriceTicks.length || na > out.askPriceTicks.length) return false;
  if (nb > 0) readLevels(r.vector(7), nb, out.bidPriceTicks, out.bidSizeLots);
  if (na > 0) readLevels(r.vector(8), na, out.askPriceTicks, out.askSizeLots);
  out.bidCount = nb;
  out.askCount = na;
  return true;
}

export function decodeTrade(bytes: Uint8Array, index: number, out: TradeTick, stamps?: StageStampSet): void {
  r.root(bytes, index);
  out.tsRecvUs = readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.tsExchangeUs = r.f64(2, 0);
  out.tradeId = r.f64(3, 0);
  out.priceTicks = r.f64(4, 0);
  out.sizeLots = r.f64(5, 0);
  out.aggressorSide = r.i8(6, Side.Buy);
}

export function decodeLiquidation(bytes: Uint8Array, index: number, out: LiquidationEvent, stamps?: StageStampSet): void {
  r.root(bytes, index);
  out.tsRecvUs = readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.tsExchangeUs = r.f64(2, 0);
  out.priceTicks = r.f64(3, 0);
  out.sizeLots = r.f64(4, 0);
  out.side = r.i8(5, Side.Sell);
}

export function decodeBestBidOffer(bytes: Uint8Array, index: number, out: BestBidOffer, stamps?: StageStampSet): void {
  r.root(bytes, index);
  out.tsRecvUs = readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.tsExchangeUs = r.f64(2, 0);
  out.bidPriceTicks = r.f64(3, 0);
  out.bidSizeLots = r.f64(4, 0);
  out.askPriceTicks = r.f64(5, 0);
  out.askSizeLots = r.f64(6, 0);
}

export function decodeFundingRate(bytes: Uint8Array, index: number, out: FundingRateEvent, stamps?: StageStampSet): void {
  r.root(bytes, index);
  out.tsRecvUs = readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.tsExchangeUs = r.f64(2, 0);
  out.rate = r.f64(3, 0);
  out.fundingTimeUs = r.f64(4, 0);
}

export function decodeMarkPrice(bytes: Uint8Array, index: number, out: MarkPriceEvent, stamps?: StageStampSet): void {
  r.root(bytes, index);
  out.tsRecvUs = readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.tsExchangeUs = r.f64(2, 0);
  out.priceTicks = r.f64(3, 0);
}

export function decodeSubmitOrder(bytes: Uint8Array, index: number, out: OrderIntent, stamps?: StageStampSet): void {
  r.root(bytes, index);
  readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.clientOrderId = r.f64(3, 0);
  out.signalId = r.f64(4, 0);
  out.strategyId = r.u32(5, 0);
  out.side = r.i8(6, Side.Buy);
  out.type = r.u8(7, OrderType.Limit);
  out.priceTicks = r.f64(8, 0);
  out.sizeLots = r.f64(9, 0);
  out.reduceOnly = r.bool(10);
  out.tsSignalUs = r.f64(11, 0);
  out.tsTriggerRecvUs = r.f64(12, 0);
}

export function decodeCancelOrder(bytes: Uint8Array, index: number, out: CancelIntent, stamps?: StageStampSet): void {
  r.root(bytes, index);
  readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.clientOrderId = r.f64(3, 0);
  out.strategyId = r.u32(4, 0);
  out.tsSignalUs = r.f64(5, 0);
}

export function decodeOrderDenied(bytes: Uint8Array, index: number, out: OrderDeniedEvent, stamps?: StageStampSet): void {
  r.root(bytes, index);
  readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.tsExchangeUs = r.f64(2, 0);
  out.clientOrderId = r.f64(3, 0);
  out.signalId = r.f64(4, 0);
  out.strategyId = r.u32(5, 0);
  out.side = r.i8(6, Side.Buy);
  out.priceTicks = r.f64(7, 0);
  out.sizeLots = r.f64(8, 0);
  out.reasonCode = r.u16(9, 0);
  out.value = r.f64(10, 0);
  out.limit = r.f64(11, 0);
}

/** Fields 1..8 shared by OrderAccepted / OrderCancelled / OrderUpdate. */
function readOrderEvent(out: OrderUpdate, stamps: StageStampSet | undefined): void {
  readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.tsUs = r.f64(2, 0);
  out.clientOrderId = r.f64(3, 0);
  out.side = r.i8(4, Side.Buy);
  out.priceTicks = r.f64(5, 0);
  out.sizeLots = r.f64(6, 0);
  out.filledLots = r.f64(7, 0);
  out.reason = r.u8(8, 0);
}

/** Fills an OrderUpdate with status Accepted. */
export function decodeOrderAccepted(bytes: Uint8Array, index: number, out: OrderUpdate, stamps?: StageStampSet): void {
  r.root(bytes, index);
  readOrderEvent(out, stamps);
  out.status = OrderStatus.Accepted;
}

/** Fills an OrderUpdate with status Cancelled. */
export function decodeOrderCancelled(bytes: Uint8Array, index: number, out: OrderUpdate, stamps?: StageStampSet): void {
  r.root(bytes, index);
  readOrderEvent(out, stamps);
  out.status = OrderStatus.Cancelled;
}

export function decodeOrderUpdate(bytes: Uint8Array, index: number, out: OrderUpdate, stamps?: StageStampSet): void {
  r.root(bytes, index);
  readOrderEvent(out, stamps);
  out.status = r.u8(9, OrderStatus.Accepted);
}

export function decodeOrderFilled(bytes: Uint8Array, index: number, out: Fill, stamps?: StageStampSet): void {
  r.root(bytes, index);
  readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.tsUs = r.f64(2, 0);
  out.fillId = r.f64(3, 0);
  out.clientOrderId = r.f64(4, 0);
  out.side = r.i8(5, Side.Buy);
  out.liquidity = r.u8(6, Liquidity.Taker);
  out.priceTicks = r.f64(7, 0);
  out.sizeLots = r.f64(8, 0);
  out.feeQuote = r.f64(9, 0);
  out.tsTriggerRecvUs = r.f64(10, 0);
}

export function decodePositionUpdate(bytes: Uint8Array, index: number, out: PositionUpdateEvent, stamps?: StageStampSet): void {
  r.root(bytes, index);
  readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.tsExchangeUs = r.f64(2, 0);
  out.strategyId = r.u32(3, 0);
  out.positionLots = r.f64(4, 0);
  out.avgEntryPriceTicks = r.f64(5, 0);
  out.markPriceTicks = r.f64(6, 0);
  out.realizedPnlQuote = r.f64(7, 0);
  out.unrealizedPnlQuote = r.f64(8, 0);
  out.feesQuote = r.f64(9, 0);
}

export function decodeRiskEvent(bytes: Uint8Array, index: number, out: RiskEvent, stamps?: StageStampSet): void {
  r.root(bytes, index);
  readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.tsExchangeUs = r.f64(2, 0);
  out.code = r.u16(3, 0);
  out.tradingState = r.u8(4, TradingState.Active);
  out.value = r.f64(5, 0);
  out.limit = r.f64(6, 0);
}

export function decodeSignal(bytes: Uint8Array, index: number, out: SignalEvent, stamps?: StageStampSet): void {
  r.root(bytes, index);
  readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.tsExchangeUs = r.f64(2, 0);
  out.signalId = r.f64(3, 0);
  out.strategyId = r.u32(4, 0);
  out.side = r.i8(5, Side.Buy);
  out.reasonCode = r.u16(6, 0);
  out.priceTicks = r.f64(7, 0);
  out.sizeLots = r.f64(8, 0);
  out.value = r.f64(9, 0);
  out.threshold = r.f64(10, 0);
  out.tsTriggerRecvUs = r.f64(11, 0);
}

export function decodeHeartbeat(bytes: Uint8Array, index: number, out: HeartbeatEvent, stamps?: StageStampSet): void {
  r.root(bytes, index);
  readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.stage = r.u8(3, 0);
  out.seq = r.f64(4, 0);
  out.tsUs = r.f64(5, 0);
}

export function decodeDataQualityEvent(bytes: Uint8Array, index: number, out: DataQualityEvent, stamps?: StageStampSet): void {
  r.root(bytes, index);
  readStampsInto(stamps);
  out.instrumentId = r.u32(1, 0);
  out.tsExchangeUs = r.f64(2, 0);
  out.state = r.u8(3, FeedState.Ok);
  out.prevState = r.u8(4, FeedState.Ok);
  out.reasonCode = r.u16(5, 0);
  out.value = r.f64(6, 0);
}
