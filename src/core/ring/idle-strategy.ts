/**
 * Idle strategies: what a stage loop does when a poll found no work.
 *
 * Role: the waiting half of every stage and of a blocked producer, in the
 * calling pattern of Agrona's `IdleStrategy`
 * (https://github.com/real-logic/agrona/blob/master/agrona/src/main/java/org/agrona/concurrent/IdleStrategy.java):
 *
 *   while (running) idle.idle(doWork());
 *
 * Owning thread: the one thread that calls `idle`; an instance is never
 * shared. Hot path: `idle(n > 0)` is a branch; spinning is a clock read every
 * few calls; parking goes through a `Parker` (a Doorbell for consumers, the
 * ring's `spaceParker` for a producer blocked on a full ring).
 *
 * Mentor's Corner. Purpose: trade latency against CPU. Ideal counterpart:
 * one busy-spinning thread per isolated, pinned core (`isolcpus`, `nohz_full`)
 * that never sleeps, so a hop costs ~100 ns of cache-line transfer. On this
 * 2-core VM that is impossible: four spinning stages measured p50 ≈ 9 ms, 85×
 * worse than `postMessage`, because spinners steal each other's time slices.
 * So the default spins for a time budget (about two futex wake-ups, ~50 µs)
 * while work flows — a ring round trip then measured 0.29 µs p50 vs 13.9 µs
 * for postMessage (bench/ring.bench.ts) — and
 * parks after that, paying ~20–25 µs per wake-up only when the pipeline was idle.
 * Backoff doubling follows Agrona's `BackoffIdleStrategy`.
 */
import type { Parker } from './types.ts';

export interface IdleStrategy {
  /** Called after each unit of polling with the work it did; 0 means idle. */
  idle(workCount: number): void;
  /** Forget any backoff state (e.g. before a new blocking wait). */
  reset(): void;
  readonly name: string;
}

/** Never yields the core: lowest latency, only when spinning threads < cores. */
export class BusySpinIdle implements IdleStrategy {
  readonly name = 'busy-spin';
  idle(_workCount: number): void {
    // Intentionally empty: the caller's next poll is the spin.
  }
  reset(): void {}
}

export interface SpinThenParkOptions {
  /** Time to keep polling after the last work before the first park (µs). */
  spinUs?: number;
  /** First park timeout; doubles on each timeout (ms, fractional allowed). */
  minParkMs?: number;
  /** Cap of the doubling; bounds how late a loop sees a stop flag (ms). */
  maxParkMs?: number;
}

/** How many idle calls between two clock reads while spinning. */
const CLOCK_CHECK_EVERY = 8;

/**
 * Spin while work is recent, then park with a doubling timeout.
 * The spin budget is time, not iterations: a poll costs 30 ns on one ring and
 * 300 ns on ten, and what we trade against is a wake-up measured in µs.
 */
export class SpinThenParkIdle implements IdleStrategy {
  readonly name = 'spin-park';
  private readonly parker: Parker;
  private readonly spinMs: number;
  private readonly minParkMs: number;
  private readonly maxParkMs: number;
  private spinStartMs = -1;
  private polls = 0;
  private parkMs: number;
  /** Times this strategy parked (owner thread's view; telemetry). */
  parks = 0;

  constructor(parker: Parker, options: SpinThenParkOptions = {}) {
    const spinUs = options.spinUs ?? 50;
    const minParkMs = options.minParkMs ?? 1;
    const maxParkMs = options.maxParkMs ?? 50;
    if (!(spinUs >= 0) || !(minParkMs > 0) || !(maxParkMs >= minParkMs)) {
      throw new RangeError(`SpinThenParkIdle: need spinUs ≥ 0, 0 < minParkMs ≤ maxParkMs; got spinUs=${spinUs}, minParkMs=${minParkMs}, maxParkMs=${maxParkMs}`);
    }
    this.parker = parker;
    this.spinMs = spinUs / 1000;
    this.minParkMs = minParkMs;
    this.maxParkMs = maxParkMs;
    this.parkMs = minParkMs;
  }

  idle(workCount: number): void {
    if (workCount > 0) {
      this.spinStartMs = -1;
      this.parkMs = this.minParkMs;
      return;
    }
    if (this.spinStartMs < 0) {
      this.spinStartMs = performance.now();
      this.polls = 0;
      return;
    }
    if (++this.polls < CLOCK_CHECK_EVERY) return;
    this.polls = 0;
    if (performance.now() - this.spinStartMs < this.spinMs) return;
    this.parks++;
    this.parker.park(this.parkMs);
    // Woken with work: the caller's next idle(n > 0) resets us. Timed out: back off.
    const next = this.parkMs * 2;
    this.parkMs = next > this.maxParkMs ? this.maxParkMs : next;
  }

  reset(): void {
    this.spinStartMs = -1;
    this.parkMs = this.minParkMs;
  }
}

/** Parks as soon as a poll finds nothing: least CPU, a wake-up per burst. */
export class BlockingIdle implements IdleStrategy {
  readonly name = 'blocking';
  private readonly parker: Parker;
  private readonly timeoutMs: number;
  parks = 0;

  constructor(parker: Parker, timeoutMs = 50) {
    if (!(timeoutMs > 0)) throw new RangeError(`BlockingIdle: timeoutMs must be > 0, got ${timeoutMs}`);
    this.parker = parker;
    this.timeoutMs = timeoutMs;
  }

  idle(workCount: number): void {
    if (workCount > 0) return;
    this.parks++;
    this.parker.park(this.timeoutMs);
  }

  reset(): void {}
}

export type IdleKind = 'busy-spin' | 'spin-park' | 'blocking';

/**
 * Spinning threads must never outnumber cores (one is left for the main
 * thread, GC helpers and the OS): busy-spin only when hotThreads < cpuCount.
 */
export function idleKindFor(cpuCount: number, hotThreads: number): IdleKind {
  return hotThreads < cpuCount ? 'busy-spin' : 'spin-park';
}

/** Builds an idle strategy by kind (cold: once per loop at startup). */
export function createIdle(kind: IdleKind, parker: Parker, options: SpinThenParkOptions = {}): IdleStrategy {
  switch (kind) {
    case 'busy-spin':
      return new BusySpinIdle();
    case 'spin-park':
      return new SpinThenParkIdle(parker, options);
    case 'blocking':
      return new BlockingIdle(parker, options.maxParkMs ?? 50);
    default:
      throw new RangeError(`unknown idle strategy kind: ${String(kind)}`);
  }
}

/** The default for a loop on this machine: see `idleKindFor`. */
export function chooseDefaultIdle(cpuCount: number, hotThreads: number, parker: Parker, options: SpinThenParkOptions = {}): IdleStrategy {
  return createIdle(idleKindFor(cpuCount, hotThreads), parker, options);
}
