/**
 * Message type ids carried in the ring record header (`[length][msgTypeId][payload]`)
 * and the stage indices of the per-hop timestamps.
 *
 * Role: the one table that says which FlatBuffers root table (schemas/fbs) a
 * record holds. Ids are stable wire values: recordings store them, so never
 * renumber; add new types in a free slot of their group. They are ≥ 1 because
 * the ring uses -1 for padding records (Agrona's PADDING_MSG_TYPE_ID).
 * Hot for the const enums (they compile to integers); the name table is cold
 * (logs, the monitor).
 */

export const enum MsgType {
  // market data 1..9
  BookDeltas = 1,
  Trade = 2,
  Liquidation = 3,
  BestBidOffer = 4,
  FundingRate = 5,
  MarkPrice = 6,
  // order flow 10..19
  SubmitOrder = 10,
  CancelOrder = 11,
  OrderDenied = 12,
  OrderAccepted = 13,
  OrderCancelled = 14,
  OrderUpdate = 15,
  OrderFilled = 16,
  // engine state 20..29
  PositionUpdate = 20,
  RiskEvent = 21,
  Signal = 22,
  Heartbeat = 23,
  DataQualityEvent = 24,
  // cold reference data 30..39 (strings allowed)
  InstrumentDefinition = 30,
  RunInfo = 31,
  // monitor snapshots 40..49 (cold, schemas/fbs/monitor.fbs; see gateway/monitor)
  LatencySnapshot = 40,
  RuntimeSnapshot = 41,
  SummarySnapshot = 42,
}

/** One past the largest id; sizes per-type lookup tables. */
export const MSG_TYPE_LIMIT = 43;

/** Every id, in id order (tests, the monitor's legend). */
export const ALL_MSG_TYPES: readonly MsgType[] = [
  MsgType.BookDeltas, MsgType.Trade, MsgType.Liquidation, MsgType.BestBidOffer, MsgType.FundingRate,
  MsgType.MarkPrice, MsgType.SubmitOrder, MsgType.CancelOrder, MsgType.OrderDenied, MsgType.OrderAccepted,
  MsgType.OrderCancelled, MsgType.OrderUpdate, MsgType.OrderFilled, MsgType.PositionUpdate, MsgType.RiskEvent,
  MsgType.Signal, MsgType.Heartbeat, MsgType.DataQualityEvent, MsgType.InstrumentDefinition, MsgType.RunInfo,
];

const NAMES: string[] = [];
NAMES[MsgType.BookDeltas] = 'BookDeltas';
NAMES[MsgType.Trade] = 'Trade';
NAMES[MsgType.Liquidation] = 'Liquidation';
NAMES[MsgType.BestBidOffer] = 'BestBidOffer';
NAMES[MsgType.FundingRate] = 'FundingRate';
NAMES[MsgType.MarkPrice] = 'MarkPrice';
NAMES[MsgType.SubmitOrder] = 'SubmitOrder';
NAMES[MsgType.CancelOrder] = 'CancelOrder';
NAMES[MsgType.OrderDenied] = 'OrderDenied';
NAMES[MsgType.OrderAccepted] = 'OrderAccepted';
NAMES[MsgType.OrderCancelled] = 'OrderCancelled';
NAMES[MsgType.OrderUpdate] = 'OrderUpdate';
NAMES[MsgType.OrderFilled] = 'OrderFilled';
NAMES[MsgType.PositionUpdate] = 'PositionUpdate';
NAMES[MsgType.RiskEvent] = 'RiskEvent';
NAMES[MsgType.Signal] = 'Signal';
NAMES[MsgType.Heartbeat] = 'Heartbeat';
NAMES[MsgType.DataQualityEvent] = 'DataQualityEvent';
NAMES[MsgType.InstrumentDefinition] = 'InstrumentDefinition';
NAMES[MsgType.RunInfo] = 'RunInfo';
NAMES[MsgType.LatencySnapshot] = 'LatencySnapshot';
NAMES[MsgType.RuntimeSnapshot] = 'RuntimeSnapshot';
NAMES[MsgType.SummarySnapshot] = 'SummarySnapshot';

/** Name for logs; `Padding` for -1, `Unknown(<id>)` otherwise (cold: may allocate). */
export function msgTypeName(id: number): string {
  if (id === -1) return 'Padding';
  return NAMES[id] ?? `Unknown(${id})`;
}

/**
 * Index of a stage's timestamp in the StageStamps struct (byte offset 8·k)
 * and in a StageStampSet. Matches the field order in schemas/fbs/common.fbs.
 */
export const enum Stage {
  Recv = 0,
  Feed = 1,
  Sanitizer = 2,
  Strategy = 3,
  Risk = 4,
  Venue = 5,
  Writer = 6,
  Monitor = 7,
}

export const STAGE_COUNT = 8;

/** Stage names for logs and latency hop labels (`feed>sanitizer`); cold. */
export const STAGE_NAMES: readonly string[] = ['recv', 'feed', 'sanitizer', 'strategy', 'risk', 'venue', 'writer', 'monitor'];

/** Instrument id meaning "none / all instruments" (heartbeats, account-wide risk events). */
export const INSTRUMENT_NONE = 0xffffffff;
