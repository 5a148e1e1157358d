/**
 * `qhft run --source okx` end to end, as a user runs it: the real CLI in a
 * child process against the local OKX v5 mock (WebSocket + REST on
 * 127.0.0.1), only the URLs differing from a run against www.okx.com.
 *
 * One 8 s run (recorded with --record), with faults injected from this process while it runs:
 * a `books` sequence gap (→ sanitizer SEQUENCE_GAP, feed resubscribes, a
 * fresh snapshot), a liquidation burst (→ the hunter trades on it), a
 * dropped connection (→ reconnect, data flows again, trading continues).
 * The summary must close its accounts (lost = 0) and the exit code be 0;
 * replaying the recording must feed the sanitizer the same events.
 * A second test runs the engine in process against a mock whose market the
 * test steps itself, to watch the sanitizer's state transitions one by one:
 * gap → INVALID → resync snapshot → OK; a silent market → STALE → no trading
 * (the hunter's entries become FEED_NOT_OK) → OK and trading again; a drop →
 * reconnect with data flowing again.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEngineConfig, parseArgv } from '../../src/core/config/engine-config.ts';
import { DataQualityEvent, MsgType, decodeDataQualityEvent } from '../../src/core/codec/index.ts';
import { FeedState } from '../../src/core/domain/enums.ts';
import { ProductionEngine } from '../../src/core/engine/production-engine.ts';
import type { OkxFeedReport } from '../../src/core/engine/stages/okx-feed-stage.ts';
import type { RunSummary } from '../../src/core/engine/summary.ts';
import { RejectReason } from '../../src/core/sanitizer/index.ts';
import { SignalReason } from '../../src/core/strategies/signal.ts';
import { startOkxMockServer, type OkxMockServer } from '../support/okx-mock/index.ts';

const BTC = 'BTC-USDT-SWAP';
const ETH = 'ETH-USDT-SWAP';

/** A hunter that fires on small bursts within a second of start-up (defaults want minutes of baseline). */
const EAGER_HUNTER = {
  strategy: {
    warmupUs: 500_000,
    windowUs: 2_000_000,
    baselineHalfLifeUs: 60_000_000,
    burstK: 1,
    minBurstNotionalQuote: 5_000,
    minMoveBps: 0,
    cooldownUs: 300_000,
    timeStopUs: 800_000,
  },
};

/** A `liquidation-orders` entry: `n` distinct forced orders on `side` at the touch, about `contracts` each. */
function liquidationBurst(mock: OkxMockServer, instId: string, side: 'sell' | 'buy', n: number, contracts: number): unknown {
  const m = mock.model.model(instId)!;
  const ts = String(Date.now());
  const px = m.px(side === 'sell' ? m.bestBid() : m.bestAsk());
  // Distinct sizes (identical details would be, rightly, DUPLICATE) and the
  // current time (an older ts than the last liquidation's would be OUT_OF_ORDER).
  const details = Array.from({ length: n }, (_, k) => ({
    bkLoss: '0', bkPx: px, ccy: '', posSide: side === 'sell' ? 'long' : 'short', side, sz: String(contracts + k), ts,
  }));
  const family = instId.replace(/-SWAP$/, '');
  return { details, instFamily: family, instId, instType: 'SWAP', uly: family };
}

async function until(pred: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let tmp: string;
let mock: OkxMockServer;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'qhft-okx-e2e-'));
  mock = await startOkxMockServer({ seed: 11, autoTickMs: 20, bookDepth: 50 });
});

afterAll(async () => {
  await mock?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('qhft run --source okx against the local OKX mock (child process)', () => {
  it('streams through the whole pipeline, survives a gap and a dropped connection, trades on a liquidation burst, and closes its accounts', async () => {
    const cfg = join(tmp, 'hunter.json');
    writeFileSync(cfg, JSON.stringify(EAGER_HUNTER));
    const summaryFile = join(tmp, 'summary.json');
    const recording = join(tmp, 'okx.qrec');
    const child = spawn(
      process.execPath,
      [
        'bin/qhft.js', 'run', '--source', 'okx', '--okx-ws-url', mock.wsUrl, '--okx-rest-url', mock.restUrl,
        '--duration', '8s', '--no-http', '--summary-json', summaryFile, '--config', cfg, '--journal-dir', join(tmp, 'journal'),
        '--record', recording, '--mysql-url', 'none',
      ],
      // The markets cache (and the writer's journal: no database here) go to the temp dir, never to the repo's .qhft/.
      { env: { ...process.env, QHFT_OKX_MARKETS_CACHE: join(tmp, 'okx-markets.json') }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));

    try {
      // Instruments came from REST (ccxt → /api/v5/public/instruments?instType=SWAP), once.
      await until(() => (mock.subscribeCounts.get(`books:${BTC}`) ?? 0) >= 1 && (mock.subscribeCounts.get('liquidation-orders:SWAP') ?? 0) >= 1, 'subscriptions', 30_000);
      expect(mock.restRequests.filter((r) => r.path === '/api/v5/public/instruments').map((r) => r.query.instType)).toEqual(['SWAP']);
      await sleep(1000); // books OK, hunter warm (warmupUs 0.5 s)

      // 1. Sequence gap on BTC: the feed must resubscribe the book on the same connection.
      mock.inject({ type: 'gap', instId: BTC });
      await until(() => (mock.subscribeCounts.get(`books:${BTC}`) ?? 0) >= 2, 'BTC book resubscribed after the gap');
      expect(mock.connectionCount()).toBe(1);
      await sleep(300); // fresh snapshot in, updates accepted again

      // 2. Liquidation bursts on both sides of BTC and ETH: whichever way the
      //    mid moved, one side's fade passes the (zero) move gate.
      for (let k = 0; k < 3; k++) {
        for (const id of [BTC, ETH]) {
          mock.push('liquidation-orders', 'SWAP', liquidationBurst(mock, id, 'sell', 3, 400));
          mock.push('liquidation-orders', 'SWAP', liquidationBurst(mock, id, 'buy', 3, 400));
        }
        await sleep(300);
      }

      // 3. Drop every connection: the feed reconnects and resubscribes.
      mock.inject({ type: 'drop' });
      await until(() => mock.connectionCount() >= 2 && (mock.subscribeCounts.get(`books:${BTC}`) ?? 0) >= 3, 'reconnect + resubscribe');
      await sleep(500);
      // Trading continues on the new connection.
      for (const id of [BTC, ETH]) {
        mock.push('liquidation-orders', 'SWAP', liquidationBurst(mock, id, 'sell', 3, 400));
        mock.push('liquidation-orders', 'SWAP', liquidationBurst(mock, id, 'buy', 3, 400));
      }
    } finally {
      const code = await exited;
      expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
    }

    const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as RunSummary;
    expect(s.source).toBe('okx');
    // Events flowed feed → sanitizer → strategy/execution/risk.
    expect(s.events.in).toBeGreaterThan(500);
    expect(s.events.accepted).toBeGreaterThan(500);
    expect(s.latencyUs.hops['feed>sanitizer']?.count).toBeGreaterThan(0);
    expect(s.latencyUs.hops['sanitizer>strategy']?.count).toBeGreaterThan(0);
    // The gap: the gapped update was rejected; nothing else was (the resync and
    // the reconnect brought clean snapshots, not a stream of rejects).
    expect(s.events.rejected['SEQUENCE_GAP'] ?? 0).toBeGreaterThanOrEqual(1);
    expect(Object.keys(s.events.rejected).filter((r) => r !== 'SEQUENCE_GAP')).toEqual([]);
    // Accounts close: every event, order and fill accounted for.
    const rejected = Object.values(s.events.rejected).reduce((a, b) => a + b, 0);
    expect(s.events.in).toBe(s.events.accepted + rejected);
    for (const [pair, v] of Object.entries(s.reconciliation)) expect(v.received, pair).toBe(v.sent);
    expect(s.lost).toBe(0);
    expect(s.stageErrors).toEqual([]);
    // The hunter saw the liquidations and traded on them.
    expect(s.signals).toBeGreaterThan(0);
    expect(s.orders.submitted, JSON.stringify(s.orders)).toBeGreaterThan(0);
    expect(s.orders.accepted).toBeGreaterThan(0);
    expect(s.fills).toBeGreaterThan(0);
    expect(s.latencyUs.tickToTrade.count).toBeGreaterThan(0);
    // The feed told the operator what happened.
    expect(stderr).toMatch(/okx: 2 instruments from http:\/\/127\.0\.0\.1:\d+ \(cached in /);
    expect(stderr).toMatch(/qhft feed: okx: resync BTC-USDT-SWAP/);
    expect(stderr).toMatch(/qhft feed: okx: disconnected/);
    expect(stderr.match(/qhft feed: okx: connected to ws:\/\/127\.0\.0\.1/g)?.length).toBeGreaterThanOrEqual(2);

    // --record captured exactly the md stream: replaying it (simulated time,
    // no network) feeds the sanitizer the same events, the gap included.
    const replaySummary = join(tmp, 'replay.json');
    const r = spawnSync(
      process.execPath,
      ['bin/qhft.js', 'run', '--source', 'replay', '--replay-file', recording, '--clock', 'sim', '--no-http', '--config', cfg,
        '--journal-dir', join(tmp, 'journal'), '--mysql-url', 'none', '--summary-json', replaySummary],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const rs = JSON.parse(readFileSync(replaySummary, 'utf8')) as RunSummary;
    expect(rs.events.in).toBe(s.events.in);
    expect(rs.events.rejected['SEQUENCE_GAP']).toBe(s.events.rejected['SEQUENCE_GAP']);
    expect(rs.lost).toBe(0);
  }, 90_000);
});

describe('the okx feed stage in process: what the sanitizer, strategy and risk see', () => {
  it('gap → INVALID → fresh snapshot → OK; silence → STALE and no trading → OK and trading; drop → reconnect', async () => {
    const m2 = await startOkxMockServer({ seed: 5, bookDepth: 50 });
    let ticking = true;
    const ticker = setInterval(() => ticking && m2.tick(), 20);
    const prevCache = process.env.QHFT_OKX_MARKETS_CACHE;
    process.env.QHFT_OKX_MARKETS_CACHE = join(tmp, 'okx-markets-2.json'); // the feed worker inherits it
    const cfg = join(tmp, 'hunter2.json');
    writeFileSync(cfg, JSON.stringify(EAGER_HUNTER));
    const config = loadEngineConfig(parseArgv(['--source', 'okx', '--okx-ws-url', m2.wsUrl, '--okx-rest-url', m2.restUrl, '--no-http', '--config', cfg]), {});
    const logs: string[] = [];
    const engine = new ProductionEngine(config, (l) => logs.push(l));
    // Every feed-state transition the sanitizer publishes, in order.
    const dq: { id: number; state: FeedState; reason: number }[] = [];
    const ev = new DataQualityEvent();
    engine.collector.listeners.push({
      onEventRecord(_ring, t, bytes, index) {
        if (t !== MsgType.DataQualityEvent) return;
        decodeDataQualityEvent(bytes, index, ev);
        if (ev.state !== ev.prevState) dq.push({ id: ev.instrumentId, state: ev.state, reason: ev.reasonCode });
      },
    });
    const find = (id: number, state: FeedState, reason: number, from = 0) => dq.findIndex((d, k) => k >= from && d.id === id && d.state === state && d.reason === reason);
    const seen = (id: number, state: FeedState, reason: number, from = 0) => find(id, state, reason, from) >= 0;
    const feed = () => engine.reports().feed as OkxFeedReport | undefined;
    const orders = () => engine.collector.approvedOrders + engine.collector.denials;
    const burst = (id: string) => {
      m2.push('liquidation-orders', 'SWAP', liquidationBurst(m2, id, 'sell', 3, 400));
      m2.push('liquidation-orders', 'SWAP', liquidationBurst(m2, id, 'buy', 3, 400));
    };
    try {
      await engine.start();
      expect(engine.instruments.map((i) => [i.id, i.symbol, i.tickSize, i.lotSize, i.contractValue])).toEqual([
        [0, BTC, 0.1, 0.01, 0.01],
        [1, ETH, 0.01, 0.01, 0.1],
      ]);
      // Both books come up from their subscribe snapshots.
      await until(() => seen(0, FeedState.Ok, RejectReason.Recovered) && seen(1, FeedState.Ok, RejectReason.Recovered), 'both books OK');

      // Gap → INVALID (SEQUENCE_GAP) → the resubscribe's snapshot → OK, updates accepted again.
      let mark = dq.length;
      m2.inject({ type: 'gap', instId: BTC });
      await until(() => seen(0, FeedState.Invalid, RejectReason.SequenceGap, mark), 'BTC INVALID on the gap');
      // (The snapshot can be back within a few ms: search after the INVALID, not after "now".)
      const gapAt = find(0, FeedState.Invalid, RejectReason.SequenceGap, mark) + 1;
      await until(() => seen(0, FeedState.Ok, RejectReason.Recovered, gapAt), 'BTC OK after the resync snapshot');
      // Resubscribed (at least once more than the initial subscription). The
      // sanitizer's own resync request can race the feed's gap detection and
      // add one redundant resubscribe on a busy machine; never more.
      const subs = m2.subscribeCounts.get(`books:${BTC}`) ?? 0;
      expect(subs).toBeGreaterThanOrEqual(2);
      expect(subs).toBeLessThanOrEqual(3);
      expect(m2.connectionCount()).toBe(1); // … on the same connection
      await until(() => (feed()?.status?.resyncs ?? 0) >= 1 && (feed()?.okx.resyncRequests ?? 0) >= 1, 'feed report shows the resync');
      const acceptedAfterResync = engine.summary().events.accepted;
      await until(() => engine.summary().events.accepted > acceptedAfterResync + 50, 'book updates accepted after the resync', 4000);
      expect(dq.slice(gapAt).filter((d) => d.id === 0 && d.state !== FeedState.Ok)).toEqual([]);

      // The market goes silent (no book updates): both instruments go STALE …
      ticking = false;
      mark = dq.length;
      await until(() => seen(0, FeedState.Stale, RejectReason.NoUpdateTimeout, mark) && seen(1, FeedState.Stale, RejectReason.NoUpdateTimeout, mark), 'STALE on silence', 5000);
      // … and a liquidation burst that would trade is refused by the strategy (FEED_NOT_OK); nothing reaches risk.
      const ordersBefore = orders();
      const signalsBefore = engine.collector.signals;
      burst(BTC);
      await until(() => engine.collector.signals >= signalsBefore + 6, 'signals on the stale feed');
      const staleSignals = engine.collector.recentSignals.slice(-6);
      expect(staleSignals.map((x) => x.reasonCode)).toEqual(Array(6).fill(SignalReason.FeedNotOk));
      await new Promise((r) => setTimeout(r, 200));
      expect(orders()).toBe(ordersBefore);

      // The market resumes: OK again, and the same burst now trades.
      mark = dq.length;
      ticking = true;
      await until(() => seen(0, FeedState.Ok, RejectReason.Recovered, mark) && seen(1, FeedState.Ok, RejectReason.Recovered, mark), 'OK after silence');
      await new Promise((r) => setTimeout(r, 300));
      burst(BTC);
      await until(() => orders() > ordersBefore, 'an order once the feed is OK again');
      expect(engine.collector.recentSignals.some((x) => x.reasonCode === SignalReason.EnterFadeSellBurst || x.reasonCode === SignalReason.EnterFadeBuyBurst)).toBe(true);

      // A dropped connection: reconnect, resubscribe, data flows again.
      const eventsBefore = feed()!.events;
      m2.inject({ type: 'drop' });
      await until(() => m2.connectionCount() >= 2 && (m2.subscribeCounts.get(`books:${BTC}`) ?? 0) >= 3, 'reconnect + resubscribe');
      await until(() => (feed()?.status?.reconnects ?? 0) >= 1 && feed()!.status!.connected && feed()!.events > eventsBefore + 100, 'data after the reconnect');
    } finally {
      clearInterval(ticker);
      const { summary, exitCode } = await engine.stop('requested');
      if (prevCache === undefined) delete process.env.QHFT_OKX_MARKETS_CACHE;
      else process.env.QHFT_OKX_MARKETS_CACHE = prevCache;
      await m2.close();
      expect(exitCode, logs.join('\n')).toBe(0);
      expect(summary.lost).toBe(0);
      expect(summary.stageErrors).toEqual([]);
      const f = feed()!;
      expect(f.okx.blockedWaits).toBe(0);
      expect(f.status).not.toBeNull();
    }
  }, 60_000);
});
