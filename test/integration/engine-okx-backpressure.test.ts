/**
 * The okx feed stage's ring discipline, with a stub service and a tiny `md`
 * ring so the edge cases happen on demand: a full `md` parks records in the
 * overflow ring (never blocking the event loop, never dropping), they move
 * into `md` in their original order as space frees, with Recv kept and Feed
 * stamped at the move; resync requests from the sanitizer reach the service
 * unless a snapshot already answered them; nothing is published after stop.
 */
import { describe, expect, it } from 'vitest';
import { nowUs } from '../../src/core/clock.ts';
import {
  DataQualityEvent,
  MsgType,
  Stage,
  decodeTrade,
  encodeDataQualityEvent,
  newStageStampSet,
  readStamp,
} from '../../src/core/codec/index.ts';
import { makeInstrumentSpec } from '../../src/core/domain/instrument.ts';
import { BookDeltas, TradeTick } from '../../src/core/domain/market-events.ts';
import { OkxFeedStage, type OkxFeedReport } from '../../src/core/engine/stages/okx-feed-stage.ts';
import { SpscRing, createRing } from '../../src/core/ring/index.ts';
import type { StageContext } from '../../src/core/stage/stage-logic.ts';
import type { OKXLiveService, OkxFeedStatus } from '../../src/feed/okx/index.ts';

const SPECS = [
  makeInstrumentSpec({ id: 0, symbol: 'BTC-USDT-SWAP', tickSize: 0.1, lotSize: 0.01, minSizeLots: 1, contractValue: 0.01, makerFeeBps: 2, takerFeeBps: 5 }),
  makeInstrumentSpec({ id: 1, symbol: 'ETH-USDT-SWAP', tickSize: 0.01, lotSize: 0.01, minSizeLots: 1, contractValue: 0.1, makerFeeBps: 2, takerFeeBps: 5 }),
];

function setup() {
  const mdSab = createRing({ capacityBytes: 4096, name: 'md' });
  const resyncSab = createRing({ capacityBytes: 4096, name: 'resync' });
  const md = new SpscRing(mdSab); // consumer side (the sanitizer's view)
  const resync = new SpscRing(resyncSab); // producer side (the sanitizer's view)
  const reports: OkxFeedReport[] = [];
  const errors: unknown[] = [];
  const ctx: StageContext = {
    name: 'feed',
    inputs: [new SpscRing(resyncSab)],
    outputs: [new SpscRing(mdSab)],
    params: { clock: 'wall', instruments: SPECS, okxWsUrl: 'ws://127.0.0.1:1/ws/v5/public', okxRestUrl: 'http://127.0.0.1:1' },
    reportError: (e) => errors.push(e),
    report: (p) => reports.push(p as OkxFeedReport),
  };
  const resyncCalls: number[] = [];
  let stopped = false;
  const stub = {
    instruments: SPECS,
    start: () => Promise.resolve(),
    stop: () => {
      stopped = true;
      return Promise.resolve();
    },
    status: () => ({ connected: true, stale: false }) as OkxFeedStatus,
    latencySummary: () => ({ count: 0, p50Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 }),
    requestResync: (id: number) => {
      resyncCalls.push(id);
      return true;
    },
  } as unknown as OKXLiveService;
  const stage = new OkxFeedStage(ctx, () => stub);
  return { stage, md, resync, reports, errors, resyncCalls, isStopped: () => stopped };
}

function trade(id: number): TradeTick {
  const t = new TradeTick();
  t.instrumentId = id % 2;
  t.tradeId = id;
  t.tsExchangeUs = 1_780_000_000_000_000 + id;
  t.tsRecvUs = nowUs();
  t.priceTicks = 650_000;
  t.sizeLots = 1;
  return t;
}

/** Reads everything in `md`: trade ids in order, plus the (Recv, Feed) stamps. */
function drainMd(md: SpscRing): { ids: number[]; stamps: [number, number][] } {
  const ids: number[] = [];
  const stamps: [number, number][] = [];
  const t = new TradeTick();
  md.read({
    onMessage(type, bytes, index) {
      expect(type).toBe(MsgType.Trade);
      decodeTrade(bytes, index, t);
      ids.push(t.tradeId);
      stamps.push([readStamp(bytes, index, Stage.Recv), readStamp(bytes, index, Stage.Feed)]);
    },
  }, 1 << 20);
  return { ids, stamps };
}

function resyncRequest(ring: SpscRing, instrumentId: number, tsUs: number): void {
  const ev = new DataQualityEvent();
  ev.instrumentId = instrumentId;
  ev.tsExchangeUs = tsUs;
  expect(encodeDataQualityEvent(ring, ev, newStageStampSet())).toBe(true);
}

describe('okx feed stage: md backpressure and resync requests', () => {
  it('parks records when md is full and moves them in order, without dropping or blocking', async () => {
    const { stage, md, errors } = setup();
    stage.doWork(); // starts the (stub) service
    await Promise.resolve();
    const N = 500; // ~20× what a 4 KiB ring holds
    for (let i = 0; i < N; i++) stage.onTrade(trade(i));
    const r1 = (stage as unknown as { buildReport(): OkxFeedReport }).buildReport();
    expect(r1.okx.mdFull).toBe(1); // one failed claim, then everything queues behind it
    expect(r1.okx.parked).toBe(N - r1.events);
    expect(r1.okx.parkedNow).toBe(N - r1.events);
    expect(r1.okx.blockedWaits).toBe(0);

    const ids: number[] = [];
    const stamps: [number, number][] = [];
    for (let spin = 0; spin < 10_000 && ids.length < N; spin++) {
      const got = drainMd(md);
      ids.push(...got.ids);
      stamps.push(...got.stamps);
      stage.doWork();
    }
    expect(ids).toEqual(Array.from({ length: N }, (_, i) => i));
    for (const [recv, feed] of stamps) {
      expect(recv).toBeGreaterThan(0);
      expect(feed).toBeGreaterThanOrEqual(recv);
    }
    const r2 = (stage as unknown as { buildReport(): OkxFeedReport }).buildReport();
    expect(r2.events).toBe(N);
    expect(r2.okx.parkedNow).toBe(0);
    expect(r2.okx.parkedHighWater).toBe(r1.okx.parkedNow);
    expect(errors).toEqual([]);
  });

  it('passes the sanitizer’s resync requests to the service unless a later snapshot already answered them', async () => {
    const { stage, md, resync, resyncCalls } = setup();
    stage.doWork();
    await Promise.resolve();
    resyncRequest(resync, 1, nowUs());
    stage.doWork();
    expect(resyncCalls).toEqual([1]);

    // A book problem seen at t0, then a snapshot of that instrument published after it: answered.
    const t0 = nowUs();
    await new Promise((r) => setTimeout(r, 2));
    const snap = new BookDeltas(4);
    snap.instrumentId = 0;
    snap.isSnapshot = true;
    snap.tsExchangeUs = 1_780_000_000_000_000;
    snap.tsRecvUs = nowUs();
    snap.seqId = 10;
    snap.prevSeqId = -1;
    stage.onBookDeltas(snap);
    md.read({ onMessage: () => undefined }, 100);
    resyncRequest(resync, 0, t0);
    stage.doWork();
    expect(resyncCalls).toEqual([1]);
    // A problem seen after that snapshot: sent.
    resyncRequest(resync, 0, nowUs());
    stage.doWork();
    expect(resyncCalls).toEqual([1, 0]);
    const r = (stage as unknown as { buildReport(): OkxFeedReport }).buildReport();
    expect(r.okx).toMatchObject({ resyncRequests: 3, resyncsAnswered: 1, resyncsSent: 2 });
  });

  it('stops the service and publishes nothing after the stop request', async () => {
    const { stage, md, isStopped, reports } = setup();
    stage.doWork();
    await Promise.resolve();
    stage.onTrade(trade(1));
    stage.onStopRequested();
    expect(isStopped()).toBe(true);
    stage.onTrade(trade(2));
    stage.onStop();
    expect(drainMd(md).ids).toEqual([1]);
    const last = reports.at(-1)!;
    expect(last).toMatchObject({ stage: 'feed', source: 'okx', events: 1, done: false });
    expect(last.okx.ignoredAfterStop).toBe(1);
  });
});
