// MonitorPublisher: coalescing, bounded batches, frame layout; and the UI's
// copy of the message type ids.
import { describe, expect, it } from 'vitest';
import { MonitorPublisher, splitRecords, hdrPercentileSeries, MonitorMsgType, TOPICS, type Topic } from '../../src/gateway/monitor/index.ts';
import { ScratchClaimer } from '../../src/gateway/monitor/testing/fake-engine.ts';
import { MsgType, encodeBookDeltas, encodeTrade, newStageStampSet, decodeTrade, decodeBookDeltas } from '../../src/core/codec/index.ts';
import { BookDeltas, TradeTick } from '../../src/core/domain/market-events.ts';
import { T, TOPICS as UI_TOPICS } from '../../src/ui/lib/wire.ts';
import * as hdr from 'hdr-histogram-js';

function rig(options = {}, subscribed: Topic[] = [...TOPICS]) {
  const pub = new MonitorPublisher(options);
  const frames: { topic: Topic; bytes: Uint8Array }[] = [];
  pub.attach({ publish: (topic, f) => frames.push({ topic, bytes: f.slice() }), subscribers: (t) => (subscribed.includes(t) ? 1 : 0) });
  const claimer = new ScratchClaimer((ty, b, i, l) => pub.offer(ty, b, i, l));
  return { pub, frames, claimer };
}

const stamps = newStageStampSet();

describe('MonitorPublisher', () => {
  it('coalesces book snapshots to the latest per instrument', () => {
    const { pub, frames, claimer } = rig();
    const book = new BookDeltas(4);
    book.bidCount = book.askCount = 2;
    for (let k = 1; k <= 100; k++) {
      book.instrumentId = k % 2;
      book.seqId = k;
      book.isSnapshot = true;
      encodeBookDeltas(claimer, book, stamps);
    }
    expect(pub.flush()).toBe(1);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.topic).toBe('book');
    const recs = splitRecords(frames[0]!.bytes);
    expect(recs.map((r) => r.msgTypeId)).toEqual([MsgType.BookDeltas, MsgType.BookDeltas]);
    const out = new BookDeltas(4);
    const seqs = recs.map((r) => (decodeBookDeltas(frames[0]!.bytes, r.index, out), [out.instrumentId, out.seqId]));
    expect(seqs).toEqual([[1, 99], [0, 100]]);
    expect(pub.stats().topics.book.coalesced).toBe(98);
    expect(pub.flush()).toBe(0); // nothing new
  });

  it('batches trades per frame and drops the oldest beyond the cap, counted', () => {
    const { pub, frames, claimer } = rig({ batchCapRecords: 10 });
    const t = new TradeTick();
    for (let k = 1; k <= 25; k++) {
      t.tradeId = k;
      encodeTrade(claimer, t, stamps);
    }
    pub.flush();
    const recs = splitRecords(frames[0]!.bytes);
    const out = new TradeTick();
    expect(recs.map((r) => (decodeTrade(frames[0]!.bytes, r.index, out), out.tradeId))).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(pub.stats().topics.trades.dropped).toBe(15);
    for (const r of recs) expect(r.index % 8).toBe(0);
  });

  it('drops the oldest when the byte cap is reached and never exceeds it', () => {
    const { pub, frames, claimer } = rig({ batchCapBytes: 70 * 1024, maxRecordBytes: 1024 });
    const t = new TradeTick();
    for (let k = 1; k <= 2000; k++) {
      t.tradeId = k;
      encodeTrade(claimer, t, stamps);
    }
    pub.flush();
    expect(frames[0]!.bytes.length).toBeLessThanOrEqual(70 * 1024);
    const recs = splitRecords(frames[0]!.bytes);
    const out = new TradeTick();
    decodeTrade(frames[0]!.bytes, recs[recs.length - 1]!.index, out);
    expect(out.tradeId).toBe(2000);
    expect(pub.stats().topics.trades.dropped + recs.length).toBe(2000);
  });

  it('does not stage events for a topic nobody subscribed to', () => {
    const { pub, frames, claimer } = rig({}, ['book']);
    encodeTrade(claimer, new TradeTick(), stamps);
    expect(pub.stats().topics.trades.skipped).toBe(1);
    expect(pub.flush()).toBe(0);
    expect(frames).toHaveLength(0);
  });

  it('rejects flush rates outside 10..20 Hz with the value', () => {
    expect(() => new MonitorPublisher({ flushHz: 60 })).toThrow(/flushHz must be in 10..20, got 60/);
  });
});

describe('percentile series', () => {
  it('follows HdrHistogram\'s halving ticks and ends at the max', () => {
    const h = hdr.build({ useWebAssembly: false });
    for (let i = 1; i <= 100_000; i++) h.recordValue(i);
    const pts = hdrPercentileSeries(h);
    expect(pts[0]!.percentile).toBe(0);
    expect(pts.some((p) => Math.abs(p.percentile - 99.609375) < 1e-6)).toBe(true);
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i]!.percentile).toBeGreaterThan(pts[i - 1]!.percentile);
      expect(pts[i]!.valueUs).toBeGreaterThanOrEqual(pts[i - 1]!.valueUs);
    }
    expect(pts[pts.length - 1]!.valueUs).toBeGreaterThanOrEqual(h.maxValue);
  });
});

describe('UI wire ids', () => {
  it('match src/core/codec/msg-type.ts and monitor-msg-type.ts', () => {
    expect(T).toEqual({
      BookDeltas: MsgType.BookDeltas, Trade: MsgType.Trade, Liquidation: MsgType.Liquidation, BestBidOffer: MsgType.BestBidOffer,
      FundingRate: MsgType.FundingRate, MarkPrice: MsgType.MarkPrice, SubmitOrder: MsgType.SubmitOrder, OrderDenied: MsgType.OrderDenied,
      OrderAccepted: MsgType.OrderAccepted, OrderCancelled: MsgType.OrderCancelled, OrderUpdate: MsgType.OrderUpdate,
      OrderFilled: MsgType.OrderFilled, PositionUpdate: MsgType.PositionUpdate, RiskEvent: MsgType.RiskEvent, Signal: MsgType.Signal,
      Heartbeat: MsgType.Heartbeat, DataQualityEvent: MsgType.DataQualityEvent, LatencySnapshot: MonitorMsgType.LatencySnapshot,
      RuntimeSnapshot: MonitorMsgType.RuntimeSnapshot, SummarySnapshot: MonitorMsgType.SummarySnapshot,
    });
    expect([...UI_TOPICS]).toEqual([...TOPICS]);
  });
});
