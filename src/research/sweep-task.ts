/**
 * The piscina task: replays one SweepTask in this worker and returns its
 * result row. A task that throws (a parameter combination its component
 * refuses, a stage that cannot be built) becomes a row with `ok: false` and
 * the message, so the sweep goes on. Owning thread: a pool worker (or the
 * caller, in-process). Cold per task; the replay inside is hot.
 */
import { threadId } from 'node:worker_threads';
import { runReplay } from './replay-runner.ts';
import type { SweepTask } from './sweep-grid.ts';
import { emptyResult, type SweepResult } from './sweep-result.ts';

export type { SweepResult };

export function runSweepTask(task: SweepTask): SweepResult {
  const r = emptyResult(task, threadId);
  try {
    const o = runReplay(task.spec);
    const s = o.summary;
    r.ok = true;
    r.events = o.events;
    r.wallMs = o.wallMs;
    r.eventsPerS = o.wallMs > 0 ? (o.events * 1000) / o.wallMs : 0;
    r.pnlNet = s.pnl.net;
    r.pnlRealized = s.pnl.realized;
    r.pnlUnrealized = s.pnl.unrealized;
    r.pnlFees = s.pnl.fees;
    r.pnlFunding = s.pnl.funding;
    r.sharpe = o.metrics.sharpe;
    r.maxDrawdown = o.metrics.maxDrawdown;
    r.fills = s.fills;
    r.fillsTaker = s.fillCauses.taker;
    r.fillsQueue = s.fillCauses.queue;
    r.fillsTradeThrough = s.fillCauses.tradeThrough;
    r.fillsBookCross = s.fillCauses.bookCross;
    r.ordersSubmitted = s.orders.submitted;
    r.ordersAccepted = s.orders.accepted;
    r.filledOrders = o.filledOrders;
    r.fillRate = s.orders.accepted > 0 ? o.filledOrders / s.orders.accepted : 0;
    r.denied = s.orders.denied;
    r.fillsHash = s.fillsHash;
    r.lost = s.lost;
    r.killSwitch = s.killSwitch;
    r.stageErrors = o.stageErrors;
  } catch (err) {
    r.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  return r;
}

/** piscina calls the default export with the task. */
export default runSweepTask;
