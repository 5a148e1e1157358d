/**
 * A producer's handle on one output ring plus the idle strategy it waits
 * with when a Block ring is full. Hot: `forward` copies a record verbatim.
 */
import { SpinThenParkIdle, type SpscRing } from '../../ring/index.ts';

export class OutRing {
  readonly ring: SpscRing;
  private readonly spaceIdle: SpinThenParkIdle;
  /** Times this producer found the ring full and had to wait (drop rings: drops). */
  fullCount = 0;

  constructor(ring: SpscRing) {
    this.ring = ring;
    this.spaceIdle = new SpinThenParkIdle(ring.spaceParker, { spinUs: 50, maxParkMs: 5 });
  }

  /** Copies a record as is (its stamps included); waits on a full Block ring. */
  forward(msgTypeId: number, bytes: Uint8Array, index: number, length: number): void {
    const st = this.ring.writeBlocking(msgTypeId, bytes, index, length, this.spaceIdle);
    if (st < 0) this.fullCount++;
  }

  /** Called by an encoder loop when `encodeX` returned false (ring full). */
  waitForSpace(): void {
    this.fullCount++;
    this.spaceIdle.idle(0);
  }

  /** After a successful encode following waits. */
  resetWait(): void {
    this.spaceIdle.reset();
  }
}
