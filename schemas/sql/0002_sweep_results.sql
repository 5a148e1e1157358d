-- Quantum HFT — migration 0002: parameter-sweep results (`qhft sweep --mysql-url`).
--
-- Same rules as 0001 (portable to MariaDB 10.11, MySQL 8 and TiDB; only the
-- types 0001 uses; no AUTO_INCREMENT, no foreign keys; JSON documents are
-- MEDIUMTEXT/TEXT). Run by hand after 0001:
--   mariadb -h127.0.0.1 -uroot mydb < schemas/sql/0002_sweep_results.sql
--
-- A sweep is identified by `sweep_id` = "<grid name>-<start Unix ms>"; each
-- task (one input × parameter set × fill-model band) is one row of
-- sweep_results keyed (sweep_id, task_id), so writing a sweep twice is a
-- no-op rather than a duplicate. PnL columns are quote currency (USDT).

CREATE TABLE IF NOT EXISTS sweeps (
  sweep_id          VARCHAR(96)   NOT NULL,
  name              VARCHAR(64)   NOT NULL,          -- the grid's "name"
  grid_file         VARCHAR(1024) NOT NULL,
  grid_json         MEDIUMTEXT    NOT NULL,          -- the validated grid (inputs, base, grid/random, bands)
  engine_version    VARCHAR(32)   NOT NULL,
  host              VARCHAR(255)  NULL,
  threads           INT           NOT NULL,
  tasks             INT           NOT NULL,          -- tasks the grid expands to
  finished          INT           NOT NULL,          -- rows in sweep_results (fewer when cancelled)
  failed            INT           NOT NULL,
  cancelled         TINYINT       NOT NULL,
  started_unix_us   BIGINT        NOT NULL,
  wall_ms           DOUBLE        NOT NULL,
  PRIMARY KEY (sweep_id),
  KEY ix_sweeps_started (started_unix_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS sweep_results (
  sweep_id          VARCHAR(96)   NOT NULL,
  task_id           INT           NOT NULL,
  param_set_id      INT           NOT NULL,
  input             VARCHAR(1024) NOT NULL,          -- "seed=3 20s" or a recording path
  band              VARCHAR(32)   NOT NULL,          -- "pro-rata+5ms"; '' without bands
  params_json       TEXT          NOT NULL,          -- {"strategy.takeProfitBps": 25, ...}
  ok                TINYINT       NOT NULL,
  error             TEXT          NULL,              -- why the task failed (ok = 0)
  events            BIGINT        NOT NULL,
  wall_ms           DOUBLE        NOT NULL,
  pnl_net           DOUBLE        NOT NULL,
  pnl_realized      DOUBLE        NOT NULL,
  pnl_unrealized    DOUBLE        NOT NULL,
  pnl_fees          DOUBLE        NOT NULL,
  pnl_funding       DOUBLE        NOT NULL,
  sharpe            DOUBLE        NOT NULL,          -- Sharpe-like: mean/std of interval PnL × √intervals
  max_drawdown      DOUBLE        NOT NULL,
  fills             INT           NOT NULL,
  fills_taker       INT           NOT NULL,          -- fills by cause (paper venue): took liquidity,
  fills_queue       INT           NOT NULL,          --   rested until the queue ahead traded (queue-model dependent),
  fills_trade_through INT         NOT NULL,          --   a trade printed through our price,
  fills_book_cross  INT           NOT NULL,          --   the book moved onto our price
  orders_submitted  INT           NOT NULL,
  orders_accepted   INT           NOT NULL,
  filled_orders     INT           NOT NULL,
  fill_rate         DOUBLE        NOT NULL,
  denied_json       TEXT          NOT NULL,          -- {"PRICE_OUTSIDE_COLLAR": 3, ...}
  fills_hash        VARCHAR(16)   NOT NULL,
  lost              INT           NOT NULL,
  kill_switch       TINYINT       NOT NULL,
  PRIMARY KEY (sweep_id, task_id),
  KEY ix_sweep_results_net (sweep_id, pnl_net),
  KEY ix_sweep_results_set (sweep_id, param_set_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
