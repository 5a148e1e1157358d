/**
 * Sanitizer stage: hosts L0Sanitizer between the feed and everything else.
 *
 * Owning thread: the sanitizer worker (dedicated) or the core worker (fused).
 * Hot: `onMessage` per market event — decode into reused carriers, check,
 * stamp in place, forward the same bytes. Cold: reports (~1 Hz).
 *
 * Reads `md`; writes accepted data to `md.execution` first and `md.strategy`
 * second (so the venue always holds the market event an order was decided
 * on), top of book / mark / feed state to `md.risk`, data-quality events to
 * `events.sanitizer`, resync requests to `resync`, and a 20 Hz top-20 book
 * snapshot plus trades, liquidations, mark and funding to the lossy
 * `ui.book` ring.
 * In an in-process replay (`handOffDirectly`) accepted events and top of
 * book skip the three md.* rings: the stages on this thread take the
 * decoded carriers instead (DirectMarketData).
 *
 * Mentor's Corner — an FPGA feed handler validates and normalises a binary
 * multicast feed in ~100 ns per message with A/B line arbitration. Here the
 * checks run in software on data that arrived as JSON; decode + check +
 * forward costs a few hundred ns per message (see README "logic"), small next
 * to the ~µs thread hop. The trade-off buys something the FPGA never shows:
 * every rejected tick is counted by reason and charted in the monitor.
 */
import { epochTimeOriginMs, nowUs, stampUs } from '../../clock.ts';
import {
  MsgType,
  Stage,
  encodeBestBidOffer,
  encodeBookDeltas,
  encodeDataQualityEvent,
  newStageStampSet,
  stampMessage,
  DataQualityEvent,
} from '../../codec/index.ts';
import { FeedState } from '../../domain/enums.ts';
import { BestBidOffer, BookDeltas } from '../../domain/market-events.ts';
import type { Readiness, RecordHandler, RecordReader, SpscRing } from '../../ring/index.ts';
import { L0Sanitizer, RejectReason, validateSanitizerConfig, type DataQualitySink } from '../../sanitizer/index.ts';
import type { StageContext, StageLogic } from '../../stage/stage-logic.ts';
import { DirectMarketData } from './direct-market.ts';
import { HopLatency } from './hop-latency.ts';
import { MarketInbox } from './market-inbox.ts';
import { OutRing } from './out-ring.ts';
import type { EngineStageParams } from './stage-params.ts';
import { ReportTimer, ringNamed } from './stage-support.ts';
import type { TurnGate } from './turn-gate.ts';
import { attachTurnGate } from './turn-wiring.ts';

/** Hops this stage observes. */
export const SANITIZER_HOPS = ['recv>feed', 'feed>sanitizer'] as const;
const HOP_RECV_FEED = 0;
const HOP_FEED_SANITIZER = 1;

const UI_BOOK_LEVELS = 20;
const UI_BOOK_PERIOD_US = 50_000;
const TIMER_PERIOD_US = 10_000;

export interface SanitizerReport {
  stage: 'sanitizer';
  counts: number[];
  feedStates: number[];
  hops: Record<string, string>;
}

export class SanitizerStage implements StageLogic, RecordHandler, DataQualitySink {
  /** Records read per `doWork`. */
  batchLimit = 64;
  gate: TurnGate | null = null;
  readiness?: Readiness;
  readonly sanitizer: L0Sanitizer;
  readonly hops: HopLatency;
  /** EngineStageParams.latency: stamp with the clock and record hops. */
  private readonly latency: boolean;
  private readonly ctx: StageContext;
  private readonly sim: boolean;
  private readonly md: SpscRing;
  private readonly toExecution: OutRing;
  private readonly toStrategy: OutRing;
  private readonly toRisk: OutRing;
  private readonly toMain: OutRing;
  private readonly toUi: OutRing;
  private readonly toFeed: OutRing | null;
  private readonly inbox = new MarketInbox();
  private readonly dq = new DataQualityEvent();
  private readonly bbo = new BestBidOffer();
  private readonly uiBook = new BookDeltas(UI_BOOK_LEVELS);
  private readonly outStamps = newStageStampSet();
  private readonly report = new ReportTimer(1_000_000);
  private readonly instrumentCount: number;
  /** Logic time: shared-epoch µs (wall) or event Unix µs (sim). A field to avoid boxing. */
  private logicNowUs = 0;
  private nextTimerUs = 0;
  private nextUiUs = 0;
  private lastState: FeedState[];
  /** Where `admit` reads market events: `md`, or a recording an in-process replay hands in (`pullFrom`). */
  private source: RecordReader;
  /** Set by `handOffDirectly` (in-process replays): accepted events skip md.strategy / md.execution / md.risk. */
  private direct: DirectMarketData | null = null;

  constructor(ctx: StageContext) {
    const p = ctx.params as EngineStageParams;
    this.ctx = ctx;
    this.latency = p.latency;
    this.hops = new HopLatency(SANITIZER_HOPS, p.latency);
    this.sim = p.clock === 'sim';
    this.instrumentCount = p.instruments.length;
    // In simulated time "now" is the event's own exchange time (Unix µs), so
    // the sanitizer needs no epoch offset; in wall time it compares
    // shared-epoch receive stamps with exchange Unix times.
    this.sanitizer = new L0Sanitizer(p.instruments, validateSanitizerConfig(p.sanitizer), this, this.sim ? 0 : epochTimeOriginMs() * 1000);
    this.lastState = p.instruments.map(() => FeedState.Invalid);
    this.md = ringNamed(ctx.inputs, 'md', 'sanitizer');
    this.source = this.md;
    this.toExecution = new OutRing(ringNamed(ctx.outputs, 'md.execution', 'sanitizer'));
    this.toStrategy = new OutRing(ringNamed(ctx.outputs, 'md.strategy', 'sanitizer'));
    this.toRisk = new OutRing(ringNamed(ctx.outputs, 'md.risk', 'sanitizer'));
    this.toMain = new OutRing(ringNamed(ctx.outputs, 'events.sanitizer', 'sanitizer'));
    this.toUi = new OutRing(ringNamed(ctx.outputs, 'ui.book', 'sanitizer'));
    const resync = ctx.outputs.find((r) => r.name === 'resync');
    this.toFeed = resync ? new OutRing(resync) : null;
  }

  /**
   * From now on, hands accepted market events to the stages on this thread
   * through the returned object instead of the md.* rings (see
   * DirectMarketData for why only a sequenced fused replay may).
   */
  handOffDirectly(): DirectMarketData {
    const books = Array.from({ length: this.instrumentCount }, (_, id) => this.sanitizer.book(id));
    this.direct = new DirectMarketData(this.inbox, this.bbo, books);
    return this.direct;
  }

  /**
   * From now on, reads market events from `source` instead of `md`: an
   * in-process replay lets the sanitizer take a recording's frames where
   * they lie instead of copying each into `md` first. The frames must be
   * writable (stamps go in place) and stay valid during `onMessage`.
   */
  pullFrom(source: RecordReader): void {
    this.source = source;
  }

  /** The input ring (the turn gate waits on it). */
  get input(): SpscRing {
    return this.md;
  }

  doWork(): number {
    const gate = this.gate;
    if (gate !== null && !gate.disabled()) {
      if (!gate.myTurn()) return 0;
      if (gate.cycleWork() > 0) {
        // Feedback from the last event is still settling downstream: let it.
        gate.resetCycle();
        gate.pass();
        return 1;
      }
      const w = this.admit(1);
      if (w === 0) return 0; // keep the turn until the feed delivers
      gate.resetCycle();
      gate.pass();
      return w;
    }
    return this.admit(this.batchLimit);
  }

  /** Timers, reports, then up to `limit` market events. */
  admit(limit: number): number {
    // Without latency measurement (sim only) the UI/report cadence runs on
    // event time: no clock read per admitted event.
    const t = this.latency ? nowUs() : this.logicNowUs;
    if (!this.sim && t >= this.nextTimerUs) {
      this.nextTimerUs = t + TIMER_PERIOD_US;
      this.sanitizer.onTimer(t);
    }
    if (t >= this.nextUiUs) {
      this.nextUiUs = t + UI_BOOK_PERIOD_US;
      this.publishUiBooks(t);
    }
    if (this.report.due(t)) this.ctx.report(this.buildReport());
    return this.source.read(this, limit);
  }

  onStop(): void {
    this.ctx.report(this.buildReport());
  }

  onMessage(msgTypeId: number, bytes: Uint8Array, index: number, length: number): void {
    const inbox = this.inbox;
    if (!inbox.decode(msgTypeId, bytes, index)) {
      this.sanitizer.counts[RejectReason.SchemaInvalid]!++;
      return;
    }
    const stamps = inbox.stamps;
    if (this.sim) {
      // Logical receive time = exchange time; real stamps stay in the message for latency.
      if (inbox.tsExchangeUs > this.logicNowUs) this.logicNowUs = inbox.tsExchangeUs;
      this.setRecv(msgTypeId, inbox.tsExchangeUs);
      if (this.logicNowUs >= this.nextTimerUs) {
        this.nextTimerUs = this.logicNowUs + TIMER_PERIOD_US;
        this.sanitizer.onTimer(this.logicNowUs);
      }
    } else {
      this.logicNowUs = nowUs();
    }
    const verdict = this.check(msgTypeId);
    if (verdict !== RejectReason.Accepted) return;

    const t = stampUs(this.latency);
    if (this.sim) {
      // Simulated time: the feed runs ahead and events queue in `md` by
      // design, so latency is measured from admission, not generation.
      stampMessage(bytes, index, Stage.Recv, t);
      stampMessage(bytes, index, Stage.Feed, t);
      stamps[Stage.Recv] = t;
      stamps[Stage.Feed] = t;
    }
    stampMessage(bytes, index, Stage.Sanitizer, t);
    this.hops.record(HOP_RECV_FEED, stamps[Stage.Feed]! - stamps[Stage.Recv]!);
    this.hops.record(HOP_FEED_SANITIZER, t - stamps[Stage.Feed]!);

    const direct = this.direct;
    if (msgTypeId !== MsgType.BestBidOffer) {
      if (direct !== null) {
        stamps[Stage.Sanitizer] = t;
        direct.forExecution = msgTypeId;
        direct.forStrategy = msgTypeId;
      } else {
        this.toExecution.forward(msgTypeId, bytes, index, length);
        this.toStrategy.forward(msgTypeId, bytes, index, length);
      }
    }
    if (msgTypeId === MsgType.BookDeltas || msgTypeId === MsgType.BestBidOffer) {
      this.publishTopOfBook(inbox.instrumentId, t);
      return;
    }
    if (msgTypeId === MsgType.MarkPrice) this.toRisk.forward(msgTypeId, bytes, index, length);
    // Everything but the book (sampled at 20 Hz above) goes to the monitor as is.
    this.toUi.ring.write(msgTypeId, bytes, index, length);
  }

  private setRecv(msgTypeId: number, tsUs: number): void {
    const inbox = this.inbox;
    switch (msgTypeId) {
      case MsgType.BookDeltas: inbox.book.tsRecvUs = tsUs; break;
      case MsgType.Trade: inbox.trade.tsRecvUs = tsUs; break;
      case MsgType.Liquidation: inbox.liquidation.tsRecvUs = tsUs; break;
      case MsgType.FundingRate: inbox.funding.tsRecvUs = tsUs; break;
      case MsgType.MarkPrice: inbox.mark.tsRecvUs = tsUs; break;
      case MsgType.BestBidOffer: inbox.bbo.tsRecvUs = tsUs; break;
    }
  }

  private check(msgTypeId: number): RejectReason {
    const s = this.sanitizer;
    const inbox = this.inbox;
    const now = this.logicNowUs;
    switch (msgTypeId) {
      case MsgType.BookDeltas: return s.onBookDeltas(inbox.book, now);
      case MsgType.Trade: return s.onTrade(inbox.trade, now);
      case MsgType.Liquidation: return s.onLiquidation(inbox.liquidation, now);
      case MsgType.FundingRate: return s.onFundingRate(inbox.funding, now);
      case MsgType.MarkPrice: return s.onMarkPrice(inbox.mark, now);
      case MsgType.BestBidOffer: return s.onBbo(inbox.bbo, now);
      default: return RejectReason.SchemaInvalid;
    }
  }

  /** Top of the sanitized book → risk (its collar and stale-data reference). */
  private publishTopOfBook(instrumentId: number, t: number): void {
    const book = this.sanitizer.book(instrumentId);
    const b = this.bbo;
    b.instrumentId = instrumentId;
    b.tsExchangeUs = this.inbox.tsExchangeUs;
    b.tsRecvUs = this.inbox.stamps[Stage.Recv]!;
    b.bidPriceTicks = book.bidCount > 0 ? book.bidPrice(0) : 0;
    b.bidSizeLots = book.bidCount > 0 ? book.bidSize(0) : 0;
    b.askPriceTicks = book.askCount > 0 ? book.askPrice(0) : 0;
    b.askSizeLots = book.askCount > 0 ? book.askSize(0) : 0;
    if (this.direct !== null) {
      this.direct.bboForRisk = true;
      return;
    }
    const st = this.outStamps;
    st.set(this.inbox.stamps);
    st[Stage.Sanitizer] = t;
    while (!encodeBestBidOffer(this.toRisk.ring, b, st)) this.toRisk.waitForSpace();
  }

  /** Lossy top-20 snapshots for the monitor (dropped, and counted, when the UI lags). */
  private publishUiBooks(t: number): void {
    const ui = this.uiBook;
    const st = this.outStamps;
    st.fill(0);
    st[Stage.Sanitizer] = t;
    for (let id = 0; id < this.instrumentCount; id++) {
      const book = this.sanitizer.book(id);
      if (book.bidCount === 0 && book.askCount === 0) continue;
      ui.instrumentId = id;
      ui.isSnapshot = true;
      ui.tsExchangeUs = 0;
      ui.tsRecvUs = 0;
      // The venue sequence the snapshot is at (the page shows it as "book seq").
      ui.seqId = this.sanitizer.lastSeqId(id);
      book.copyLevelsTo(ui, UI_BOOK_LEVELS);
      encodeBookDeltas(this.toUi.ring, ui, st);
    }
  }

  // ---------------------------------------------------------------- DataQualitySink

  onDataQuality(instrumentId: number, newState: FeedState, reason: RejectReason, value: number, tsUs: number): void {
    const ev = this.dq;
    ev.instrumentId = instrumentId;
    ev.prevState = this.lastState[instrumentId] ?? FeedState.Invalid;
    ev.state = newState;
    ev.reasonCode = reason;
    ev.value = value;
    ev.tsExchangeUs = tsUs;
    this.lastState[instrumentId] = newState;
    const st = this.outStamps;
    st.fill(0);
    st[Stage.Sanitizer] = nowUs();
    // Feed state goes everywhere that must stop trading on bad data.
    while (!encodeDataQualityEvent(this.toExecution.ring, ev, st)) this.toExecution.waitForSpace();
    while (!encodeDataQualityEvent(this.toStrategy.ring, ev, st)) this.toStrategy.waitForSpace();
    while (!encodeDataQualityEvent(this.toRisk.ring, ev, st)) this.toRisk.waitForSpace();
    while (!encodeDataQualityEvent(this.toMain.ring, ev, st)) this.toMain.waitForSpace();
  }

  onQualityFlags(instrumentId: number, flags: number, reason: RejectReason, value: number, tsUs: number): void {
    const ev = this.dq;
    ev.instrumentId = instrumentId;
    ev.prevState = this.lastState[instrumentId] ?? FeedState.Invalid;
    ev.state = ev.prevState;
    ev.reasonCode = reason;
    ev.value = flags === 0 ? 0 : value;
    ev.tsExchangeUs = tsUs;
    const st = this.outStamps;
    st.fill(0);
    st[Stage.Sanitizer] = nowUs();
    while (!encodeDataQualityEvent(this.toMain.ring, ev, st)) this.toMain.waitForSpace();
  }

  onResyncRequest(instrumentId: number, reason: RejectReason, tsUs: number): void {
    if (this.toFeed === null) return;
    const ev = this.dq;
    ev.instrumentId = instrumentId;
    ev.prevState = this.lastState[instrumentId] ?? FeedState.Invalid;
    ev.state = FeedState.Invalid;
    ev.reasonCode = reason;
    ev.value = 0;
    ev.tsExchangeUs = tsUs;
    const st = this.outStamps;
    st.fill(0);
    st[Stage.Sanitizer] = nowUs();
    // Lossy on purpose: a resync request that finds the ring full is already pending.
    encodeDataQualityEvent(this.toFeed.ring, ev, st);
  }

  private buildReport(): SanitizerReport {
    const states: number[] = [];
    for (let i = 0; i < this.instrumentCount; i++) states.push(this.sanitizer.feedState(i));
    return { stage: 'sanitizer', counts: Array.from(this.sanitizer.counts), feedStates: states, hops: this.hops.snapshot() };
  }
}

export function createStage(ctx: StageContext): StageLogic {
  const stage = new SanitizerStage(ctx);
  attachTurnGate(stage, ctx, 'sanitizer', stage.input);
  return stage;
}
