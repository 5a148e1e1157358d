/**
 * The piscina task: replays a group of SweepTasks that share one market
 * stream (`runReplayGroup`: one feed and sanitizer, a lane per task) in this
 * worker and returns their result rows, in order. A task that throws (a
 * parameter combination its component refuses, a stage that cannot be
 * built) becomes a row with `ok: false` and the message, so the sweep goes
 * on; if the shared part fails, every task of the group gets its message.
 * Owning thread: a pool worker (or the caller, in-process). Cold per task;
 * the replay inside is hot.
 */
import { threadId } from 'node:worker_threads';
import { runReplayGroup, type ReplayOutcome } from './replay-runner.ts';
import type { SweepTask } from './sweep-grid.ts';
import { emptyResult, type SweepResult } from './sweep-result.ts';

export type { SweepResult };

/** One task alone (a group of one). */
export function runSweepTask(task: SweepTask): SweepResult {
  return runSweepGroup([task])[0]!;
}

/** Tasks with equal `replayStreamKey`s (sweep.ts `groupTasks`), replayed together. */
export function runSweepGroup(tasks: readonly SweepTask[]): SweepResult[] {
  try {
    const lanes = runReplayGroup(tasks.map((t) => t.spec));
    return tasks.map((t, i) => {
      const lane = lanes[i]!;
      return lane.ok ? resultOf(t, lane.outcome) : failed(t, lane.error);
    });
  } catch (err) {
    return tasks.map((t) => failed(t, err));
  }
}

function failed(task: SweepTask, err: unknown): SweepResult {
  const r = emptyResult(task, threadId);
  r.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return r;
}

function resultOf(task: SweepTask, o: ReplayOutcome): SweepResult {
  const r = emptyResult(task, threadId);
  const s = o.summary;
  r.ok = true;
  r.events = o.events;
  r.groupSize = o.groupSize;
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
  return r;
}

/** piscina calls the default export with a group of tasks. */
export default runSweepGroup;
