/**
 * The monitor's view of the running engine: implements the monitor's
 * EngineView on top of ProductionEngine (summary, stage reports, the event
 * collector) plus an order book of its own built from the order events.
 * Owning thread: main. Cold path: answers HTTP requests and 1 Hz snapshots;
 * the order tracking runs per order event (rare next to market data).
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import {
  MsgType,
  OrderDeniedEvent,
  decodeOrderAccepted,
  decodeOrderCancelled,
  decodeOrderDenied,
  decodeOrderUpdate,
  decodeSubmitOrder,
} from '../codec/index.ts';
import { OrderIntent, OrderStatus, OrderUpdate } from '../domain/orders.ts';
import { rejectReasonName } from '../sanitizer/index.ts';
import { signalDecisionName, signalDecisionOf, signalReasonName } from '../strategies/signal.ts';
import { DenyReason, denyReasonName } from '../../risk/index.ts';
import type {
  EngineView,
  FillRow,
  HealthInfo,
  HistoryRun,
  InstrumentInfo,
  LatencySeriesMap,
  OrderRow,
  PositionRow,
  RiskState,
  RuntimeStats,
  SignalRow,
  DbWriterStats,
} from '../../gateway/monitor/engine-view.ts';
import { hdrPercentileSeries } from '../../gateway/monitor/percentile.ts';
import type { EventListener } from './event-collector.ts';
import type { ProductionEngine } from './production-engine.ts';
import { mergeHistograms, type RunSummary } from './summary.ts';

const FEED_STATES = ['OK', 'STALE', 'INVALID'] as const;
const TRADING_STATES = ['ACTIVE', 'REDUCING', 'HALTED'] as const;
const ORDER_TYPES = ['', 'limit', 'market', 'ioc', 'post-only'];
const STATUS = ['', 'accepted', 'rejected', 'partially-filled', 'filled', 'cancelled', 'unknown'];
const MAX_ORDERS = 2_000;

function side(s: number): 'buy' | 'sell' {
  return s > 0 ? 'buy' : 'sell';
}

export class EngineMonitorView implements EngineView, EventListener {
  private readonly engine: ProductionEngine;
  private readonly orders = new Map<number, OrderRow>();
  private readonly intent = new OrderIntent();
  private readonly update = new OrderUpdate();
  private readonly denied = new OrderDeniedEvent();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });
  private gcCount = 0;
  private gcPauseMs = 0;
  private readonly gcObserver: PerformanceObserver;
  private state: HealthInfo['state'] = 'starting';
  private readonly startedMs = Date.now();
  /** Writer stats when a database writer is attached (set by the run command). */
  dbStats: (() => DbWriterStats | null) | null = null;

  constructor(engine: ProductionEngine) {
    this.engine = engine;
    engine.collector.listeners.push(this);
    this.loopDelay.enable();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        this.gcCount++;
        this.gcPauseMs += e.duration;
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  setState(s: HealthInfo['state']): void {
    this.state = s;
  }

  close(): void {
    this.loopDelay.disable();
    this.gcObserver.disconnect();
  }

  // ---------------------------------------------------------------- EventListener: order lifecycle

  onEventRecord(_ring: string, msgTypeId: number, bytes: Uint8Array, index: number): void {
    switch (msgTypeId) {
      case MsgType.SubmitOrder: {
        const o = this.intent;
        decodeSubmitOrder(bytes, index, o);
        this.put({
          clientOrderId: o.clientOrderId,
          signalId: o.signalId,
          instrumentId: o.instrumentId,
          side: side(o.side),
          type: ORDER_TYPES[o.type] ?? String(o.type),
          priceTicks: o.priceTicks,
          sizeLots: o.sizeLots,
          filledLots: 0,
          status: 'sent',
          riskDecision: 'ACCEPTED',
          tsUs: o.tsSignalUs,
        });
        return;
      }
      case MsgType.OrderDenied: {
        const d = this.denied;
        decodeOrderDenied(bytes, index, d);
        this.put({
          clientOrderId: d.clientOrderId,
          signalId: d.signalId,
          instrumentId: d.instrumentId,
          side: side(d.side),
          type: '',
          priceTicks: d.priceTicks,
          sizeLots: d.sizeLots,
          filledLots: 0,
          status: 'denied',
          riskDecision: 'DENIED',
          denyReason: denyReasonName(d.reasonCode),
          denyValue: d.value,
          denyLimit: d.limit,
          tsUs: d.tsExchangeUs,
        });
        return;
      }
      case MsgType.OrderAccepted:
      case MsgType.OrderCancelled:
      case MsgType.OrderUpdate: {
        const u = this.update;
        if (msgTypeId === MsgType.OrderAccepted) decodeOrderAccepted(bytes, index, u);
        else if (msgTypeId === MsgType.OrderCancelled) decodeOrderCancelled(bytes, index, u);
        else decodeOrderUpdate(bytes, index, u);
        const row = this.orders.get(u.clientOrderId);
        if (!row) return;
        row.status = STATUS[u.status] ?? String(u.status);
        row.filledLots = u.filledLots;
        if (u.status === OrderStatus.Rejected || u.status === OrderStatus.Cancelled) row.venueReason = String(u.reason);
        return;
      }
    }
  }

  private put(row: OrderRow): void {
    this.orders.set(row.clientOrderId, row);
    if (this.orders.size > MAX_ORDERS) {
      const oldest = this.orders.keys().next().value;
      if (oldest !== undefined) this.orders.delete(oldest);
    }
  }

  // ---------------------------------------------------------------- EngineView

  health(): HealthInfo {
    const s = this.engine.summary();
    return {
      ok: this.state === 'running' && s.stageErrors.length === 0,
      state: this.state,
      uptimeS: (Date.now() - this.startedMs) / 1000,
      source: this.engine.config.source,
      runId: String(this.engine.runId),
      problems: s.stageErrors,
    };
  }

  summary(): RunSummary {
    return this.engine.summary();
  }

  instruments(): InstrumentInfo[] {
    const states = this.engine.reports().sanitizer?.feedStates ?? [];
    const lastDq = new Map<number, number>();
    for (const d of this.engine.collector.recentDataQuality) lastDq.set(d.instrumentId, d.reasonCode);
    return this.engine.instruments.map((i) => ({
      id: i.id,
      symbol: i.symbol,
      tickSize: i.tickSize,
      lotSize: i.lotSize,
      contractValue: i.contractValue,
      priceDecimals: i.priceDecimals,
      sizeDecimals: i.sizeDecimals,
      feedState: FEED_STATES[states[i.id] ?? 2] ?? 'INVALID',
      feedReason: lastDq.has(i.id) ? rejectReasonName(lastDq.get(i.id)!) : undefined,
      markPriceTicks: this.engine.collector.positions.get(i.id)?.markPriceTicks,
    }));
  }

  positions(): PositionRow[] {
    const rows = this.engine.reports().execution?.positions ?? [];
    const live = this.engine.collector.positions;
    return rows.map((p) => {
      const l = live.get(p.instrumentId);
      return {
        instrumentId: p.instrumentId,
        positionLots: l?.positionLots ?? p.positionLots,
        avgEntryPriceTicks: l?.avgEntryPriceTicks ?? p.avgEntryTicks,
        markPriceTicks: l?.markPriceTicks ?? 0,
        realizedPnl: l?.realizedPnlQuote ?? p.realizedQuote,
        unrealizedPnl: l?.unrealizedPnlQuote ?? p.unrealizedQuote,
        fees: l?.feesQuote ?? p.feesQuote,
      };
    });
  }

  openOrders(): OrderRow[] {
    return [...this.orders.values()].reverse().slice(0, 200);
  }

  recentFills(limit: number): FillRow[] {
    return this.engine.collector.recentFills
      .slice(-limit)
      .reverse()
      .map((f) => ({
        fillId: f.fillId,
        clientOrderId: f.clientOrderId,
        instrumentId: f.instrumentId,
        side: side(f.side),
        priceTicks: f.priceTicks,
        sizeLots: f.sizeLots,
        liquidity: f.liquidity === 1 ? 'maker' : 'taker',
        feeQuote: f.feeQuote,
        slippageTicks: this.orders.has(f.clientOrderId) ? (f.priceTicks - this.orders.get(f.clientOrderId)!.priceTicks) * (f.side > 0 ? 1 : -1) : undefined,
        tsUs: f.tsUs,
      }));
  }

  recentSignals(limit: number): SignalRow[] {
    return this.engine.collector.recentSignals
      .slice(-limit)
      .reverse()
      .map((s) => ({
        signalId: s.signalId,
        instrumentId: s.instrumentId,
        decision: signalDecisionName(signalDecisionOf(s.reasonCode)),
        reason: signalReasonName(s.reasonCode),
        side: side(s.side),
        priceTicks: s.priceTicks,
        sizeLots: s.sizeLots,
        value: s.value,
        threshold: s.threshold,
        tsUs: s.tsUs,
      }));
  }

  /**
   * The guard's own limits and how close each is (the risk stage's 1 Hz
   * report), the trading state with its cause, and the operator's kill reason.
   */
  riskState(): RiskState {
    const s = this.engine.summary();
    const r = this.engine.reports().risk;
    const state = TRADING_STATES[this.engine.collector.tradingState] ?? (s.tradingState as RiskState['tradingState']);
    const submitted = s.orders.submitted;
    const denied = Object.values(s.orders.denied).reduce((a, b) => a + b, 0);
    const killed = r?.killed ?? false;
    const cause = r !== undefined && r.tradingStateCause !== 0 ? denyReasonName(r.tradingStateCause) : undefined;
    return {
      tradingState: state,
      killLatched: killed,
      ...(killed ? { killReason: this.engine.killReason ?? cause ?? 'kill switch' } : {}),
      ...(state !== 'ACTIVE' && cause !== undefined ? { stateReason: cause } : {}),
      limits: [
        { name: 'orders denied / submitted', value: denied, limit: Math.max(1, submitted), utilisation: submitted > 0 ? denied / submitted : 0 },
        ...(r?.limits ?? []).map((l) => ({ ...l, utilisation: l.limit > 0 ? l.value / l.limit : 0 })),
      ],
    };
  }

  latency(): LatencySeriesMap {
    const out: LatencySeriesMap = {};
    for (const [hop, h] of mergeHistograms(this.engine.reports())) {
      out[hop] = { count: h.totalCount, points: hdrPercentileSeries(h, 1 / 1000) };
    }
    return out;
  }

  runtime(): RuntimeStats {
    const s = this.engine.summary();
    const d = this.loopDelay;
    const mem = process.memoryUsage();
    return {
      rings: s.rings.map((r) => ({ ...r })),
      eventLoop: { p50Us: d.percentile(50) / 1000, p99Us: d.percentile(99) / 1000, maxUs: d.max / 1000 },
      gc: { count: this.gcCount, pauseMs: this.gcPauseMs },
      threads: this.engine.threadStats(),
      db: this.dbStats?.() ?? null,
      memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
    };
  }

  history(): HistoryRun[] | null {
    return null;
  }

  kill(reason: string): RiskState {
    if (!this.engine.kill(reason)) throw new Error('the control ring is full or the engine is not running');
    // The risk stage's report catches up within ~1 s; answer with the new state now.
    return { ...this.riskState(), tradingState: 'HALTED', killLatched: true, killReason: reason, stateReason: denyReasonName(DenyReason.ManualKill) };
  }

  rearm(reason: string): RiskState {
    if (!this.engine.rearm(reason)) throw new Error('the control ring is full or the engine is not running');
    return { tradingState: 'ACTIVE', killLatched: false, limits: this.riskState().limits };
  }
}
