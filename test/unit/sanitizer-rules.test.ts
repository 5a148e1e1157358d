import { describe, expect, it } from 'vitest';
import type { L2Book } from '../../src/core/book/l2-book.ts';
import { FeedState, Side } from '../../src/core/domain/enums.ts';
import { makeInstrumentSpec } from '../../src/core/domain/instrument.ts';
import {
  BestBidOffer,
  BookDeltas,
  FundingRateEvent,
  LiquidationEvent,
  MarkPriceEvent,
  TradeTick,
} from '../../src/core/domain/market-events.ts';
import { QualityFlag } from '../../src/core/sanitizer/data-quality-sink.ts';
import { InstrumentStatus } from '../../src/core/sanitizer/instrument-status.ts';
import { L0Sanitizer } from '../../src/core/sanitizer/l0-sanitizer.ts';
import { RejectReason, REJECT_REASON_COUNT, rejectReasonName } from '../../src/core/sanitizer/reject-reason.ts';
import {
  DEFAULT_SANITIZER_CONFIG,
  validateSanitizerConfig,
  type SanitizerConfig,
} from '../../src/core/sanitizer/sanitizer-config.ts';
import { RecordingSink } from './helpers-sanitizer.ts';

const SPEC = makeInstrumentSpec({
  id: 0, symbol: 'TEST-USDT-SWAP', tickSize: 0.1, lotSize: 1, minSizeLots: 1, contractValue: 1, makerFeeBps: 2, takerFeeBps: 5,
});
/** Unix µs; recv = exchange ts + LAT; epochUnixUs = 0 so nowUs is Unix µs too. */
const T0 = 1_700_000_000_000_000;
const LAT = 1_000;
const S = DEFAULT_SANITIZER_CONFIG.staleAfterUs;

type Lv = readonly (readonly [number, number])[];

class Harness {
  readonly sink = new RecordingSink();
  readonly san: L0Sanitizer;
  readonly d = new BookDeltas(64);
  seq = 100;
  tsUs = T0;

  constructor(cfg: Partial<SanitizerConfig> = {}) {
    this.san = new L0Sanitizer([SPEC], validateSanitizerConfig(cfg), this.sink);
  }

  fill(bids: Lv, asks: Lv, tsUs: number): BookDeltas {
    const d = this.d;
    d.reset();
    d.instrumentId = 0;
    d.tsExchangeUs = tsUs;
    d.tsRecvUs = tsUs + LAT;
    d.bidCount = bids.length;
    d.askCount = asks.length;
    bids.forEach(([p, s], i) => { d.bidPriceTicks[i] = p; d.bidSizeLots[i] = s; });
    asks.forEach(([p, s], i) => { d.askPriceTicks[i] = p; d.askSizeLots[i] = s; });
    return d;
  }

  snapshot(bids: Lv = BIDS, asks: Lv = ASKS, tsUs = (this.tsUs += 1_000)): RejectReason {
    const d = this.fill(bids, asks, tsUs);
    d.isSnapshot = true;
    d.prevSeqId = -1;
    d.seqId = ++this.seq;
    return this.san.onBookDeltas(d, d.tsRecvUs);
  }

  /** An update continuing the sequence (or with explicit prev/seq). */
  update(bids: Lv, asks: Lv, prev = this.seq, seq = prev + 1, tsUs = (this.tsUs += 1_000)): RejectReason {
    const d = this.fill(bids, asks, tsUs);
    d.prevSeqId = prev;
    d.seqId = seq;
    const r = this.san.onBookDeltas(d, d.tsRecvUs);
    if (r === RejectReason.Accepted) this.seq = seq;
    return r;
  }

  trade(id: number, px: number, sz = 1, tsUs = (this.tsUs += 1_000), recvUs = tsUs + LAT): RejectReason {
    const t = new TradeTick();
    t.instrumentId = 0;
    t.tradeId = id;
    t.priceTicks = px;
    t.sizeLots = sz;
    t.aggressorSide = Side.Buy;
    t.tsExchangeUs = tsUs;
    t.tsRecvUs = recvUs;
    return this.san.onTrade(t, recvUs);
  }

  book(): L2Book {
    return this.san.book(0);
  }

  get state(): FeedState {
    return this.san.feedState(0);
  }

  get now(): number {
    return this.tsUs + LAT;
  }
}

/** Mid 10000 ticks, 5 levels a side, 100 lots each. */
const BIDS: Lv = [[9999, 100], [9998, 100], [9997, 100], [9996, 100], [9995, 100]];
const ASKS: Lv = [[10001, 100], [10002, 100], [10003, 100], [10004, 100], [10005, 100]];

function ready(cfg: Partial<SanitizerConfig> = {}): Harness {
  const h = new Harness(cfg);
  expect(h.snapshot()).toBe(RejectReason.Accepted);
  expect(h.state).toBe(FeedState.Ok);
  return h;
}

describe('L0Sanitizer rules: schema and values', () => {
  it('rejects NaN and infinite prices or sizes as NON_FINITE and invalidates the book', () => {
    const h = ready();
    expect(h.update([[9999, 1]], [])).toBe(RejectReason.Accepted);
    expect(h.update([[NaN, 1]], [])).toBe(RejectReason.NonFinite);
    expect(h.state).toBe(FeedState.Invalid);
    const h2 = ready();
    expect(h2.update([], [[10001, Infinity]])).toBe(RejectReason.NonFinite);
    expect(h2.trade(1, 10000, NaN)).toBe(RejectReason.NonFinite);
  });

  it('rejects price ≤ 0 and negative size as NON_POSITIVE; size 0 deletes only in updates', () => {
    const h = ready();
    expect(h.update([[1, 5]], [])).toBe(RejectReason.Accepted); // 1 tick: smallest positive price
    expect(h.update([[1, 0]], [])).toBe(RejectReason.Accepted); // delete
    expect(h.book().sizeAt(Side.Buy, 1)).toBe(0);
    expect(h.update([[0, 5]], [])).toBe(RejectReason.NonPositive);
    const h2 = ready();
    expect(h2.update([[9999, -1]], [])).toBe(RejectReason.NonPositive);
    const h3 = new Harness();
    expect(h3.snapshot([[9999, 0]], ASKS)).toBe(RejectReason.NonPositive);
    expect(h3.trade(1, 10000, 0)).toBe(RejectReason.NonPositive);
  });

  it('rejects a missing exchange timestamp or bad side as SCHEMA_INVALID', () => {
    const h = ready();
    expect(h.trade(1, 10000, 1, 1)).toBe(RejectReason.Accepted);
    expect(h.trade(2, 10000, 1, 0)).toBe(RejectReason.SchemaInvalid);
    const t = new TradeTick();
    t.tsExchangeUs = T0;
    t.priceTicks = 10000;
    t.sizeLots = 1;
    t.aggressorSide = 0 as Side;
    expect(h.san.onTrade(t, T0)).toBe(RejectReason.SchemaInvalid);
    const d = h.fill(BIDS, ASKS, 0);
    d.isSnapshot = true;
    d.seqId = 500;
    expect(h.san.onBookDeltas(d, T0)).toBe(RejectReason.SchemaInvalid);
  });

  it('requires seqIds on book messages unless requireSeqIds is false', () => {
    const h = new Harness();
    const d = h.fill(BIDS, ASKS, T0);
    d.isSnapshot = true;
    d.seqId = 1;
    expect(h.san.onBookDeltas(d, T0)).toBe(RejectReason.Accepted);
    d.seqId = 0;
    expect(h.san.onBookDeltas(d, T0)).toBe(RejectReason.SchemaInvalid);
    const h2 = new Harness({ requireSeqIds: false });
    expect(h2.san.onBookDeltas(d, T0)).toBe(RejectReason.Accepted);
  });

  it('rejects prices and sizes off the tick/lot grid as OFF_GRID', () => {
    const h = ready();
    expect(h.update([[9990, 3]], [])).toBe(RejectReason.Accepted);
    expect(h.update([[9990.5, 3]], [])).toBe(RejectReason.OffGrid);
    expect(h.state).toBe(FeedState.Invalid);
    const h2 = ready();
    expect(h2.trade(1, 10000, 2)).toBe(RejectReason.Accepted);
    expect(h2.trade(2, 10000, 2.5)).toBe(RejectReason.OffGrid);
  });

  it('rejects events for an unconfigured instrument as UNKNOWN_INSTRUMENT', () => {
    const h = ready();
    const d = h.fill(BIDS, ASKS, T0);
    d.instrumentId = 1;
    expect(h.san.onBookDeltas(d, T0)).toBe(RejectReason.UnknownInstrument);
    expect(h.san.feedState(1)).toBe(FeedState.Invalid);
    expect(h.san.canTrade(1, T0)).toBe(false);
  });
});

describe('L0Sanitizer rules: sequence', () => {
  it('marks book INVALID and requests one resync when prevSeqId skips a seqId', () => {
    const h = ready();
    expect(h.update([[9999, 7]], [])).toBe(RejectReason.Accepted); // prev = last: edge of continuity
    const last = h.seq;
    expect(h.update([[9999, 8]], [], last + 1, last + 2)).toBe(RejectReason.SequenceGap);
    expect(h.state).toBe(FeedState.Invalid);
    expect(h.san.resyncRequested(0)).toBe(true);
    expect(h.sink.resyncs).toBe(1);
    expect(h.update([[9999, 9]], [], last + 2, last + 3)).toBe(RejectReason.AwaitingSnapshot);
    expect(h.sink.resyncs).toBe(1); // once per episode
    expect(h.san.canTrade(0, h.now)).toBe(false);
  });

  it('returns to Ok only on a snapshot after INVALID', () => {
    const h = ready();
    h.update([], [], h.seq + 5, h.seq + 6);
    expect(h.state).toBe(FeedState.Invalid);
    expect(h.trade(1, 10000)).toBe(RejectReason.Accepted); // prints are independent of the book
    expect(h.state).toBe(FeedState.Invalid);
    expect(h.snapshot()).toBe(RejectReason.Accepted);
    expect(h.state).toBe(FeedState.Ok);
    expect(h.san.resyncRequested(0)).toBe(false);
    expect(h.san.canTrade(0, h.now)).toBe(true);
  });

  it('accepts the empty heartbeat where seqId equals prevSeqId, and rejects one that carries levels', () => {
    const h = ready();
    const last = h.seq;
    expect(h.update([], [], last, last)).toBe(RejectReason.Accepted);
    expect(h.state).toBe(FeedState.Ok);
    expect(h.book().bidCount).toBe(5);
    expect(h.update([[9999, 1]], [], last, last)).toBe(RejectReason.SequenceGap);
    expect(h.state).toBe(FeedState.Invalid);
  });

  it('follows an OKX sequence reset where seqId < prevSeqId after maintenance', () => {
    const h = ready();
    const last = h.seq;
    expect(h.update([[9999, 3]], [], last, 3)).toBe(RejectReason.Accepted); // reset: prev = last, seq smaller
    expect(h.update([[9999, 4]], [], 3, 5)).toBe(RejectReason.Accepted); // then normal rules
    expect(h.state).toBe(FeedState.Ok);
    expect(h.book().sizeAt(Side.Buy, 9999)).toBe(4);
  });

  it('drops a repeated seqId as DUPLICATE without touching the book or state', () => {
    const h = ready();
    const prev = h.seq;
    expect(h.update([[9999, 11]], [], prev, prev + 1)).toBe(RejectReason.Accepted);
    expect(h.update([[9999, 12]], [], prev, prev + 1)).toBe(RejectReason.Duplicate);
    expect(h.book().sizeAt(Side.Buy, 9999)).toBe(11);
    expect(h.state).toBe(FeedState.Ok);
  });

  it('treats a redelivered snapshot as a reset of the book', () => {
    const h = ready();
    h.update([[9994, 1]], []);
    expect(h.book().bidCount).toBe(6);
    expect(h.snapshot()).toBe(RejectReason.Accepted);
    expect(h.book().bidCount).toBe(5);
    expect(h.state).toBe(FeedState.Ok);
  });

  it('drops an update whose seqId is behind the last applied one as OUT_OF_ORDER', () => {
    const h = ready();
    const a = h.seq;
    h.update([[9999, 1]], []);
    h.update([[9999, 2]], []);
    expect(h.update([[9999, 9]], [], a, a + 1)).toBe(RejectReason.OutOfOrder);
    expect(h.book().sizeAt(Side.Buy, 9999)).toBe(2);
    expect(h.state).toBe(FeedState.Ok);
  });

  it('marks book INVALID when an in-sequence update goes back in exchange time', () => {
    const h = ready();
    const ts = h.tsUs;
    expect(h.update([[9999, 1]], [], h.seq, h.seq + 1, ts)).toBe(RejectReason.Accepted); // equal ts: edge
    expect(h.update([[9999, 1]], [], h.seq, h.seq + 1, ts - 1)).toBe(RejectReason.OutOfOrder);
    expect(h.state).toBe(FeedState.Invalid);
  });
});

describe('L0Sanitizer rules: prints', () => {
  it('drops a repeated trade id as DUPLICATE and an older one as OUT_OF_ORDER', () => {
    const h = ready();
    expect(h.trade(10, 10000)).toBe(RejectReason.Accepted);
    expect(h.trade(12, 10000)).toBe(RejectReason.Accepted);
    expect(h.trade(12, 10000)).toBe(RejectReason.Duplicate);
    expect(h.trade(10, 10000)).toBe(RejectReason.Duplicate); // still remembered
    expect(h.trade(11, 10000)).toBe(RejectReason.OutOfOrder);
    expect(h.trade(13, 10000)).toBe(RejectReason.Accepted);
  });

  it('drops a trade whose exchange ts is behind the last one as OUT_OF_ORDER', () => {
    const h = ready();
    expect(h.trade(1, 10000, 1, T0 + 50_000)).toBe(RejectReason.Accepted);
    expect(h.trade(2, 10000, 1, T0 + 50_000)).toBe(RejectReason.Accepted); // same ms: edge
    expect(h.trade(3, 10000, 1, T0 + 49_999)).toBe(RejectReason.OutOfOrder);
  });

  it('quarantines a trade beyond spikeThresholdBps until two ticks confirm the new level', () => {
    const h = ready(); // reference = mid 10000, threshold 500 bps = 500 ticks
    expect(h.trade(1, 10500)).toBe(RejectReason.Accepted); // exactly 500 bps
    expect(h.trade(2, 10501)).toBe(RejectReason.SpikeQuarantined);
    expect(h.trade(3, 100000)).toBe(RejectReason.SpikeQuarantined); // 10× spike
    expect(h.trade(4, 10000)).toBe(RejectReason.Accepted); // back to reference: candidate dropped
    expect(h.trade(5, 12000)).toBe(RejectReason.SpikeQuarantined); // outlier
    expect(h.trade(6, 12010)).toBe(RejectReason.SpikeQuarantined); // confirm 1
    expect(h.trade(7, 12005)).toBe(RejectReason.Accepted); // confirm 2: real move
    expect(h.san.counts[RejectReason.SpikeQuarantined]).toBe(4);
  });

  it('quarantines a 10× mark price against the book reference', () => {
    const h = ready();
    const m = new MarkPriceEvent();
    m.tsExchangeUs = h.tsUs;
    m.tsRecvUs = h.tsUs + LAT;
    m.priceTicks = 10000;
    expect(h.san.onMarkPrice(m, m.tsRecvUs)).toBe(RejectReason.Accepted);
    expect(h.san.onMarkPrice(m, m.tsRecvUs)).toBe(RejectReason.Duplicate);
    m.tsExchangeUs += 1000;
    m.priceTicks = 100_000;
    expect(h.san.onMarkPrice(m, m.tsRecvUs)).toBe(RejectReason.SpikeQuarantined);
  });

  it('rejects a crossed BBO as CROSSED_BOOK without invalidating the L2 book', () => {
    const h = ready();
    const b = new BestBidOffer();
    b.tsExchangeUs = h.tsUs;
    b.tsRecvUs = h.tsUs + LAT;
    b.bidPriceTicks = 9999;
    b.askPriceTicks = 10000;
    b.bidSizeLots = b.askSizeLots = 1;
    expect(h.san.onBbo(b, b.tsRecvUs)).toBe(RejectReason.Accepted);
    b.bidPriceTicks = 10000;
    expect(h.san.onBbo(b, b.tsRecvUs)).toBe(RejectReason.CrossedBook);
    expect(h.state).toBe(FeedState.Ok);
  });

  it('rejects a funding rate above maxAbsFundingRate as OUT_OF_RANGE', () => {
    const h = ready({ maxAbsFundingRate: 0.01 });
    const r = new FundingRateEvent();
    r.tsExchangeUs = T0;
    r.tsRecvUs = T0 + LAT;
    r.fundingTimeUs = T0 + 3_600_000_000;
    r.rate = -0.01;
    expect(h.san.onFundingRate(r, T0)).toBe(RejectReason.Accepted);
    r.tsExchangeUs += 1000;
    r.rate = 0.0100001;
    expect(h.san.onFundingRate(r, T0)).toBe(RejectReason.OutOfRange);
    r.rate = NaN;
    expect(h.san.onFundingRate(r, T0)).toBe(RejectReason.NonFinite);
  });

  it('drops a repeated liquidation as DUPLICATE and an older one as OUT_OF_ORDER', () => {
    const h = ready();
    const l = new LiquidationEvent();
    l.tsExchangeUs = h.tsUs;
    l.tsRecvUs = h.tsUs + LAT;
    l.side = Side.Sell;
    l.priceTicks = 9000;
    l.sizeLots = 3;
    expect(h.san.onLiquidation(l, l.tsRecvUs)).toBe(RejectReason.Accepted);
    expect(h.san.onLiquidation(l, l.tsRecvUs)).toBe(RejectReason.Duplicate);
    l.sizeLots = 4;
    expect(h.san.onLiquidation(l, l.tsRecvUs)).toBe(RejectReason.Accepted); // same ms, different order
    l.tsExchangeUs -= 1;
    expect(h.san.onLiquidation(l, l.tsRecvUs)).toBe(RejectReason.OutOfOrder);
  });
});

describe('L0Sanitizer rules: book integrity', () => {
  it('marks book INVALID when best bid reaches best ask (locked) and resyncs', () => {
    const h = ready();
    expect(h.update([[10000, 1]], [])).toBe(RejectReason.Accepted); // one tick below the ask
    expect(h.update([[10001, 1]], [])).toBe(RejectReason.CrossedBook);
    expect(h.state).toBe(FeedState.Invalid);
    expect(h.sink.resyncs).toBe(1);
  });

  it('marks book INVALID when a non-zero checksum does not match, and ignores a zero one', () => {
    const h = ready();
    const d = h.fill([[9999, 5]], [], (h.tsUs += 1000));
    d.prevSeqId = h.seq;
    d.seqId = ++h.seq;
    d.checksum = 0;
    expect(h.san.onBookDeltas(d, d.tsRecvUs)).toBe(RejectReason.Accepted);
    d.prevSeqId = h.seq;
    d.seqId = ++h.seq;
    d.checksum = 12345;
    expect(h.san.onBookDeltas(d, d.tsRecvUs)).toBe(RejectReason.ChecksumMismatch);
    expect(h.state).toBe(FeedState.Invalid);
  });
});

describe('L0Sanitizer rules: time', () => {
  it('goes STALE when no book update arrives within staleAfterUs, and back to Ok on the next update', () => {
    const h = ready();
    const last = h.now;
    h.san.onTimer(last + S);
    expect(h.state).toBe(FeedState.Ok);
    expect(h.san.canTrade(0, last + S)).toBe(true);
    expect(h.san.canTrade(0, last + S + 1)).toBe(false); // canTrade does not wait for the timer
    h.san.onTimer(last + S + 1);
    expect(h.state).toBe(FeedState.Stale);
    const ev = h.sink.events.at(-1)!;
    expect([ev.kind, ev.value, ev.reason]).toEqual(['state', FeedState.Stale, RejectReason.NoUpdateTimeout]);
    h.tsUs = last + S + 1;
    expect(h.update([], [], h.seq, h.seq)).toBe(RejectReason.Accepted); // heartbeat counts as an update
    expect(h.state).toBe(FeedState.Ok);
  });

  it('goes STALE when the exchange timestamp is older than staleAfterUs beyond the skew estimate', () => {
    const h = ready();
    // estimate = LAT from the snapshot; delay = recv − ts − LAT
    expect(h.trade(1, 10000, 1, T0 + 10_000, T0 + 10_000 + LAT + S)).toBe(RejectReason.Accepted);
    const h2 = ready();
    expect(h2.trade(1, 10000, 1, T0 + 10_000, T0 + 10_000 + LAT + S + 1)).toBe(RejectReason.StaleExchangeTs);
    const h3 = ready();
    const d = h3.fill([[9999, 1]], [], T0 + 10_000);
    d.prevSeqId = h3.seq;
    d.seqId = h3.seq + 1;
    d.tsRecvUs = T0 + 10_000 + LAT + S + 1;
    expect(h3.san.onBookDeltas(d, d.tsRecvUs)).toBe(RejectReason.Accepted); // applied: the book stays a faithful replica
    expect(h3.state).toBe(FeedState.Stale);
    expect(h3.san.canTrade(0, d.tsRecvUs)).toBe(false);
  });

  it('raises SkewAlarm above skewAlarmUs and blocks trading above maxSkewUs', () => {
    const h = new Harness();
    const snapAt = (skewUs: number): void => {
      const d = h.fill(BIDS, ASKS, (h.tsUs += 1000));
      d.isSnapshot = true;
      d.prevSeqId = -1;
      d.seqId = ++h.seq;
      d.tsRecvUs = d.tsExchangeUs - skewUs; // our clock behind the exchange's
      h.san.onBookDeltas(d, d.tsRecvUs);
    };
    snapAt(250_000);
    expect(h.san.skewEstimateUs(0)).toBe(-250_000);
    expect(h.san.qualityFlags(0) & QualityFlag.SkewAlarm).toBe(0);
    snapAt(250_001);
    expect(h.san.qualityFlags(0) & QualityFlag.SkewAlarm).toBe(QualityFlag.SkewAlarm);
    expect(h.san.canTrade(0, h.tsUs - 250_001)).toBe(true); // alarm only
    snapAt(1_000_000);
    expect(h.san.qualityFlags(0) & QualityFlag.SkewBlocked).toBe(0);
    snapAt(1_000_001);
    expect(h.san.qualityFlags(0) & QualityFlag.SkewBlocked).toBe(QualityFlag.SkewBlocked);
    expect(h.san.canTrade(0, h.tsUs - 1_000_001)).toBe(false);
  });
});

describe('L0Sanitizer rules: book quality', () => {
  it('flags the book disorderly (no taker orders) when the spread exceeds disorderlySpreadBps', () => {
    const h = new Harness();
    h.snapshot([[9975, 100]], [[10025, 100]]); // 50 ticks on a 10000 mid = 50 bps: edge
    expect(h.san.isDisorderly(0)).toBe(false);
    expect(h.san.canTake(0, h.now)).toBe(true);
    h.update([[9975, 0], [9974, 100]], []); // 51 ticks
    expect(h.san.isDisorderly(0)).toBe(true);
    expect(h.san.canTrade(0, h.now)).toBe(true);
    expect(h.san.canTake(0, h.now)).toBe(false);
    h.update([[9980, 100]], []);
    expect(h.san.isDisorderly(0)).toBe(false);
  });

  it('flags the book disorderly when top-of-book depth collapses below depthCollapseRatio of its EWMA', () => {
    const h = ready({ depthWarmupUpdates: 1, depthLevels: 1, depthEwmaAlpha: 0.000001 });
    // depth EWMA ≈ 200 lots (best bid 100 + best ask 100); ratio 0.1 → 20
    expect(h.update([[9999, 10]], [[10001, 10]])).toBe(RejectReason.Accepted); // 20: edge
    expect(h.san.isDisorderly(0)).toBe(false);
    expect(h.update([[9999, 10]], [[10001, 9]])).toBe(RejectReason.Accepted); // 19
    expect(h.san.isDisorderly(0)).toBe(true);
    expect(h.sink.events.at(-1)!.reason).toBe(RejectReason.DepthCollapse);
  });

  it('quarantines the book when its mid jumps beyond the spike threshold until two updates confirm', () => {
    const h = ready();
    const big = (bid: number): [Lv, Lv] => [[[bid, 100]], [[bid + 2, 100]]];
    // clear the book to a single level each side around the new mid
    h.snapshot(...big(10499)); // mid 10500 = 500 bps: edge
    expect(h.san.qualityFlags(0) & QualityFlag.Quarantined).toBe(0);
    h.snapshot(...big(9999));
    h.snapshot(...big(10600)); // mid 10601: 601 bps from ~10475 reference
    expect(h.san.qualityFlags(0) & QualityFlag.Quarantined).toBe(QualityFlag.Quarantined);
    expect(h.san.canTrade(0, h.now)).toBe(false);
    h.snapshot(...big(10601)); // confirm 1
    expect(h.san.canTrade(0, h.now)).toBe(false);
    h.snapshot(...big(10602)); // confirm 2
    expect(h.san.qualityFlags(0) & QualityFlag.Quarantined).toBe(0);
    expect(h.san.canTrade(0, h.now)).toBe(true);
    expect(h.san.referenceTicks(0)).toBe(10603);
  });
});

describe('L0Sanitizer rules: instrument state and accounting', () => {
  it('blocks trading while an instrument is suspended, pre-open or delisting', () => {
    const h = ready();
    expect(h.san.canTrade(0, h.now)).toBe(true);
    for (const st of [InstrumentStatus.Suspended, InstrumentStatus.PreOpen, InstrumentStatus.Delisting]) {
      h.san.setInstrumentStatus(0, st, h.now);
      expect(h.san.canTrade(0, h.now)).toBe(false);
      expect(h.san.qualityFlags(0) & QualityFlag.NotLive).toBe(QualityFlag.NotLive);
    }
    h.san.setInstrumentStatus(0, InstrumentStatus.Live, h.now);
    expect(h.san.canTrade(0, h.now)).toBe(true);
  });

  it('blocks trading for newListingQuietUs after the list time', () => {
    const h = ready({ newListingQuietUs: 600_000_000 });
    const now = h.now;
    h.san.setListTimeUnixUs(0, now - 600_000_000 + 1, now);
    expect(h.san.canTrade(0, now)).toBe(false);
    h.san.setListTimeUnixUs(0, now - 600_000_000, now);
    expect(h.san.canTrade(0, now)).toBe(true);
  });

  it('counts every event under exactly one verdict: in = accepted + rejected', () => {
    const h = ready();
    h.trade(1, 10000);
    h.trade(1, 10000);
    h.update([[NaN, 1]], []);
    h.update([[9999, 1]], []);
    const c = h.san.counts;
    let rejected = 0;
    for (let i = 1; i < REJECT_REASON_COUNT; i++) rejected += c[i]!;
    expect(h.san.eventsIn()).toBe(5);
    expect(c[RejectReason.Accepted]! + rejected).toBe(5);
    expect([c[RejectReason.Duplicate], c[RejectReason.NonFinite], c[RejectReason.AwaitingSnapshot]]).toEqual([1, 1, 1]);
    expect(rejectReasonName(RejectReason.SequenceGap)).toBe('SEQUENCE_GAP');
  });

  it('refuses bad config naming the field and value, and fills defaults', () => {
    expect(validateSanitizerConfig(undefined)).toEqual(DEFAULT_SANITIZER_CONFIG);
    expect(validateSanitizerConfig({ staleAfterUs: 5_000_000 }).staleAfterUs).toBe(5_000_000);
    expect(() => validateSanitizerConfig({ staleAfterUs: -1 })).toThrow(/staleAfterUs.*got -1/);
    expect(() => validateSanitizerConfig({ spikeThresholdBps: NaN })).toThrow(/spikeThresholdBps.*got NaN/);
    expect(() => validateSanitizerConfig({ spikeConfirmTicks: 1.5 })).toThrow(/spikeConfirmTicks.*integer.*1\.5/);
    expect(() => validateSanitizerConfig({ verifyChecksum: 'yes' })).toThrow(/verifyChecksum.*"yes"/);
    expect(() => validateSanitizerConfig({ staleAfterMs: 5 })).toThrow(/unknown field "staleAfterMs"/);
    expect(() => validateSanitizerConfig({ skewAlarmUs: 2_000_000, maxSkewUs: 1_000_000 })).toThrow(/skewAlarmUs/);
    expect(() => validateSanitizerConfig(42)).toThrow(/object/);
  });
});
