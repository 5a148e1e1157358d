/**
 * OKX feed benchmark: per-frame cost of turning a raw OKX v5 text frame into
 * domain carriers, ours vs ccxt's unified handling, on the same recorded
 * frames (seeded OKX mock market: books updates + snapshots, trades,
 * tickers, mark price, funding, liquidations).
 *   npm run bench -- feed [--json PATH] [--frames N] [--passes N] [--no-socket]
 * Variants:
 * - json-parse-only: `JSON.parse(text)`, the floor of any JSON feed;
 * - ours: OkxFrameParser.parseFrame (JSON.parse + native conversion + sink);
 * - ccxt-unified: ccxt's WsClient.onMessage → okx.handleMessage (its JSON
 *   parse and unified handlers: order-book merge, parseTrade, parseTicker,
 *   ...), which still has not produced a single carrier;
 * - ours-socket: the whole OKXLiveService (ccxt socket + tap + parser) fed by
 *   the mock over a real 127.0.0.1 WebSocket in the same process; latency =
 *   receive stamp → last carrier emitted, frames/s = end-to-end rate.
 * Latency per frame is recorded in an HDR histogram (ns) around each call;
 * frames/s comes from a separate untimed pass. Best of `passes` for rate.
 */
import * as hdr from 'hdr-histogram-js';
import ccxt from 'ccxt';
import { nowNs } from '../src/core/clock.ts';
import type { BestBidOffer, BookDeltas, FundingRateEvent, LiquidationEvent, MarkPriceEvent, TradeTick } from '../src/core/domain/market-events.ts';
import { OkxFrameParser } from '../src/feed/okx/okx-frame-parser.ts';
import type { OkxEventSink } from '../src/feed/okx/okx-event-sink.ts';
import { specsFromMarkets, type CcxtMarketLike } from '../src/feed/okx/okx-instruments.ts';
import { OKXLiveService } from '../src/feed/okx/okx-live-service.ts';
import { MarketModel, type MockInstrument } from '../test/support/okx-mock/market-model.ts';
import { loadOkxFixture, startOkxMockServer } from '../test/support/okx-mock/server.ts';
import { benchArgs, machineInfo, printTable, summarizeNs, writeJson, type BenchResult } from './lib/report.ts';

const SYMBOLS = ['BTC-USDT-SWAP', 'ETH-USDT-SWAP'];

/** A checksum-ish sink so the JIT cannot drop the work. */
class CountingSink implements OkxEventSink {
  n = 0;
  acc = 0;
  onBookDeltas(d: BookDeltas): void {
    this.n++;
    this.acc += d.bidCount + d.askCount + (d.bidCount > 0 ? d.bidPriceTicks[0]! : 0);
  }
  onTrade(t: TradeTick): void {
    this.n++;
    this.acc += t.priceTicks;
  }
  onLiquidation(l: LiquidationEvent): void {
    this.n++;
    this.acc += l.sizeLots;
  }
  onFundingRate(f: FundingRateEvent): void {
    this.n++;
    this.acc += f.rate;
  }
  onMarkPrice(m: MarkPriceEvent): void {
    this.n++;
    this.acc += m.priceTicks;
  }
  onBbo(b: BestBidOffer): void {
    this.n++;
    this.acc += b.bidPriceTicks;
  }
}

/** Records a deterministic frame tape: snapshots first, then a realistic mix. */
function recordFrames(count: number): { frames: string[]; mix: Record<string, number> } {
  const instruments = loadOkxFixture<{ data: MockInstrument[] }>('rest_public_instruments_swap.json').data.filter((i) => SYMBOLS.includes(i.instId));
  const model = new MarketModel({ instruments, seed: 42, bookDepth: 400 });
  const rng = model.rng;
  const frames: string[] = [];
  const mix: Record<string, number> = {};
  const add = (kind: string, f: string) => {
    frames.push(f);
    mix[kind] = (mix[kind] ?? 0) + 1;
  };
  let ts = 1_786_540_000_000;
  for (const s of SYMBOLS) add('books-snapshot', model.bookSnapshotFrame('books', s, ts));
  while (frames.length < count) {
    ts += 7;
    for (const s of SYMBOLS) {
      const u = model.model(s)!.step(rng, ts);
      add('books-update', model.bookUpdateFrame('books', s, u));
      if (rng.next() < 0.5) add('trades', model.tradeFrame(s, ts));
      if (rng.next() < 0.3) add('tickers', model.tickerFrame(s, ts));
      if (rng.next() < 0.1) add('mark-price', model.markPriceFrame(s, ts));
      if (rng.next() < 0.02) add('funding-rate', model.fundingRateFrame(s, ts));
      if (rng.next() < 0.05) add('liquidation-orders', model.liquidationFrame(s, 'SWAP', ts));
    }
  }
  return { frames: frames.slice(0, count), mix };
}

function measure(name: string, frames: string[], passes: number, fn: (text: string) => void, params: Record<string, unknown>): BenchResult {
  const n = frames.length;
  for (let i = 0; i < Math.min(n, 5000); i++) fn(frames[i]!); // warm-up / JIT
  let bestRate = 0;
  for (let p = 0; p < passes; p++) {
    const t0 = nowNs();
    for (let i = 0; i < n; i++) fn(frames[i]!);
    const rate = n / ((nowNs() - t0) / 1e9);
    if (rate > bestRate) bestRate = rate;
  }
  const h = hdr.build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < n; i++) {
      const t0 = nowNs();
      fn(frames[i]!);
      h.recordValue(Math.max(1, Math.round(nowNs() - t0)));
    }
  }
  const r: BenchResult = { variant: name, params, msgsPerS: Math.round(bestRate), latencyUs: summarizeNs(h) };
  return r;
}

async function socketVariant(frames: string[], params: Record<string, unknown>): Promise<BenchResult> {
  const mock = await startOkxMockServer({ seed: 42, bookDepth: 50 });
  const sink = new CountingSink();
  const svc = new OKXLiveService({
    sink, symbols: SYMBOLS, wsUrl: mock.wsUrl, restUrl: mock.restUrl,
    markets: loadOkxFixture<CcxtMarketLike[]>('ccxt_unified_markets_swap.json'),
    channels: { liquidations: true, trades: true, tickers: true, markPrice: true, fundingRate: true },
    staleAfterMs: 10_000, stallTimeoutMs: 60_000,
  });
  try {
    await svc.start();
    await mock.waitFor(() => (mock.subscribeCounts.get('liquidation-orders:SWAP') ?? 0) === 1 && (mock.subscribeCounts.get('tickers:ETH-USDT-SWAP') ?? 0) === 1, 5000, 'subscriptions');
    await mock.waitFor(() => (svc.counters?.books ?? 0) >= SYMBOLS.length, 5000, 'snapshots');
    const base = svc.status().framesIn;
    const t0 = nowNs();
    // Send in chunks so the sender and the receiver (same event loop) interleave.
    const CHUNK = 500;
    for (let i = 0; i < frames.length; i += CHUNK) {
      const end = Math.min(frames.length, i + CHUNK);
      for (let k = i; k < end; k++) mock.broadcast(frames[k]!);
      await new Promise((r) => setImmediate(r));
    }
    await mock.waitFor(() => svc.status().framesIn - base >= frames.length, 60_000, 'all frames received');
    const elapsedS = (nowNs() - t0) / 1e9;
    const lat = svc.latencySummary();
    return {
      variant: 'ours-socket', params: { ...params, note: 'mock+feed in one process' }, msgsPerS: Math.round(frames.length / elapsedS),
      latencyUs: { p50: lat.p50Us, p99: lat.p99Us, p999: lat.p999Us, max: lat.maxUs, count: lat.count },
    };
  } finally {
    await svc.stop();
    await mock.close();
  }
}

export async function run(args: string[]): Promise<void> {
  const { json, flags } = benchArgs(args);
  const count = Number(flags.get('frames') ?? 20_000);
  const passes = Number(flags.get('passes') ?? 5);
  const m = machineInfo();
  const { frames, mix } = recordFrames(count);
  const avgBytes = Math.round(frames.reduce((s, f) => s + f.length, 0) / frames.length);
  console.log(`feed bench: node ${m.node}, ${m.cpus} cpus (${m.cpuModel}); ${frames.length} recorded OKX frames (avg ${avgBytes} B), ${passes} passes`);
  console.log(`frame mix: ${Object.entries(mix).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const params = { frames: frames.length, avgBytes, instruments: SYMBOLS.length };
  const results: BenchResult[] = [];

  let sinkJunk = 0;
  results.push(measure('json-parse-only', frames, passes, (t) => {
    sinkJunk += (JSON.parse(t) as { data?: unknown[] }).data?.length ?? 0;
  }, params));

  const markets = loadOkxFixture<CcxtMarketLike[]>('ccxt_unified_markets_swap.json');
  const specs = specsFromMarkets(markets, SYMBOLS);
  const parser = new OkxFrameParser(specs, { onGap: () => {} });
  const sink = new CountingSink();
  const recv = 1;
  results.push(measure('ours', frames, passes, (t) => {
    parser.parseFrame(t, recv, sink);
  }, params));
  if (parser.counters.malformed !== 0 || parser.counters.gaps !== 0) {
    throw new Error(`feed bench: recorded frames must parse cleanly (malformed=${parser.counters.malformed}, gaps=${parser.counters.gaps})`);
  }

  // ccxt's unified path: the real WsClient.onMessage → okx.handleMessage, no socket.
  const ex = new ccxt.pro.okx({ urls: { api: { rest: 'http://127.0.0.1:1', ws: 'ws://127.0.0.1:1/ws/v5' } } });
  await ex.loadHttpProxyAgent();
  ex.setMarkets(markets);
  const client = ex.client(ex.getUrl('books', 'public')) as unknown as { onMessage(ev: { data: string }): void; subscriptions: Record<string, unknown> };
  for (const s of SYMBOLS) {
    const sym = ex.market(s).symbol;
    client.subscriptions[`books:${sym}`] = true;
    client.subscriptions[`trades:${sym}`] = true;
  }
  results.push(measure('ccxt-unified', frames, passes, (t) => {
    client.onMessage({ data: t });
  }, { ...params, carriers: 'none (deltas, prevSeqId, extra liquidation details lost)' }));
  await ex.close();

  if (flags.get('no-socket') !== 'true') results.push(await socketVariant(frames, params));

  printTable('feed: OKX frame → carriers (per frame)', results);
  const ours = results.find((r) => r.variant === 'ours')!;
  const base = results.find((r) => r.variant === 'json-parse-only')!;
  const added = ours.latencyUs!.p99 - base.latencyUs!.p99;
  console.log(`ours adds ${added.toFixed(2)} µs at p99 over JSON.parse (target < 20 µs); sustains ${ours.msgsPerS} frames/s (target ≥ 50k)`);
  console.log(`(ours emitted ${sink.n} carriers; json-parse-only saw ${sinkJunk} data entries)`);
  writeJson(json, 'feed', results, { frameMix: mix, targets: { addedP99Us: 20, minFramesPerS: 50_000 }, addedP99Us: added });
}
