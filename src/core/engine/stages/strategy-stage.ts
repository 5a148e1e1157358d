/**
 * Strategy stage: hosts a Strategy (SimpleLiquidationHunter) on sanitized
 * market data, order updates, fills and risk denials, and turns its order
 * intents into SubmitOrder/CancelOrder messages for risk.
 *
 * Owning thread: the strategy worker (dedicated) or the core worker (fused).
 * Hot: per message; every intent is encoded straight into the `orders` ring
 * with the triggering market message's stage stamps copied in, so risk and
 * the venue can measure every hop and tick-to-trade from the order alone.
 *
 * Mentor's Corner — a colocated strategy reacts to a binary feed in single-
 * digit µs on a pinned core, with its book in L1 cache. Ours keeps its own
 * per-instrument L2Book (sorted typed arrays) and decides in ~10–100 ns per
 * event (hunter micro-measurement); the µs go to the ring hops around it.
 * Keeping the strategy behind a 10-method interface costs one virtual call
 * per event and lets users add strategies without touching the engine.
 */
import { stampUs } from '../../clock.ts';
import {
  MsgType,
  Stage,
  SignalEvent as WireSignal,
  OrderDeniedEvent,
  DataQualityEvent,
  decodeDataQualityEvent,
  decodeOrderDenied,
  decodeOrderFilled,
  decodeOrderUpdate,
  decodeOrderAccepted,
  decodeOrderCancelled,
  encodeCancelOrder,
  encodeSignal,
  encodeSubmitOrder,
  newStageStampSet,
} from '../../codec/index.ts';
import { L2Book } from '../../book/l2-book.ts';
import { Fill, OrderUpdate, type CancelIntent, type OrderIntent } from '../../domain/orders.ts';
import type { RecordHandler, Readiness, SpscRing } from '../../ring/index.ts';
import { createStrategy } from '../../strategies/registry.ts';
import type { SignalEvent } from '../../strategies/signal.ts';
import type { Strategy, StrategyOutput } from '../../strategies/strategy.ts';
import type { StageContext, StageLogic } from '../../stage/stage-logic.ts';
import type { DirectMarketData } from './direct-market.ts';
import { HopLatency } from './hop-latency.ts';
import { MarketInbox } from './market-inbox.ts';
import { OutRing } from './out-ring.ts';
import type { EngineStageParams } from './stage-params.ts';
import { LogicClock, ReportTimer, ringNamed } from './stage-support.ts';
import { takeTurn, type TurnGate } from './turn-gate.ts';
import { attachTurnGate } from './turn-wiring.ts';

export const STRATEGY_HOPS = ['sanitizer>strategy'] as const;
const TIMER_PERIOD_US = 10_000;
const BATCH = 256;

export interface StrategyReport {
  stage: 'strategy';
  signals: number;
  submitted: number;
  cancels: number;
  suppressedByNoTrade: number;
  hops: Record<string, string>;
}

export class StrategyStage implements StageLogic, StrategyOutput {
  readonly hops: HopLatency;
  /** EngineStageParams.latency: stamp with the clock and record hops. */
  private readonly latency: boolean;
  readonly strategy: Strategy;
  /** Set by the engine wiring when taking turns in simulated time. */
  gate: TurnGate | null = null;
  /** In-process replays: market events handed over decoded by the sanitizer (FusedStage, `useDirect`). */
  private direct: DirectMarketData | null = null;
  /** False while `books` are the sanitizer's (direct hand-off): they are read, not updated, here. */
  private ownBooks = true;
  readiness?: Readiness;
  private readonly ctx: StageContext;
  private readonly clock: LogicClock;
  private readonly sim: boolean;
  private readonly noTrade: boolean;
  private readonly mdIn: SpscRing;
  private readonly execIn: SpscRing;
  private readonly riskIn: SpscRing;
  private readonly ordersOut: OutRing;
  private readonly eventsOut: OutRing;
  private books: readonly L2Book[];
  private readonly inbox = new MarketInbox();
  private readonly update = new OrderUpdate();
  private readonly fill = new Fill();
  private readonly denied = new OrderDeniedEvent();
  private readonly dq = new DataQualityEvent();
  private readonly wireSignal = new WireSignal();
  /** Stamps of the message being handled: copied into any order it causes. */
  private readonly triggerStamps = newStageStampSet();
  private readonly outStamps = newStageStampSet();
  private readonly report = new ReportTimer(1_000_000);
  private readonly mdHandler: RecordHandler;
  private readonly execHandler: RecordHandler;
  private readonly riskHandler: RecordHandler;
  private nextTimerUs = 0;
  signals = 0;
  submitted = 0;
  cancels = 0;
  suppressed = 0;

  constructor(ctx: StageContext) {
    const p = ctx.params as EngineStageParams;
    this.ctx = ctx;
    this.latency = p.latency;
    this.hops = new HopLatency(STRATEGY_HOPS, p.latency);
    this.sim = p.clock === 'sim';
    this.noTrade = p.noTrade;
    this.clock = new LogicClock(this.sim, p.simStartUnixUs);
    this.mdIn = ringNamed(ctx.inputs, 'md.strategy', 'strategy');
    this.execIn = ringNamed(ctx.inputs, 'exec.strategy', 'strategy');
    this.riskIn = ringNamed(ctx.inputs, 'risk.strategy', 'strategy');
    this.ordersOut = new OutRing(ringNamed(ctx.outputs, 'orders', 'strategy'));
    this.eventsOut = new OutRing(ringNamed(ctx.outputs, 'events.strategy', 'strategy'));
    this.books = p.instruments.map(() => new L2Book());
    this.strategy = createStrategy(this, p.instruments, p.strategy);
    // One handler object per input ring, created once (no closures per message).
    this.mdHandler = { onMessage: (t, b, i) => this.onMarket(t, b, i) };
    this.execHandler = { onMessage: (t, b, i) => this.onExecution(t, b, i) };
    this.riskHandler = { onMessage: (t, b, i) => this.onRisk(t, b, i) };
  }

  doWork(): number {
    return takeTurn(this.gate, this);
  }

  /** Takes market events, and reads the books, from the sanitizer's direct hand-off (DirectMarketData). */
  useDirect(direct: DirectMarketData): void {
    this.direct = direct;
    this.books = direct.books;
    this.ownBooks = false;
  }

  /**
   * One pass over the inputs: feedback first (fills, denials), then market
   * data. `ringsEmpty`: the caller (FusedStage) knows every input ring is
   * empty, so only the direct hand-off is taken.
   */
  poll(ringsEmpty = false): number {
    if (this.report.poll()) this.ctx.report(this.buildReport());
    let work = 0;
    if (!ringsEmpty) {
      work += this.execIn.read(this.execHandler, BATCH);
      work += this.riskIn.read(this.riskHandler, BATCH);
      work += this.mdIn.read(this.mdHandler, BATCH);
    }
    const direct = this.direct;
    if (direct !== null && direct.forStrategy !== 0) {
      const msgTypeId = direct.forStrategy;
      direct.forStrategy = 0;
      this.onDecodedMarket(msgTypeId, direct.inbox);
      work++;
    }
    if (!this.sim) {
      const now = this.clock.now();
      if (now >= this.nextTimerUs) {
        this.nextTimerUs = now + TIMER_PERIOD_US;
        this.triggerStamps.fill(0);
        this.strategy.onTimer(now);
      }
    }
    return work;
  }

  onStop(): void {
    this.ctx.report(this.buildReport());
  }

  private onMarket(msgTypeId: number, bytes: Uint8Array, index: number): void {
    if (msgTypeId === MsgType.DataQualityEvent) {
      decodeDataQualityEvent(bytes, index, this.dq);
      this.triggerStamps.fill(0);
      this.strategy.onFeedState(this.dq.instrumentId, this.dq.state, this.clock.now());
      return;
    }
    if (this.inbox.decode(msgTypeId, bytes, index)) this.onDecodedMarket(msgTypeId, this.inbox);
  }

  /** A sanitized market event, decoded (from md.strategy, or handed over directly). */
  private onDecodedMarket(msgTypeId: number, inbox: MarketInbox): void {
    const t = stampUs(this.latency);
    this.hops.record(0, t - inbox.stamps[Stage.Sanitizer]!);
    this.triggerStamps.set(inbox.stamps);
    this.clock.observe(inbox.tsExchangeUs);
    const now = this.clock.now();
    if (this.sim && now >= this.nextTimerUs) {
      this.nextTimerUs = now + TIMER_PERIOD_US;
      this.strategy.onTimer(now);
    }
    const s = this.strategy;
    switch (msgTypeId) {
      case MsgType.BookDeltas: {
        const book = this.books[inbox.book.instrumentId];
        if (book === undefined) return;
        if (this.ownBooks) book.applyDeltas(inbox.book);
        s.onBookDeltas(inbox.book, book, now);
        return;
      }
      case MsgType.Trade: s.onTrade(inbox.trade, now); return;
      case MsgType.Liquidation: s.onLiquidation(inbox.liquidation, now); return;
      case MsgType.MarkPrice: s.onMarkPrice?.(inbox.mark, now); return;
      case MsgType.FundingRate: s.onFundingRate?.(inbox.funding, now); return;
    }
  }

  private onExecution(msgTypeId: number, bytes: Uint8Array, index: number): void {
    this.triggerStamps.fill(0);
    switch (msgTypeId) {
      case MsgType.OrderFilled:
        decodeOrderFilled(bytes, index, this.fill);
        this.strategy.onFill(this.fill, this.clock.now());
        return;
      case MsgType.OrderUpdate:
        decodeOrderUpdate(bytes, index, this.update);
        this.strategy.onOrderUpdate(this.update);
        return;
      case MsgType.OrderAccepted:
        decodeOrderAccepted(bytes, index, this.update);
        this.strategy.onOrderUpdate(this.update);
        return;
      case MsgType.OrderCancelled:
        decodeOrderCancelled(bytes, index, this.update);
        this.strategy.onOrderUpdate(this.update);
        return;
    }
  }

  private onRisk(msgTypeId: number, bytes: Uint8Array, index: number): void {
    if (msgTypeId !== MsgType.OrderDenied) return;
    decodeOrderDenied(bytes, index, this.denied);
    this.triggerStamps.fill(0);
    this.strategy.onOrderDenied(this.denied.clientOrderId, this.denied.reasonCode, this.clock.now());
  }

  // ---------------------------------------------------------------- StrategyOutput

  submit(intent: OrderIntent): void {
    if (this.noTrade) {
      this.suppressed++;
      return;
    }
    const st = this.outStamps;
    st.set(this.triggerStamps);
    st[Stage.Strategy] = stampUs(this.latency);
    this.submitted++;
    while (!encodeSubmitOrder(this.ordersOut.ring, intent, st)) this.ordersOut.waitForSpace();
  }

  cancel(c: CancelIntent): void {
    if (this.noTrade) return;
    const st = this.outStamps;
    st.fill(0);
    st[Stage.Strategy] = stampUs(this.latency);
    this.cancels++;
    while (!encodeCancelOrder(this.ordersOut.ring, c, st)) this.ordersOut.waitForSpace();
  }

  signal(s: SignalEvent): void {
    const w = this.wireSignal;
    w.signalId = s.signalId;
    w.strategyId = s.strategyId;
    w.instrumentId = s.instrumentId;
    w.side = s.side === 0 ? w.side : s.side;
    w.reasonCode = s.reason;
    w.priceTicks = s.priceTicks;
    w.sizeLots = s.sizeLots;
    w.value = s.burstNotionalQuote;
    w.threshold = s.thresholdQuote;
    w.tsExchangeUs = s.tsUs;
    w.tsTriggerRecvUs = s.tsTriggerRecvUs;
    const st = this.outStamps;
    st.set(this.triggerStamps);
    st[Stage.Strategy] = stampUs(this.latency);
    this.signals++;
    while (!encodeSignal(this.eventsOut.ring, w, st)) this.eventsOut.waitForSpace();
  }

  private buildReport(): StrategyReport {
    return { stage: 'strategy', signals: this.signals, submitted: this.submitted, cancels: this.cancels, suppressedByNoTrade: this.suppressed, hops: this.hops.snapshot() };
  }
}

export function createStage(ctx: StageContext): StageLogic {
  const stage = new StrategyStage(ctx);
  attachTurnGate(stage, ctx, 'strategy', null);
  return stage;
}
