/** Local OKX v5 mock server (WebSocket + REST) for tests, benches and demos. */
export { startOkxMockServer, loadOkxFixture, okxFixturePath } from './server.ts';
export type { OkxMockServer, OkxMockOptions, OkxMockFault, OkxMockConnection, OkxMockRestRequest } from './server.ts';
export { MarketModel, InstrumentModel, Mulberry32, okxDecimal } from './market-model.ts';
export type { MockInstrument, MarketModelOptions, BookUpdate } from './market-model.ts';
