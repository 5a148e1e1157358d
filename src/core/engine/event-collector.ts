/**
 * The main thread's view of what the pipeline decided: drains the event
 * rings (signals, risk decisions, order updates, fills, positions,
 * data-quality events, UI samples), keeps the counters the summary
 * reconciles against the stages' own counts, the fill-stream hash, and
 * bounded recent-history buffers for the monitor. Every record is also
 * offered to listeners (the database writer, the monitor publisher).
 *
 * Owning thread: main. Warm path: polled every few ms; decodes into reused
 * carriers; only the bounded history buffers allocate (cold-ish, per fill).
 */
import {
  MsgType,
  DataQualityEvent,
  OrderDeniedEvent,
  PositionUpdateEvent,
  RiskEvent,
  SignalEvent,
  decodeDataQualityEvent,
  decodeOrderDenied,
  decodeOrderFilled,
  decodeOrderUpdate,
  decodeOrderAccepted,
  decodeOrderCancelled,
  decodePositionUpdate,
  decodeRiskEvent,
  decodeSignal,
  decodeSubmitOrder,
  newStageStampSet,
} from '../codec/index.ts';
import { Fill, OrderIntent, OrderUpdate } from '../domain/orders.ts';
import type { RecordHandler, SpscRing } from '../ring/index.ts';
import { FillHash } from './fill-hash.ts';

/** Receives every event record the collector drains (writer, monitor). */
export interface EventListener {
  onEventRecord(ring: string, msgTypeId: number, bytes: Uint8Array, index: number, length: number): void;
}

export interface FillRecord {
  fillId: number;
  clientOrderId: number;
  instrumentId: number;
  side: number;
  priceTicks: number;
  sizeLots: number;
  liquidity: number;
  feeQuote: number;
  tsUs: number;
}

export interface SignalRecord {
  signalId: number;
  instrumentId: number;
  reasonCode: number;
  side: number;
  priceTicks: number;
  sizeLots: number;
  value: number;
  threshold: number;
  tsUs: number;
}

const HISTORY = 500;

function pushBounded<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > HISTORY * 2) list.splice(0, list.length - HISTORY);
}

export class EventCollector {
  readonly fillHash = new FillHash();
  /** Counts by message type, per ring. */
  signals = 0;
  approvedOrders = 0;
  denials = 0;
  readonly deniedByReason = new Map<number, number>();
  fills = 0;
  orderUpdates = 0;
  riskEvents = 0;
  dataQualityEvents = 0;
  uiSamples = 0;
  readonly recentFills: FillRecord[] = [];
  readonly recentSignals: SignalRecord[] = [];
  readonly recentRiskEvents: { code: number; tradingState: number; value: number; limit: number; tsUs: number }[] = [];
  readonly recentDataQuality: { instrumentId: number; state: number; prevState: number; reasonCode: number; value: number; tsUs: number }[] = [];
  readonly positions = new Map<number, { positionLots: number; avgEntryPriceTicks: number; realizedPnlQuote: number; unrealizedPnlQuote: number; feesQuote: number; markPriceTicks: number }>();
  /** Latest trading state reported by risk (TradingState). */
  tradingState = 0;
  readonly listeners: EventListener[] = [];

  private readonly rings: { ring: SpscRing; handler: RecordHandler }[] = [];
  private readonly fill = new Fill();
  private readonly update = new OrderUpdate();
  private readonly intent = new OrderIntent();
  private readonly denied = new OrderDeniedEvent();
  private readonly signal = new SignalEvent();
  private readonly risk = new RiskEvent();
  private readonly dq = new DataQualityEvent();
  private readonly position = new PositionUpdateEvent();
  private readonly stamps = newStageStampSet();

  watch(ring: SpscRing): void {
    const name = ring.name;
    const handler: RecordHandler = {
      onMessage: (t, b, i, l) => {
        this.onRecord(t, b, i);
        for (const lis of this.listeners) lis.onEventRecord(name, t, b, i, l);
      },
    };
    this.rings.push({ ring, handler });
  }

  /** Drains every watched ring; returns records handled. */
  poll(limitPerRing = 10_000): number {
    let n = 0;
    for (const r of this.rings) n += r.ring.read(r.handler, limitPerRing);
    return n;
  }

  /** Drains until every ring is empty (shutdown). */
  drain(): number {
    let total = 0;
    for (;;) {
      const n = this.poll();
      total += n;
      if (n === 0) return total;
    }
  }

  private onRecord(msgTypeId: number, bytes: Uint8Array, index: number): void {
    switch (msgTypeId) {
      case MsgType.OrderFilled: {
        const f = this.fill;
        decodeOrderFilled(bytes, index, f, this.stamps);
        this.fills++;
        this.fillHash.add(f.fillId, f.clientOrderId, f.instrumentId, f.side, f.priceTicks, f.sizeLots);
        pushBounded(this.recentFills, { fillId: f.fillId, clientOrderId: f.clientOrderId, instrumentId: f.instrumentId, side: f.side, priceTicks: f.priceTicks, sizeLots: f.sizeLots, liquidity: f.liquidity, feeQuote: f.feeQuote, tsUs: f.tsUs });
        return;
      }
      case MsgType.OrderUpdate:
        decodeOrderUpdate(bytes, index, this.update);
        this.orderUpdates++;
        return;
      case MsgType.OrderAccepted:
        decodeOrderAccepted(bytes, index, this.update);
        this.orderUpdates++;
        return;
      case MsgType.OrderCancelled:
        decodeOrderCancelled(bytes, index, this.update);
        this.orderUpdates++;
        return;
      case MsgType.SubmitOrder:
        decodeSubmitOrder(bytes, index, this.intent);
        this.approvedOrders++;
        return;
      case MsgType.OrderDenied:
        decodeOrderDenied(bytes, index, this.denied);
        this.denials++;
        this.deniedByReason.set(this.denied.reasonCode, (this.deniedByReason.get(this.denied.reasonCode) ?? 0) + 1);
        return;
      case MsgType.Signal: {
        const s = this.signal;
        decodeSignal(bytes, index, s);
        this.signals++;
        pushBounded(this.recentSignals, { signalId: s.signalId, instrumentId: s.instrumentId, reasonCode: s.reasonCode, side: s.side, priceTicks: s.priceTicks, sizeLots: s.sizeLots, value: s.value, threshold: s.threshold, tsUs: s.tsExchangeUs });
        return;
      }
      case MsgType.RiskEvent: {
        const r = this.risk;
        decodeRiskEvent(bytes, index, r);
        this.riskEvents++;
        this.tradingState = r.tradingState;
        pushBounded(this.recentRiskEvents, { code: r.code, tradingState: r.tradingState, value: r.value, limit: r.limit, tsUs: r.tsExchangeUs });
        return;
      }
      case MsgType.DataQualityEvent: {
        const d = this.dq;
        decodeDataQualityEvent(bytes, index, d);
        this.dataQualityEvents++;
        pushBounded(this.recentDataQuality, { instrumentId: d.instrumentId, state: d.state, prevState: d.prevState, reasonCode: d.reasonCode, value: d.value, tsUs: d.tsExchangeUs });
        return;
      }
      case MsgType.PositionUpdate: {
        const p = this.position;
        decodePositionUpdate(bytes, index, p);
        this.positions.set(p.instrumentId, {
          positionLots: p.positionLots,
          avgEntryPriceTicks: p.avgEntryPriceTicks,
          realizedPnlQuote: p.realizedPnlQuote,
          unrealizedPnlQuote: p.unrealizedPnlQuote,
          feesQuote: p.feesQuote,
          markPriceTicks: p.markPriceTicks,
        });
        return;
      }
      default:
        this.uiSamples++;
    }
  }
}
