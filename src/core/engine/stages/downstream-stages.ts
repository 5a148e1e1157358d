/**
 * Strategy → risk → execution called in sequence on one thread, with the
 * settle rule of simulated time: the part of FusedStage after the sanitizer.
 * FusedStage puts the sanitizer in front of one of these; an in-process
 * replay group (src/research/replay-runner.ts) puts one sanitizer in front
 * of several, one per parameter set.
 *
 * Owning thread: the fused core worker, or the thread running a replay. Hot.
 *
 * `cycle(admitting)` is one pass over the three stages. In simulated time the
 * caller admits one market event only when `settled` (the last cycle found
 * nothing), then calls `cycle(true)`, then `cycle(false)` until `settled`:
 * the order the dedicated topology's turn gate enforces, so the fill stream
 * is the same. "Settled" is a cycle that found nothing — or an admitting
 * cycle that wrote nothing to a ring these stages read (they started it with
 * all of them empty, so they still are): most replayed events
 * (DirectMarketData) cause no order and no report, and skipping their
 * confirming empty cycle made a sweep replay ~8 % faster.
 */
import type { SpscRing } from '../../ring/index.ts';
import type { StageContext } from '../../stage/stage-logic.ts';
import type { DirectMarketData } from './direct-market.ts';
import { ExecutionStage } from './execution-stage.ts';
import { RiskStage } from './risk-stage.ts';
import { StrategyStage } from './strategy-stage.ts';

export class DownstreamStages {
  readonly strategy: StrategyStage;
  readonly risk: RiskStage;
  readonly execution: ExecutionStage;
  /** Work done in the last cycle (0 = settled: the caller may admit the next event). */
  private cycleWork = 0;
  /**
   * Producer ends of the rings these stages read and this thread writes:
   * orders, approved, feedback, and md.* (written by the sanitizer in front,
   * or by whatever copies its output here).
   */
  private readonly inner: readonly SpscRing[];
  /** `innerWrites()` at the end of the last cycle. */
  private writesAtCycleEnd: number;

  /** `inner`: see the field; the stages' rings come from `ctx`. */
  constructor(ctx: StageContext, inner: readonly SpscRing[]) {
    this.strategy = new StrategyStage(ctx);
    this.risk = new RiskStage(ctx);
    this.execution = new ExecutionStage(ctx);
    this.inner = inner;
    this.writesAtCycleEnd = this.innerWrites();
  }

  /** Market events arrive decoded from the sanitizer (in-process replays). */
  useDirect(direct: DirectMarketData): void {
    this.strategy.useDirect(direct);
    this.risk.direct = direct;
    this.execution.direct = direct;
  }

  /** The last cycle found nothing: every ring these stages read is empty. */
  get settled(): boolean {
    return this.cycleWork === 0;
  }

  /** One pass over the three stages (simulated time); `admitting`: an event was just admitted, or could have been. */
  cycle(admitting: boolean): number {
    // Only this thread writes the inner rings, and only between cycles or in
    // them, so in an admitting cycle the count has moved since the end of
    // the last cycle only if the sanitizer's output was written into them;
    // while it has not moved, every inner ring is still empty and a stage
    // need not poll them (only the direct hand-off and `control` are taken).
    // A stage told so wrongly would only read its rings one cycle later: the
    // cycle count below still sees the writes and admits nothing before they
    // settle.
    const before = admitting ? this.writesAtCycleEnd : -1;
    let c = this.strategy.poll(this.innerWrites() === before);
    c += this.risk.poll(this.innerWrites() === before);
    c += this.execution.poll(this.innerWrites() === before);
    const writes = this.innerWrites();
    // An admitting cycle that wrote nothing to an inner ring left them all
    // empty (its work was the hand-off itself, DirectMarketData): the next
    // cycle would find nothing, so the next event may come at once.
    this.cycleWork = admitting && writes === this.writesAtCycleEnd ? 0 : c;
    this.writesAtCycleEnd = writes;
    return c;
  }

  /** One pass with no turn-taking (wall clock): whatever each stage finds. */
  pollAll(): number {
    return this.strategy.poll() + this.risk.poll() + this.execution.poll();
  }

  /** Records committed to the inner rings so far (plain field reads). */
  private innerWrites(): number {
    const inner = this.inner;
    let n = 0;
    for (let i = 0; i < inner.length; i++) n += inner[i]!.committedMessages;
    return n;
  }

  onStop(): void {
    this.strategy.onStop();
    this.risk.onStop();
    this.execution.onStop();
  }
}
