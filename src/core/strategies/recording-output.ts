/**
 * RecordingOutput: a `StrategyOutput` that keeps a copy of everything a
 * strategy emits, in arrays.
 *
 * Role: cold path only — tests, parameter sweeps (piscina workers) and offline
 * analysis of a replay, where the decisions are wanted as plain objects.
 * Never on a stage's hot path: it allocates a copy per call (the carriers
 * the strategy passes are reused, so copying is mandatory here).
 * Owning thread: whichever single thread drives the strategy.
 */
import { CancelIntent, OrderIntent } from '../domain/orders.ts';
import { SignalEvent } from './signal.ts';
import type { StrategyOutput } from './strategy.ts';

export class RecordingOutput implements StrategyOutput {
  readonly orders: OrderIntent[] = [];
  readonly cancels: CancelIntent[] = [];
  readonly signals: SignalEvent[] = [];

  submit(intent: OrderIntent): void {
    const c = new OrderIntent();
    c.copyFrom(intent);
    this.orders.push(c);
  }

  cancel(x: CancelIntent): void {
    const c = new CancelIntent();
    c.clientOrderId = x.clientOrderId;
    c.instrumentId = x.instrumentId;
    c.strategyId = x.strategyId;
    c.tsSignalUs = x.tsSignalUs;
    this.cancels.push(c);
  }

  signal(s: SignalEvent): void {
    const c = new SignalEvent();
    c.copyFrom(s);
    this.signals.push(c);
  }

  clear(): void {
    this.orders.length = 0;
    this.cancels.length = 0;
    this.signals.length = 0;
  }
}
