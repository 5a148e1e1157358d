/**
 * One sweep task's result row (plain data: crosses the worker boundary by
 * structured clone, and becomes a table/CSV/JSON row). Cold.
 */
import type { SweepTask } from './sweep-grid.ts';

export interface SweepResult {
  taskId: number;
  paramSetId: number;
  input: string;
  band: string;
  params: SweepTask['params'];
  ok: boolean;
  error: string;
  /** Market events replayed. */
  events: number;
  /** Tasks replayed together with this one over one feed and sanitizer (sweep.ts `groupTasks`; 1 = alone). */
  groupSize: number;
  /** This task's share of its thread's wall time: its group's wall time / groupSize. */
  wallMs: number;
  /** Replayed market events per second of `wallMs` (this task, this thread). */
  eventsPerS: number;
  pnlNet: number;
  pnlRealized: number;
  pnlUnrealized: number;
  pnlFees: number;
  pnlFunding: number;
  /** mean/std of per-interval net PnL changes × √intervals (pnl-series.ts). */
  sharpe: number;
  maxDrawdown: number;
  fills: number;
  /** Fills by cause (paper venue): taking liquidity; resting, once the queue ahead traded (the only cause the queue model decides); a trade through our price; the book crossing it. */
  fillsTaker: number;
  fillsQueue: number;
  fillsTradeThrough: number;
  fillsBookCross: number;
  ordersSubmitted: number;
  ordersAccepted: number;
  /** Distinct orders with ≥ 1 fill. */
  filledOrders: number;
  /** filledOrders / ordersAccepted (orders the venue saw); 0 when none. */
  fillRate: number;
  denied: Record<string, number>;
  fillsHash: string;
  lost: number;
  killSwitch: boolean;
  stageErrors: string[];
  threadId: number;
}

export function emptyResult(t: SweepTask, threadId: number): SweepResult {
  return {
    taskId: t.taskId, paramSetId: t.paramSetId, input: t.input, band: t.band, params: t.params,
    ok: false, error: '', events: 0, groupSize: 0, wallMs: 0, eventsPerS: 0,
    pnlNet: 0, pnlRealized: 0, pnlUnrealized: 0, pnlFees: 0, pnlFunding: 0, sharpe: 0, maxDrawdown: 0,
    fills: 0, fillsTaker: 0, fillsQueue: 0, fillsTradeThrough: 0, fillsBookCross: 0, ordersSubmitted: 0, ordersAccepted: 0, filledOrders: 0, fillRate: 0, denied: {},
    fillsHash: '', lost: 0, killSwitch: false, stageErrors: [], threadId,
  };
}
