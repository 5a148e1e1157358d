/**
 * OKX feed stage (`--source okx`): OKXLiveService on the feed worker's event
 * loop, every carrier it emits encoded straight into the `md` ring.
 *
 * Owning thread: the feed worker. Event-driven (StageLogic.eventDriven): the
 * bootstrap polls `doWork` from a 1 ms timer, so ccxt's WebSocket callbacks
 * run in between; market data arrives in those callbacks (the sink methods
 * below, hot), not in `doWork`. `doWork` (warm) starts the service on the
 * first poll, moves parked records into `md`, turns the sanitizer's resync
 * requests (`resync` ring) into `requestResync(id)`, and reports ~1 Hz.
 *
 * Stamps, exactly as feed-stage.ts: Recv = the service's receive stamp
 * (`tsRecvUs`, taken in the socket tap before JSON.parse, shared epoch),
 * Feed = when the record is published into `md`. The recv>feed hop is
 * therefore our parse + convert + encode time.
 *
 * Backpressure (md full): a callback must not block the event loop — a
 * blocked loop stops ccxt's keepalive, this worker's heartbeat and the
 * socket reads. So when `md` is full the record is encoded into a private
 * 4 MiB overflow ring (same encoders, same bytes, FIFO: once anything is
 * parked, everything after it is parked too, so order is kept), counted,
 * and moved into `md` on the next ticks as space frees (Feed is stamped at
 * that move). Only if the overflow ring is full as well does the stage
 * block, in 50 µs spin / ≤ 5 ms park steps, until the sanitizer catches up:
 * nothing is ever dropped (the summary's `lost` stays 0); a feed that falls
 * this far behind shows as `blockedWaits` in the report, as ring stalls, and
 * OKX will eventually drop a slow consumer, which the reconnect handles.
 * At stop the overflow is flushed (blocking), so every record counted in
 * `events` reaches the sanitizer.
 *
 * `--record FILE`: records go into `md` through the recording tee
 * (recording-claimer.ts), appended as they are committed — parked ones when
 * they move — so the recording is exactly the `md` stream the sanitizer saw.
 *
 * Disconnects: while the socket is down the feed is silent; the sanitizer's
 * watchdog marks each instrument STALE after `staleAfterUs` (NO_UPDATE_TIMEOUT)
 * and strategy and risk stop trading on it. The service reconnects with
 * jittered backoff and resubscribes; the fresh book snapshots bring the
 * instruments back to OK.
 *
 * Mentor's Corner — the ideal feed handler decodes the venue's binary
 * multicast on an FPGA or a kernel-bypass NIC and hands the result to the
 * book builder in ~100 ns, hardware-timestamped. We read JSON from a TLS
 * WebSocket through ccxt on a JS event loop: ~2 µs from socket to ring on
 * 127.0.0.1 (see okx-live-service.ts), dwarfed by the internet's ms. We
 * accept it: OKX offers nothing faster to the public, and the same ring and
 * FlatBuffers frames follow, so everything downstream is measured the same.
 */
import { nowUs } from '../../clock.ts';
import {
  DataQualityEvent,
  Stage,
  decodeDataQualityEvent,
  encodeBestBidOffer,
  encodeBookDeltas,
  encodeFundingRate,
  encodeLiquidation,
  encodeMarkPrice,
  encodeTrade,
  newStageStampSet,
  stampMessage,
} from '../../codec/index.ts';
import type { InstrumentSpec } from '../../domain/instrument.ts';
import type { BestBidOffer, BookDeltas, FundingRateEvent, LiquidationEvent, MarkPriceEvent, TradeTick } from '../../domain/market-events.ts';
import { INSUFFICIENT_CAPACITY, SpinThenParkIdle, SpscRing, createRing, type RecordClaimer, type RecordHandler } from '../../ring/index.ts';
import type { StageContext, StageLogic } from '../../stage/stage-logic.ts';
import { OKXLiveService, type OkxEventSink, type OkxFeedStatus, type OkxLatencySummary } from '../../../feed/okx/index.ts';
import { okxMarketsCachePath, readOkxMarketsCache } from '../okx-instruments-cache.ts';
import type { FeedReport } from './feed-stage.ts';
import { OutRing } from './out-ring.ts';
import { openRecording, type RecordingClaimer } from './recording-claimer.ts';
import type { EngineStageParams } from './stage-params.ts';
import { ReportTimer, ringNamed } from './stage-support.ts';

/** Private overflow ring: ~20k book updates or ~60k trades of slack before the stage blocks. */
const OVERFLOW_BYTES = 4 << 20;
/** Free bytes `md` must have before a parked record is moved (> 2 × the largest record, a 400+400-level book ≈ 13 KB, plus padding; a quarter of smaller rings). */
const MOVE_HEADROOM_BYTES = 64 << 10;
/** Parked records moved per `doWork`. */
const MOVES_PER_POLL = 256;
/** Resync requests read per `doWork`. */
const RESYNCS_PER_POLL = 64;

const enum Kind {
  Book = 0,
  Trade = 1,
  Liquidation = 2,
  Funding = 3,
  Mark = 4,
  Bbo = 5,
}

export interface OkxFeedReport extends FeedReport {
  source: 'okx';
  /** The service's status (connected, stale, reconnects, gaps, resyncs, errors, ...). */
  status: OkxFeedStatus | null;
  okx: {
    /** Times a record found `md` full and was parked in the overflow ring. */
    mdFull: number;
    /** Records parked so far / parked now / most ever parked at once. */
    parked: number;
    parkedNow: number;
    parkedHighWater: number;
    /** Times the overflow ring was full too and the stage blocked on `md`. */
    blockedWaits: number;
    /**
     * Resync requests from the sanitizer; those already answered (a snapshot
     * of that instrument was published after the sanitizer saw the problem:
     * the feed's own gap detection resubscribed first); those the service
     * sent (the rest: disconnected — the reconnect resubscribes anyway).
     */
    resyncRequests: number;
    resyncsAnswered: number;
    resyncsSent: number;
    /** Carriers that arrived after the stop request (not published, not counted in `events`). */
    ignoredAfterStop: number;
    /** Socket receive → carrier emitted, per frame. */
    latency: OkxLatencySummary | null;
  };
}

export class OkxFeedStage implements StageLogic, OkxEventSink, RecordHandler {
  readonly eventDriven = true;
  readonly service: OKXLiveService;
  /** In a stage worker: end the thread this long after `onStop` if something still holds its event loop (0 = never; tests). */
  exitGuardMs = 0;
  events = 0;
  private readonly ctx: StageContext;
  private readonly instruments: readonly InstrumentSpec[];
  private readonly md: SpscRing;
  /** `md` itself, or `md` through the `--record` tee (every record is appended as it is committed). */
  private readonly mdClaimer: RecordClaimer;
  private readonly recording: RecordingClaimer | null;
  private readonly mdOut: OutRing;
  private readonly overflowIn: SpscRing;
  private readonly overflowOut: SpscRing;
  private readonly moveIdle: SpinThenParkIdle;
  private readonly moveHeadroom: number;
  private readonly resync: SpscRing | null;
  private readonly dq = new DataQualityEvent();
  private readonly stamps = newStageStampSet();
  private readonly report = new ReportTimer(1_000_000);
  private readonly log: (line: string) => void;
  private started = false;
  private startError: unknown = null;
  private stopping = false;
  private lastEventUnixUs = 0;
  private parkedNow = 0;
  private parkedHighWater = 0;
  private parked = 0;
  private mdFull = 0;
  private blockedWaits = 0;
  private resyncRequests = 0;
  private resyncsAnswered = 0;
  private resyncsSent = 0;
  /** Shared-epoch µs at which each instrument's last book snapshot was published (or parked). */
  private readonly lastSnapshotUs: Float64Array;
  private ignoredAfterStop = 0;
  private readonly resyncHandler: RecordHandler = {
    onMessage: (_t, bytes, index) => {
      const dq = this.dq;
      decodeDataQualityEvent(bytes, index, dq);
      this.resyncRequests++;
      // dq.tsExchangeUs is the sanitizer's clock (shared epoch) when it found
      // the book broken. A snapshot we published after that comes after the
      // broken message in `md`, so it heals the book: no second resubscribe.
      const id = dq.instrumentId;
      if (id >= 0 && id < this.lastSnapshotUs.length && this.lastSnapshotUs[id]! > dq.tsExchangeUs) this.resyncsAnswered++;
      else if (this.service.requestResync(id)) this.resyncsSent++;
    },
  };

  /** `makeService` is for tests (a stub service); by default the real OKXLiveService with this stage as its sink. */
  constructor(ctx: StageContext, makeService?: (sink: OkxEventSink) => OKXLiveService) {
    const p = ctx.params as EngineStageParams;
    this.ctx = ctx;
    if (p.clock === 'sim') {
      throw new Error('--source okx is a live feed: it runs on the wall clock only (--clock sim is for synthetic and replay runs)');
    }
    if (!Array.isArray(p.instruments) || p.instruments.length === 0) {
      throw new Error('okx feed: no instruments (the engine loads them from OKX before starting the workers)');
    }
    this.instruments = p.instruments;
    this.lastSnapshotUs = new Float64Array(p.instruments.length);
    this.md = ringNamed(ctx.outputs, 'md', 'feed');
    this.mdOut = new OutRing(this.md);
    this.recording = typeof p.record === 'string' ? openRecording(p, this.md) : null;
    this.mdClaimer = this.recording ?? this.md;
    this.moveIdle = new SpinThenParkIdle(this.md.spaceParker, { spinUs: 50, maxParkMs: 5 });
    this.moveHeadroom = Math.min(MOVE_HEADROOM_BYTES, this.md.capacity >> 2);
    const sab = createRing({ capacityBytes: OVERFLOW_BYTES, name: 'md.overflow' });
    this.overflowIn = new SpscRing(sab);
    this.overflowOut = new SpscRing(sab);
    this.resync = ctx.inputs.find((r) => r.name === 'resync') ?? null;
    this.log = (line) => process.stderr.write(`qhft feed: ${line}\n`);
    this.service = makeService !== undefined ? makeService(this) : this.createService(p);
  }

  private createService(p: EngineStageParams): OKXLiveService {
    // The main thread has just written (or validated) the markets cache for
    // this REST URL; with it ccxt needs no REST call here. Without it (cache
    // not writable) the service loads markets over REST itself.
    const cached = readOkxMarketsCache(okxMarketsCachePath(), p.okxRestUrl);
    return new OKXLiveService({
      sink: this,
      symbols: this.instruments.map((s) => s.symbol),
      wsUrl: p.okxWsUrl,
      restUrl: p.okxRestUrl,
      markets: cached?.markets,
      log: this.log,
      onStatus: () => {
        if (!this.stopping) this.ctx.report(this.buildReport());
      },
    });
  }

  // ---------------------------------------------------------------- StageLogic (warm)

  doWork(): number {
    if (this.startError !== null) throw this.startError; // fatal: the engine trips the kill switch
    if (!this.started) this.begin();
    if (this.report.due(nowUs())) {
      this.recording?.writer.flush();
      this.ctx.report(this.buildReport());
    }
    let n = this.parkedNow > 0 ? this.moveParked(this.stopping) : 0;
    if (this.resync !== null && !this.stopping) n += this.resync.read(this.resyncHandler, RESYNCS_PER_POLL);
    return n;
  }

  /** Stop producing: close the socket; what is parked is still flushed by the drain. */
  onStopRequested(): void {
    this.stopping = true;
    if (this.resync !== null) this.resync.read({ onMessage: () => this.resyncRequests++ }, 1 << 20);
    this.service.stop().catch((e: unknown) => this.log(`okx: stop: ${(e as Error).message}`));
  }

  onStop(): void {
    if (this.parkedNow > 0) this.moveParked(true);
    this.recording?.writer.close();
    this.ctx.report(this.buildReport());
    // ccxt may keep an HTTP agent or a timer alive; the worker must still
    // exit on its own after its final report (the host would terminate it
    // after 10 s and count that as a failure). Unref'd: a clean exit is not delayed.
    if (this.exitGuardMs > 0) setTimeout(() => process.exit(0), this.exitGuardMs).unref();
  }

  private begin(): void {
    this.started = true;
    this.service
      .start()
      .then(() => this.checkInstruments())
      .catch((e: unknown) => {
        this.startError = e instanceof Error ? e : new Error(String(e));
      });
  }

  /** The service's specs must be the engine's: same symbols, ids and grids. */
  private checkInstruments(): void {
    const mine = this.instruments;
    const theirs = this.service.instruments;
    for (let i = 0; i < mine.length; i++) {
      const a = mine[i]!;
      const b = theirs[i];
      if (b === undefined || b.symbol !== a.symbol || b.tickSize !== a.tickSize || b.lotSize !== a.lotSize || b.contractValue !== a.contractValue) {
        throw new Error(`okx feed: instrument ${i} is ${b === undefined ? 'missing' : `${b.symbol} tick=${b.tickSize} lot=${b.lotSize}`} in the feed's markets but ${a.symbol} tick=${a.tickSize} lot=${a.lotSize} in the engine's (markets changed during start-up? restart)`);
      }
    }
  }

  // ---------------------------------------------------------------- OkxEventSink (hot)

  onBookDeltas(d: BookDeltas): void {
    this.publish(Kind.Book, d, d.tsExchangeUs);
    if (d.isSnapshot && !this.stopping) this.lastSnapshotUs[d.instrumentId] = this.stamps[Stage.Feed]!;
  }

  onTrade(t: TradeTick): void {
    this.publish(Kind.Trade, t, t.tsExchangeUs);
  }

  onLiquidation(l: LiquidationEvent): void {
    this.publish(Kind.Liquidation, l, l.tsExchangeUs);
  }

  onFundingRate(f: FundingRateEvent): void {
    this.publish(Kind.Funding, f, f.tsExchangeUs);
  }

  onMarkPrice(m: MarkPriceEvent): void {
    this.publish(Kind.Mark, m, m.tsExchangeUs);
  }

  onBbo(b: BestBidOffer): void {
    this.publish(Kind.Bbo, b, b.tsExchangeUs);
  }

  /** Into `md` if nothing is parked and there is room; else parked (FIFO); else block. */
  private publish(kind: Kind, carrier: object, tsExchangeUs: number): void {
    if (this.stopping) {
      this.ignoredAfterStop++;
      return;
    }
    this.lastEventUnixUs = tsExchangeUs;
    this.stamps[Stage.Feed] = nowUs();
    if (this.parkedNow === 0) {
      if (this.encode(kind, carrier, this.mdClaimer)) {
        this.events++;
        return;
      }
      this.mdFull++;
    }
    if (this.encode(kind, carrier, this.overflowIn)) {
      this.parked++;
      if (++this.parkedNow > this.parkedHighWater) this.parkedHighWater = this.parkedNow;
      return;
    }
    // Overflow full too: the sanitizer is far behind. Keep the order: flush, then block.
    this.blockedWaits++;
    this.moveParked(true);
    this.stamps[Stage.Feed] = nowUs();
    while (!this.encode(kind, carrier, this.mdClaimer)) this.mdOut.waitForSpace();
    this.mdOut.resetWait();
    this.events++;
  }

  private encode(kind: Kind, c: object, out: RecordClaimer): boolean {
    switch (kind) {
      case Kind.Book: return encodeBookDeltas(out, c as BookDeltas, this.stamps);
      case Kind.Trade: return encodeTrade(out, c as TradeTick, this.stamps);
      case Kind.Liquidation: return encodeLiquidation(out, c as LiquidationEvent, this.stamps);
      case Kind.Funding: return encodeFundingRate(out, c as FundingRateEvent, this.stamps);
      case Kind.Mark: return encodeMarkPrice(out, c as MarkPriceEvent, this.stamps);
      case Kind.Bbo: return encodeBestBidOffer(out, c as BestBidOffer, this.stamps);
    }
  }

  // ---------------------------------------------------------------- overflow → md

  /** Moves parked records into `md` while it has room (or, with `block`, all of them, waiting). */
  private moveParked(block: boolean): number {
    let n = 0;
    const md = this.md;
    while (this.parkedNow > 0 && (block || n < MOVES_PER_POLL)) {
      if (!block && md.capacity - md.occupancy() < this.moveHeadroom) break;
      n += this.overflowOut.read(this, 1);
    }
    return n;
  }

  /** One parked record: copy into `md`, stamp Feed (published now), commit (through the recording tee, if any). */
  onMessage(msgTypeId: number, bytes: Uint8Array, index: number, length: number): void {
    const md = this.md;
    const claimer = this.mdClaimer;
    this.parkedNow--;
    let i = claimer.tryClaim(msgTypeId, length);
    if (i === INSUFFICIENT_CAPACITY) {
      this.moveIdle.reset();
      do {
        this.moveIdle.idle(0);
        i = claimer.tryClaim(msgTypeId, length);
      } while (i === INSUFFICIENT_CAPACITY);
    }
    if (i < 0) {
      this.ctx.reportError(new Error(`okx feed: record type ${msgTypeId} of ${length} bytes does not fit md (status ${i}); dropped`));
      return;
    }
    const dst = md.bytes;
    for (let k = 0; k < length; k++) dst[i + k] = bytes[index + k]!;
    stampMessage(dst, i, Stage.Feed, nowUs());
    claimer.commit(i);
    this.events++;
  }

  // ---------------------------------------------------------------- reports (cold)

  private buildReport(): OkxFeedReport {
    const s = this.service;
    const live = this.started && this.startError === null;
    return {
      stage: 'feed',
      source: 'okx',
      events: this.events,
      done: false,
      lastEventUnixUs: this.lastEventUnixUs,
      status: live ? s.status() : null,
      okx: {
        mdFull: this.mdFull,
        parked: this.parked,
        parkedNow: this.parkedNow,
        parkedHighWater: this.parkedHighWater,
        blockedWaits: this.blockedWaits,
        resyncRequests: this.resyncRequests,
        resyncsAnswered: this.resyncsAnswered,
        resyncsSent: this.resyncsSent,
        ignoredAfterStop: this.ignoredAfterStop,
        latency: live ? s.latencySummary() : null,
      },
    };
  }
}

export function createStage(ctx: StageContext): StageLogic {
  const stage = new OkxFeedStage(ctx);
  stage.exitGuardMs = 2_000;
  return stage;
}
