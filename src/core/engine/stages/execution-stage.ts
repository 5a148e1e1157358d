/**
 * Execution stage: the paper venue. Receives risk-approved orders and the
 * sanitized market data, fills orders against the book (queue position,
 * latency and fee models), and reports order updates and fills back to risk
 * (first) and the strategy, and to the main thread.
 *
 * Owning thread: the execution worker (dedicated) or the core worker (fused).
 * Hot: per market event and per order. Tick-to-trade is measured here: from
 * the triggering market event's receive stamp (carried inside the order) to
 * the moment the venue takes the order.
 *
 * Mentor's Corner — the ideal counterpart is the exchange's own matching
 * engine reached over a colocated cross-connect (5–50 µs round trip), or a
 * simulator on L3 market-by-order data with measured latency distributions
 * (hftbacktest). We see only L2, so queue position is estimated (pro-rata
 * cancels), and latency is modelled, not suffered; the venue's own work is
 * ~0.1–0.5 µs per order (paper-venue micro-measurement).
 */
import { stampUs } from '../../clock.ts';
import {
  MsgType,
  Stage,
  PositionUpdateEvent,
  DataQualityEvent,
  decodeCancelOrder,
  decodeDataQualityEvent,
  decodeSubmitOrder,
  encodeOrderAccepted,
  encodeOrderCancelled,
  encodeOrderFilled,
  encodeOrderUpdate,
  encodePositionUpdate,
  newStageStampSet,
  type StageStampSet,
} from '../../codec/index.ts';
import { FeedState } from '../../domain/enums.ts';
import { CancelIntent, OrderIntent, OrderStatus, type Fill, type OrderUpdate } from '../../domain/orders.ts';
import type { Readiness, RecordClaimer, RecordHandler, SpscRing } from '../../ring/index.ts';
import { PaperVenue, validatePaperVenueConfig, type PaperVenueSink } from '../../../gateway/paper-exchange/index.ts';
import type { StageContext, StageLogic } from '../../stage/stage-logic.ts';
import type { DirectMarketData } from './direct-market.ts';
import { HopLatency } from './hop-latency.ts';
import { MarketInbox } from './market-inbox.ts';
import { OutRing } from './out-ring.ts';
import type { EngineStageParams } from './stage-params.ts';
import { LogicClock, ReportTimer, ringNamed } from './stage-support.ts';
import { takeTurn, type TurnGate } from './turn-gate.ts';
import { attachTurnGate } from './turn-wiring.ts';

export const EXECUTION_HOPS = ['risk>execution', 'tickToTrade'] as const;
const HOP_RISK_EXEC = 0;
const HOP_TICK_TO_TRADE = 1;
const BATCH = 256;

export interface FillCauses {
  /** Took liquidity. */
  taker: number;
  /** Rested until the queue ahead of it traded. */
  queue: number;
  /** A public trade printed through its price. */
  tradeThrough: number;
  /** The book moved onto its price. */
  bookCross: number;
}

export interface ExecutionReport {
  stage: 'execution';
  ordersReceived: number;
  cancelsReceived: number;
  fills: number;
  updates: number;
  realizedQuote: number;
  unrealizedQuote: number;
  feesQuote: number;
  fundingQuote: number;
  /** Fills by cause (PaperVenue counters): only `queue` depends on the queue model. */
  fillCauses: FillCauses;
  positions: { instrumentId: number; positionLots: number; avgEntryTicks: number; realizedQuote: number; feesQuote: number; unrealizedQuote: number }[];
  hops: Record<string, string>;
}

export class ExecutionStage implements StageLogic, PaperVenueSink {
  readonly hops: HopLatency;
  /** EngineStageParams.latency: stamp with the clock and record hops. */
  private readonly latency: boolean;
  readonly venue: PaperVenue;
  gate: TurnGate | null = null;
  readiness?: Readiness;
  private readonly ctx: StageContext;
  private readonly clock: LogicClock;
  private readonly sim: boolean;
  private readonly mdIn: SpscRing;
  private readonly approvedIn: SpscRing;
  private readonly toRisk: OutRing;
  private readonly toStrategy: OutRing;
  private readonly toMain: OutRing;
  private readonly inbox = new MarketInbox();
  /** In-process replays: market events handed over decoded by the sanitizer (FusedStage). */
  direct: DirectMarketData | null = null;
  private readonly intent = new OrderIntent();
  private readonly cancelIntent = new CancelIntent();
  private readonly dq = new DataQualityEvent();
  private readonly position = new PositionUpdateEvent();
  private readonly orderStamps = newStageStampSet();
  private readonly outStamps = newStageStampSet();
  private readonly report = new ReportTimer(1_000_000);
  private readonly mdHandler: RecordHandler;
  private readonly orderHandler: RecordHandler;
  private readonly instrumentCount: number;
  ordersReceived = 0;
  cancelsReceived = 0;
  fills = 0;
  updates = 0;

  constructor(ctx: StageContext) {
    const p = ctx.params as EngineStageParams;
    this.ctx = ctx;
    this.latency = p.latency;
    this.hops = new HopLatency(EXECUTION_HOPS, p.latency);
    this.sim = p.clock === 'sim';
    this.clock = new LogicClock(this.sim, p.simStartUnixUs);
    this.instrumentCount = p.instruments.length;
    this.venue = new PaperVenue(p.instruments, this, validatePaperVenueConfig(p.venue));
    this.mdIn = ringNamed(ctx.inputs, 'md.execution', 'execution');
    this.approvedIn = ringNamed(ctx.inputs, 'approved', 'execution');
    this.toRisk = new OutRing(ringNamed(ctx.outputs, 'exec.risk', 'execution'));
    this.toStrategy = new OutRing(ringNamed(ctx.outputs, 'exec.strategy', 'execution'));
    this.toMain = new OutRing(ringNamed(ctx.outputs, 'events.execution', 'execution'));
    this.mdHandler = { onMessage: (t, b, i) => this.onMarket(t, b, i) };
    this.orderHandler = { onMessage: (t, b, i) => this.onOrder(t, b, i) };
  }

  doWork(): number {
    return takeTurn(this.gate, this);
  }

  /** `ringsEmpty`: the caller (FusedStage) knows md.execution and approved are empty. */
  poll(ringsEmpty = false): number {
    if (this.report.poll()) this.ctx.report(this.buildReport());
    let work = ringsEmpty ? 0 : this.mdIn.read(this.mdHandler, BATCH);
    const direct = this.direct;
    if (direct !== null && direct.forExecution !== 0) {
      const msgTypeId = direct.forExecution;
      direct.forExecution = 0;
      this.onDecodedMarket(msgTypeId, direct.inbox);
      work++;
    }
    // The market event an order was decided on is always in md.execution
    // before the order exists (the sanitizer writes here first): drain it first.
    let n = 0;
    while (!ringsEmpty && n < BATCH && this.approvedIn.hasWork()) {
      work += this.mdIn.read(this.mdHandler, BATCH);
      n += this.approvedIn.read(this.orderHandler, 1);
    }
    if (!this.sim) this.venue.advanceTo(this.clock.now());
    return work + n;
  }

  onStop(): void {
    this.ctx.report(this.buildReport());
  }

  private onMarket(msgTypeId: number, bytes: Uint8Array, index: number): void {
    const v = this.venue;
    if (msgTypeId === MsgType.DataQualityEvent) {
      decodeDataQualityEvent(bytes, index, this.dq);
      if (this.dq.state !== FeedState.Ok) v.onFeedStale(this.dq.instrumentId, this.clock.now());
      return;
    }
    if (this.inbox.decode(msgTypeId, bytes, index)) this.onDecodedMarket(msgTypeId, this.inbox);
  }

  /** A sanitized market event, decoded (from md.execution, or handed over directly). */
  private onDecodedMarket(msgTypeId: number, inbox: MarketInbox): void {
    const v = this.venue;
    this.clock.observe(inbox.tsExchangeUs);
    const now = this.clock.now();
    this.outStamps.set(inbox.stamps);
    switch (msgTypeId) {
      case MsgType.BookDeltas: v.onBook(inbox.book, now); return;
      case MsgType.Trade: v.onTrade(inbox.trade, now); return;
      case MsgType.MarkPrice: v.onMark(inbox.mark, now); return;
      case MsgType.FundingRate: v.onFunding(inbox.funding, now); return;
      default: v.advanceTo(now);
    }
  }

  private onOrder(msgTypeId: number, bytes: Uint8Array, index: number): void {
    const t = stampUs(this.latency);
    const now = this.clock.now();
    const st = this.orderStamps;
    if (msgTypeId === MsgType.SubmitOrder) {
      decodeSubmitOrder(bytes, index, this.intent, st);
      this.ordersReceived++;
      st[Stage.Venue] = t;
      this.hops.record(HOP_RISK_EXEC, t - st[Stage.Risk]!);
      if (st[Stage.Recv]! > 0) this.hops.record(HOP_TICK_TO_TRADE, t - st[Stage.Recv]!);
      this.outStamps.set(st);
      this.venue.submit(this.intent, now);
    } else if (msgTypeId === MsgType.CancelOrder) {
      decodeCancelOrder(bytes, index, this.cancelIntent, st);
      this.cancelsReceived++;
      st[Stage.Venue] = t;
      this.outStamps.set(st);
      this.venue.cancel(this.cancelIntent, now);
    }
  }

  // ---------------------------------------------------------------- PaperVenueSink

  onOrderUpdate(u: OrderUpdate): void {
    this.updates++;
    const st = this.outStamps;
    st[Stage.Venue] = stampUs(this.latency);
    // Risk first: its view of working orders must never lag the strategy's.
    this.emitUpdate(this.toRisk, u, st);
    this.emitUpdate(this.toStrategy, u, st);
    this.emitUpdate(this.toMain, u, st);
  }

  onFill(f: Fill): void {
    this.fills++;
    const st = this.outStamps;
    st[Stage.Venue] = stampUs(this.latency);
    while (!encodeOrderFilled(this.toRisk.ring, f, st)) this.toRisk.waitForSpace();
    while (!encodeOrderFilled(this.toStrategy.ring, f, st)) this.toStrategy.waitForSpace();
    while (!encodeOrderFilled(this.toMain.ring, f, st)) this.toMain.waitForSpace();
    this.emitPosition(f.instrumentId, f.tsUs, st);
  }

  private emitUpdate(out: OutRing, u: OrderUpdate, st: StageStampSet): void {
    const ring: RecordClaimer = out.ring;
    if (u.status === OrderStatus.Accepted) {
      while (!encodeOrderAccepted(ring, u, st)) out.waitForSpace();
    } else if (u.status === OrderStatus.Cancelled) {
      while (!encodeOrderCancelled(ring, u, st)) out.waitForSpace();
    } else {
      while (!encodeOrderUpdate(ring, u, st)) out.waitForSpace();
    }
  }

  private emitPosition(i: number, tsUs: number, st: StageStampSet): void {
    const v = this.venue;
    const a = v.account;
    const p = this.position;
    p.instrumentId = i;
    p.strategyId = 0;
    p.positionLots = a.positionLots[i]!;
    p.avgEntryPriceTicks = a.avgEntryTicks[i]!;
    p.markPriceTicks = v.referencePriceTicks(i);
    p.realizedPnlQuote = a.realizedPnlQuote[i]!;
    p.unrealizedPnlQuote = v.unrealizedPnlQuote(i);
    p.feesQuote = a.feesQuote[i]!;
    p.tsExchangeUs = tsUs;
    while (!encodePositionUpdate(this.toMain.ring, p, st)) this.toMain.waitForSpace();
  }

  private buildReport(): ExecutionReport {
    const v = this.venue;
    const a = v.account;
    let realized = 0;
    let unrealized = 0;
    let fees = 0;
    let funding = 0;
    const positions: ExecutionReport['positions'] = [];
    for (let i = 0; i < this.instrumentCount; i++) {
      const u = v.unrealizedPnlQuote(i);
      realized += a.realizedPnlQuote[i]!;
      unrealized += Number.isFinite(u) ? u : 0;
      fees += a.feesQuote[i]!;
      funding += a.fundingQuote[i]!;
      positions.push({ instrumentId: i, positionLots: a.positionLots[i]!, avgEntryTicks: a.avgEntryTicks[i]!, realizedQuote: a.realizedPnlQuote[i]!, feesQuote: a.feesQuote[i]!, unrealizedQuote: Number.isFinite(u) ? u : 0 });
    }
    return {
      stage: 'execution',
      ordersReceived: this.ordersReceived,
      cancelsReceived: this.cancelsReceived,
      fillCauses: { taker: v.takerFills, queue: v.makerFillsByQueue, tradeThrough: v.makerFillsByTradeThrough, bookCross: v.makerFillsByBookCross },
      fills: this.fills,
      updates: this.updates,
      realizedQuote: realized,
      unrealizedQuote: unrealized,
      feesQuote: fees,
      fundingQuote: funding,
      positions,
      hops: this.hops.snapshot(),
    };
  }
}

export function createStage(ctx: StageContext): StageLogic {
  const stage = new ExecutionStage(ctx);
  attachTurnGate(stage, ctx, 'execution', null);
  return stage;
}
