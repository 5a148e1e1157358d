/**
 * Small pieces every engine stage uses: ring lookup by name, the logic
 * clock (wall or simulated), and stage-to-main reporting cadence.
 * Hot where noted; the rest is start-up.
 */
import { nowUs, unixNowUs } from '../../clock.ts';
import type { SpscRing } from '../../ring/index.ts';

/** Finds a ring by the name stored in its header (start-up; throws naming the ring). */
export function ringNamed(rings: readonly SpscRing[], name: string, stage: string): SpscRing {
  for (const r of rings) if (r.name === name) return r;
  throw new Error(`stage ${stage}: no ring named "${name}" among [${rings.map((r) => r.name).join(', ')}]`);
}

/**
 * The time the domain logic sees, in Unix µs. Wall clock: now. Simulated
 * clock: the latest event timestamp this stage has observed, so a replay
 * makes the same decisions however fast it runs. Hot: `now()` per message.
 */
export class LogicClock {
  private readonly sim: boolean;
  /** Latest observed event time (Unix µs). A field, not a return value, to avoid boxing. */
  simNowUs: number;

  constructor(sim: boolean, simStartUnixUs: number) {
    this.sim = sim;
    this.simNowUs = simStartUnixUs;
  }

  observe(tsExchangeUs: number): void {
    if (tsExchangeUs > this.simNowUs) this.simNowUs = tsExchangeUs;
  }

  now(): number {
    return this.sim ? this.simNowUs : unixNowUs();
  }
}

/** ReportTimer.poll reads the clock once per this many calls. */
const REPORT_CLOCK_EVERY = 16;

/** Reports at most once per `periodUs` of shared-epoch time. Hot check, cold report. */
export class ReportTimer {
  private nextUs = 0;
  private skip = 0;
  constructor(private readonly periodUs: number) {}
  due(nowEpochUs: number): boolean {
    if (nowEpochUs < this.nextUs) return false;
    this.nextUs = nowEpochUs + this.periodUs;
    return true;
  }

  /**
   * `due(nowUs())` that reads the clock only every REPORT_CLOCK_EVERY calls:
   * a stage polls several times per event, and a clock read (~45 ns here)
   * per poll was ~10 % of a replayed event's cost. A parked stage polls at
   * least every 20 ms, so a report is at most ~0.3 s late on a 1 s period.
   */
  poll(): boolean {
    if (--this.skip > 0) return false;
    this.skip = REPORT_CLOCK_EVERY;
    return this.due(nowUs());
  }
}
