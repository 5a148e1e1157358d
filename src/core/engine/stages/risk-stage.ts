/**
 * Risk stage: every order intent passes DRBGuard before it can reach the
 * venue. Approved orders are stamped and forwarded byte for byte; denials
 * become OrderDenied events with the guard's stable reason code.
 *
 * Owning thread: the risk worker (dedicated) or the core worker (fused).
 * Hot: per order and per quote/fill. Order of work per poll: control
 * commands, then for each order first everything that causally precedes it
 * (top of book, fills), so the guard never decides on an older position
 * than the strategy saw.
 *
 * Mentor's Corner — regulated shops run these checks in an FPGA or an
 * in-line C++ gateway in 100–500 ns (SEC 15c3-5, MiFID RTS 6 Art 15), in the
 * path every order must physically cross. Ours is the same idea in a worker
 * thread: a guard that fails closed, with a latched kill switch; its check
 * costs well under 1 µs (README "logic"), the hop into it a few µs. We keep
 * it on its own ring hop (dedicated) because a strategy that crashes or
 * loops must not be able to skip it — the one place we pay latency for safety.
 */
import { nowUs, stampUs } from '../../clock.ts';
import {
  MsgType,
  Stage,
  OrderDeniedEvent,
  DataQualityEvent,
  RiskEvent as WireRiskEvent,
  decodeBestBidOffer,
  decodeCancelOrder,
  decodeDataQualityEvent,
  decodeMarkPrice,
  decodeOrderAccepted,
  decodeOrderCancelled,
  decodeOrderFilled,
  decodeOrderUpdate,
  decodeRiskEvent,
  decodeSubmitOrder,
  encodeCancelOrder,
  encodeOrderDenied,
  encodeRiskEvent,
  newStageStampSet,

  stampMessage,
  INSTRUMENT_NONE,
} from '../../codec/index.ts';
import { BestBidOffer, MarkPriceEvent } from '../../domain/market-events.ts';
import { CancelIntent, Fill, OrderIntent, OrderUpdate } from '../../domain/orders.ts';
import type { Readiness, RecordHandler, SpscRing } from '../../ring/index.ts';
import { DRBGuard, DenyReason, validateRiskConfig, type RiskEvent, type RiskEventSink, type RiskLimitUsage } from '../../../risk/index.ts';
import type { StageContext, StageLogic } from '../../stage/stage-logic.ts';
import { ControlCode } from './control-codes.ts';
import type { DirectMarketData } from './direct-market.ts';
import { HopLatency } from './hop-latency.ts';
import { OutRing } from './out-ring.ts';
import type { EngineStageParams } from './stage-params.ts';
import { LogicClock, ReportTimer, ringNamed } from './stage-support.ts';
import { takeTurn, type TurnGate } from './turn-gate.ts';
import { attachTurnGate } from './turn-wiring.ts';

export const RISK_HOPS = ['strategy>risk'] as const;
const BATCH = 256;

export interface RiskReport {
  stage: 'risk';
  submitted: number;
  accepted: number;
  denied: number[];
  cancelsApproved: number;
  tradingState: number;
  /** DenyReason that moved the guard out of ACTIVE (0 while ACTIVE). */
  tradingStateCause: number;
  killed: boolean;
  /** Every limit with its current value (DRBGuard.limitUsage), for the monitor. */
  limits: RiskLimitUsage[];
  hops: Record<string, string>;
}

export class RiskStage implements StageLogic, RiskEventSink {
  readonly hops: HopLatency;
  /** EngineStageParams.latency: stamp with the clock and record hops. */
  private readonly latency: boolean;
  readonly guard: DRBGuard;
  gate: TurnGate | null = null;
  /** In-process replays: top of book handed over by the sanitizer (FusedStage). */
  direct: DirectMarketData | null = null;
  readiness?: Readiness;
  private readonly ctx: StageContext;
  private readonly clock: LogicClock;
  private readonly mdIn: SpscRing;
  private readonly execIn: SpscRing;
  private readonly ordersIn: SpscRing;
  private readonly controlIn: SpscRing;
  private readonly approvedOut: OutRing;
  private readonly toStrategy: OutRing;
  private readonly eventsOut: OutRing;
  private readonly intent = new OrderIntent();
  private readonly cancelIntent = new CancelIntent();
  private readonly bbo = new BestBidOffer();
  private readonly mark = new MarkPriceEvent();
  private readonly update = new OrderUpdate();
  private readonly fill = new Fill();
  private readonly dq = new DataQualityEvent();
  private readonly control = new WireRiskEvent();
  private readonly wireRisk = new WireRiskEvent();
  private readonly denied = new OrderDeniedEvent();
  private readonly stamps = newStageStampSet();
  private readonly outStamps = newStageStampSet();
  private readonly report = new ReportTimer(1_000_000);
  private readonly feedbackHandler: RecordHandler;
  private readonly orderHandler: RecordHandler;
  private readonly controlHandler: RecordHandler;
  submitted = 0;
  accepted = 0;
  cancelsApproved = 0;
  readonly deniedByReason: number[] = new Array<number>(64).fill(0);

  constructor(ctx: StageContext) {
    const p = ctx.params as EngineStageParams;
    this.ctx = ctx;
    this.latency = p.latency;
    this.hops = new HopLatency(RISK_HOPS, p.latency);
    this.clock = new LogicClock(p.clock === 'sim', p.simStartUnixUs);
    this.guard = new DRBGuard(validateRiskConfig(p.risk), p.instruments, this);
    this.mdIn = ringNamed(ctx.inputs, 'md.risk', 'risk');
    this.execIn = ringNamed(ctx.inputs, 'exec.risk', 'risk');
    this.ordersIn = ringNamed(ctx.inputs, 'orders', 'risk');
    this.controlIn = ringNamed(ctx.inputs, 'control', 'risk');
    this.approvedOut = new OutRing(ringNamed(ctx.outputs, 'approved', 'risk'));
    this.toStrategy = new OutRing(ringNamed(ctx.outputs, 'risk.strategy', 'risk'));
    this.eventsOut = new OutRing(ringNamed(ctx.outputs, 'events.risk', 'risk'));
    this.feedbackHandler = { onMessage: (t, b, i) => this.onFeedback(t, b, i) };
    this.orderHandler = { onMessage: (t, b, i, l) => this.onOrder(t, b, i, l) };
    this.controlHandler = { onMessage: (t, b, i) => this.onControl(t, b, i) };
  }

  doWork(): number {
    return takeTurn(this.gate, this);
  }

  /**
   * One pass: control, market data, feedback, then orders. `ringsEmpty`: the
   * caller (FusedStage) knows md.risk, exec.risk and orders are empty.
   */
  poll(ringsEmpty = false): number {
    if (this.report.poll()) this.ctx.report(this.buildReport());
    // `control` comes from the main thread: never covered by `ringsEmpty`.
    let work = this.controlIn.read(this.controlHandler, 16);
    if (!ringsEmpty) work += this.mdIn.read(this.feedbackHandler, BATCH);
    const direct = this.direct;
    if (direct !== null && direct.bboForRisk) {
      direct.bboForRisk = false;
      this.onQuote(direct.bbo);
      work++;
    }
    if (ringsEmpty) return work;
    work += this.execIn.read(this.feedbackHandler, BATCH);
    // Before each order, take in whatever fills/quotes were published before it.
    let n = 0;
    while (n < BATCH && this.ordersIn.hasWork()) {
      work += this.mdIn.read(this.feedbackHandler, BATCH);
      work += this.execIn.read(this.feedbackHandler, BATCH);
      n += this.ordersIn.read(this.orderHandler, 1);
    }
    return work + n;
  }

  onStop(): void {
    this.ctx.report(this.buildReport());
  }

  private onFeedback(msgTypeId: number, bytes: Uint8Array, index: number): void {
    const g = this.guard;
    switch (msgTypeId) {
      case MsgType.BestBidOffer:
        decodeBestBidOffer(bytes, index, this.bbo);
        this.onQuote(this.bbo);
        return;
      case MsgType.MarkPrice:
        decodeMarkPrice(bytes, index, this.mark);
        this.clock.observe(this.mark.tsExchangeUs);
        return;
      case MsgType.DataQualityEvent:
        decodeDataQualityEvent(bytes, index, this.dq);
        g.onFeedState(this.dq.instrumentId, this.dq.state);
        return;
      case MsgType.OrderFilled:
        decodeOrderFilled(bytes, index, this.fill);
        g.onFill(this.fill);
        return;
      case MsgType.OrderUpdate:
        decodeOrderUpdate(bytes, index, this.update);
        g.onOrderUpdate(this.update);
        return;
      case MsgType.OrderAccepted:
        decodeOrderAccepted(bytes, index, this.update);
        g.onOrderUpdate(this.update);
        return;
      case MsgType.OrderCancelled:
        decodeOrderCancelled(bytes, index, this.update);
        g.onOrderUpdate(this.update);
        return;
    }
  }

  /** The sanitized top of book (from md.risk, or handed over directly). */
  private onQuote(bbo: BestBidOffer): void {
    this.clock.observe(bbo.tsExchangeUs);
    this.guard.onQuote(bbo.instrumentId, bbo.bidPriceTicks, bbo.askPriceTicks, this.clock.now());
  }

  private onOrder(msgTypeId: number, bytes: Uint8Array, index: number, length: number): void {
    const t = stampUs(this.latency);
    const now = this.clock.now();
    if (msgTypeId === MsgType.SubmitOrder) {
      decodeSubmitOrder(bytes, index, this.intent, this.stamps);
      this.hops.record(0, t - this.stamps[Stage.Strategy]!);
      this.submitted++;
      const d = this.guard.check(this.intent, now);
      if (d.accepted) {
        this.accepted++;
        stampMessage(bytes, index, Stage.Risk, t);
        this.approvedOut.forward(msgTypeId, bytes, index, length);
        this.eventsOut.forward(msgTypeId, bytes, index, length);
        return;
      }
      this.deniedByReason[d.reason]!++;
      const o = this.denied;
      const it = this.intent;
      o.clientOrderId = it.clientOrderId;
      o.signalId = it.signalId;
      o.strategyId = it.strategyId;
      o.instrumentId = it.instrumentId;
      o.side = it.side;
      o.priceTicks = it.priceTicks;
      o.sizeLots = it.sizeLots;
      o.reasonCode = d.reason;
      o.value = d.value;
      o.limit = d.limit;
      o.tsExchangeUs = now;
      const st = this.outStamps;
      st.set(this.stamps);
      st[Stage.Risk] = t;
      while (!encodeOrderDenied(this.toStrategy.ring, o, st)) this.toStrategy.waitForSpace();
      while (!encodeOrderDenied(this.eventsOut.ring, o, st)) this.eventsOut.waitForSpace();
      return;
    }
    if (msgTypeId === MsgType.CancelOrder) {
      decodeCancelOrder(bytes, index, this.cancelIntent, this.stamps);
      const d = this.guard.checkCancel(this.cancelIntent, now);
      if (d.accepted) {
        this.cancelsApproved++;
        stampMessage(bytes, index, Stage.Risk, t);
        this.approvedOut.forward(msgTypeId, bytes, index, length);
      }
    }
  }

  private onControl(msgTypeId: number, bytes: Uint8Array, index: number): void {
    if (msgTypeId !== MsgType.RiskEvent) return;
    decodeRiskEvent(bytes, index, this.control);
    const now = this.clock.now();
    switch (this.control.code) {
      case ControlCode.Kill:
        this.guard.kill(now, DenyReason.ManualKill);
        this.ctx.report(this.buildReport()); // the monitor shows the new state at once
        return;
      case ControlCode.Rearm:
        this.guard.rearm(now);
        this.ctx.report(this.buildReport());
        return;
      case ControlCode.CancelAll: {
        // Shutdown: cancel every working order without latching the kill switch.
        const o = this.guard.orders;
        for (let r = 0; r < o.count; r++) this.onCancelRequired(o.orderId[r]!, o.instrumentId[r]!, o.strategyId[r]!, now);
        return;
      }
    }
  }

  // ---------------------------------------------------------------- RiskEventSink

  onRiskEvent(event: RiskEvent): void {
    const w = this.wireRisk;
    w.instrumentId = event.instrumentId < 0 ? INSTRUMENT_NONE : event.instrumentId;
    w.code = event.type;
    w.tradingState = event.toState;
    w.value = event.value;
    w.limit = event.limit;
    w.tsExchangeUs = event.tsUs;
    const st = this.outStamps;
    st.fill(0);
    st[Stage.Risk] = nowUs();
    while (!encodeRiskEvent(this.eventsOut.ring, w, st)) this.eventsOut.waitForSpace();
  }

  onCancelRequired(clientOrderId: number, instrumentId: number, strategyId: number, tsUs: number): void {
    const c = this.cancelIntent;
    c.clientOrderId = clientOrderId;
    c.instrumentId = instrumentId;
    c.strategyId = strategyId;
    c.tsSignalUs = tsUs;
    const st = this.outStamps;
    st.fill(0);
    st[Stage.Risk] = nowUs();
    this.cancelsApproved++;
    while (!encodeCancelOrder(this.approvedOut.ring, c, st)) this.approvedOut.waitForSpace();
  }

  private buildReport(): RiskReport {
    return {
      stage: 'risk',
      submitted: this.submitted,
      accepted: this.accepted,
      denied: this.deniedByReason.slice(),
      cancelsApproved: this.cancelsApproved,
      tradingState: this.guard.tradingState,
      tradingStateCause: this.guard.tradingStateCause,
      killed: this.guard.isKilled,
      limits: this.guard.limitUsage(this.clock.now()),
      hops: this.hops.snapshot(),
    };
  }
}

export function createStage(ctx: StageContext): StageLogic {
  const stage = new RiskStage(ctx);
  attachTurnGate(stage, ctx, 'risk', null);
  return stage;
}



