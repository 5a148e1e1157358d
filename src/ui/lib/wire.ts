/**
 * UI-side decoding of the monitor's binary frames.
 *
 * A frame is a batch of Agrona-style records
 * `[int32 length = 8 + payload][int32 msgTypeId][FlatBuffers payload][pad to 8]`
 * (src/gateway/monitor/frame.ts). Payloads are read with the FlatBuffers
 * readers generated from schemas/fbs (the only part of the engine the UI
 * sees: its wire schema). One reused ByteBuffer-less reader object per type;
 * strings only in the cold monitor snapshots.
 * Browser main thread, called from the rAF flush of useWebSocket.
 */
import { ByteBuffer } from 'flatbuffers';
import { BookDeltas } from '../../core/codec/generated/qhft/wire/book-deltas';
import { Trade } from '../../core/codec/generated/qhft/wire/trade';
import { Liquidation } from '../../core/codec/generated/qhft/wire/liquidation';
import { MarkPrice } from '../../core/codec/generated/qhft/wire/mark-price';
import { FundingRate } from '../../core/codec/generated/qhft/wire/funding-rate';
import { BestBidOffer } from '../../core/codec/generated/qhft/wire/best-bid-offer';
import { OrderFilled } from '../../core/codec/generated/qhft/wire/order-filled';
import { OrderUpdate } from '../../core/codec/generated/qhft/wire/order-update';
import { OrderDenied } from '../../core/codec/generated/qhft/wire/order-denied';
import { Signal } from '../../core/codec/generated/qhft/wire/signal';
import { PositionUpdate } from '../../core/codec/generated/qhft/wire/position-update';
import { RiskEvent } from '../../core/codec/generated/qhft/wire/risk-event';
import { DataQualityEvent } from '../../core/codec/generated/qhft/wire/data-quality-event';
import { LatencySnapshot } from '../../core/codec/generated/qhft/wire/latency-snapshot';
import { RuntimeSnapshot } from '../../core/codec/generated/qhft/wire/runtime-snapshot';
import { SummarySnapshot } from '../../core/codec/generated/qhft/wire/summary-snapshot';

/**
 * Message type ids: the values of src/core/codec/msg-type.ts and
 * src/gateway/monitor/monitor-msg-type.ts (checked equal by
 * test/unit/monitor-wire.test.ts; the UI does not import engine modules).
 */
export const T = {
  BookDeltas: 1,
  Trade: 2,
  Liquidation: 3,
  BestBidOffer: 4,
  FundingRate: 5,
  MarkPrice: 6,
  SubmitOrder: 10,
  OrderDenied: 12,
  OrderAccepted: 13,
  OrderCancelled: 14,
  OrderUpdate: 15,
  OrderFilled: 16,
  PositionUpdate: 20,
  RiskEvent: 21,
  Signal: 22,
  Heartbeat: 23,
  DataQualityEvent: 24,
  LatencySnapshot: 40,
  RuntimeSnapshot: 41,
  SummarySnapshot: 42,
} as const;

export const TOPICS = ['book', 'trades', 'liquidations', 'orders', 'positions', 'latency', 'health'] as const;
export type Topic = (typeof TOPICS)[number];

/** Reused readers (one per type; re-rooted per record). */
export const R = {
  book: new BookDeltas(),
  trade: new Trade(),
  liq: new Liquidation(),
  mark: new MarkPrice(),
  funding: new FundingRate(),
  bbo: new BestBidOffer(),
  fill: new OrderFilled(),
  update: new OrderUpdate(),
  denied: new OrderDenied(),
  signal: new Signal(),
  position: new PositionUpdate(),
  risk: new RiskEvent(),
  dq: new DataQualityEvent(),
  latency: new LatencySnapshot(),
  runtime: new RuntimeSnapshot(),
  summary: new SummarySnapshot(),
};

/** Roots reader `obj` at the payload index `index` of `bb`. */
export function root<O extends { __init(i: number, bb: ByteBuffer): O }>(obj: O, bb: ByteBuffer, index: number): O {
  return obj.__init(index + bb.readInt32(index), bb);
}

export interface RecordVisitor {
  (msgTypeId: number, bb: ByteBuffer, index: number, length: number): void;
}

/**
 * Calls `visit` for each record of a frame. Returns the number of records,
 * or -1 if the frame is malformed (the rest is skipped, counted by the caller).
 */
export function forEachRecord(frame: ArrayBuffer, visit: RecordVisitor): number {
  const bytes = new Uint8Array(frame);
  const bb = new ByteBuffer(bytes);
  const dv = new DataView(frame);
  let off = 0;
  let n = 0;
  while (off + 8 <= bytes.length) {
    const len = dv.getInt32(off, true);
    const type = dv.getInt32(off + 4, true);
    if (len < 8 || off + len > bytes.length) return -1;
    visit(type, bb, off + 8, len - 8);
    n++;
    off = (off + len + 7) & ~7;
  }
  return off === bytes.length || off === ((bytes.length + 7) & ~7) ? n : -1;
}
