/**
 * Reference encoders built on the FlatBuffers `Builder` (the textbook way).
 *
 * Role: (1) at start-up, templates.ts runs each of these once on a zero
 * carrier with `forceDefaults(true)` to learn the table's exact byte layout;
 * (2) tests check that the fast template encoders (encode.ts) produce the
 * same bytes, byte for byte; (3) the cold tables (InstrumentDefinition,
 * RunInfo, which carry strings) are only ever encoded this way;
 * (4) bench/codec.bench.ts measures this path as the "reused Builder + copy"
 * alternative. Cold: the Builder call chain is ~0.5 µs per message.
 *
 * Every `buildX(b, src, stamps)` returns the root table offset, unfinished.
 * Call order matters for the struct: FlatBuffers structs must be serialized
 * inline, immediately before the table that holds them (strings and vectors
 * first, then the stamps struct, then the table).
 */
import { Builder } from 'flatbuffers';
import * as wire from './generated/index.ts';
import type { BookDeltas, TradeTick, LiquidationEvent, FundingRateEvent, MarkPriceEvent, BestBidOffer } from '../domain/market-events.ts';
import type { OrderIntent, CancelIntent, OrderUpdate, Fill } from '../domain/orders.ts';
import type { InstrumentSpec } from '../domain/instrument.ts';
import type {
  StageStampSet, OrderDeniedEvent, PositionUpdateEvent, RiskEvent, SignalEvent, HeartbeatEvent, DataQualityEvent,
  RunInfoRecord,
} from './carriers.ts';
import { INSTRUMENT_NONE } from './msg-type.ts';

type Offset = number;

/** Writes the StageStamps struct; `recvUs` overrides stamps[Recv] when ≥ 0 (market data carry it). */
function stampsStruct(b: Builder, s: StageStampSet, recvUs: number): Offset {
  return wire.StageStamps.createStageStamps(b, recvUs >= 0 ? recvUs : s[0]!, s[1]!, s[2]!, s[3]!, s[4]!, s[5]!, s[6]!, s[7]!);
}

function levels(b: Builder, prices: Float64Array, sizes: Float64Array, n: number): Offset {
  b.startVector(16, n, 8);
  for (let i = n - 1; i >= 0; i--) wire.PriceLevel.createPriceLevel(b, prices[i]!, sizes[i]!);
  return b.endVector();
}

export function buildBookDeltas(b: Builder, src: BookDeltas, stamps: StageStampSet): Offset {
  // asks first so that bids come first in the finished buffer (back-to-front builder)
  const asks = levels(b, src.askPriceTicks, src.askSizeLots, src.askCount);
  const bids = levels(b, src.bidPriceTicks, src.bidSizeLots, src.bidCount);
  return wire.BookDeltas.createBookDeltas(b, stampsStruct(b, stamps, src.tsRecvUs), src.instrumentId, src.tsExchangeUs,
    src.seqId, src.prevSeqId, src.isSnapshot, src.checksum, bids, asks);
}

export function buildTrade(b: Builder, src: TradeTick, stamps: StageStampSet): Offset {
  return wire.Trade.createTrade(b, stampsStruct(b, stamps, src.tsRecvUs), src.instrumentId, src.tsExchangeUs,
    src.tradeId, src.priceTicks, src.sizeLots, src.aggressorSide as number);
}

export function buildLiquidation(b: Builder, src: LiquidationEvent, stamps: StageStampSet): Offset {
  return wire.Liquidation.createLiquidation(b, stampsStruct(b, stamps, src.tsRecvUs), src.instrumentId, src.tsExchangeUs,
    src.priceTicks, src.sizeLots, src.side as number);
}

export function buildBestBidOffer(b: Builder, src: BestBidOffer, stamps: StageStampSet): Offset {
  return wire.BestBidOffer.createBestBidOffer(b, stampsStruct(b, stamps, src.tsRecvUs), src.instrumentId, src.tsExchangeUs,
    src.bidPriceTicks, src.bidSizeLots, src.askPriceTicks, src.askSizeLots);
}

export function buildFundingRate(b: Builder, src: FundingRateEvent, stamps: StageStampSet): Offset {
  return wire.FundingRate.createFundingRate(b, stampsStruct(b, stamps, src.tsRecvUs), src.instrumentId, src.tsExchangeUs,
    src.rate, src.fundingTimeUs);
}

export function buildMarkPrice(b: Builder, src: MarkPriceEvent, stamps: StageStampSet): Offset {
  return wire.MarkPrice.createMarkPrice(b, stampsStruct(b, stamps, src.tsRecvUs), src.instrumentId, src.tsExchangeUs,
    src.priceTicks);
}

/** `tsExchangeUs` is 0: OrderIntent has no trigger exchange time yet (see the codec report). */
export function buildSubmitOrder(b: Builder, src: OrderIntent, stamps: StageStampSet): Offset {
  return wire.SubmitOrder.createSubmitOrder(b, stampsStruct(b, stamps, -1), src.instrumentId, 0,
    src.clientOrderId, src.signalId, src.strategyId, src.side as number, src.type as number, src.priceTicks, src.sizeLots, src.reduceOnly,
    src.tsSignalUs, src.tsTriggerRecvUs);
}

export function buildCancelOrder(b: Builder, src: CancelIntent, stamps: StageStampSet): Offset {
  return wire.CancelOrder.createCancelOrder(b, stampsStruct(b, stamps, -1), src.instrumentId, 0,
    src.clientOrderId, src.strategyId, src.tsSignalUs);
}

export function buildOrderDenied(b: Builder, src: OrderDeniedEvent, stamps: StageStampSet): Offset {
  return wire.OrderDenied.createOrderDenied(b, stampsStruct(b, stamps, -1), src.instrumentId, src.tsExchangeUs,
    src.clientOrderId, src.signalId, src.strategyId, src.side as number, src.priceTicks, src.sizeLots, src.reasonCode,
    src.value, src.limit);
}

export function buildOrderAccepted(b: Builder, src: OrderUpdate, stamps: StageStampSet): Offset {
  return wire.OrderAccepted.createOrderAccepted(b, stampsStruct(b, stamps, -1), src.instrumentId, src.tsUs,
    src.clientOrderId, src.side as number, src.priceTicks, src.sizeLots, src.filledLots, src.reason);
}

export function buildOrderCancelled(b: Builder, src: OrderUpdate, stamps: StageStampSet): Offset {
  return wire.OrderCancelled.createOrderCancelled(b, stampsStruct(b, stamps, -1), src.instrumentId, src.tsUs,
    src.clientOrderId, src.side as number, src.priceTicks, src.sizeLots, src.filledLots, src.reason);
}

export function buildOrderUpdate(b: Builder, src: OrderUpdate, stamps: StageStampSet): Offset {
  return wire.OrderUpdate.createOrderUpdate(b, stampsStruct(b, stamps, -1), src.instrumentId, src.tsUs,
    src.clientOrderId, src.side as number, src.priceTicks, src.sizeLots, src.filledLots, src.reason, src.status as number);
}

export function buildOrderFilled(b: Builder, src: Fill, stamps: StageStampSet): Offset {
  return wire.OrderFilled.createOrderFilled(b, stampsStruct(b, stamps, -1), src.instrumentId, src.tsUs,
    src.fillId, src.clientOrderId, src.side as number, src.liquidity as number, src.priceTicks, src.sizeLots, src.feeQuote,
    src.tsTriggerRecvUs);
}

export function buildPositionUpdate(b: Builder, src: PositionUpdateEvent, stamps: StageStampSet): Offset {
  return wire.PositionUpdate.createPositionUpdate(b, stampsStruct(b, stamps, -1), src.instrumentId, src.tsExchangeUs,
    src.strategyId, src.positionLots, src.avgEntryPriceTicks, src.markPriceTicks, src.realizedPnlQuote,
    src.unrealizedPnlQuote, src.feesQuote);
}

export function buildRiskEvent(b: Builder, src: RiskEvent, stamps: StageStampSet): Offset {
  return wire.RiskEvent.createRiskEvent(b, stampsStruct(b, stamps, -1), src.instrumentId, src.tsExchangeUs,
    src.code, src.tradingState as number, src.value, src.limit);
}

export function buildSignal(b: Builder, src: SignalEvent, stamps: StageStampSet): Offset {
  return wire.Signal.createSignal(b, stampsStruct(b, stamps, -1), src.instrumentId, src.tsExchangeUs,
    src.signalId, src.strategyId, src.side as number, src.reasonCode, src.priceTicks, src.sizeLots, src.value, src.threshold,
    src.tsTriggerRecvUs);
}

export function buildHeartbeat(b: Builder, src: HeartbeatEvent, stamps: StageStampSet): Offset {
  return wire.Heartbeat.createHeartbeat(b, stampsStruct(b, stamps, -1), src.instrumentId, 0,
    src.stage, src.seq, src.tsUs);
}

export function buildDataQualityEvent(b: Builder, src: DataQualityEvent, stamps: StageStampSet): Offset {
  return wire.DataQualityEvent.createDataQualityEvent(b, stampsStruct(b, stamps, -1), src.instrumentId, src.tsExchangeUs,
    src.state as number, src.prevState as number, src.reasonCode, src.value);
}

export function buildInstrumentDefinition(b: Builder, src: InstrumentSpec, stamps: StageStampSet): Offset {
  const symbol = b.createString(src.symbol);
  return wire.InstrumentDefinition.createInstrumentDefinition(b, stampsStruct(b, stamps, -1), src.id, 0, symbol,
    src.tickSize, src.lotSize, src.minSizeLots, src.contractValue, src.priceDecimals, src.sizeDecimals,
    src.makerFeeBps, src.takerFeeBps);
}

export function buildRunInfo(b: Builder, src: RunInfoRecord, stamps: StageStampSet): Offset {
  const runId = b.createString(src.runId);
  const source = b.createString(src.source);
  const configJson = b.createString(src.configJson);
  return wire.RunInfo.createRunInfo(b, stampsStruct(b, stamps, -1), INSTRUMENT_NONE, 0, runId, source, src.seed,
    src.startedUnixUs, src.schemaVersion, configJson);
}

/**
 * Runs `build` on a cleared Builder with every field forced present and
 * returns a copy of the finished bytes (allocates: cold).
 */
export function buildToBytes<T>(b: Builder, build: (b: Builder, src: T, stamps: StageStampSet) => Offset, src: T,
  stamps: StageStampSet): Uint8Array {
  b.clear();
  b.forceDefaults(true);
  b.finish(build(b, src, stamps));
  return b.asUint8Array().slice();
}

export { Builder };
