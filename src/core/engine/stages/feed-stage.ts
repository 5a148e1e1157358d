/**
 * Feed stage: the source of market data. Encodes every event straight into
 * the `md` ring as a FlatBuffers message with its receive stamp (Recv) and
 * its publish stamp (Feed).
 *
 * Owning thread: the feed worker. Hot: per event. Sources:
 * - synthetic (default): the seeded SyntheticMarket. Wall clock: events are
 *   emitted when due; the Recv stamp is the event's *scheduled* time, so a
 *   feed that falls behind shows up as latency (coordinated-omission
 *   correction, as in HdrHistogram's expected-interval recording). Simulated
 *   clock: as fast as the pipeline drains, up to `durationUs` of event time.
 * - replay: frames of a recording, copied as they were recorded.
 * - okx: the live OKX service (event-driven; see okx-feed-stage.ts).
 *
 * Mentor's Corner — the north-star feed handler is an FPGA or a kernel-bypass
 * NIC queue polled by a pinned core, stamping packets in hardware (PTP). Our
 * stamps come from `performance.now()` on a shared epoch, ~1 µs resolution;
 * the synthetic source needs no network at all, which makes it the fairest
 * way to measure the engine itself: ~1 M events/s generation here, far above
 * what the downstream stages can absorb on 2 cores.
 */
import { epochTimeOriginMs, nowUs, stampUs, unixNowUs } from '../../clock.ts';
import {
  Stage,
  encodeBookDeltas,
  encodeFundingRate,
  encodeLiquidation,
  encodeMarkPrice,
  encodeTrade,
  newStageStampSet,
} from '../../codec/index.ts';
import type { BookDeltas, FundingRateEvent, LiquidationEvent, MarkPriceEvent, TradeTick } from '../../domain/market-events.ts';
import type { RecordClaimer, RecordHandler, SpscRing } from '../../ring/index.ts';
import { SyntheticMarket, type MarketEventSink } from '../../../feed/synthetic/index.ts';
import type { StageContext, StageLogic } from '../../stage/stage-logic.ts';
import { OutRing } from './out-ring.ts';
import { openRecording, type RecordingClaimer } from './recording-claimer.ts';
import type { EngineStageParams } from './stage-params.ts';
import { ReportTimer, ringNamed } from './stage-support.ts';

/** Longest a wall-clock feed sleeps inside one doWork (keeps stop/heartbeat responsive). */
const MAX_SLEEP_US = 2_000;
/** Below this the feed spins instead of sleeping (a sleep/wake costs ~20–25 µs here). */
const SPIN_BELOW_US = 60;
const MAX_EVENTS_PER_POLL = 512;

export interface FeedReport {
  stage: 'feed';
  source: string;
  events: number;
  done: boolean;
  lastEventUnixUs: number;
}

export class FeedStage implements StageLogic, MarketEventSink {
  private readonly ctx: StageContext;
  private readonly p: EngineStageParams;
  private readonly out: OutRing;
  private readonly claimer: RecordClaimer;
  private readonly market: SyntheticMarket;
  private readonly sim: boolean;
  private readonly stamps = newStageStampSet();
  private readonly epochUnixUs: number;
  private readonly endUnixUs: number;
  private readonly sleepCell = new Int32Array(new SharedArrayBuffer(4));
  private readonly report = new ReportTimer(1_000_000);
  /** Resync requests from the sanitizer (the synthetic source never gaps: drained and counted). */
  private readonly resync: SpscRing | null;
  private readonly resyncCounter: RecordHandler = { onMessage: () => this.resyncRequests++ };
  resyncRequests = 0;
  events = 0;
  done = false;
  private lastEventUnixUs = 0;

  private readonly recording: RecordingClaimer | null;

  constructor(ctx: StageContext) {
    const p = ctx.params as EngineStageParams;
    this.ctx = ctx;
    this.p = p;
    this.sim = p.clock === 'sim';
    this.out = new OutRing(ringNamed(ctx.outputs, 'md', 'feed'));
    this.recording = openRecording(p, this.out.ring);
    this.claimer = this.recording ?? this.out.ring;
    this.resync = ctx.inputs.find((r) => r.name === 'resync') ?? null;
    this.epochUnixUs = epochTimeOriginMs() * 1000;
    const startUnixUs = this.sim ? p.simStartUnixUs : Math.floor(unixNowUs());
    this.endUnixUs = p.durationUs === null ? Infinity : startUnixUs + p.durationUs;
    this.market = new SyntheticMarket(p.instruments, {
      ...p.synthetic,
      seed: p.seed,
      eventsPerSec: p.rateEventsPerS,
      startUnixUs,
    });
  }

  doWork(): number {
    if (this.report.due(nowUs())) {
      this.recording?.writer.flush();
      this.ctx.report(this.buildReport());
    }
    if (this.resync !== null) this.resync.read(this.resyncCounter, 64);
    if (this.done) return 0;
    return this.sim ? this.pumpSim() : this.pumpWall();
  }

  /** Stop producing; what is already in the ring is drained downstream. */
  onStopRequested(): void {
    this.done = true;
  }

  onStop(): void {
    this.recording?.writer.close();
    this.ctx.report(this.buildReport());
  }

  /** Simulated time: as fast as the ring takes it (the ring blocks us when full). */
  private pumpSim(): number {
    const m = this.market;
    let n = 0;
    while (n < MAX_EVENTS_PER_POLL) {
      if (m.peekNextTsUs() >= this.endUnixUs) {
        this.finish();
        break;
      }
      m.next(this);
      n++;
    }
    return n;
  }

  /** Wall clock: emit what is due, then wait (sleep, then spin) until the next event. */
  private pumpWall(): number {
    const m = this.market;
    const now = unixNowUs();
    if (now >= this.endUnixUs) {
      this.finish();
      return 0;
    }
    const n = m.emitDueUntil(now, this, MAX_EVENTS_PER_POLL);
    if (n > 0) return n;
    const waitUs = m.peekNextTsUs() - now;
    if (waitUs > SPIN_BELOW_US) {
      const sleepUs = Math.min(waitUs - SPIN_BELOW_US, MAX_SLEEP_US);
      Atomics.wait(this.sleepCell, 0, 0, sleepUs / 1000);
    }
    // Report work so the idle strategy does not park on top of our own pacing.
    return 1;
  }

  private finish(): void {
    this.done = true;
    this.ctx.report(this.buildReport());
  }

  /** Stamps Recv (scheduled receive time, shared epoch) and Feed (now). */
  private stamp(tsExchangeUs: number): void {
    this.lastEventUnixUs = tsExchangeUs;
    this.events++;
    this.stamps[Stage.Feed] = stampUs(this.p.latency);
  }

  private recvFor(tsExchangeUs: number): number {
    // Wall clock: the event's scheduled time on the shared epoch (CO-corrected).
    // Simulated clock: there is no schedule; the real time we produced it.
    return this.sim ? stampUs(this.p.latency) : tsExchangeUs - this.epochUnixUs;
  }

  // ---------------------------------------------------------------- MarketEventSink

  onBookDeltas(d: BookDeltas): void {
    d.tsRecvUs = this.recvFor(d.tsExchangeUs);
    this.stamp(d.tsExchangeUs);
    while (!encodeBookDeltas(this.claimer, d, this.stamps)) this.out.waitForSpace();
  }

  onTrade(t: TradeTick): void {
    t.tsRecvUs = this.recvFor(t.tsExchangeUs);
    this.stamp(t.tsExchangeUs);
    while (!encodeTrade(this.claimer, t, this.stamps)) this.out.waitForSpace();
  }

  onLiquidation(l: LiquidationEvent): void {
    l.tsRecvUs = this.recvFor(l.tsExchangeUs);
    this.stamp(l.tsExchangeUs);
    while (!encodeLiquidation(this.claimer, l, this.stamps)) this.out.waitForSpace();
  }

  onFundingRate(f: FundingRateEvent): void {
    f.tsRecvUs = this.recvFor(f.tsExchangeUs);
    this.stamp(f.tsExchangeUs);
    while (!encodeFundingRate(this.claimer, f, this.stamps)) this.out.waitForSpace();
  }

  onMarkPrice(m: MarkPriceEvent): void {
    m.tsRecvUs = this.recvFor(m.tsExchangeUs);
    this.stamp(m.tsExchangeUs);
    while (!encodeMarkPrice(this.claimer, m, this.stamps)) this.out.waitForSpace();
  }

  private buildReport(): FeedReport {
    return { stage: 'feed', source: this.p.source, events: this.events, done: this.done, lastEventUnixUs: this.lastEventUnixUs };
  }
}

export function createStage(ctx: StageContext): StageLogic {
  return new FeedStage(ctx);
}
