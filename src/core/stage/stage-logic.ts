/**
 * What a stage module provides to the stage bootstrap (type-only).
 *
 * A stage module exports `createStage(ctx)`, called once inside the worker.
 * The returned object's `doWork()` is the Agrona `Agent.doWork()`: poll the
 * input rings, process what is there, return how much work was done (0 lets
 * the idle strategy back off). It runs in a plain loop — no async, no events.
 */
import type { Readiness } from '../ring/index.ts';
import type { SpscRing } from '../ring/spsc-ring.ts';

export interface StageLogic {
  /** Processes available input; returns the number of records handled (0 = idle). */
  doWork(): number;
  /**
   * Called once when the stop request is seen, before the drain: a source
   * stops producing here (the drain then ends as soon as doWork returns 0).
   */
  onStopRequested?(): void;
  /** Called once after the final drain, before the worker exits (flush, publish stats). */
  onStop?(): void;
  /**
   * What the idle strategy re-checks before parking. Default: any input ring
   * has data. A stage that takes turns (simulated time) parks until its turn.
   */
  readonly readiness?: Readiness;
  /**
   * True for a stage fed by the event loop (a WebSocket client, MessagePort
   * messages): the bootstrap then polls `doWork` from a 1 ms timer instead of
   * a blocking loop, so callbacks can run in between.
   */
  readonly eventDriven?: boolean;
}

export interface StageContext {
  readonly name: string;
  /** Input rings, attached as consumer, in the order given to `startStage`. */
  readonly inputs: readonly SpscRing[];
  /** Output rings, attached as producer. */
  readonly outputs: readonly SpscRing[];
  /** Stage-specific parameters (structured-cloned at start-up). */
  readonly params: unknown;
  /** Reports a recoverable per-message error (counted; the stage keeps going). */
  reportError(err: unknown): void;
  /** Posts a cold-path report to the main thread (e.g. final counters); never per message. */
  report(payload: unknown): void;
}

export type StageFactory = (ctx: StageContext) => StageLogic;
