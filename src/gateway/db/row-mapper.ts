/**
 * RowMapper: turns the FlatBuffers records the engine drains from its event
 * rings (and the sampled `ui.book` records) into table rows for BatchWriter.
 *
 * Role: the writer thread's decode step. Owning thread: the writer thread
 * (one instance; not thread-safe). Warm path: one decode into a reused
 * carrier plus one small row object per row; nothing here touches I/O.
 *
 * What becomes what (ids are the engine's own, so every row is idempotent):
 * - Signal          → signals (every decision, no-trade ones with their reason code)
 * - SubmitOrder     → orders ×2: the intent columns, then the risk decision (accepted);
 *                     on events.risk a SubmitOrder is an order DRBGuard approved
 * - OrderDenied     → orders ×2: the intent columns it carries, then the denial
 * - OrderAccepted / OrderUpdate / OrderCancelled → orders: venue columns with the
 *                     per-order `venue_update_seq` main assigned (stale updates lose)
 * - OrderFilled     → fills (with client_order_id: fill → order → signal lineage)
 * - PositionUpdate  → position_snapshots: every instrument's latest position,
 *                     snapshot_id = the record's seq (one snapshot per change)
 * - RiskEvent       → risk_events (event_id = seq; state_from tracked here)
 * - DataQualityEvent→ dq_events (event_id = seq)
 * - ui.book BookDeltas / BestBidOffer → book_samples (sample_id = seq),
 *   Trade → market_trades (exchange trade id), Liquidation → liquidations (id = seq)
 * - stage reports   → latency_summaries, one row per hop (latest wins)
 *
 * Timestamps. The engine's logic times (signal decision, venue, fill; Unix µs,
 * simulated under --clock sim) are stored as `ts - epoch_unix_us`, with
 * `runs.epoch_unix_us` = the engine's shared epoch under --clock wall and the
 * simulated start under --clock sim, so "add epoch_unix_us to get Unix µs"
 * holds in both modes. Stage stamps (trigger receive, risk decision) are
 * shared-epoch wall-clock µs: under --clock wall both kinds are on one clock
 * and the LINEAGE_SQL hop columns are real latencies; under --clock sim the
 * stamps stay on the wall clock and only the simulated times are comparable.
 */
import * as hdr from 'hdr-histogram-js';
import {
  MsgType,
  Stage,
  DataQualityEvent,
  OrderDeniedEvent,
  PositionUpdateEvent,
  RiskEvent,
  SignalEvent,
  INSTRUMENT_NONE,
  decodeBestBidOffer,
  decodeBookDeltas,
  decodeDataQualityEvent,
  decodeLiquidation,
  decodeOrderAccepted,
  decodeOrderCancelled,
  decodeOrderDenied,
  decodeOrderFilled,
  decodeOrderUpdate,
  decodePositionUpdate,
  decodeRiskEvent,
  decodeSignal,
  decodeSubmitOrder,
  decodeTrade,
  newStageStampSet,
} from '../../core/codec/index.ts';
import { BestBidOffer, BookDeltas, LiquidationEvent, TradeTick } from '../../core/domain/market-events.ts';
import { Fill, OrderIntent, OrderUpdate } from '../../core/domain/orders.ts';
import { newLatencyHistogram } from '../../core/engine/stages/hop-latency.ts';
import { rejectReasonName } from '../../core/sanitizer/index.ts';
import { signalDecisionOf, signalReasonName } from '../../core/strategies/signal.ts';
import { denyReasonName } from '../../risk/index.ts';
import { RISK_ACCEPTED, RISK_DENIED, type LatencySummaryRow, type OrderRow, type RowsByTable, type TableName } from './row-types.ts';

export interface RowSink {
  write<T extends TableName>(table: T, row: RowsByTable[T]): void;
}

const RISK_EVENT_KINDS: Record<number, string> = {
  1: 'STATE_CHANGE',
  2: 'KILL_SWITCH',
  3: 'REARMED',
  4: 'ORDER_THROTTLE',
  5: 'CANCEL_THROTTLE',
  6: 'REPEATED_EXECUTION',
  7: 'REJECT_STORM',
  8: 'NEW_DAY',
};

export function riskEventKind(code: number): string {
  return RISK_EVENT_KINDS[code] ?? `CODE_${code}`;
}

const nz = (x: number): number | null => (x === 0 || !Number.isFinite(x) ? null : x);
const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(8));

interface PositionState {
  ts: number;
  lots: number;
  avg: number;
  mark: number;
  realized: number;
  unrealized: number;
  fees: number;
}

export class RowMapper {
  readonly runId: number;
  /** Rows produced, by table. */
  readonly rowsByTable: Record<string, number> = {};
  private readonly epochUnixUs: number;
  private readonly wallEpochUnixUs: number;
  private readonly stamps = newStageStampSet();
  private readonly signal = new SignalEvent();
  private readonly intent = new OrderIntent();
  private readonly denied = new OrderDeniedEvent();
  private readonly update = new OrderUpdate();
  private readonly fill = new Fill();
  private readonly position = new PositionUpdateEvent();
  private readonly risk = new RiskEvent();
  private readonly dq = new DataQualityEvent();
  private readonly book = new BookDeltas();
  private readonly bbo = new BestBidOffer();
  private readonly trade = new TradeTick();
  private readonly liq = new LiquidationEvent();
  private readonly positions = new Map<number, PositionState>();
  /** Last trading state seen (null: unknown, e.g. after a writer restart mid-run). */
  private tradingState: number | null;

  /**
   * @param epochUnixUs subtracted from logic times (see the header)
   * @param wallEpochUnixUs Unix µs of the shared wall-clock epoch (stage stamps)
   * @param freshRun true when the writer starts with the run (trading state ACTIVE is known)
   */
  constructor(runId: number, epochUnixUs: number, wallEpochUnixUs: number, freshRun: boolean) {
    this.runId = runId;
    this.epochUnixUs = epochUnixUs;
    this.wallEpochUnixUs = wallEpochUnixUs;
    this.tradingState = freshRun ? 0 : null;
  }

  private emit<T extends TableName>(sink: RowSink, table: T, row: RowsByTable[T]): void {
    this.rowsByTable[table] = (this.rowsByTable[table] ?? 0) + 1;
    sink.write(table, row);
  }

  private logic(ts: number): number {
    return ts > 0 ? Math.round(ts - this.epochUnixUs) : 0;
  }

  private stamp(stage: Stage): number | null {
    const v = this.stamps[stage]!;
    return v > 0 ? Math.round(v) : null;
  }

  /** Maps one record (FlatBuffers payload at `index`). Returns the number of rows written. */
  map(msgTypeId: number, bytes: Uint8Array, index: number, seq: number, aux: number, sink: RowSink): number {
    const run = this.runId;
    const st = this.stamps;
    switch (msgTypeId) {
      case MsgType.Signal: {
        const s = this.signal;
        decodeSignal(bytes, index, s, st);
        this.emit(sink, 'signals', {
          run_id: run, signal_id: s.signalId, strategy_id: s.strategyId, instrument_id: s.instrumentId,
          action: signalDecisionOf(s.reasonCode), side: (s.side as number) === 0 ? null : s.side, price_ticks: nz(s.priceTicks), size_lots: nz(s.sizeLots),
          reason: signalReasonName(s.reasonCode), detail: `value=${fmt(s.value)} threshold=${fmt(s.threshold)}`,
          ts_trigger_recv_us: Math.round(s.tsTriggerRecvUs), ts_signal_us: this.logic(s.tsExchangeUs),
        });
        return 1;
      }
      case MsgType.SubmitOrder: {
        const o = this.intent;
        decodeSubmitOrder(bytes, index, o, st);
        const intent = emptyOrder(run, o.clientOrderId);
        intent.signal_id = o.signalId;
        intent.strategy_id = o.strategyId;
        intent.instrument_id = o.instrumentId;
        intent.side = o.side;
        intent.order_type = o.type;
        intent.price_ticks = o.priceTicks;
        intent.size_lots = o.sizeLots;
        intent.reduce_only = o.reduceOnly ? 1 : 0;
        intent.ts_trigger_recv_us = nz(Math.round(o.tsTriggerRecvUs));
        intent.ts_signal_us = nz(this.logic(o.tsSignalUs));
        this.emit(sink, 'orders', intent);
        const risk = emptyOrder(run, o.clientOrderId);
        risk.risk_decision = RISK_ACCEPTED;
        risk.ts_risk_us = this.stamp(Stage.Risk);
        this.emit(sink, 'orders', risk);
        return 2;
      }
      case MsgType.OrderDenied: {
        const d = this.denied;
        decodeOrderDenied(bytes, index, d, st);
        const intent = emptyOrder(run, d.clientOrderId);
        intent.signal_id = d.signalId;
        intent.strategy_id = d.strategyId;
        intent.instrument_id = d.instrumentId;
        intent.side = d.side;
        intent.price_ticks = d.priceTicks;
        intent.size_lots = d.sizeLots;
        intent.ts_trigger_recv_us = this.stamp(Stage.Recv);
        this.emit(sink, 'orders', intent);
        const risk = emptyOrder(run, d.clientOrderId);
        risk.risk_decision = RISK_DENIED;
        risk.deny_reason = denyReasonName(d.reasonCode);
        risk.deny_detail = `value=${fmt(d.value)} limit=${fmt(d.limit)}`;
        risk.ts_risk_us = this.stamp(Stage.Risk);
        this.emit(sink, 'orders', risk);
        return 2;
      }
      case MsgType.OrderAccepted:
      case MsgType.OrderUpdate:
      case MsgType.OrderCancelled: {
        const u = this.update;
        if (msgTypeId === MsgType.OrderAccepted) decodeOrderAccepted(bytes, index, u);
        else if (msgTypeId === MsgType.OrderCancelled) decodeOrderCancelled(bytes, index, u);
        else decodeOrderUpdate(bytes, index, u);
        const ts = this.logic(u.tsUs);
        const v = emptyOrder(run, u.clientOrderId);
        v.venue_status = u.status;
        v.venue_reason = u.reason;
        v.filled_lots = u.filledLots;
        v.venue_update_seq = aux > 0 ? aux : null;
        v.ts_venue_ack_us = aux === 1 ? ts : null;
        v.ts_last_update_us = ts;
        this.emit(sink, 'orders', v);
        return 1;
      }
      case MsgType.OrderFilled: {
        const f = this.fill;
        decodeOrderFilled(bytes, index, f);
        this.emit(sink, 'fills', {
          run_id: run, fill_id: f.fillId, client_order_id: f.clientOrderId, instrument_id: f.instrumentId, side: f.side,
          price_ticks: f.priceTicks, size_lots: f.sizeLots, liquidity: f.liquidity, fee_quote: f.feeQuote,
          ts_trigger_recv_us: Math.round(f.tsTriggerRecvUs), ts_fill_us: this.logic(f.tsUs),
        });
        return 1;
      }
      case MsgType.PositionUpdate: {
        const p = this.position;
        decodePositionUpdate(bytes, index, p);
        this.positions.set(p.instrumentId, {
          ts: this.logic(p.tsExchangeUs), lots: p.positionLots, avg: p.avgEntryPriceTicks, mark: p.markPriceTicks,
          realized: p.realizedPnlQuote, unrealized: p.unrealizedPnlQuote, fees: p.feesQuote,
        });
        const ts = this.logic(p.tsExchangeUs);
        let n = 0;
        for (const [id, x] of this.positions) {
          this.emit(sink, 'position_snapshots', {
            run_id: run, snapshot_id: seq, instrument_id: id, ts_us: ts, position_lots: x.lots,
            avg_entry_ticks: x.lots === 0 ? null : nz(x.avg), mark_ticks: nz(x.mark),
            realized_pnl: x.realized, unrealized_pnl: x.unrealized, fees_quote: x.fees,
          });
          n++;
        }
        return n;
      }
      case MsgType.RiskEvent: {
        const r = this.risk;
        decodeRiskEvent(bytes, index, r, st);
        const kind = riskEventKind(r.code);
        this.emit(sink, 'risk_events', {
          run_id: run, event_id: seq, ts_us: this.logic(r.tsExchangeUs), kind,
          instrument_id: r.instrumentId === INSTRUMENT_NONE ? null : r.instrumentId, client_order_id: null,
          state_from: this.tradingState, state_to: r.tradingState, reason: kind, value: r.value, limit_value: r.limit, detail: null,
        });
        this.tradingState = r.tradingState;
        return 1;
      }
      case MsgType.DataQualityEvent: {
        const d = this.dq;
        decodeDataQualityEvent(bytes, index, d, st);
        this.emit(sink, 'dq_events', {
          run_id: run, event_id: seq, ts_us: this.logic(d.tsExchangeUs), instrument_id: d.instrumentId,
          kind: rejectReasonName(d.reasonCode), feed_state: d.state, seq_expected: null, seq_got: null, value: d.value,
          detail: `prev_state=${d.prevState}`,
        });
        return 1;
      }
      case MsgType.BookDeltas: {
        const b = this.book;
        if (!decodeBookDeltas(bytes, index, b, st)) return 0;
        const ts = this.stamp(Stage.Sanitizer) ?? this.stamp(Stage.Recv) ?? 0;
        this.emit(sink, 'book_samples', {
          run_id: run, instrument_id: b.instrumentId, sample_id: seq,
          ts_exchange_unix_us: Math.round(b.tsExchangeUs > 0 ? b.tsExchangeUs : this.wallEpochUnixUs + ts), ts_recv_us: ts,
          bid_ticks: b.bidCount > 0 ? b.bidPriceTicks[0]! : null, bid_lots: b.bidCount > 0 ? b.bidSizeLots[0]! : null,
          ask_ticks: b.askCount > 0 ? b.askPriceTicks[0]! : null, ask_lots: b.askCount > 0 ? b.askSizeLots[0]! : null, feed_state: 0,
        });
        return 1;
      }
      case MsgType.BestBidOffer: {
        const b = this.bbo;
        decodeBestBidOffer(bytes, index, b, st);
        const ts = this.stamp(Stage.Sanitizer) ?? Math.round(b.tsRecvUs);
        this.emit(sink, 'book_samples', {
          run_id: run, instrument_id: b.instrumentId, sample_id: seq,
          ts_exchange_unix_us: Math.round(b.tsExchangeUs > 0 ? b.tsExchangeUs : this.wallEpochUnixUs + ts), ts_recv_us: ts,
          bid_ticks: nz(b.bidPriceTicks), bid_lots: nz(b.bidSizeLots), ask_ticks: nz(b.askPriceTicks), ask_lots: nz(b.askSizeLots), feed_state: 0,
        });
        return 1;
      }
      case MsgType.Trade: {
        const t = this.trade;
        decodeTrade(bytes, index, t, st);
        this.emit(sink, 'market_trades', {
          run_id: run, instrument_id: t.instrumentId, trade_id: t.tradeId > 0 ? t.tradeId : seq,
          ts_exchange_unix_us: Math.round(t.tsExchangeUs), ts_recv_us: Math.round(t.tsRecvUs),
          price_ticks: t.priceTicks, size_lots: t.sizeLots, aggressor_side: t.aggressorSide,
        });
        return 1;
      }
      case MsgType.Liquidation: {
        const l = this.liq;
        decodeLiquidation(bytes, index, l, st);
        this.emit(sink, 'liquidations', {
          run_id: run, liquidation_id: seq, instrument_id: l.instrumentId, ts_exchange_unix_us: Math.round(l.tsExchangeUs),
          ts_recv_us: Math.round(l.tsRecvUs), side: l.side, price_ticks: l.priceTicks, size_lots: l.sizeLots,
        });
        return 1;
      }
      default:
        return 0;
    }
  }

  /**
   * One latency_summaries row per hop from the stages' reports (each a map of
   * hop → compressed HDR histogram in ns). `tsUs` orders the rewrites (latest wins).
   */
  latencyRows(hopReports: readonly Record<string, string>[], tsUs: number): LatencySummaryRow[] {
    const merged = new Map<string, hdr.Histogram>();
    for (const hops of hopReports) {
      for (const [hop, encoded] of Object.entries(hops)) {
        let h = merged.get(hop);
        if (h === undefined) merged.set(hop, (h = newLatencyHistogram()));
        h.add(hdr.decodeFromCompressedBase64(encoded, 64, false));
      }
    }
    const rows: LatencySummaryRow[] = [];
    for (const [hop, h] of merged) {
      if (h.totalCount === 0) continue;
      rows.push({
        run_id: this.runId, hop: hop === 'tickToTrade' ? 'tick>trade' : hop, ts_us: Math.round(tsUs), unit: 'ns', sample_count: h.totalCount,
        p50: h.getValueAtPercentile(50), p90: h.getValueAtPercentile(90), p99: h.getValueAtPercentile(99), p999: h.getValueAtPercentile(99.9),
        p_max: h.maxValue, mean: h.mean, co_corrected: 0, hdr_base64: hdr.encodeIntoCompressedBase64(h),
      });
    }
    return rows;
  }
}

export function emptyOrder(runId: number, clientOrderId: number): OrderRow {
  return {
    run_id: runId, client_order_id: clientOrderId, signal_id: null, strategy_id: null, instrument_id: null, side: null,
    order_type: null, price_ticks: null, size_lots: null, reduce_only: null, ts_trigger_recv_us: null, ts_signal_us: null,
    risk_decision: null, deny_reason: null, deny_detail: null, ts_risk_us: null, venue_status: null, venue_reason: null,
    filled_lots: null, venue_update_seq: null, ts_venue_ack_us: null, ts_last_update_us: null,
  };
}
