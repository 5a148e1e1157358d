/** OKX v5 live feed: service, native parser, instruments, endpoints. */
export { OKXLiveService, DEFAULT_OKX_SYMBOLS } from './okx-live-service.ts';
export type { OKXLiveServiceOptions, OkxFeedStatus, OkxFeedState, OkxChannelSelection, OkxLatencySummary } from './okx-live-service.ts';
export { OkxFrameParser, OkxParserCounters, OkxFrameKind, OkxEventType, OKX_BOOK_CHANNELS } from './okx-frame-parser.ts';
export type { OkxBookChannel, OkxFrameParserOptions } from './okx-frame-parser.ts';
export type { OkxEventSink, BboSink } from './okx-event-sink.ts';
export {
  loadInstruments, specFromCcxtMarket, specsFromMarkets, findMarket, readMarketsCache, writeMarketsCache,
} from './okx-instruments.ts';
export type { CcxtMarketLike, MarketsSource, LoadInstrumentsOptions, LoadedInstruments, MarketsCacheFile } from './okx-instruments.ts';
export { OKX_LIVE_ENDPOINTS, OKX_DEMO_ENDPOINTS, okxWsBaseUrl, okxRestBaseUrl } from './okx-endpoints.ts';
export type { OkxEndpoints } from './okx-endpoints.ts';
export { OkxCcxtExchange } from './okx-ccxt-exchange.ts';
export type { CcxtWsClient, OkxFrameTap } from './okx-ccxt-exchange.ts';
