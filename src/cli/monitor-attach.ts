/**
 * Starts the web monitor for a run: the EngineView adapter over the engine,
 * the frame publisher fed by the event collector (plus the lossy `ui.book`
 * samples), and the uWebSockets.js server serving the built UI.
 * Owning thread: main. Cold path.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { EngineMonitorView } from '../core/engine/engine-monitor-view.ts';
import type { ProductionEngine } from '../core/engine/production-engine.ts';
import type { DbWriterStats } from '../gateway/monitor/engine-view.ts';
import { MonitorPublisher, startMonitorServer, type MonitorServer } from '../gateway/monitor/index.ts';

const UI_DIST = fileURLToPath(new URL('../ui/dist', import.meta.url));

export interface MonitorAttachment {
  readonly server: MonitorServer;
  readonly view: EngineMonitorView;
  close(): Promise<void>;
}

export async function attachMonitor(
  engine: ProductionEngine,
  config: EngineConfig,
  log: (line: string) => void,
  dbStats: (() => DbWriterStats | null) | null,
): Promise<MonitorAttachment | null> {
  if (!config.http) return null;
  const view = new EngineMonitorView(engine);
  view.dbStats = dbStats;
  const publisher = new MonitorPublisher({ flushHz: 10 });
  engine.collector.listeners.push(publisher);
  const staticDir = existsSync(UI_DIST) ? UI_DIST : null;
  if (staticDir === null) log('monitor: UI not built (run `npm run build:ui`); serving the API only');
  const server = await startMonitorServer({ host: config.httpHost, port: config.httpPort, staticDir, publisher, log }, view);
  publisher.start(); // the server starts only a publisher it creates itself
  view.setState('running');
  log(`monitor: ${server.url}  (API ${server.url}/api/summary, token for control in ${server.tokenFile})`);
  return {
    server,
    view,
    async close(): Promise<void> {
      view.setState('stopped');
      await server.close();
      publisher.stop();
      view.close();
    },
  };
}
