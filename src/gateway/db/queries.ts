/**
 * Read queries over the persisted schema: the end-to-end lineage of a fill,
 * and the monitor's queries (each backed by an index in 0001_init.sql).
 *
 * Role: named SQL for the API server and tools. Owning thread: whoever
 * queries (the API server's thread, the CLI). Cold path. Portable SQL
 * (MariaDB, MySQL 8, TiDB): plain joins, no window functions needed.
 */

/**
 * One fill explained end to end: signal → order intent → risk decision →
 * venue → fill, with every stage timestamp (shared-epoch µs) and the hops
 * between them. Parameters: run_id, fill_id.
 */
export const LINEAGE_SQL = `
SELECT f.run_id, f.fill_id, i.symbol,
       s.signal_id, s.strategy_id, s.reason AS signal_reason, s.detail AS signal_detail,
       o.client_order_id, o.order_type, o.side, o.price_ticks AS order_price_ticks, o.size_lots AS order_size_lots,
       o.risk_decision, o.deny_reason, o.venue_status, o.filled_lots,
       f.price_ticks * i.tick_size AS fill_price, f.size_lots * i.lot_size AS fill_size, f.liquidity, f.fee_quote,
       s.ts_trigger_recv_us, s.ts_signal_us, o.ts_risk_us, o.ts_venue_ack_us, f.ts_fill_us,
       s.ts_signal_us - s.ts_trigger_recv_us AS trigger_to_signal_us,
       o.ts_risk_us - s.ts_signal_us AS signal_to_risk_us,
       o.ts_venue_ack_us - o.ts_risk_us AS risk_to_venue_us,
       f.ts_fill_us - f.ts_trigger_recv_us AS tick_to_fill_us
FROM fills f
JOIN orders o       ON o.run_id = f.run_id AND o.client_order_id = f.client_order_id
LEFT JOIN signals s ON s.run_id = o.run_id AND s.signal_id = o.signal_id
LEFT JOIN instruments i ON i.run_id = f.run_id AND i.instrument_id = f.instrument_id
WHERE f.run_id = ? AND f.fill_id = ?`;

/** Latest fills of a run (ix_fills_run_ts). Parameters: run_id, limit. */
export const LATEST_FILLS_SQL = `
SELECT f.fill_id, f.client_order_id, i.symbol, f.side, f.price_ticks * i.tick_size AS price,
       f.size_lots * i.lot_size AS size, f.liquidity, f.fee_quote, f.ts_fill_us
FROM fills f LEFT JOIN instruments i ON i.run_id = f.run_id AND i.instrument_id = f.instrument_id
WHERE f.run_id = ? ORDER BY f.ts_fill_us DESC, f.fill_id DESC LIMIT ?`;

/** Orders of a run, newest first (ix_orders_run_ts). Parameters: run_id, limit. */
export const ORDERS_BY_RUN_SQL = `
SELECT client_order_id, signal_id, instrument_id, side, order_type, price_ticks, size_lots,
       risk_decision, deny_reason, venue_status, venue_reason, filled_lots, ts_signal_us, ts_risk_us, ts_last_update_us
FROM orders WHERE run_id = ? ORDER BY ts_signal_us DESC, client_order_id DESC LIMIT ?`;

/** Denied orders by reason (the risk panel). Parameter: run_id. */
export const DENIES_BY_REASON_SQL = `
SELECT deny_reason, COUNT(*) AS n FROM orders WHERE run_id = ? AND risk_decision = 2 GROUP BY deny_reason ORDER BY n DESC`;

/** PnL over time, summed over instruments per snapshot (ix_positions_run_ts). Parameters: run_id, from ts_us. */
export const PNL_SERIES_SQL = `
SELECT snapshot_id, MAX(ts_us) AS ts_us, SUM(realized_pnl) AS realized_pnl, SUM(unrealized_pnl) AS unrealized_pnl,
       SUM(fees_quote) AS fees_quote, SUM(realized_pnl + unrealized_pnl - fees_quote) AS net_pnl
FROM position_snapshots WHERE run_id = ? AND ts_us >= ? GROUP BY snapshot_id ORDER BY snapshot_id`;

/** Runs, newest first (ix_runs_started). Parameter: limit. */
export const RECENT_RUNS_SQL = `
SELECT run_id, source, engine_version, config_hash, started_unix_us, ended_unix_us, exit_reason
FROM runs ORDER BY started_unix_us DESC LIMIT ?`;
