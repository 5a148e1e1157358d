/**
 * Synthetic market generation speed: events/s in sim mode (no sleeping), per
 * event mix, median of 5 runs after a warm-up. Target ≥ 500k events/s.
 *
 * `npm run bench -- synthetic [--json PATH] [--events N] [--runs R]`
 *
 * The sink does the least a consumer can (counts per type and folds the
 * timestamp), so the figure is the generator's own cost. The `paced` variant
 * drives `emitDueUntil` with a clock advanced 1 ms per call, as the feed
 * stage does in wall-clock mode. Cold path: benchmark only.
 */
import { DEFAULT_INSTRUMENTS, makeInstrumentSpec, type InstrumentSpec } from '../src/core/domain/instrument.ts';
import type {
  BookDeltas,
  FundingRateEvent,
  LiquidationEvent,
  MarkPriceEvent,
  TradeTick,
} from '../src/core/domain/market-events.ts';
import { SyntheticMarket, type MarketEventSink, type SyntheticConfig } from '../src/feed/synthetic/index.ts';
import { benchArgs, median, printTable, writeJson, type BenchResult } from './lib/report.ts';

class CountingSink implements MarketEventSink {
  readonly counts = new Float64Array(5);
  fold = 0;
  onBookDeltas(d: BookDeltas): void {
    this.counts[0]++;
    this.fold += d.bidCount + d.askCount;
  }
  onTrade(t: TradeTick): void {
    this.counts[1]++;
    this.fold += t.sizeLots;
  }
  onLiquidation(l: LiquidationEvent): void {
    this.counts[2]++;
    this.fold += l.sizeLots;
  }
  onFundingRate(f: FundingRateEvent): void {
    this.counts[3]++;
    this.fold += f.rate;
  }
  onMarkPrice(m: MarkPriceEvent): void {
    this.counts[4]++;
    this.fold += m.priceTicks;
  }
}

const MORE_INSTRUMENTS: readonly InstrumentSpec[] = [
  ...DEFAULT_INSTRUMENTS,
  makeInstrumentSpec({ id: 2, symbol: 'SOL-USDT-SWAP', tickSize: 0.01, lotSize: 0.01, minSizeLots: 1, contractValue: 1, makerFeeBps: 2, takerFeeBps: 5 }),
  makeInstrumentSpec({ id: 3, symbol: 'XRP-USDT-SWAP', tickSize: 0.0001, lotSize: 0.01, minSizeLots: 1, contractValue: 100, makerFeeBps: 2, takerFeeBps: 5 }),
  makeInstrumentSpec({ id: 4, symbol: 'DOGE-USDT-SWAP', tickSize: 0.00001, lotSize: 0.01, minSizeLots: 1, contractValue: 1000, makerFeeBps: 2, takerFeeBps: 5 }),
];

interface Variant {
  name: string;
  instruments: readonly InstrumentSpec[];
  config: Partial<SyntheticConfig>;
  paced?: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'sim/default', instruments: DEFAULT_INSTRUMENTS, config: {} },
  { name: 'sim/book-heavy', instruments: DEFAULT_INSTRUMENTS, config: { tradeShare: 0.05 } },
  { name: 'sim/trade-heavy', instruments: DEFAULT_INSTRUMENTS, config: { tradeShare: 0.4 } },
  { name: 'sim/cascades', instruments: DEFAULT_INSTRUMENTS, config: { jumpsPerHour: 3_600, liqBurstCount: 20 } },
  { name: 'sim/deep-book-150', instruments: DEFAULT_INSTRUMENTS, config: { bookDepthLevels: 150 } },
  { name: 'sim/5-instruments', instruments: MORE_INSTRUMENTS, config: {} },
  { name: 'paced/emitDueUntil', instruments: DEFAULT_INSTRUMENTS, config: { eventsPerSec: 1_000_000 }, paced: true },
];

function runOnce(m: SyntheticMarket, sink: CountingSink, events: number, paced: boolean, clock: { nowUs: number }): number {
  const t0 = performance.now();
  if (paced) {
    let left = events;
    while (left > 0) {
      clock.nowUs += 1_000;
      left -= m.emitDueUntil(clock.nowUs, sink, left);
    }
  } else {
    for (let i = 0; i < events; i++) m.next(sink);
  }
  return performance.now() - t0;
}

export async function run(args: string[]): Promise<void> {
  const { json, flags } = benchArgs(args);
  const events = Number(flags.get('events') ?? 500_000);
  const runs = Number(flags.get('runs') ?? 5);
  if (!(Number.isInteger(events) && events > 0)) throw new Error(`--events must be a positive integer, got ${flags.get('events')}`);
  if (!(Number.isInteger(runs) && runs > 0)) throw new Error(`--runs must be a positive integer, got ${flags.get('runs')}`);

  const results: BenchResult[] = [];
  for (const v of VARIANTS) {
    const m = new SyntheticMarket(v.instruments, { seed: 1, ...v.config });
    const sink = new CountingSink();
    const clock = { nowUs: m.config.startUnixUs };
    runOnce(m, sink, Math.min(events, 200_000), v.paced === true, clock); // warm-up (JIT)
    sink.counts.fill(0);
    const rates: number[] = [];
    for (let r = 0; r < runs; r++) {
      const ms = runOnce(m, sink, events, v.paced === true, clock);
      rates.push((events / ms) * 1000);
    }
    const total = sink.counts.reduce((a, x) => a + x, 0);
    const share = (i: number) => Number((sink.counts[i]! / total).toFixed(4));
    results.push({
      variant: v.name,
      params: { instruments: v.instruments.length, events, runs, ...v.config },
      msgsPerS: Math.round(median(rates)),
      minMsgsPerS: Math.round(Math.min(...rates)),
      maxMsgsPerS: Math.round(Math.max(...rates)),
      mix: { book: share(0), trade: share(1), liquidation: share(2), funding: share(3), mark: share(4) },
      fold: sink.fold,
    });
  }
  printTable('synthetic market: events/s generated (median of runs), target ≥ 500k', results);
  console.log('\nevent mix (share of emitted events):');
  for (const r of results) console.log(`  ${r.variant.padEnd(20)} ${JSON.stringify(r.mix)}`);
  writeJson(json, 'synthetic', results, { targetMsgsPerS: 500_000 });
}
