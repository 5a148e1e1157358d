/**
 * The synthetic market's public surface (cold: import once at start-up).
 * See synthetic-market.ts for the model and the Mentor's Corner.
 */
export { SyntheticMarket, SyntheticEventKind } from './synthetic-market.ts';
export type { MarketEventSink } from './market-event-sink.ts';
export {
  DEFAULT_START_PRICES,
  DEFAULT_SYNTHETIC_CONFIG,
  validateSyntheticConfig,
  type SyntheticConfig,
} from './synthetic-config.ts';
export { Xoshiro128 } from './prng.ts';
