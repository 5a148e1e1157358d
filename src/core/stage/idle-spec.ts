/**
 * A stage's wait strategy as plain data (it crosses into the worker through
 * workerData), and the builder that turns it into an IdleStrategy bound to
 * the right Parker inside the worker. Cold path.
 *
 * - one input ring: park on that ring's own doorbell;
 * - several inputs: they were all attached with the stage's shared doorbell
 *   (RingRef.doorbell), and we park on it, re-checking every input;
 * - no input (a source such as the feed): a plain timed sleep.
 * A stage may supply its own readiness (e.g. "it is my turn"); then it must
 * have a shared doorbell.
 */
import { AnyReady, Doorbell, createIdle, type IdleKind, type IdleStrategy, type Parker, type Readiness, type SpscRing } from '../ring/index.ts';

export interface IdleSpec {
  readonly kind: IdleKind;
  readonly spinUs?: number;
  readonly minParkMs?: number;
  readonly maxParkMs?: number;
}

/** Longest park; bounds how long a parked stage takes to notice a stop request. */
const MAX_PARK_MS_CAP = 20;

/** Parker for a thread with no input ring: sleeps for the timeout. */
class TimedSleepParker implements Parker {
  private readonly cell = new Int32Array(new SharedArrayBuffer(4));
  park(timeoutMs: number): void {
    Atomics.wait(this.cell, 0, 0, timeoutMs);
  }
}

export function buildIdle(
  spec: IdleSpec,
  inputs: readonly SpscRing[],
  sharedDoorbell: SharedArrayBuffer | undefined,
  readiness: Readiness | undefined,
): IdleStrategy {
  let parker: Parker;
  if (inputs.length === 0) parker = new TimedSleepParker();
  else if (sharedDoorbell !== undefined) parker = new Doorbell(sharedDoorbell, 0, readiness ?? new AnyReady(inputs));
  else if (readiness !== undefined) throw new Error('a stage with its own readiness needs a shared doorbell on its input RingRefs');
  else if (inputs.length === 1) parker = inputs[0]!.doorbell;
  else throw new Error(`a stage with ${inputs.length} input rings needs a shared doorbell on every input RingRef`);
  return createIdle(spec.kind, parker, {
    spinUs: spec.spinUs,
    minParkMs: spec.minParkMs,
    maxParkMs: Math.min(spec.maxParkMs ?? MAX_PARK_MS_CAP, MAX_PARK_MS_CAP),
  });
}
