/**
 * Exact sliding-window event limiter: at most `maxEvents` events in any
 * window of `windowUs` microseconds.
 *
 * Role: DRBGuard's order throttle, cancel throttle and repeated-execution
 * counter (RTS 6 15(1)(d), 15(3)). Owning thread: the risk stage (single
 * writer). Hot: `wouldAllow` / `record` are O(1) and allocation-free.
 *
 * Layout: a ring of the last `maxEvents` event times (Float64Array). The
 * window is full exactly when the ring is full and its oldest time is still
 * inside the window, so the check is one comparison. Chosen over a token
 * bucket because "N per window" is what RTS 6, CME and the venues state, and
 * a bucket allows a 2× burst across a refill boundary. Time is passed in
 * (`nowUs`), never read here, so replays are deterministic; time going
 * backwards is tolerated (events simply stay in the window longer).
 */
export class SlidingWindowLimiter {
  readonly maxEvents: number;
  readonly windowUs: number;
  private readonly times: Float64Array;
  /** Index of the oldest stored event. */
  private head = 0;
  private count = 0;

  constructor(maxEvents: number, windowUs: number) {
    if (!Number.isInteger(maxEvents) || maxEvents < 1) throw new RangeError(`SlidingWindowLimiter maxEvents must be an integer ≥ 1, got ${maxEvents}`);
    if (!(windowUs > 0) || !Number.isFinite(windowUs)) throw new RangeError(`SlidingWindowLimiter windowUs must be > 0, got ${windowUs}`);
    this.maxEvents = maxEvents;
    this.windowUs = windowUs;
    this.times = new Float64Array(maxEvents);
  }

  /** True if one more event at `nowUs` keeps the window within `maxEvents`. */
  wouldAllow(nowUs: number): boolean {
    return this.count < this.maxEvents || nowUs - this.times[this.head]! >= this.windowUs;
  }

  /** Records an event at `nowUs` (overwrites the oldest when the ring is full). */
  record(nowUs: number): void {
    if (this.count < this.maxEvents) {
      this.times[(this.head + this.count) % this.maxEvents] = nowUs;
      this.count++;
    } else {
      this.times[this.head] = nowUs;
      this.head = this.head + 1 === this.maxEvents ? 0 : this.head + 1;
    }
  }

  /** Events inside the window ending at `nowUs` (O(maxEvents); cold: reports, tests). */
  countInWindow(nowUs: number): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) {
      if (nowUs - this.times[(this.head + i) % this.maxEvents]! < this.windowUs) n++;
    }
    return n;
  }

  reset(): void {
    this.head = 0;
    this.count = 0;
  }
}
