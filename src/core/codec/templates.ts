/**
 * Byte-layout templates, learned once at start-up from the FlatBuffers Builder.
 *
 * Role: for every hot table, build one message with all fields present
 * (`forceDefaults(true)`) and zero values, keep the bytes, and record where
 * each field landed. Encoding is then "copy template, write fields at known
 * offsets" (encode.ts) and the result is byte-identical to what the Builder
 * would produce (checked in test/unit/codec-roundtrip.test.ts). Cold (module
 * initialisation); the exported layouts are read on the hot path.
 *
 * Layout of a finished FlatBuffers message (offsets from its first byte):
 *
 *   0: uoffset32 root ──────────────┐   (table position − 0)
 *   4: vtable  [vt bytes:u16][table bytes:u16][field k offset:u16]…
 *   T: table   [soffset32 = T − vtable][fields…]   ◄┘
 *   …  vectors (book levels): [count:u32][elements…]
 *
 * All offsets are relative, so a message copied to any 8-aligned index of a
 * larger buffer decodes unchanged once the reader is rooted at that index.
 */
import { Builder } from 'flatbuffers';
import * as B from './builder-encode.ts';
import { BookDeltas, TradeTick, LiquidationEvent, FundingRateEvent, MarkPriceEvent, BestBidOffer } from '../domain/market-events.ts';
import { OrderIntent, CancelIntent, OrderUpdate, Fill } from '../domain/orders.ts';
import {
  newStageStampSet, OrderDeniedEvent, PositionUpdateEvent, RiskEvent, SignalEvent, HeartbeatEvent, DataQualityEvent,
  type StageStampSet,
} from './carriers.ts';
import { MsgType, MSG_TYPE_LIMIT, msgTypeName } from './msg-type.ts';

export interface Layout {
  readonly msgType: MsgType;
  /** The zero-valued message; for a book, the part before the first bid level. */
  readonly template: Uint8Array;
  /** Encoded size in bytes (for a book: with zero levels). Multiple of 8. */
  readonly size: number;
  /** Table position from the message start. */
  readonly table: number;
  /** Position of field id k from the message start (-1 = absent). */
  readonly field: Int32Array;
}

function learn<T>(msgType: MsgType, build: (b: Builder, src: T, s: StageStampSet) => number, zero: T): Layout {
  const b = new Builder(256);
  const bytes = B.buildToBytes(b, build, zero, newStageStampSet());
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = dv.getUint32(0, true);
  const vt = table - dv.getInt32(table, true);
  const vtBytes = dv.getUint16(vt, true);
  const nFields = (vtBytes - 4) >> 1;
  const field = new Int32Array(nFields);
  for (let k = 0; k < nFields; k++) {
    const o = dv.getUint16(vt + 4 + 2 * k, true);
    field[k] = o === 0 ? -1 : table + o;
  }
  if (bytes.length % 8 !== 0 || field[0]! < 0 || (field[0]! & 7) !== 0) {
    throw new Error(`codec template ${msgTypeName(msgType)}: size=${bytes.length} stampsPos=${field[0]} must be 8-aligned and present`);
  }
  for (let k = 0; k < nFields; k++) {
    if (field[k]! < 0) throw new Error(`codec template ${msgTypeName(msgType)}: field ${k} absent despite forceDefaults`);
  }
  return { msgType, template: bytes, size: bytes.length, table, field };
}

export const LAYOUTS: (Layout | undefined)[] = new Array<Layout | undefined>(MSG_TYPE_LIMIT);
function reg(l: Layout): Layout {
  LAYOUTS[l.msgType] = l;
  return l;
}

export const BOOK = reg(learn(MsgType.BookDeltas, B.buildBookDeltas, new BookDeltas(0)));
export const TRADE = reg(learn(MsgType.Trade, B.buildTrade, new TradeTick()));
export const LIQUIDATION = reg(learn(MsgType.Liquidation, B.buildLiquidation, new LiquidationEvent()));
export const BBO = reg(learn(MsgType.BestBidOffer, B.buildBestBidOffer, new BestBidOffer()));
export const FUNDING = reg(learn(MsgType.FundingRate, B.buildFundingRate, new FundingRateEvent()));
export const MARK = reg(learn(MsgType.MarkPrice, B.buildMarkPrice, new MarkPriceEvent()));
export const SUBMIT = reg(learn(MsgType.SubmitOrder, B.buildSubmitOrder, new OrderIntent()));
export const CANCEL = reg(learn(MsgType.CancelOrder, B.buildCancelOrder, new CancelIntent()));
export const DENIED = reg(learn(MsgType.OrderDenied, B.buildOrderDenied, new OrderDeniedEvent()));
export const ACCEPTED = reg(learn(MsgType.OrderAccepted, B.buildOrderAccepted, new OrderUpdate()));
export const CANCELLED = reg(learn(MsgType.OrderCancelled, B.buildOrderCancelled, new OrderUpdate()));
export const UPDATE = reg(learn(MsgType.OrderUpdate, B.buildOrderUpdate, new OrderUpdate()));
export const FILLED = reg(learn(MsgType.OrderFilled, B.buildOrderFilled, new Fill()));
export const POSITION = reg(learn(MsgType.PositionUpdate, B.buildPositionUpdate, new PositionUpdateEvent()));
export const RISK = reg(learn(MsgType.RiskEvent, B.buildRiskEvent, new RiskEvent()));
export const SIGNAL = reg(learn(MsgType.Signal, B.buildSignal, new SignalEvent()));
export const HEARTBEAT = reg(learn(MsgType.Heartbeat, B.buildHeartbeat, new HeartbeatEvent()));
export const DATA_QUALITY = reg(learn(MsgType.DataQualityEvent, B.buildDataQualityEvent, new DataQualityEvent()));

// Book: the fixed part ends at the bid vector's count; levels are appended as
//   [nb:u32][nb × 16 B][pad 4][na:u32][na × 16 B]   (size = BOOK.size + 16·(nb + na))
// which is exactly where the Builder puts them (each level vector's data is
// 8-aligned, so the 4-byte pad before the ask count does not depend on nb).
const bookDv = new DataView(BOOK.template.buffer, BOOK.template.byteOffset, BOOK.template.byteLength);
/** Field ids of the bid / ask vectors in BookDeltas. */
export const BOOK_BIDS_FIELD = 7;
export const BOOK_ASKS_FIELD = 8;
/** Position of the bid count (start of the bid vector) from the message start. */
export const BOOK_BIDS_POS = BOOK.field[BOOK_BIDS_FIELD]! + bookDv.getUint32(BOOK.field[BOOK_BIDS_FIELD]!, true);
/** Position of the ask count with zero bid levels. */
export const BOOK_ASKS_POS0 = BOOK.field[BOOK_ASKS_FIELD]! + bookDv.getUint32(BOOK.field[BOOK_ASKS_FIELD]!, true);
if (BOOK_ASKS_POS0 !== BOOK_BIDS_POS + 8 || BOOK.size !== BOOK_ASKS_POS0 + 4 || (BOOK_BIDS_POS & 7) !== 4) {
  throw new Error(`codec template BookDeltas: unexpected vector layout bids=${BOOK_BIDS_POS} asks=${BOOK_ASKS_POS0} size=${BOOK.size}`);
}

/** Encoded size of a book with `nb` bid and `na` ask levels. */
export function bookSize(nb: number, na: number): number {
  return BOOK.size + 16 * (nb + na);
}
