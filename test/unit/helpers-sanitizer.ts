/**
 * Test-only helpers for the sanitizer tests: instrument specs for the OKX
 * fixtures, a recording sink, and a small cold-path OKX v5 JSON → domain-event
 * converter (allocating, string-parsing; NOT the feed parser, which is
 * another issue). Decimal strings go through `toUnits`, so an off-grid value
 * becomes NaN exactly as the real feed will hand it over.
 */
import { readFileSync } from 'node:fs';
import { Side, type FeedState } from '../../src/core/domain/enums.ts';
import { DEFAULT_INSTRUMENTS, makeInstrumentSpec, toUnits, type InstrumentSpec } from '../../src/core/domain/instrument.ts';
import {
  BestBidOffer,
  BookDeltas,
  FundingRateEvent,
  LiquidationEvent,
  MarkPriceEvent,
  TradeTick,
} from '../../src/core/domain/market-events.ts';
import type { DataQualitySink } from '../../src/core/sanitizer/data-quality-sink.ts';
import type { RejectReason } from '../../src/core/sanitizer/reject-reason.ts';

export const FIXTURE_DIR = new URL('../fixtures/sanitizer/', import.meta.url);

export function loadFixture(name: string): OkxMessage {
  return JSON.parse(readFileSync(new URL(name, FIXTURE_DIR), 'utf8')) as OkxMessage;
}

export interface OkxMessage {
  arg: { channel: string; instId?: string; instType?: string };
  action?: string;
  data: Record<string, unknown>[];
}

/** gocryptotrader's 2022 "BTC-USDT" snapshot has prices like 0.07026 and integer sizes. */
export const GCT_SPEC = makeInstrumentSpec({
  id: 0, symbol: 'BTC-USDT', tickSize: 0.00001, lotSize: 1, minSizeLots: 1, contractValue: 1, makerFeeBps: 8, takerFeeBps: 10,
});
export const BCH_SWAP_SPEC = makeInstrumentSpec({
  id: 1, symbol: 'BCH-USDT-SWAP', tickSize: 0.01, lotSize: 1, minSizeLots: 1, contractValue: 0.1, makerFeeBps: 2, takerFeeBps: 5,
});
export const BTC_SWAP_SPEC: InstrumentSpec = { ...DEFAULT_INSTRUMENTS[0]!, id: 2 };
export const BTC_SPOT_DOC_SPEC = makeInstrumentSpec({
  id: 3, symbol: 'BTC-USDT-DOC', tickSize: 0.01, lotSize: 1, minSizeLots: 1, contractValue: 1, makerFeeBps: 8, takerFeeBps: 10,
});
export const IOST_SWAP_SPEC = makeInstrumentSpec({
  id: 4, symbol: 'IOST-USDT-SWAP', tickSize: 0.000001, lotSize: 1, minSizeLots: 1, contractValue: 1000, makerFeeBps: 2, takerFeeBps: 5,
});
export const LTC_FUT_SPEC = makeInstrumentSpec({
  id: 5, symbol: 'LTC-USD-190628', tickSize: 0.001, lotSize: 1, minSizeLots: 1, contractValue: 10, makerFeeBps: 2, takerFeeBps: 5,
});
export const BTC_USD_SWAP_SPEC = makeInstrumentSpec({
  id: 6, symbol: 'BTC-USD-SWAP', tickSize: 0.1, lotSize: 1, minSizeLots: 1, contractValue: 100, makerFeeBps: 2, takerFeeBps: 5,
});
export const FIXTURE_SPECS: readonly InstrumentSpec[] = [
  GCT_SPEC, BCH_SWAP_SPEC, BTC_SWAP_SPEC, BTC_SPOT_DOC_SPEC, IOST_SWAP_SPEC, LTC_FUT_SPEC, BTC_USD_SWAP_SPEC,
];

const msToUs = (s: unknown): number => Number(s) * 1000;
const units = (s: unknown, step: number): number => toUnits(Number(s), step);

/** Fills `d` from one OKX `books`/`books5`/`bbo-tbt` data entry. books5 and bbo-tbt are full snapshots. */
export function okxBookToDeltas(msg: OkxMessage, spec: InstrumentSpec, d: BookDeltas, recvUnixUs?: number): BookDeltas {
  const e = msg.data[0]!;
  d.reset();
  d.instrumentId = spec.id;
  d.tsExchangeUs = msToUs(e.ts);
  d.tsRecvUs = recvUnixUs ?? d.tsExchangeUs + 1_000;
  d.isSnapshot = msg.action === undefined || msg.action === 'snapshot';
  d.seqId = typeof e.seqId === 'number' ? e.seqId : 0;
  d.prevSeqId = typeof e.prevSeqId === 'number' ? e.prevSeqId : d.isSnapshot && d.seqId !== 0 ? -1 : 0;
  d.checksum = typeof e.checksum === 'number' ? e.checksum : 0;
  const bids = e.bids as string[][];
  const asks = e.asks as string[][];
  d.bidCount = bids.length;
  d.askCount = asks.length;
  bids.forEach((l, i) => {
    d.bidPriceTicks[i] = units(l[0], spec.tickSize);
    d.bidSizeLots[i] = units(l[1], spec.lotSize);
  });
  asks.forEach((l, i) => {
    d.askPriceTicks[i] = units(l[0], spec.tickSize);
    d.askSizeLots[i] = units(l[1], spec.lotSize);
  });
  return d;
}

export function okxTradeToTick(msg: OkxMessage, spec: InstrumentSpec, recvUnixUs?: number): TradeTick {
  const e = msg.data[0]!;
  const t = new TradeTick();
  t.instrumentId = spec.id;
  t.tsExchangeUs = msToUs(e.ts);
  t.tsRecvUs = recvUnixUs ?? t.tsExchangeUs + 1_000;
  t.tradeId = Number(e.tradeId);
  t.priceTicks = units(e.px, spec.tickSize);
  t.sizeLots = units(e.sz, spec.lotSize);
  t.aggressorSide = e.side === 'buy' ? Side.Buy : Side.Sell;
  return t;
}

export function okxLiquidationToEvents(msg: OkxMessage, spec: InstrumentSpec): LiquidationEvent[] {
  const out: LiquidationEvent[] = [];
  for (const e of msg.data) {
    for (const det of e.details as Record<string, string>[]) {
      const l = new LiquidationEvent();
      l.instrumentId = spec.id;
      l.tsExchangeUs = msToUs(det.ts);
      l.tsRecvUs = l.tsExchangeUs + 1_000;
      l.side = det.side === 'buy' ? Side.Buy : Side.Sell;
      l.priceTicks = units(det.bkPx, spec.tickSize);
      l.sizeLots = units(det.sz, spec.lotSize);
      out.push(l);
    }
  }
  return out;
}

export function okxMarkToEvent(msg: OkxMessage, spec: InstrumentSpec): MarkPriceEvent {
  const e = msg.data[0]!;
  const m = new MarkPriceEvent();
  m.instrumentId = spec.id;
  m.tsExchangeUs = msToUs(e.ts);
  m.tsRecvUs = m.tsExchangeUs + 1_000;
  m.priceTicks = units(e.markPx, spec.tickSize);
  return m;
}

export function okxFundingToEvent(msg: OkxMessage, spec: InstrumentSpec): FundingRateEvent {
  const e = msg.data[0]!;
  const r = new FundingRateEvent();
  r.instrumentId = spec.id;
  r.tsExchangeUs = msToUs(e.ts);
  r.tsRecvUs = r.tsExchangeUs + 1_000;
  r.rate = Number(e.fundingRate);
  r.fundingTimeUs = msToUs(e.fundingTime);
  return r;
}

export function okxBboToEvent(msg: OkxMessage, spec: InstrumentSpec): BestBidOffer {
  const e = msg.data[0]!;
  const bid = (e.bids as string[][])[0]!;
  const ask = (e.asks as string[][])[0]!;
  const b = new BestBidOffer();
  b.instrumentId = spec.id;
  b.tsExchangeUs = msToUs(e.ts);
  b.tsRecvUs = b.tsExchangeUs + 1_000;
  b.bidPriceTicks = units(bid[0], spec.tickSize);
  b.bidSizeLots = units(bid[1], spec.lotSize);
  b.askPriceTicks = units(ask[0], spec.tickSize);
  b.askSizeLots = units(ask[1], spec.lotSize);
  return b;
}

export interface QualityEvent {
  kind: 'state' | 'flags' | 'resync';
  instrumentId: number;
  value: number;
  reason: RejectReason;
  tsUs: number;
}

/** Records every sink call (tests only; allocates). */
export class RecordingSink implements DataQualitySink {
  readonly events: QualityEvent[] = [];
  resyncs = 0;

  onDataQuality(instrumentId: number, newState: FeedState, reason: RejectReason, value: number, tsUs: number): void {
    this.events.push({ kind: 'state', instrumentId, value: newState, reason, tsUs });
    void value;
  }

  onQualityFlags(instrumentId: number, flags: number, reason: RejectReason, _value: number, tsUs: number): void {
    this.events.push({ kind: 'flags', instrumentId, value: flags, reason, tsUs });
  }

  onResyncRequest(instrumentId: number, reason: RejectReason, tsUs: number): void {
    this.resyncs++;
    this.events.push({ kind: 'resync', instrumentId, value: 0, reason, tsUs });
  }

  clear(): void {
    this.events.length = 0;
    this.resyncs = 0;
  }
}
