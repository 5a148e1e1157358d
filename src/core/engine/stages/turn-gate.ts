/**
 * Turn-taking for simulated time (`--clock sim`): the sanitizer, strategy,
 * risk and execution stages run one at a time, in that order, exactly like
 * the fused worker calls them. Each stage handles everything in its inputs
 * at its turn, then passes the turn and rings the next stage's doorbell. The
 * sanitizer admits one market event only when the previous cycle did no
 * work downstream (the feedback has settled). The result is the same
 * interleaving as the fused topology, so both give the identical fill stream
 * however the threads are scheduled. Costs a thread hand-off per stage per
 * cycle (~µs spinning, ~20 µs parked on this VM): a research mode, not a
 * latency mode.
 *
 *   Int32 slots: [0] turn (0..3)   [1] work done downstream this cycle   [2] disabled (1 = free-run)
 */
import { Doorbell, type Readiness } from '../../ring/index.ts';

export const TURN_SLOTS = 4;
const TURN = 0;
const CYCLE_WORK = 1;
const DISABLED = 2;

export function createTurnBlock(): SharedArrayBuffer {
  return new SharedArrayBuffer(TURN_SLOTS * 4);
}

/** Main thread: lets stages run freely (used to drain at shutdown). */
export function disableTurns(sab: SharedArrayBuffer, doorbells: readonly SharedArrayBuffer[]): void {
  Atomics.store(new Int32Array(sab), DISABLED, 1);
  for (const d of doorbells) new Doorbell(d, 0).ring();
}

export class TurnGate implements Readiness {
  private readonly i32: Int32Array;
  private readonly mine: number;
  private readonly next: number;
  private readonly nextBell: Doorbell;
  private readonly inputs: Readiness | null;

  /**
   * @param inputs for the sanitizer: its input ring (it keeps the turn while
   *   waiting for the feed); null for the others.
   */
  constructor(sab: SharedArrayBuffer, mine: number, count: number, nextDoorbell: SharedArrayBuffer, inputs: Readiness | null) {
    this.i32 = new Int32Array(sab);
    this.mine = mine;
    this.next = (mine + 1) % count;
    this.nextBell = new Doorbell(nextDoorbell, 0);
    this.inputs = inputs;
  }

  disabled(): boolean {
    return Atomics.load(this.i32, DISABLED) !== 0;
  }

  myTurn(): boolean {
    return Atomics.load(this.i32, TURN) === this.mine;
  }

  /** Downstream work done since the sanitizer's last turn. */
  cycleWork(): number {
    return Atomics.load(this.i32, CYCLE_WORK);
  }

  /** Sanitizer: starts a new cycle. */
  resetCycle(): void {
    Atomics.store(this.i32, CYCLE_WORK, 0);
  }

  addWork(n: number): void {
    if (n > 0) Atomics.add(this.i32, CYCLE_WORK, n);
  }

  pass(): void {
    Atomics.store(this.i32, TURN, this.next);
    this.nextBell.ring();
  }

  /** Readiness for parking: our turn (and, for the sanitizer, something to do). */
  hasWork(): boolean {
    if (this.disabled()) return true;
    if (!this.myTurn()) return false;
    if (this.inputs === null) return true;
    return this.cycleWork() > 0 || this.inputs.hasWork();
  }
}

/** A stage that polls its inputs once per call (strategy, risk, execution). */
export interface Pollable {
  poll(): number;
}

/**
 * One `doWork` of a downstream stage: free-running without a gate (or once
 * turns are off), else poll only on our turn, add the work to the cycle and
 * pass the turn. The sanitizer has its own rule (it admits one event per
 * settled cycle). No allocation: the stage itself is the Pollable.
 */
export function takeTurn(gate: TurnGate | null, stage: Pollable): number {
  if (gate === null || gate.disabled()) return stage.poll();
  if (!gate.myTurn()) return 0;
  const w = stage.poll();
  gate.addWork(w);
  gate.pass();
  return w;
}
