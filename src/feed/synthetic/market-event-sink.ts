/**
 * Where a market-data source delivers its events, one call per event.
 *
 * Role: type-only contract between a source (the synthetic market here; the
 * live OKX feed and the replayer speak the same carriers) and the feed stage
 * that encodes each event onto its output ring. Owning thread: the feed stage
 * worker. Hot: one call per event.
 *
 * Contract (Agrona's `onMessage`): the argument is the source's reused
 * carrier, valid only during the call; copy what you keep and never mutate
 * it. Implement it with one long-lived object created at start-up (no
 * closures per event). Handlers must not throw on expected outcomes.
 */
import type {
  BookDeltas,
  FundingRateEvent,
  LiquidationEvent,
  MarkPriceEvent,
  TradeTick,
} from '../../core/domain/market-events.ts';

export interface MarketEventSink {
  onBookDeltas(d: BookDeltas): void;
  onTrade(t: TradeTick): void;
  onLiquidation(l: LiquidationEvent): void;
  onFundingRate(f: FundingRateEvent): void;
  onMarkPrice(m: MarkPriceEvent): void;
}
