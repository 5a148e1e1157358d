-- Quantum HFT — migration 0001: initial schema.
--
-- Applied by `qhft migrate` (src/gateway/db/migrate.ts), which records the
-- version and this file's SHA-256 in `schema_migrations`. It can also be run
-- by hand:   mariadb -h127.0.0.1 -uroot mydb < schemas/sql/0001_init.sql
-- Every statement is `CREATE TABLE IF NOT EXISTS`, so running it by hand and
-- then `qhft migrate` is safe. Never edit an applied file: add 0002_*.sql.
--
-- Portability: MariaDB 10.11, MySQL 8 and TiDB. Only BIGINT, INT, TINYINT,
-- DOUBLE, VARCHAR, TEXT/MEDIUMTEXT and DATETIME(6); InnoDB, utf8mb4 with
-- utf8mb4_bin (present on all three, TiDB's default; symbols and reason codes
-- are case-sensitive ASCII). No AUTO_INCREMENT: every id comes from the engine,
-- unique per run, so the primary key (run_id, <id>) makes a retried or replayed
-- insert a no-op instead of a duplicate (RISK-CONTROLS.md §3, Jepsen lesson).
-- No foreign keys: the writer commits tables in any order and replays a
-- journal; lineage is by id, checked by queries, not by constraints.
--
-- Units: prices are integer ticks, sizes integer lots (instruments holds the
-- steps). Columns named ts_*_us are the engine's shared-epoch microseconds
-- (core/clock.ts; simulated time under --clock sim); add runs.epoch_unix_us to
-- get Unix µs. Columns named *_unix_us are Unix µs. Quote amounts are DOUBLE.

CREATE TABLE IF NOT EXISTS runs (
  run_id            BIGINT       NOT NULL,
  config_hash       VARCHAR(64)  NOT NULL,
  source            VARCHAR(16)  NOT NULL,          -- synthetic | okx | replay
  engine_version    VARCHAR(32)  NOT NULL,
  topology          VARCHAR(16)  NULL,              -- dedicated | fused
  clock_mode        VARCHAR(8)   NULL,              -- wall | sim
  seed              BIGINT       NULL,
  host              VARCHAR(255) NULL,
  epoch_unix_us     BIGINT       NOT NULL,          -- Unix µs of shared-epoch 0
  started_unix_us   BIGINT       NOT NULL,
  ended_unix_us     BIGINT       NULL,              -- NULL while running
  exit_reason       VARCHAR(64)  NULL,
  config_json       MEDIUMTEXT   NULL,
  summary_json      MEDIUMTEXT   NULL,              -- the --summary-json document at exit
  PRIMARY KEY (run_id),
  KEY ix_runs_started (started_unix_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS instruments (
  run_id            BIGINT       NOT NULL,
  instrument_id     INT UNSIGNED NOT NULL,          -- the uint32 wire id, dense per run
  symbol            VARCHAR(64)  NOT NULL,
  tick_size         DOUBLE       NOT NULL,
  lot_size          DOUBLE       NOT NULL,
  contract_value    DOUBLE       NOT NULL,
  min_size_lots     BIGINT       NOT NULL,
  price_decimals    TINYINT      NOT NULL,
  size_decimals     TINYINT      NOT NULL,
  maker_fee_bps     DOUBLE       NOT NULL,
  taker_fee_bps     DOUBLE       NOT NULL,
  PRIMARY KEY (run_id, instrument_id),
  KEY ix_instruments_symbol (symbol)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per strategy decision, including decisions NOT to trade (action = 0)
-- with the reason, so "why did it not trade?" is a query.
CREATE TABLE IF NOT EXISTS signals (
  run_id              BIGINT       NOT NULL,
  signal_id           BIGINT       NOT NULL,
  strategy_id         INT          NOT NULL,
  instrument_id       INT UNSIGNED NOT NULL,
  action              TINYINT      NOT NULL,        -- 0 no trade, 1 enter, 2 exit, 3 cancel
  side                TINYINT      NULL,            -- 1 buy, -1 sell
  price_ticks         BIGINT       NULL,
  size_lots           BIGINT       NULL,
  reason              VARCHAR(64)  NOT NULL,        -- stable code, e.g. LIQ_BURST, NO_TRADE_SPREAD
  detail              VARCHAR(255) NULL,
  ts_trigger_recv_us  BIGINT       NOT NULL,        -- receive time of the triggering event
  ts_signal_us        BIGINT       NOT NULL,        -- strategy decision time
  PRIMARY KEY (run_id, signal_id),
  KEY ix_signals_run_ts (run_id, ts_signal_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per order, merged from three stages (each sends only its columns;
-- NULL = "not mine"): strategy intent → DRBGuard decision → venue state.
CREATE TABLE IF NOT EXISTS orders (
  run_id              BIGINT       NOT NULL,
  client_order_id     BIGINT       NOT NULL,
  signal_id           BIGINT       NULL,            -- lineage: signals.signal_id (0 = none)
  strategy_id         INT          NULL,
  instrument_id       INT UNSIGNED NULL,
  side                TINYINT      NULL,
  order_type          TINYINT      NULL,            -- 1 limit, 2 market, 3 ioc, 4 post-only
  price_ticks         BIGINT       NULL,
  size_lots           BIGINT       NULL,
  reduce_only         TINYINT      NULL,
  ts_trigger_recv_us  BIGINT       NULL,
  ts_signal_us        BIGINT       NULL,
  risk_decision       TINYINT      NULL,            -- 1 accepted, 2 denied
  deny_reason         VARCHAR(64)  NULL,            -- DRBGuard reason code when denied
  deny_detail         VARCHAR(255) NULL,
  ts_risk_us          BIGINT       NULL,
  venue_status        TINYINT      NULL,            -- OrderStatus: 1 accepted … 6 unknown
  venue_reason        TINYINT      NULL,            -- VenueReason
  filled_lots         BIGINT       NULL,
  venue_update_seq    INT          NULL,            -- per-order update counter; stale updates lose
  ts_venue_ack_us     BIGINT       NULL,            -- first venue answer
  ts_last_update_us   BIGINT       NULL,
  PRIMARY KEY (run_id, client_order_id),
  KEY ix_orders_run_ts (run_id, ts_signal_us),
  KEY ix_orders_run_status (run_id, venue_status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS fills (
  run_id              BIGINT       NOT NULL,
  fill_id             BIGINT       NOT NULL,
  client_order_id     BIGINT       NOT NULL,        -- lineage: orders.client_order_id
  instrument_id       INT UNSIGNED NOT NULL,
  side                TINYINT      NOT NULL,
  price_ticks         BIGINT       NOT NULL,
  size_lots           BIGINT       NOT NULL,
  liquidity           TINYINT      NOT NULL,        -- 1 maker, 2 taker
  fee_quote           DOUBLE       NOT NULL,        -- positive = paid
  ts_trigger_recv_us  BIGINT       NOT NULL,
  ts_fill_us          BIGINT       NOT NULL,
  PRIMARY KEY (run_id, fill_id),
  KEY ix_fills_run_ts (run_id, ts_fill_us),
  KEY ix_fills_order (run_id, client_order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Position and PnL per instrument, sampled at a fixed rate (snapshot_id is the
-- engine's snapshot counter; all instruments of one snapshot share it).
CREATE TABLE IF NOT EXISTS position_snapshots (
  run_id              BIGINT       NOT NULL,
  snapshot_id         BIGINT       NOT NULL,
  instrument_id       INT UNSIGNED NOT NULL,
  ts_us               BIGINT       NOT NULL,
  position_lots       BIGINT       NOT NULL,        -- signed: + long, - short
  avg_entry_ticks     DOUBLE       NULL,
  mark_ticks          DOUBLE       NULL,
  realized_pnl        DOUBLE       NOT NULL,
  unrealized_pnl      DOUBLE       NOT NULL,
  fees_quote          DOUBLE       NOT NULL,
  PRIMARY KEY (run_id, snapshot_id, instrument_id),
  KEY ix_positions_run_ts (run_id, ts_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS risk_events (
  run_id              BIGINT       NOT NULL,
  event_id            BIGINT       NOT NULL,
  ts_us               BIGINT       NOT NULL,
  kind                VARCHAR(32)  NOT NULL,        -- STATE_CHANGE | KILL_SWITCH | LIMIT_BREACH | DENY ...
  instrument_id       INT UNSIGNED NULL,
  client_order_id     BIGINT       NULL,
  state_from          TINYINT      NULL,            -- TradingState
  state_to            TINYINT      NULL,
  reason              VARCHAR(64)  NOT NULL,
  value               DOUBLE       NULL,            -- measured value that tripped
  limit_value         DOUBLE       NULL,
  detail              VARCHAR(255) NULL,
  PRIMARY KEY (run_id, event_id),
  KEY ix_risk_run_ts (run_id, ts_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS dq_events (
  run_id              BIGINT       NOT NULL,
  event_id            BIGINT       NOT NULL,
  ts_us               BIGINT       NOT NULL,
  instrument_id       INT UNSIGNED NOT NULL,
  kind                VARCHAR(32)  NOT NULL,        -- GAP | DUP | CROSSED | STALE | SKEW | SPIKE | RESYNC ...
  feed_state          TINYINT      NOT NULL,        -- FeedState after the event
  seq_expected        BIGINT       NULL,
  seq_got             BIGINT       NULL,
  value               DOUBLE       NULL,
  detail              VARCHAR(255) NULL,
  PRIMARY KEY (run_id, event_id),
  KEY ix_dq_run_ts (run_id, ts_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Cumulative latency per hop per run ('feed>sanitizer', 'tick>trade', ...):
-- percentiles for queries and the HDR histogram itself (hdr-histogram-js
-- encodeIntoCompressedBase64) so a run's distribution can be re-plotted.
-- Rewritten periodically; the newest ts_us wins.
CREATE TABLE IF NOT EXISTS latency_summaries (
  run_id              BIGINT       NOT NULL,
  hop                 VARCHAR(48)  NOT NULL,
  ts_us               BIGINT       NOT NULL,
  unit                VARCHAR(4)   NOT NULL,        -- unit recorded in the histogram: us | ns
  sample_count        BIGINT       NOT NULL,
  p50                 DOUBLE       NOT NULL,
  p90                 DOUBLE       NOT NULL,
  p99                 DOUBLE       NOT NULL,
  p999                DOUBLE       NOT NULL,
  p_max               DOUBLE       NOT NULL,
  mean                DOUBLE       NOT NULL,
  co_corrected        TINYINT      NOT NULL,        -- 1 = recorded with an expected interval
  hdr_base64          MEDIUMTEXT   NOT NULL,
  PRIMARY KEY (run_id, hop)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Sampled top of book (not every tick: the engine decides the rate).
CREATE TABLE IF NOT EXISTS book_samples (
  run_id              BIGINT       NOT NULL,
  instrument_id       INT UNSIGNED NOT NULL,
  sample_id           BIGINT       NOT NULL,        -- engine counter, unique per run
  ts_exchange_unix_us BIGINT       NOT NULL,
  ts_recv_us          BIGINT       NOT NULL,
  bid_ticks           BIGINT       NULL,
  bid_lots            BIGINT       NULL,
  ask_ticks           BIGINT       NULL,
  ask_lots            BIGINT       NULL,
  feed_state          TINYINT      NOT NULL,
  PRIMARY KEY (run_id, instrument_id, sample_id),
  KEY ix_book_run_ts (run_id, ts_recv_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Public trade prints; keyed by the exchange trade id (a replay is idempotent).
CREATE TABLE IF NOT EXISTS market_trades (
  run_id              BIGINT       NOT NULL,
  instrument_id       INT UNSIGNED NOT NULL,
  trade_id            BIGINT       NOT NULL,
  ts_exchange_unix_us BIGINT       NOT NULL,
  ts_recv_us          BIGINT       NOT NULL,
  price_ticks         BIGINT       NOT NULL,
  size_lots           BIGINT       NOT NULL,
  aggressor_side      TINYINT      NOT NULL,
  PRIMARY KEY (run_id, instrument_id, trade_id),
  KEY ix_trades_run_ts (run_id, ts_recv_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Exchange liquidation orders (OKX liquidation-orders), the tape the strategy trades on.
CREATE TABLE IF NOT EXISTS liquidations (
  run_id              BIGINT       NOT NULL,
  liquidation_id      BIGINT       NOT NULL,        -- engine counter, unique per run
  instrument_id       INT UNSIGNED NOT NULL,
  ts_exchange_unix_us BIGINT       NOT NULL,
  ts_recv_us          BIGINT       NOT NULL,
  side                TINYINT      NOT NULL,        -- liquidation order side: -1 = a long was liquidated
  price_ticks         BIGINT       NOT NULL,
  size_lots           BIGINT       NOT NULL,
  PRIMARY KEY (run_id, liquidation_id),
  KEY ix_liq_run_ts (run_id, ts_recv_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
