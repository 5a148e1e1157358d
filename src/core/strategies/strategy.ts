/**
 * The contract between the strategy stage and a strategy, so more strategies
 * can be added without touching the engine.
 *
 * Role: type-only interfaces. Owning thread: the strategy stage worker (or
 * the fused hot worker); a strategy instance is single-threaded, single
 * writer of its own state. Hot: every method runs per message.
 *
 * Calling contract (Agrona's `onMessage`): every argument object is a reused
 * carrier valid only during the call; copy what you keep. Time is passed in
 * (`nowUs`, shared-epoch µs, simulated in `--clock sim`); a strategy never
 * reads a clock, so a replay reproduces every decision and id.
 * A strategy emits only through its `StrategyOutput`, created once by the
 * stage; the carriers it passes there are the strategy's own reused objects,
 * valid only during that call as well. Handlers return nothing and never
 * throw on expected outcomes (Style §5): the stage catches anything else per
 * message and moves on.
 *
 * Naming follows nautilus in camelCase: commands imperative (`submit`,
 * `cancel`), events past tense (`onOrderDenied`), handlers `onX`.
 */
import type { FeedState } from '../domain/enums.ts';
import type {
  BookDeltas,
  FundingRateEvent,
  LiquidationEvent,
  MarkPriceEvent,
  TradeTick,
} from '../domain/market-events.ts';
import type { CancelIntent, Fill, OrderIntent, OrderUpdate } from '../domain/orders.ts';
import type { L2Book } from '../book/l2-book.ts';
import type { SignalEvent } from './signal.ts';

/** The sink a strategy emits into; implemented once by the stage (encodes onto its output ring). */
export interface StrategyOutput {
  /** SubmitOrder: goes to pre-trade risk, then the venue. */
  submit(intent: OrderIntent): void;
  /** CancelOrder for a working order. */
  cancel(c: CancelIntent): void;
  /** A decision record (traded or not), for the monitor and the database. */
  signal(s: SignalEvent): void;
}

export interface Strategy {
  /** Stamped on every intent and signal it emits. */
  readonly strategyId: number;

  /**
   * After the stage has applied `d` to `book` (the instrument's current
   * book). `book` is read-only and valid during the call only: in an
   * in-process replay it is the sanitizer's own book.
   */
  onBookDeltas(d: BookDeltas, book: L2Book, nowUs: number): void;
  onTrade(t: TradeTick, nowUs: number): void;
  onLiquidation(l: LiquidationEvent, nowUs: number): void;
  /** Optional: the stage skips strategies that do not implement it. */
  onMarkPrice?(m: MarkPriceEvent, nowUs: number): void;
  onFundingRate?(f: FundingRateEvent, nowUs: number): void;

  /** Venue order state for an order of this strategy (Accepted/Rejected/PartiallyFilled/Filled/Cancelled/Unknown). */
  onOrderUpdate(u: OrderUpdate): void;
  /**
   * OrderDenied by pre-trade risk (DRBGuard): the order never reached the venue.
   * `reasonCode` is risk's denial code, carried into the signal's `detailCode`.
   */
  onOrderDenied(clientOrderId: number, reasonCode: number, nowUs: number): void;
  onFill(f: Fill, nowUs: number): void;
  /** Periodic tick from the stage (time stops, order timeouts), e.g. every 10–100 ms. */
  onTimer(nowUs: number): void;
  /** The sanitizer's per-instrument feed state changed. */
  onFeedState(instrumentId: number, state: FeedState, nowUs: number): void;
}
