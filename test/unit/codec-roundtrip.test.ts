/**
 * Codec round-trips for every message type: template encode into a claimed
 * slot → bytes identical to the FlatBuffers Builder's → decode → same fields.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Builder, ByteBuffer } from 'flatbuffers';
import type { RecordClaimer } from '../../src/core/ring/types.ts';
import { INSUFFICIENT_CAPACITY } from '../../src/core/ring/types.ts';
import { BookDeltas, TradeTick, LiquidationEvent, FundingRateEvent, MarkPriceEvent, BestBidOffer } from '../../src/core/domain/market-events.ts';
import { OrderIntent, CancelIntent, OrderUpdate, Fill, OrderStatus } from '../../src/core/domain/orders.ts';
import { DEFAULT_INSTRUMENTS } from '../../src/core/domain/instrument.ts';
import * as C from '../../src/core/codec/index.ts';
import * as B from '../../src/core/codec/builder-encode.ts';
import * as wire from '../../src/core/codec/generated/index.ts';
import { createRing, SpscRing } from '../../src/core/ring/index.ts';
import type { RecordHandler } from '../../src/core/ring/types.ts';

// ---------------------------------------------------------------- helpers
class TestClaimer implements RecordClaimer {
  readonly bytes: Uint8Array;
  /** Index the next claim returns (must be 8-aligned for real rings). */
  next = 0;
  full = false;
  lastType = 0;
  lastLength = 0;
  lastIndex = -1;
  commits = 0;
  aborts = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }
  tryClaim(msgTypeId: number, length: number): number {
    if (this.full || this.next + length > this.bytes.length) return INSUFFICIENT_CAPACITY;
    this.lastType = msgTypeId;
    this.lastLength = length;
    this.lastIndex = this.next;
    return this.next;
  }
  commit(index: number): void {
    if (index !== this.lastIndex) throw new Error(`commit(${index}) but claimed ${this.lastIndex}`);
    this.commits++;
  }
  abort(_index: number): void {
    this.aborts++;
  }
}

const MAX_TICKS = 2 ** 53 - 1;

/**
 * Fills every numeric / boolean field of a carrier with a distinct extreme
 * value that its wire type can hold (enum fields get a valid non-default).
 */
function fillExtreme<T extends object>(carrier: T, seed = 0): T {
  const o = carrier as Record<string, unknown>;
  let k = seed;
  for (const key of Object.keys(o)) {
    const v = o[key];
    k++;
    if (typeof v === 'boolean') o[key] = true;
    else if (typeof v !== 'number') continue;
    else if (key === 'side' || key === 'aggressorSide') o[key] = k % 2 === 0 ? -1 : 1;
    else if (key === 'type') o[key] = 4;
    else if (key === 'liquidity') o[key] = 1;
    else if (key === 'status') o[key] = 4;
    else if (key === 'reason' || key === 'stage') o[key] = 200 + (k % 50);
    else if (key === 'tradingState' || key === 'state') o[key] = 2;
    else if (key === 'prevState') o[key] = 1;
    else if (key === 'reasonCode' || key === 'code') o[key] = 65535 - k;
    else if (key === 'instrumentId' || key === 'strategyId') o[key] = 0xffffffff - k;
    else if (key === 'checksum') o[key] = -2147483648 + k;
    else if (key.endsWith('Ticks') || key.endsWith('Id') || key.endsWith('Lots')) o[key] = MAX_TICKS - k;
    else if (key.endsWith('Quote') || key === 'value' || key === 'limit' || key === 'rate') o[key] = -123456.789 * k;
    else o[key] = 1.7e15 + k + 0.25; // timestamps (µs): keep sub-µs precision
  }
  return carrier;
}


type StampSet = Float64Array;

interface Case<T extends object> {
  type: C.MsgType;
  make: () => T;
  encode: (out: RecordClaimer, src: T, stamps: StampSet) => boolean;
  decode: (bytes: Uint8Array, index: number, out: T, stamps?: StampSet) => unknown;
  build: (b: Builder, src: T, stamps: StampSet) => number;
  /** Carrier fields the wire does not hold for this type, or that the type implies. */
  fixup?: (src: T) => void;
}

function c<T extends object>(x: Case<T>): Case<object> {
  return x as unknown as Case<object>;
}

const CASES: Case<object>[] = [
  c({ type: C.MsgType.Trade, make: () => new TradeTick(), encode: C.encodeTrade, decode: C.decodeTrade, build: B.buildTrade }),
  c({ type: C.MsgType.Liquidation, make: () => new LiquidationEvent(), encode: C.encodeLiquidation, decode: C.decodeLiquidation, build: B.buildLiquidation }),
  c({ type: C.MsgType.BestBidOffer, make: () => new BestBidOffer(), encode: C.encodeBestBidOffer, decode: C.decodeBestBidOffer, build: B.buildBestBidOffer }),
  c({ type: C.MsgType.FundingRate, make: () => new FundingRateEvent(), encode: C.encodeFundingRate, decode: C.decodeFundingRate, build: B.buildFundingRate }),
  c({ type: C.MsgType.MarkPrice, make: () => new MarkPriceEvent(), encode: C.encodeMarkPrice, decode: C.decodeMarkPrice, build: B.buildMarkPrice }),
  c({ type: C.MsgType.SubmitOrder, make: () => new OrderIntent(), encode: C.encodeSubmitOrder, decode: C.decodeSubmitOrder, build: B.buildSubmitOrder }),
  c({ type: C.MsgType.CancelOrder, make: () => new CancelIntent(), encode: C.encodeCancelOrder, decode: C.decodeCancelOrder, build: B.buildCancelOrder }),
  c({ type: C.MsgType.OrderDenied, make: () => new C.OrderDeniedEvent(), encode: C.encodeOrderDenied, decode: C.decodeOrderDenied, build: B.buildOrderDenied }),
  c({ type: C.MsgType.OrderAccepted, make: () => new OrderUpdate(), encode: C.encodeOrderAccepted, decode: C.decodeOrderAccepted, build: B.buildOrderAccepted,
    fixup: (u: OrderUpdate) => { u.status = OrderStatus.Accepted; } }),
  c({ type: C.MsgType.OrderCancelled, make: () => new OrderUpdate(), encode: C.encodeOrderCancelled, decode: C.decodeOrderCancelled, build: B.buildOrderCancelled,
    fixup: (u: OrderUpdate) => { u.status = OrderStatus.Cancelled; } }),
  c({ type: C.MsgType.OrderUpdate, make: () => new OrderUpdate(), encode: C.encodeOrderUpdate, decode: C.decodeOrderUpdate, build: B.buildOrderUpdate }),
  c({ type: C.MsgType.OrderFilled, make: () => new Fill(), encode: C.encodeOrderFilled, decode: C.decodeOrderFilled, build: B.buildOrderFilled }),
  c({ type: C.MsgType.PositionUpdate, make: () => new C.PositionUpdateEvent(), encode: C.encodePositionUpdate, decode: C.decodePositionUpdate, build: B.buildPositionUpdate }),
  c({ type: C.MsgType.RiskEvent, make: () => new C.RiskEvent(), encode: C.encodeRiskEvent, decode: C.decodeRiskEvent, build: B.buildRiskEvent }),
  c({ type: C.MsgType.Signal, make: () => new C.SignalEvent(), encode: C.encodeSignal, decode: C.decodeSignal, build: B.buildSignal }),
  c({ type: C.MsgType.Heartbeat, make: () => new C.HeartbeatEvent(), encode: C.encodeHeartbeat, decode: C.decodeHeartbeat, build: B.buildHeartbeat }),
  c({ type: C.MsgType.DataQualityEvent, make: () => new C.DataQualityEvent(), encode: C.encodeDataQualityEvent, decode: C.decodeDataQualityEvent, build: B.buildDataQualityEvent }),
];

const MARKET = new Set<number>([C.MsgType.Trade, C.MsgType.Liquidation, C.MsgType.BestBidOffer, C.MsgType.FundingRate, C.MsgType.MarkPrice, C.MsgType.BookDeltas]);

function stampsFor(seed: number): StampSet {
  const s = C.newStageStampSet();
  for (let k = 0; k < C.STAGE_COUNT; k++) s[k] = 1000 * (k + 1) + seed + 0.125;
  return s;
}

function refBytes<T>(build: (b: Builder, src: T, s: StampSet) => number, src: T, stamps: StampSet): Uint8Array {
  return B.buildToBytes(new Builder(64), build, src, stamps);
}

/** Expected stamps after a round-trip: market data carry Recv in the carrier. */
function expectedStamps(type: number, src: object, stamps: StampSet): StampSet {
  const e = stamps.slice();
  if (MARKET.has(type)) e[0] = (src as { tsRecvUs: number }).tsRecvUs;
  return e;
}

function bookWith(nb: number, na: number, seed = 1): BookDeltas {
  const b = new BookDeltas();
  b.instrumentId = 7;
  b.tsExchangeUs = 1.75e15 + seed;
  b.tsRecvUs = 12345.5 + seed;
  b.seqId = 2 ** 53 - 1;
  b.prevSeqId = -1;
  b.isSnapshot = nb > 1;
  b.checksum = -123456789;
  b.bidCount = nb;
  b.askCount = na;
  for (let k = 0; k < nb; k++) { b.bidPriceTicks[k] = 650_000 - k * 3 - seed; b.bidSizeLots[k] = (k * 7 + seed) % 1000; }
  for (let k = 0; k < na; k++) { b.askPriceTicks[k] = 650_001 + k * 2 + seed; b.askSizeLots[k] = k === 0 ? 0 : k * 11 + 0.5; }
  return b;
}

function expectBookEqual(got: BookDeltas, want: BookDeltas): void {
  const { bidPriceTicks: _1, bidSizeLots: _2, askPriceTicks: _3, askSizeLots: _4, ...gotScalars } = got;
  const { bidPriceTicks: _5, bidSizeLots: _6, askPriceTicks: _7, askSizeLots: _8, ...wantScalars } = want;
  expect(gotScalars).toEqual(wantScalars);
  expect(Array.from(got.bidPriceTicks.subarray(0, got.bidCount))).toEqual(Array.from(want.bidPriceTicks.subarray(0, want.bidCount)));
  expect(Array.from(got.bidSizeLots.subarray(0, got.bidCount))).toEqual(Array.from(want.bidSizeLots.subarray(0, want.bidCount)));
  expect(Array.from(got.askPriceTicks.subarray(0, got.askCount))).toEqual(Array.from(want.askPriceTicks.subarray(0, want.askCount)));
  expect(Array.from(got.askSizeLots.subarray(0, got.askCount))).toEqual(Array.from(want.askSizeLots.subarray(0, want.askCount)));
}

// ---------------------------------------------------------------- tests
describe('MsgType', () => {
  it('has stable ids ≥ 1 and a name for every type', () => {
    expect(C.ALL_MSG_TYPES.length).toBe(20);
    expect(new Set(C.ALL_MSG_TYPES).size).toBe(20);
    for (const t of C.ALL_MSG_TYPES) {
      expect(t).toBeGreaterThanOrEqual(1);
      expect(t).toBeLessThan(C.MSG_TYPE_LIMIT);
      expect(C.msgTypeName(t)).not.toMatch(/Unknown/);
    }
    expect(C.msgTypeName(-1)).toBe('Padding');
    expect(C.msgTypeName(99)).toBe('Unknown(99)');
    // wire values recordings depend on
    expect([C.MsgType.BookDeltas, C.MsgType.Trade, C.MsgType.SubmitOrder, C.MsgType.OrderFilled, C.MsgType.RunInfo]).toEqual([1, 2, 10, 16, 31]);
  });

  it('every type has a round-trip case in this file', () => {
    const covered = new Set<number>([...CASES.map((x) => x.type), C.MsgType.BookDeltas, C.MsgType.InstrumentDefinition, C.MsgType.RunInfo]);
    for (const t of C.ALL_MSG_TYPES) expect(covered.has(t), C.msgTypeName(t)).toBe(true);
  });
});

describe('fixed-size messages round-trip', () => {
  for (const tc of CASES) {
    const name = C.msgTypeName(tc.type);
    it(`${name}: bytes equal the Builder's and every field survives, at index 0 and at odd 8-aligned indices`, () => {
      for (const [seed, index] of [[0, 0], [1, 8], [2, 1016], [3, 4096 - C.LAYOUTS[tc.type]!.size]] as const) {
        const src = fillExtreme(tc.make(), seed);
        tc.fixup?.(src);
        const stamps = stampsFor(seed);
        const out = new TestClaimer(4096);
        out.bytes.fill(0xa5); // stale ring contents must not leak into the message
        out.next = index;
        expect(tc.encode(out, src, stamps)).toBe(true);
        expect(out.commits).toBe(1);
        expect(out.lastType).toBe(tc.type);
        const ref = refBytes(tc.build, src, stamps);
        expect(out.lastLength).toBe(ref.length);
        expect(Buffer.from(out.bytes.subarray(index, index + ref.length)).equals(Buffer.from(ref))).toBe(true);
        expect(out.bytes[index - 1] ?? 0xa5).toBe(0xa5); // nothing written before the slot

        const got = tc.make();
        const gotStamps = C.newStageStampSet();
        tc.decode(out.bytes, index, got, gotStamps);
        expect(got).toEqual(src);
        expect(Array.from(gotStamps)).toEqual(Array.from(expectedStamps(tc.type, src, stamps)));
        // generic header access agrees
        expect(C.readInstrumentId(out.bytes, index)).toBe((src as { instrumentId: number }).instrumentId);
        const s2 = C.newStageStampSet();
        expect(C.readStamps(out.bytes, index, s2)).toBe(true);
        expect(Array.from(s2)).toEqual(Array.from(gotStamps));
      }
    });

    it(`${name}: returns false and writes nothing when the ring is full`, () => {
      const out = new TestClaimer(1024);
      out.full = true;
      expect(tc.encode(out, tc.make(), C.newStageStampSet())).toBe(false);
      expect(out.commits).toBe(0);
      expect(out.bytes.every((x) => x === 0)).toBe(true);
    });

    it(`${name}: stamping in place changes only that stamp`, () => {
      const out = new TestClaimer(2048);
      out.next = 520;
      const src = fillExtreme(tc.make(), 5);
      tc.fixup?.(src);
      tc.encode(out, src, stampsFor(5));
      const before = out.bytes.slice();
      expect(C.stampMessage(out.bytes, 520, C.Stage.Risk, 987654.321)).toBe(true);
      const changed: number[] = [];
      for (let k = 0; k < out.bytes.length; k++) if (out.bytes[k] !== before[k]) changed.push(k);
      const stampsPos = 520 + C.LAYOUTS[tc.type]!.field[0]!;
      expect(changed.length).toBeGreaterThan(0);
      for (const k of changed) expect(k >= stampsPos + 8 * C.Stage.Risk && k < stampsPos + 8 * C.Stage.Risk + 8).toBe(true);
      expect(C.readStamp(out.bytes, 520, C.Stage.Risk)).toBe(987654.321);
      const got = tc.make();
      const st = C.newStageStampSet();
      tc.decode(out.bytes, 520, got, st);
      expect(got).toEqual(src);
      expect(st[C.Stage.Risk]).toBe(987654.321);
    });
  }
});

describe('BookDeltas', () => {
  for (const n of [0, 1, 20, 400]) {
    it(`round-trips ${n} bid and ${n} ask levels, byte-identical to the Builder`, () => {
      const src = bookWith(n, n);
      const stamps = stampsFor(n);
      const out = new TestClaimer(C.bookSize(400, 400) + 64);
      out.bytes.fill(0x5a);
      out.next = 24;
      expect(C.encodeBookDeltas(out, src, stamps)).toBe(true);
      expect(out.lastLength).toBe(C.bookSize(n, n));
      const ref = refBytes(B.buildBookDeltas, src, stamps);
      expect(Buffer.from(out.bytes.subarray(24, 24 + ref.length)).equals(Buffer.from(ref))).toBe(true);
      const got = new BookDeltas();
      const st = C.newStageStampSet();
      expect(C.decodeBookDeltas(out.bytes, 24, got, st)).toBe(true);
      expectBookEqual(got, src);
      expect(Array.from(st)).toEqual(Array.from(expectedStamps(C.MsgType.BookDeltas, src, stamps)));
    });
  }

  it('matches the Builder byte for byte for uneven sides (0/400, 400/0, 3/17)', () => {
    for (const [nb, na] of [[0, 400], [400, 0], [3, 17], [1, 0], [0, 1]] as const) {
      const src = bookWith(nb, na, nb + na);
      const stamps = stampsFor(nb);
      const out = new TestClaimer(C.bookSize(nb, na) + 8);
      out.next = 8;
      expect(C.encodeBookDeltas(out, src, stamps)).toBe(true);
      const ref = refBytes(B.buildBookDeltas, src, stamps);
      expect(Buffer.from(out.bytes.subarray(8, 8 + ref.length)).equals(Buffer.from(ref))).toBe(true);
      const got = new BookDeltas();
      expect(C.decodeBookDeltas(out.bytes, 8, got)).toBe(true);
      expectBookEqual(got, src);
    }
  });

  it('decodes a book that ends exactly at the end of the buffer', () => {
    const src = bookWith(5, 6);
    const size = C.bookSize(5, 6);
    const out = new TestClaimer(4096);
    out.next = 4096 - size;
    expect(C.encodeBookDeltas(out, src, C.newStageStampSet())).toBe(true);
    const got = new BookDeltas();
    expect(C.decodeBookDeltas(out.bytes, out.next, got)).toBe(true);
    expectBookEqual(got, src);
  });

  it('refuses to decode more levels than the carrier holds', () => {
    const out = new TestClaimer(C.bookSize(30, 0));
    C.encodeBookDeltas(out, bookWith(30, 0), C.newStageStampSet());
    const small = new BookDeltas(10);
    expect(C.decodeBookDeltas(out.bytes, 0, small)).toBe(false);
    expect(small.bidCount).toBe(0);
  });

  it('throws before claiming when a count exceeds the carrier', () => {
    const b = new BookDeltas(4);
    b.bidCount = 5;
    const out = new TestClaimer(4096);
    expect(() => C.encodeBookDeltas(out, b, C.newStageStampSet())).toThrow(/bidCount=5/);
    expect(out.lastIndex).toBe(-1);
  });
});

describe('values at the edges', () => {
  it('keeps 2^53-1 ticks, negative PnL, -0, ±Infinity and turns NaN into NaN', () => {
    const p = new C.PositionUpdateEvent();
    p.positionLots = -(2 ** 53 - 1);
    p.avgEntryPriceTicks = 2 ** 53 - 1;
    p.realizedPnlQuote = -1e300;
    p.unrealizedPnlQuote = -0;
    p.feesQuote = Infinity;
    p.markPriceTicks = NaN;
    p.instrumentId = 0xffffffff;
    const out = new TestClaimer(512);
    C.encodePositionUpdate(out, p, C.newStageStampSet());
    const got = new C.PositionUpdateEvent();
    C.decodePositionUpdate(out.bytes, 0, got);
    expect(got.positionLots).toBe(-(2 ** 53 - 1));
    expect(got.avgEntryPriceTicks).toBe(2 ** 53 - 1);
    expect(got.realizedPnlQuote).toBe(-1e300);
    expect(Object.is(got.unrealizedPnlQuote, -0)).toBe(true);
    expect(got.feesQuote).toBe(Infinity);
    expect(Number.isNaN(got.markPriceTicks)).toBe(true);
    expect(got.instrumentId).toBe(0xffffffff);
  });
});

describe('interoperability with the generated FlatBuffers code', () => {
  it('the generated readers read what the template encoders wrote, and mutate_* stamps in place', () => {
    const t = fillExtreme(new TradeTick(), 9);
    const out = new TestClaimer(1024);
    out.next = 264;
    C.encodeTrade(out, t, stampsFor(9));
    const bb = new ByteBuffer(out.bytes);
    bb.setPosition(264);
    const r = wire.Trade.getRootAsTrade(bb);
    expect([r.instrumentId(), r.tsExchangeUs(), r.tradeId(), r.priceTicks(), r.sizeLots(), r.aggressorSide() as number])
      .toEqual([t.instrumentId, t.tsExchangeUs, t.tradeId, t.priceTicks, t.sizeLots, t.aggressorSide]);
    const st = r.stamps()!;
    expect(st.recvUs()).toBe(t.tsRecvUs);
    expect(st.mutate_venue_us(42.5)).toBe(true);
    expect(C.readStamp(out.bytes, 264, C.Stage.Venue)).toBe(42.5);
  });

  it('decodes Builder messages WITHOUT forceDefaults (absent fields read as schema defaults)', () => {
    const b = new Builder(64); // forceDefaults off: zero / default fields are omitted
    const stamps = C.newStageStampSet();
    b.finish(B.buildLiquidation(b, new LiquidationEvent(), stamps));
    const liq = fillExtreme(new LiquidationEvent(), 1);
    C.decodeLiquidation(b.asUint8Array(), 0, liq);
    expect(liq).toEqual(new LiquidationEvent()); // side defaults to Sell, the rest 0

    b.clear();
    const f = new Fill();
    f.priceTicks = 5;
    b.finish(B.buildOrderFilled(b, f, stamps));
    const got = fillExtreme(new Fill(), 2);
    C.decodeOrderFilled(b.asUint8Array(), 0, got);
    expect(got).toEqual(f);
  });

  it('stampMessage returns false for a table without stamps', () => {
    const b = new Builder(64);
    wire.MarkPrice.startMarkPrice(b);
    wire.MarkPrice.addPriceTicks(b, 3);
    b.finish(wire.MarkPrice.endMarkPrice(b));
    const bytes = b.asUint8Array();
    expect(C.stampMessage(bytes, 0, C.Stage.Feed, 1)).toBe(false);
    expect(Number.isNaN(C.readStamp(bytes, 0, C.Stage.Feed))).toBe(true);
    const m = new MarkPriceEvent();
    C.decodeMarkPrice(bytes, 0, m);
    expect(m.priceTicks).toBe(3);
  });
});

describe('cold messages', () => {
  it('InstrumentDefinition round-trips an InstrumentSpec', () => {
    const out = new TestClaimer(1024);
    out.next = 16;
    const spec = DEFAULT_INSTRUMENTS[1]!;
    expect(C.encodeInstrumentDefinition(out, spec, stampsFor(1))).toBe(true);
    expect(out.lastType).toBe(C.MsgType.InstrumentDefinition);
    expect(C.decodeInstrumentDefinition(out.bytes, 16)).toEqual(spec);
    expect(C.readStamp(out.bytes, 16, C.Stage.Feed)).toBe(stampsFor(1)[C.Stage.Feed]);
  });

  it('RunInfo round-trips, strings included', () => {
    const out = new TestClaimer(1024);
    out.next = 64;
    const info = new C.RunInfoRecord();
    info.runId = 'run-2026-01-01T00:00:00Z';
    info.source = 'synthetic';
    info.seed = 42;
    info.startedUnixUs = 1.7e15 + 0.5;
    info.schemaVersion = 3;
    info.configJson = '{"symbols":["BTC-USDT-SWAP"],"ünïcode":"✓"}';
    expect(C.encodeRunInfo(out, info, C.newStageStampSet())).toBe(true);
    const got = new C.RunInfoRecord();
    C.decodeRunInfo(out.bytes, 64, got);
    expect(got).toEqual(info);
    expect(C.readInstrumentId(out.bytes, 64)).toBe(C.INSTRUMENT_NONE);
  });
});

describe('property round-trips (fast-check)', () => {
  const f64 = fc.double({ noNaN: true });
  const ticks = fc.integer({ min: -(2 ** 53 - 1), max: 2 ** 53 - 1 });
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const side = fc.constantFrom(1, -1);
  const idx = fc.integer({ min: 0, max: 64 }).map((k) => k * 8);

  it('TradeTick', () => {
    const out = new TestClaimer(1024);
    const got = new TradeTick();
    fc.assert(fc.property(u32, f64, f64, ticks, ticks, ticks, side, idx, (inst, tsEx, tsRecv, id, px, sz, sd, at) => {
      const t = new TradeTick();
      Object.assign(t, { instrumentId: inst, tsExchangeUs: tsEx, tsRecvUs: tsRecv, tradeId: id, priceTicks: px, sizeLots: sz, aggressorSide: sd });
      out.next = at;
      expect(C.encodeTrade(out, t, C.newStageStampSet())).toBe(true);
      C.decodeTrade(out.bytes, at, got);
      expect(got).toEqual(t);
    }), { numRuns: 300 });
  });

  it('Fill', () => {
    const out = new TestClaimer(1024);
    const got = new Fill();
    fc.assert(fc.property(ticks, ticks, u32, side, fc.constantFrom(1, 2), ticks, ticks, f64, f64, f64, idx,
      (fid, coid, inst, sd, liq, px, sz, fee, ts, trig, at) => {
        const f = new Fill();
        Object.assign(f, { fillId: fid, clientOrderId: coid, instrumentId: inst, side: sd, liquidity: liq, priceTicks: px, sizeLots: sz, feeQuote: fee, tsUs: ts, tsTriggerRecvUs: trig });
        out.next = at;
        C.encodeOrderFilled(out, f, C.newStageStampSet());
        C.decodeOrderFilled(out.bytes, at, got);
        expect(got).toEqual(f);
      }), { numRuns: 300 });
  });

  it('BookDeltas with random levels, byte-identical to the Builder', () => {
    const level = fc.tuple(ticks, fc.integer({ min: 0, max: 2 ** 53 - 1 }));
    const got = new BookDeltas();
    fc.assert(fc.property(fc.array(level, { maxLength: 60 }), fc.array(level, { maxLength: 60 }), fc.boolean(), f64, idx,
      (bids, asks, snap, seq, at) => {
        const b = new BookDeltas(60);
        b.isSnapshot = snap;
        b.seqId = seq;
        b.bidCount = bids.length;
        b.askCount = asks.length;
        bids.forEach(([p, s], k) => { b.bidPriceTicks[k] = p; b.bidSizeLots[k] = s; });
        asks.forEach(([p, s], k) => { b.askPriceTicks[k] = p; b.askSizeLots[k] = s; });
        const out = new TestClaimer(C.bookSize(60, 60) + 520);
        out.next = at;
        const stamps = C.newStageStampSet();
        expect(C.encodeBookDeltas(out, b, stamps)).toBe(true);
        const ref = refBytes(B.buildBookDeltas, b, stamps);
        expect(Buffer.from(out.bytes.subarray(at, at + ref.length)).equals(Buffer.from(ref))).toBe(true);
        expect(C.decodeBookDeltas(out.bytes, at, got)).toBe(true);
        expectBookEqual(got, b);
      }), { numRuns: 150 });
  });

  it('SignalEvent', () => {
    const out = new TestClaimer(1024);
    const got = new C.SignalEvent();
    fc.assert(fc.property(ticks, u32, u32, side, fc.integer({ min: 0, max: 65535 }), ticks, ticks, f64, f64, f64, f64, idx,
      (sid, strat, inst, sd, reason, px, sz, v, th, tsEx, trig, at) => {
        const s = new C.SignalEvent();
        Object.assign(s, { signalId: sid, strategyId: strat, instrumentId: inst, side: sd, reasonCode: reason, priceTicks: px, sizeLots: sz, value: v, threshold: th, tsExchangeUs: tsEx, tsTriggerRecvUs: trig });
        out.next = at;
        C.encodeSignal(out, s, C.newStageStampSet());
        C.decodeSignal(out.bytes, at, got);
        expect(got).toEqual(s);
      }), { numRuns: 300 });
  });
});

describe('through the real SPSC ring', () => {
  it('decodes trades and books of every size across ~40 wraps, stamping each in place', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 1 << 16, maxPayloadLength: C.bookSize(400, 400), name: 'codec-test' }));
    const stamps = C.newStageStampSet();
    const t = new TradeTick();
    const book = new BookDeltas();
    const gotT = new TradeTick();
    const gotB = new BookDeltas();
    const st = C.newStageStampSet();
    let sent = 0;
    let seen = 0;
    let bytesSent = 0;
    const handler: RecordHandler = {
      onMessage(type: number, bytes: Uint8Array, index: number): void {
        expect(C.stampMessage(bytes, index, C.Stage.Sanitizer, seen + 0.5)).toBe(true);
        if (type === C.MsgType.Trade) {
          C.decodeTrade(bytes, index, gotT, st);
          expect(gotT.tradeId).toBe(seen);
          expect(gotT.priceTicks).toBe(2 ** 53 - 1 - seen);
        } else {
          expect(type).toBe(C.MsgType.BookDeltas);
          expect(C.decodeBookDeltas(bytes, index, gotB, st)).toBe(true);
          expect(gotB.seqId).toBe(seen);
          const n = seen % 401;
          expect(gotB.bidCount).toBe(n);
          expect(gotB.askCount).toBe(400 - n);
          if (n > 0) expect(gotB.bidPriceTicks[n - 1]).toBe(seen * 1000 + n - 1);
        }
        expect(st[C.Stage.Sanitizer]).toBe(seen + 0.5);
        expect(st[C.Stage.Feed]).toBe(seen);
        seen++;
      },
    };
    while (bytesSent < 40 * (1 << 16)) {
      stamps[C.Stage.Feed] = sent;
      let ok: boolean;
      if (sent % 3 === 0) {
        const n = sent % 401;
        book.seqId = sent;
        book.bidCount = n;
        book.askCount = 400 - n;
        for (let k = 0; k < n; k++) book.bidPriceTicks[k] = sent * 1000 + k;
        ok = C.encodeBookDeltas(ring, book, stamps);
        if (ok) bytesSent += C.bookSize(n, 400 - n);
      } else {
        t.tradeId = sent;
        t.priceTicks = 2 ** 53 - 1 - sent;
        ok = C.encodeTrade(ring, t, stamps);
        if (ok) bytesSent += 136;
      }
      if (ok) sent++;
      else ring.read(handler, 1000);
    }
    while (ring.read(handler, 1000) > 0) { /* drain */ }
    expect(seen).toBe(sent);
  });
});
