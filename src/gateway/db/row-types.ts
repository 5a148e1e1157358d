/**
 * Plain row shapes, one per table of schemas/sql (keys = column names).
 *
 * Role: the contract between whoever builds rows (the writer thread, from
 * ring messages) and the batch writer. Owning thread: the writer thread.
 * Cold path: one small object per row, built off the engine's hot threads.
 *
 * Units follow the schema: prices are integer ticks, sizes integer lots,
 * `ts_*_us` shared-epoch µs (core/clock.ts), `*_unix_us` Unix µs, quote
 * amounts in quote currency. Ids are engine-generated and unique per run.
 * `null` means "not known / not mine" (orders: each stage sends only its own
 * columns and the upsert merges them).
 */

export interface RunRow {
  run_id: number;
  config_hash: string;
  source: string;
  engine_version: string;
  topology: string | null;
  clock_mode: string | null;
  seed: number | null;
  host: string | null;
  epoch_unix_us: number;
  started_unix_us: number;
  /** Sent on the end-of-run row; the start row sends null. */
  ended_unix_us: number | null;
  exit_reason: string | null;
  config_json: string | null;
  summary_json: string | null;
}

export interface InstrumentRow {
  run_id: number;
  instrument_id: number;
  symbol: string;
  tick_size: number;
  lot_size: number;
  contract_value: number;
  min_size_lots: number;
  price_decimals: number;
  size_decimals: number;
  maker_fee_bps: number;
  taker_fee_bps: number;
}

/** Signal actions. */
export const SIGNAL_NO_TRADE = 0;
export const SIGNAL_ENTER = 1;
export const SIGNAL_EXIT = 2;
export const SIGNAL_CANCEL = 3;

export interface SignalRow {
  run_id: number;
  signal_id: number;
  strategy_id: number;
  instrument_id: number;
  /** SIGNAL_NO_TRADE … SIGNAL_CANCEL. */
  action: number;
  side: number | null;
  price_ticks: number | null;
  size_lots: number | null;
  /** Stable reason code, e.g. `LIQ_BURST` or `NO_TRADE_SPREAD`. */
  reason: string;
  detail: string | null;
  ts_trigger_recv_us: number;
  ts_signal_us: number;
}

/** Risk decisions. */
export const RISK_ACCEPTED = 1;
export const RISK_DENIED = 2;

/**
 * One order, merged from three stages. The strategy sends the intent columns,
 * DRBGuard the risk_* / deny_* columns, the venue the venue_* columns with a
 * per-order `venue_update_seq` (1, 2, …); everything else null.
 */
export interface OrderRow {
  run_id: number;
  client_order_id: number;
  signal_id: number | null;
  strategy_id: number | null;
  instrument_id: number | null;
  side: number | null;
  order_type: number | null;
  price_ticks: number | null;
  size_lots: number | null;
  reduce_only: number | null;
  ts_trigger_recv_us: number | null;
  ts_signal_us: number | null;
  risk_decision: number | null;
  deny_reason: string | null;
  deny_detail: string | null;
  ts_risk_us: number | null;
  venue_status: number | null;
  venue_reason: number | null;
  filled_lots: number | null;
  venue_update_seq: number | null;
  ts_venue_ack_us: number | null;
  ts_last_update_us: number | null;
}

export interface FillRow {
  run_id: number;
  fill_id: number;
  client_order_id: number;
  instrument_id: number;
  side: number;
  price_ticks: number;
  size_lots: number;
  liquidity: number;
  fee_quote: number;
  ts_trigger_recv_us: number;
  ts_fill_us: number;
}

export interface PositionSnapshotRow {
  run_id: number;
  snapshot_id: number;
  instrument_id: number;
  ts_us: number;
  position_lots: number;
  avg_entry_ticks: number | null;
  mark_ticks: number | null;
  realized_pnl: number;
  unrealized_pnl: number;
  fees_quote: number;
}

export interface RiskEventRow {
  run_id: number;
  event_id: number;
  ts_us: number;
  kind: string;
  instrument_id: number | null;
  client_order_id: number | null;
  state_from: number | null;
  state_to: number | null;
  reason: string;
  value: number | null;
  limit_value: number | null;
  detail: string | null;
}

export interface DqEventRow {
  run_id: number;
  event_id: number;
  ts_us: number;
  instrument_id: number;
  kind: string;
  feed_state: number;
  seq_expected: number | null;
  seq_got: number | null;
  value: number | null;
  detail: string | null;
}

export interface LatencySummaryRow {
  run_id: number;
  hop: string;
  ts_us: number;
  unit: 'us' | 'ns';
  sample_count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  p_max: number;
  mean: number;
  co_corrected: number;
  /** hdr-histogram-js `encodeIntoCompressedBase64()`. */
  hdr_base64: string;
}

export interface BookSampleRow {
  run_id: number;
  instrument_id: number;
  sample_id: number;
  ts_exchange_unix_us: number;
  ts_recv_us: number;
  bid_ticks: number | null;
  bid_lots: number | null;
  ask_ticks: number | null;
  ask_lots: number | null;
  feed_state: number;
}

export interface MarketTradeRow {
  run_id: number;
  instrument_id: number;
  trade_id: number;
  ts_exchange_unix_us: number;
  ts_recv_us: number;
  price_ticks: number;
  size_lots: number;
  aggressor_side: number;
}

export interface LiquidationRow {
  run_id: number;
  liquidation_id: number;
  instrument_id: number;
  ts_exchange_unix_us: number;
  ts_recv_us: number;
  side: number;
  price_ticks: number;
  size_lots: number;
}

/** Table name → row shape. */
export interface RowsByTable {
  runs: RunRow;
  instruments: InstrumentRow;
  signals: SignalRow;
  orders: OrderRow;
  fills: FillRow;
  position_snapshots: PositionSnapshotRow;
  risk_events: RiskEventRow;
  dq_events: DqEventRow;
  latency_summaries: LatencySummaryRow;
  book_samples: BookSampleRow;
  market_trades: MarketTradeRow;
  liquidations: LiquidationRow;
}

export type TableName = keyof RowsByTable;
