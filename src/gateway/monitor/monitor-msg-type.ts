/**
 * Monitor-only message type ids (schemas/fbs/monitor.fbs) and the topic each
 * record type is published on.
 *
 * Role: extends src/core/codec/msg-type.ts with the cold snapshot tables that
 * only the monitor produces (ids ≥ 40, the "monitor" group). Stable wire
 * values: the browser switches on them. To be folded into msg-type.ts by the
 * lead; until then the ids here must stay free there.
 * Owning thread: any. Hot for the const enum, cold for the tables.
 */
import { MsgType } from '../../core/codec/msg-type.ts';

export const enum MonitorMsgType {
  /** Per-hop + tick-to-trade percentile series (monitor.fbs LatencySnapshot). */
  LatencySnapshot = 40,
  /** Rings, event loop, GC, threads, DB writer (monitor.fbs RuntimeSnapshot). */
  RuntimeSnapshot = 41,
  /** Headline counters, PnL and risk state (monitor.fbs SummarySnapshot). */
  SummarySnapshot = 42,
}

/** One past the largest id the monitor knows (sizes per-type tables). */
export const MONITOR_MSG_TYPE_LIMIT = 43;

/** The uWS pub/sub topics of /ws. */
export const TOPICS = ['book', 'trades', 'liquidations', 'orders', 'positions', 'latency', 'health'] as const;
export type Topic = (typeof TOPICS)[number];

export const enum TopicId {
  Book = 0,
  Trades = 1,
  Liquidations = 2,
  Orders = 3,
  Positions = 4,
  Latency = 5,
  Health = 6,
}
export const TOPIC_COUNT = 7;

export function topicId(name: string): number {
  return (TOPICS as readonly string[]).indexOf(name);
}

const TOPIC_OF: Int8Array = (() => {
  const t = new Int8Array(MONITOR_MSG_TYPE_LIMIT).fill(-1);
  t[MsgType.BookDeltas] = TopicId.Book;
  t[MsgType.BestBidOffer] = TopicId.Book;
  t[MsgType.MarkPrice] = TopicId.Book;
  t[MsgType.FundingRate] = TopicId.Book;
  t[MsgType.Trade] = TopicId.Trades;
  t[MsgType.Liquidation] = TopicId.Liquidations;
  t[MsgType.SubmitOrder] = TopicId.Orders;
  t[MsgType.OrderDenied] = TopicId.Orders;
  t[MsgType.OrderAccepted] = TopicId.Orders;
  t[MsgType.OrderCancelled] = TopicId.Orders;
  t[MsgType.OrderUpdate] = TopicId.Orders;
  t[MsgType.OrderFilled] = TopicId.Orders;
  t[MsgType.Signal] = TopicId.Orders;
  t[MsgType.PositionUpdate] = TopicId.Positions;
  t[MonitorMsgType.SummarySnapshot] = TopicId.Positions;
  t[MonitorMsgType.LatencySnapshot] = TopicId.Latency;
  t[MsgType.RiskEvent] = TopicId.Health;
  t[MsgType.DataQualityEvent] = TopicId.Health;
  t[MsgType.Heartbeat] = TopicId.Health;
  t[MonitorMsgType.RuntimeSnapshot] = TopicId.Health;
  return t;
})();

/** The topic a record type goes to, or -1 when the monitor does not forward it. */
export function topicOfMsgType(msgTypeId: number): number {
  return msgTypeId > 0 && msgTypeId < MONITOR_MSG_TYPE_LIMIT ? TOPIC_OF[msgTypeId]! : -1;
}

const COALESCED: Uint8Array = (() => {
  const t = new Uint8Array(MONITOR_MSG_TYPE_LIMIT);
  for (const id of [
    MsgType.BookDeltas, MsgType.BestBidOffer, MsgType.MarkPrice, MsgType.FundingRate, MsgType.PositionUpdate,
    MsgType.Heartbeat, MonitorMsgType.LatencySnapshot, MonitorMsgType.RuntimeSnapshot, MonitorMsgType.SummarySnapshot,
  ]) t[id] = 1;
  return t;
})();

/**
 * True for state-like records where only the latest per instrument matters
 * (book snapshots, BBO, mark, funding, positions, snapshots): the publisher
 * keeps one per (type, instrument) and sends it at the flush rate. Event-like
 * records (trades, fills, orders, signals, risk and data-quality events) are
 * batched instead, never coalesced.
 */
export function isCoalesced(msgTypeId: number): boolean {
  return msgTypeId > 0 && msgTypeId < MONITOR_MSG_TYPE_LIMIT && COALESCED[msgTypeId] === 1;
}
