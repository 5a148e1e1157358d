/**
 * `npm run bench -- logic [--json PATH] [--calls N]`: decisions per second
 * and per-call latency (HDR) of the domain logic each stage hosts —
 * DRBGuard.check, L0Sanitizer.onBookDeltas, SimpleLiquidationHunter.onTrade —
 * on realistic streams from the synthetic market, and L2Book.applyDeltas on an
 * OKX-depth (400-level) book, with heap growth over the
 * whole run (target ≈ 0: no allocation in steady state).
 *
 * Baselines in the same run: `timer` (an empty call timed the same way: the
 * measurement floor, subtracted from nothing, printed so you can) and
 * `json-parse` (JSON.parse of a real OKX books update frame, the cost our
 * inputs had before they became integers — every stage decision should be
 * well below it). Per-call latency is timed call by call with
 * performance.now(); throughput is timed over the whole loop.
 */
import { readFileSync } from 'node:fs';
import * as hdr from 'hdr-histogram-js';
import { DEFAULT_INSTRUMENTS } from '../src/core/domain/instrument.ts';
import { FeedState, OrderType, Side } from '../src/core/domain/enums.ts';
import { BookDeltas, TradeTick, type FundingRateEvent, type LiquidationEvent, type MarkPriceEvent } from '../src/core/domain/market-events.ts';
import { OrderIntent, OrderStatus, OrderUpdate } from '../src/core/domain/orders.ts';
import { L2Book } from '../src/core/book/l2-book.ts';
import { L0Sanitizer, NullDataQualitySink, validateSanitizerConfig } from '../src/core/sanitizer/index.ts';
import { DRBGuard, NullRiskEventSink, validateRiskConfig } from '../src/risk/index.ts';
import { SimpleLiquidationHunter } from '../src/core/strategies/simple-liquidation-hunter.ts';
import type { StrategyOutput } from '../src/core/strategies/strategy.ts';
import { SyntheticMarket, Xoshiro128, type MarketEventSink } from '../src/feed/synthetic/index.ts';
import { benchArgs, printTable, writeJson, type BenchResult } from './lib/report.ts';

const gc = (globalThis as { gc?: () => void }).gc;

function histogram(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 1e10, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

function heapMb(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** Collects a realistic event stream from the synthetic market (cold, before timing). */
class StreamCollector implements MarketEventSink {
  readonly books: BookDeltas[] = [];
  readonly trades: TradeTick[] = [];
  onBookDeltas(d: BookDeltas): void {
    const c = new BookDeltas(d.bidCount + d.askCount + 1);
    c.instrumentId = d.instrumentId;
    c.tsExchangeUs = d.tsExchangeUs;
    c.tsRecvUs = d.tsExchangeUs;
    c.seqId = d.seqId;
    c.prevSeqId = d.prevSeqId;
    c.isSnapshot = d.isSnapshot;
    c.bidCount = d.bidCount;
    c.askCount = d.askCount;
    c.bidPriceTicks.set(d.bidPriceTicks.subarray(0, d.bidCount));
    c.bidSizeLots.set(d.bidSizeLots.subarray(0, d.bidCount));
    c.askPriceTicks.set(d.askPriceTicks.subarray(0, d.askCount));
    c.askSizeLots.set(d.askSizeLots.subarray(0, d.askCount));
    this.books.push(c);
  }
  onTrade(t: TradeTick): void {
    this.trades.push(Object.assign(new TradeTick(), t, { tsRecvUs: t.tsExchangeUs }));
  }
  onLiquidation(_l: LiquidationEvent): void {}
  onFundingRate(_f: FundingRateEvent): void {}
  onMarkPrice(_m: MarkPriceEvent): void {}
}

class NullOutput implements StrategyOutput {
  submit(): void {}
  cancel(): void {}
  signal(): void {}
}

interface Measured {
  result: BenchResult;
  heapGrowthMb: number;
}

/** Runs `call(i)` `calls` times: whole-loop throughput, then per-call HDR on a second pass. */
function measure(variant: string, params: Record<string, unknown>, calls: number, call: (i: number) => void): Measured {
  for (let i = 0; i < Math.min(calls, 200_000); i++) call(i); // warm up (JIT)
  const heap0 = heapMb();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) call(i);
  const seconds = (performance.now() - t0) / 1000;
  const heap1 = heapMb();
  const h = histogram();
  const sampled = Math.min(calls, 2_000_000);
  for (let i = 0; i < sampled; i++) {
    const a = performance.now();
    call(i);
    const ns = Math.round((performance.now() - a) * 1e6);
    h.recordValue(ns > 0 ? ns : 1);
  }
  return {
    heapGrowthMb: heap1 - heap0,
    result: {
      variant,
      params: { ...params, calls },
      msgsPerS: calls / seconds,
      latencyUs: { p50: h.getValueAtPercentile(50) / 1000, p99: h.getValueAtPercentile(99) / 1000, p999: h.getValueAtPercentile(99.9) / 1000, max: h.maxValue / 1000 },
      nsPerCall: (seconds * 1e9) / calls,
      heapGrowthMb: Math.round((heap1 - heap0) * 1000) / 1000,
    },
  };
}

export async function run(args: string[]): Promise<void> {
  const { json, flags } = benchArgs(args);
  const calls = Number(flags.get('calls') ?? 10_000_000);
  if (!gc) console.warn('note: run with --expose-gc (npm run bench does) for exact heap-growth figures');
  const instruments = DEFAULT_INSTRUMENTS;

  // Realistic streams: 200k synthetic events, replayed cyclically.
  const market = new SyntheticMarket(instruments, { seed: 3, eventsPerSec: 5_000, jumpsPerHour: 720 });
  const stream = new StreamCollector();
  while (stream.books.length < 100_000 || stream.trades.length < 20_000) market.next(stream);
  // Sanitizer: the stream is sequence-continuous only once; rebase seqIds each lap so it stays valid.
  const books = stream.books.filter((b) => b.instrumentId === 0);
  const trades = stream.trades;
  const results: BenchResult[] = [];
  const heap: Record<string, number> = {};

  const timer = measure('timer', { what: 'empty call, same timing' }, calls, () => undefined);
  results.push(timer.result);

  const frame = readFileSync(new URL('../test/support/okx-mock/fixtures/books_update_doc.json', import.meta.url), 'utf8');
  const jp = measure('json-parse', { what: 'OKX books update frame' }, Math.min(calls, 2_000_000), () => {
    JSON.parse(frame);
  });
  results.push(jp.result);

  // L0Sanitizer on book deltas (1-5 level updates on a 20-level book).
  const sanitizer = new L0Sanitizer([instruments[0]!], validateSanitizerConfig({}), new NullDataQualitySink(), 0);
  // Replayed in laps: each lap shifts seqIds and exchange times forward so the
  // stream stays continuous (a lap starts with the generator's snapshot).
  const lastSeq = books[books.length - 1]!.seqId;
  const spanUs = books[books.length - 1]!.tsExchangeUs - books[0]!.tsExchangeUs + 1_000;
  let seqOffset = 0;
  let tsOffset = 0;
  const san = measure('L0Sanitizer.onBookDeltas', { levels: '1-5 per update' }, calls, (i) => {
    const k = i % books.length;
    if (k === 0 && i > 0) {
      seqOffset += lastSeq + 1;
      tsOffset += spanUs;
    }
    const b = books[k]!;
    const seq = b.seqId;
    const prev = b.prevSeqId;
    const ts = b.tsExchangeUs;
    b.seqId = seq + seqOffset;
    if (!b.isSnapshot) b.prevSeqId = prev + seqOffset;
    b.tsExchangeUs = ts + tsOffset;
    b.tsRecvUs = b.tsExchangeUs;
    sanitizer.onBookDeltas(b, b.tsExchangeUs);
    b.seqId = seq;
    b.prevSeqId = prev;
    b.tsExchangeUs = ts;
  });
  const acceptedShare = sanitizer.counts[0]! / sanitizer.eventsIn();
  san.result.acceptedShare = acceptedShare;
  results.push(san.result);
  heap.sanitizer = san.heapGrowthMb;

  // L2Book.applyDeltas on an OKX-depth book (every stage keeps one: sanitizer, strategy, venue).
  const depthBook = new L2Book();
  depthBook.applyDeltas(okxDepthSnapshot());
  const depthUpdates = okxDepthUpdates(4096);
  const bk = measure('L2Book.applyDeltas', { book: `${OKX_DEPTH} levels/side`, update: '4 changes, 70 % within 10 levels of the touch, 40 % deletes' }, calls, (i) => {
    depthBook.applyDeltas(depthUpdates[i & 4095]!);
  });
  results.push(bk.result);
  heap.book = bk.heapGrowthMb;

  // DRBGuard.check on an accepted limit order at the touch (the full path), quotes refreshed.
  const guard = new DRBGuard(validateRiskConfig({ ordersPerWindow: 1000, cancelsPerWindow: 2000, duplicateIntentWindowUs: 1 }), [instruments[0]!], new NullRiskEventSink());
  guard.onFeedState(0, FeedState.Ok);
  const intent = new OrderIntent();
  intent.instrumentId = 0;
  intent.type = OrderType.Limit;
  intent.sizeLots = 1;
  let t = 1_000_000;
  let nextId = 1;
  const g = measure('DRBGuard.check', { path: 'accept at the touch' }, calls, () => {
    t += 1_000; // 1000 orders/s of simulated time keeps the throttle satisfied
    guard.onQuote(0, 950_000, 950_001, t);
    intent.clientOrderId = nextId++;
    intent.side = (nextId & 1) === 0 ? Side.Buy : Side.Sell;
    intent.priceTicks = intent.side === Side.Buy ? 950_000 : 950_001;
    const d = guard.check(intent, t);
    // Keep the open-order table from filling: the venue "cancels" at once.
    if (d.accepted) guard.onOrderUpdate(cancelled(intent, t));
  });
  results.push(g.result);
  heap.guard = g.heapGrowthMb;

  // SimpleLiquidationHunter.onTrade.
  const hunter = new SimpleLiquidationHunter(new NullOutput(), [instruments[0]!, instruments[1]!], {});
  const books2 = [new L2Book(), new L2Book()];
  books2[0]!.setBid(950_000, 10);
  books2[0]!.setAsk(950_001, 10);
  const h = measure('SimpleLiquidationHunter.onTrade', { stream: 'synthetic trades' }, calls, (i) => {
    const tr = trades[i % trades.length]!;
    hunter.onTrade(tr, tr.tsExchangeUs);
  });
  results.push(h.result);
  heap.hunter = h.heapGrowthMb;

  printTable('logic: per-call latency of the stage logic (2 baselines first)', results);
  console.log(`\nheap growth over ${calls.toLocaleString('en')} calls (MB, after GC): sanitizer ${heap.sanitizer!.toFixed(3)}, book ${heap.book!.toFixed(3)}, guard ${heap.guard!.toFixed(3)}, hunter ${heap.hunter!.toFixed(3)}`);
  console.log(`sanitizer accepted ${(100 * acceptedShare).toFixed(2)}% of book updates (the rest: checks doing their job); guard accepted ${guard.acceptedCount} of ${guard.acceptedCount + guard.denyCounts.reduce((a, b) => a + b, 0)}`);
  console.log(`json-parse / sanitizer per call: ${(jp.result.nsPerCall as number / (san.result.nsPerCall as number)).toFixed(1)}x`);
  writeJson(json, 'logic', results, { heapGrowthMb: heap });
}

/** OKX `books` depth per side. */
const OKX_DEPTH = 400;
const DEPTH_TOUCH_BID = 1_000_000;

/** A full OKX-depth book around a fixed touch (bids 1,000,000 down, asks 1,000,001 up). */
function okxDepthSnapshot(): BookDeltas {
  const d = new BookDeltas(OKX_DEPTH);
  d.isSnapshot = true;
  d.bidCount = OKX_DEPTH;
  d.askCount = OKX_DEPTH;
  for (let i = 0; i < OKX_DEPTH; i++) {
    d.bidPriceTicks[i] = DEPTH_TOUCH_BID - i;
    d.bidSizeLots[i] = 5;
    d.askPriceTicks[i] = DEPTH_TOUCH_BID + 1 + i;
    d.askSizeLots[i] = 5;
  }
  return d;
}

/**
 * `n` incremental updates of 4 level changes each, seeded: 70 % within 10
 * levels of the touch (where a live book changes most), the rest anywhere in
 * the 400; 40 % deletes, re-added by later changes, so the book keeps its depth.
 */
function okxDepthUpdates(n: number): BookDeltas[] {
  const rng = new Xoshiro128(20261125);
  const rnd = (): number => rng.uniform();
  const out: BookDeltas[] = [];
  for (let m = 0; m < n; m++) {
    const d = new BookDeltas(4);
    for (let k = 0; k < 4; k++) {
      const depth = rnd() < 0.7 ? Math.floor(rnd() * 10) : Math.floor(rnd() * OKX_DEPTH);
      const size = rnd() < 0.4 ? 0 : 1 + Math.floor(rnd() * 9);
      if (rnd() < 0.5) {
        d.bidPriceTicks[d.bidCount] = DEPTH_TOUCH_BID - depth;
        d.bidSizeLots[d.bidCount++] = size;
      } else {
        d.askPriceTicks[d.askCount] = DEPTH_TOUCH_BID + 1 + depth;
        d.askSizeLots[d.askCount++] = size;
      }
    }
    out.push(d);
  }
  return out;
}

const update = new OrderUpdate();
function cancelled(o: OrderIntent, tsUs: number): OrderUpdate {
  update.clientOrderId = o.clientOrderId;
  update.instrumentId = o.instrumentId;
  update.status = OrderStatus.Cancelled;
  update.side = o.side;
  update.priceTicks = o.priceTicks;
  update.sizeLots = o.sizeLots;
  update.filledLots = 0;
  update.tsUs = tsUs;
  return update;
}
