/**
 * Doorbell: how producers wake a consumer thread that parked, without a
 * `notify` per message and without lost wake-ups.
 *
 * Role: the consumer side parks here (`park`), every producer that feeds that
 * consumer rings it after publishing (`ring`). Owning thread: the consumer
 * thread owns the SLEEPING flag; any number of producer threads bump SEQ.
 * Hot path on the producer side (one `Atomics.load` per commit while the
 * consumer is awake), cold on the consumer side (only when it has run out of
 * work). Concurrency contract: one parking thread per doorbell; many ringers.
 *
 * Protocol (seq-cst Atomics on both sides; this is the whole proof):
 *   consumer: SLEEPING=1; seen=SEQ; if (readiness.hasWork()) skip; wait(SEQ, seen); SLEEPING=0
 *   producer: store TAIL; if (SLEEPING) { SEQ++; notify(SEQ) }
 * If the producer read SLEEPING=0, its TAIL store precedes the consumer's
 * SLEEPING=1 store, so `hasWork()` sees the data. If it read 1, it bumps SEQ
 * either before `seen` was read (then `hasWork()` sees the data) or after
 * (then `Atomics.wait` finds SEQ ≠ seen, or is woken by the notify).
 *
 * Mentor's Corner. Purpose: let idle threads sleep instead of burning one of
 * our two cores. Ideal counterpart: a pinned core that busy-polls forever
 * (or a kernel-bypass NIC queue with interrupt moderation), where waking is
 * never needed. Here a futex sleep/wake costs ~20–25 µs on this VM, about as
 * much as a `postMessage` hop, so we only sleep after spinning (see
 * idle-strategy.ts) and producers skip the syscall entirely while nobody
 * sleeps; the measured RTT gap (spin-park vs postMessage) is in bench/ring.bench.ts.
 * Same shape as Linux eventfd + a "waiters" flag, or Agrona's
 * `ControlledIdleStrategy` combined with a futex.
 */
import { DOORBELL_LENGTH, DOORBELL_SEQ_OFFSET, DOORBELL_SLEEPING_OFFSET } from './layout.ts';
import type { Parker, Readiness } from './types.ts';

/** A standalone doorbell SAB for a consumer thread fed by several rings. */
export function createDoorbell(): SharedArrayBuffer {
  return new SharedArrayBuffer(DOORBELL_LENGTH);
}

export class Doorbell implements Parker {
  private readonly i32: Int32Array;
  private readonly seqIndex: number;
  private readonly sleepingIndex: number;
  private readiness: Readiness | null;
  /** Times `park` actually called Atomics.wait (owner thread's view). */
  parks = 0;

  /**
   * @param sab a doorbell SAB (`createDoorbell()`) or a ring SAB
   * @param byteOffset where the doorbell starts in `sab` (0, or DOORBELL_OFFSET in a ring header)
   * @param readiness what the consumer re-checks after raising its flag; null only for ringers
   */
  constructor(sab: SharedArrayBuffer, byteOffset = 0, readiness: Readiness | null = null) {
    if (!(sab instanceof SharedArrayBuffer)) {
      throw new TypeError(`doorbell: expected a SharedArrayBuffer, got ${Object.prototype.toString.call(sab)}`);
    }
    if (byteOffset % 4 !== 0 || byteOffset < 0 || byteOffset + DOORBELL_LENGTH > sab.byteLength) {
      throw new RangeError(`doorbell: byteOffset=${byteOffset} does not fit a ${DOORBELL_LENGTH}-byte doorbell in a ${sab.byteLength}-byte SharedArrayBuffer`);
    }
    this.i32 = new Int32Array(sab);
    this.seqIndex = (byteOffset + DOORBELL_SEQ_OFFSET) >> 2;
    this.sleepingIndex = (byteOffset + DOORBELL_SLEEPING_OFFSET) >> 2;
    this.readiness = readiness;
  }

  /** Sets what `park` re-checks (cold: once at startup, e.g. all input rings of a stage). */
  watch(readiness: Readiness): void {
    this.readiness = readiness;
  }

  /**
   * Consumer: sleeps until a producer rings or `timeoutMs` passes, unless the
   * readiness check finds work after the flag is up. Worker threads only.
   */
  park(timeoutMs: number): void {
    const i32 = this.i32;
    Atomics.store(i32, this.sleepingIndex, 1);
    const seen = Atomics.load(i32, this.seqIndex);
    const r = this.readiness;
    if (r === null || !r.hasWork()) {
      this.parks++;
      Atomics.wait(i32, this.seqIndex, seen, timeoutMs);
    }
    Atomics.store(i32, this.sleepingIndex, 0);
  }

  /** Producer: wakes the consumer if, and only if, it is parked (or about to). */
  ring(): void {
    const i32 = this.i32;
    if (Atomics.load(i32, this.sleepingIndex) !== 0) {
      Atomics.add(i32, this.seqIndex, 1);
      Atomics.notify(i32, this.seqIndex, 1);
    }
  }

  /** Current sequence (tests and telemetry: how often a sleeper was woken). */
  seq(): number {
    return Atomics.load(this.i32, this.seqIndex);
  }

  /** True while the owner is parked or about to park. */
  isSleeping(): boolean {
    return Atomics.load(this.i32, this.sleepingIndex) !== 0;
  }
}

/**
 * Readiness of several rings at once, for a consumer thread with many inputs.
 * Built once at startup; `hasWork` loops without allocating.
 */
export class AnyReady implements Readiness {
  private readonly sources: Readiness[];
  constructor(sources: readonly Readiness[]) {
    this.sources = sources.slice();
  }
  hasWork(): boolean {
    const s = this.sources;
    for (let i = 0; i < s.length; i++) {
      if (s[i]!.hasWork()) return true;
    }
    return false;
  }
}
