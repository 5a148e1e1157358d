/**
 * EngineView: the small, cold-path interface the engine implements so the
 * monitor can read it and send it the two commands a human may give (kill,
 * re-arm). The monitor never touches a ring, a worker or the database: it
 * asks the engine (main thread) through these methods, at a bounded rate.
 *
 * Role: the contract between src/core/engine (implements) and
 * src/gateway/monitor (calls). Owning thread: main (the engine's event loop).
 * Cold: each method may allocate; the monitor calls the snapshot methods at
 * most once per HTTP request and the streamed ones (summary, latency,
 * runtime) at `snapshotIntervalMs` (1 Hz by default).
 * Every method may return a value or a Promise (history() reads MySQL).
 * Types are plain JSON-serialisable data: they are also the HTTP API bodies.
 */

/** Percentiles of one latency distribution, in µs (the summary's shape). */
export interface LatencyStats {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Ring health, as the engine's summary and runtime report it. */
export interface RingSummary {
  name: string;
  capacityBytes: number;
  messages: number;
  highWaterBytes: number;
  drops: number;
  stalls: number;
  /** Bytes in use now (optional: the summary only knows the high-water mark). */
  usedBytes?: number;
}

/**
 * The run summary of MISSION.md's contract (`--summary-json` and
 * `GET /api/summary`). The required fields are the contract; the optional
 * ones are what src/core/engine/summary.ts adds (its RunSummary is
 * assignable to this one).
 */
export interface RunSummary {
  source: string;
  durationS: number;
  events: { in: number; accepted: number; rejected: Record<string, number> };
  orders: { submitted: number; accepted: number; denied: Record<string, number>; cancels?: number };
  fills: number;
  /** Fills by cause (they sum to `fills`); absent from views that do not count them. */
  fillCauses?: { taker: number; queue: number; tradeThrough: number; bookCross: number };
  pnl: { realized: number; unrealized: number; fees: number; funding?: number; net?: number };
  lost: number;
  fillsHash: string;
  latencyUs: { tickToTrade: LatencyStats; hops: Record<string, LatencyStats> };
  topology?: string;
  clock?: string;
  simDurationS?: number | null;
  signals?: number;
  /** ACTIVE | REDUCING | HALTED */
  tradingState?: string;
  killSwitch?: boolean;
  positions?: readonly object[];
  reconciliation?: Record<string, { sent: number; received: number }>;
  rings?: readonly RingSummary[];
  stageErrors?: readonly string[];
}

export type EngineState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** `GET /api/health`: 200 when `ok`, 503 otherwise. */
export interface HealthInfo {
  ok: boolean;
  state: EngineState;
  uptimeS: number;
  source?: string;
  runId?: string;
  /** Stages that missed heartbeats, failed, etc. (empty when healthy). */
  problems?: readonly string[];
}

export type FeedStateName = 'OK' | 'STALE' | 'INVALID';
export type TradingStateName = 'ACTIVE' | 'REDUCING' | 'HALTED';

export interface InstrumentInfo {
  id: number;
  symbol: string;
  tickSize: number;
  lotSize: number;
  contractValue: number;
  priceDecimals: number;
  sizeDecimals: number;
  /** L0Sanitizer's data-quality state for this instrument. */
  feedState: FeedStateName;
  /** Last sanitizer reason that changed the state (e.g. `GAP`), if any. */
  feedReason?: string;
  markPriceTicks?: number;
  /** Fraction per funding interval (0.0001 = 1 bp). */
  fundingRate?: number;
  nextFundingUnixMs?: number;
}

export interface PositionRow {
  instrumentId: number;
  positionLots: number;
  avgEntryPriceTicks: number;
  markPriceTicks: number;
  realizedPnl: number;
  unrealizedPnl: number;
  fees: number;
}

export interface OrderRow {
  clientOrderId: number;
  signalId: number;
  instrumentId: number;
  side: 'buy' | 'sell';
  type: string;
  priceTicks: number;
  sizeLots: number;
  filledLots: number;
  /** Venue status: WORKING, PARTIALLY_FILLED, FILLED, CANCELLED, REJECTED, DENIED. */
  status: string;
  /** DRBGuard's decision. */
  riskDecision: 'ACCEPTED' | 'DENIED';
  /** DenyReason name when DENIED (e.g. `NOTIONAL_EXCEEDS_MAXIMUM`), with value/limit. */
  denyReason?: string;
  denyValue?: number;
  denyLimit?: number;
  /** Venue reason name for cancels/rejects. */
  venueReason?: string;
  tsUs: number;
}

export interface FillRow {
  fillId: number;
  clientOrderId: number;
  instrumentId: number;
  side: 'buy' | 'sell';
  priceTicks: number;
  sizeLots: number;
  liquidity: 'maker' | 'taker';
  feeQuote: number;
  /** Signed against us: > 0 = paid worse than the decision price, in ticks. */
  slippageTicks?: number;
  /** Time the order rested before this fill, µs. */
  queueTimeUs?: number;
  tsUs: number;
}

export interface SignalRow {
  signalId: number;
  instrumentId: number;
  /** ENTER | EXIT | CANCEL | NO_TRADE */
  decision: string;
  /** Strategy reason name (e.g. `BURST_BELOW_THRESHOLD`); `NONE` for a trade. */
  reason: string;
  side: 'buy' | 'sell';
  priceTicks: number;
  sizeLots: number;
  value: number;
  threshold: number;
  tsUs: number;
}

export interface RiskLimit {
  name: string;
  value: number;
  limit: number;
  /** value / limit (0..1+), for the utilisation bar. */
  utilisation: number;
}

export interface RiskState {
  tradingState: TradingStateName;
  killLatched: boolean;
  killReason?: string;
  /** Why the state is not ACTIVE (e.g. `DAILY_LOSS_LIMIT`). */
  stateReason?: string;
  limits: readonly RiskLimit[];
}

/** One point of an HdrHistogram percentile plot. */
export interface PercentilePoint {
  /** 0..100, e.g. 99.9 */
  percentile: number;
  valueUs: number;
}

/**
 * Percentile series per distribution: key `tickToTrade` plus one per hop
 * (`feed>sanitizer`, ...). Build one with `hdrPercentileSeries()` (percentile.ts).
 */
export type LatencySeriesMap = Record<string, { count: number; points: readonly PercentilePoint[] }>;

export interface ThreadStats {
  name: string;
  /** CPU use of this thread over the last interval, percent of one core. */
  cpuPct: number;
  /** Event-loop utilisation 0..1 where the thread has an event loop. */
  elu?: number;
  eventLoopDelayP99Us?: number;
  gcCount?: number;
  gcPauseMs?: number;
}

export interface DbWriterStats {
  connected: boolean;
  /** Age of the oldest record not yet committed, ms. */
  lagMs: number;
  queueRecords: number;
  journalBytes: number;
  committedRecords?: number;
}

export interface RuntimeStats {
  rings: readonly RingSummary[];
  /** Main thread event-loop delay (perf_hooks.monitorEventLoopDelay), µs. */
  eventLoop: { p50Us: number; p99Us: number; maxUs: number; utilization?: number };
  gc: { count: number; pauseMs: number };
  threads: readonly ThreadStats[];
  db: DbWriterStats | null;
  memory: { rssBytes: number; heapUsedBytes: number };
}

export interface HistoryRun {
  runId: string;
  startedAtMs: number;
  source: string;
  durationS: number;
  fills: number;
  pnlNet: number;
  fillsHash?: string;
}

type MaybePromise<T> = T | Promise<T>;

export interface EngineView {
  health(): MaybePromise<HealthInfo>;
  summary(): MaybePromise<RunSummary>;
  instruments(): MaybePromise<readonly InstrumentInfo[]>;
  positions(): MaybePromise<readonly PositionRow[]>;
  openOrders(): MaybePromise<readonly OrderRow[]>;
  /** Newest first, at most `limit`. */
  recentFills(limit: number): MaybePromise<readonly FillRow[]>;
  /** Newest first, at most `limit` (includes no-trade decisions). */
  recentSignals(limit: number): MaybePromise<readonly SignalRow[]>;
  riskState(): MaybePromise<RiskState>;
  latency(): MaybePromise<LatencySeriesMap>;
  runtime(): MaybePromise<RuntimeStats>;
  /** Past runs from MySQL; null when no database is configured. */
  history(): MaybePromise<readonly HistoryRun[] | null>;
  /** Latches the kill switch; returns the new state, throws with a clear message if it cannot. */
  kill(reason: string): MaybePromise<RiskState>;
  /** Human re-arm (RTS 6 15(3)); returns the new state or throws. */
  rearm(reason: string): MaybePromise<RiskState>;
}
