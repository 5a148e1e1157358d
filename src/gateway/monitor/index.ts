/**
 * src/gateway/monitor — the web monitor (HTTP API, static UI, binary /ws
 * frames) served by the engine's main thread. See server.ts and publisher.ts.
 */
export * from './engine-view.ts';
export * from './monitor-msg-type.ts';
export * from './frame.ts';
export * from './publisher.ts';
export * from './percentile.ts';
export * from './snapshots.ts';
export { startMonitorServer, isLoopback } from './server.ts';
export type { MonitorServer, MonitorServerOptions, MonitorLimits, MonitorStats } from './server.ts';
export { loadOrCreateToken } from './token.ts';
