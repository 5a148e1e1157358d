import { describe, expect, it } from 'vitest';
import { L2Book } from '../../src/core/book/l2-book.ts';
import { Side } from '../../src/core/domain/enums.ts';
import { DEFAULT_INSTRUMENTS, makeInstrumentSpec, notionalQuote } from '../../src/core/domain/instrument.ts';
import type {
  BookDeltas,
  FundingRateEvent,
  LiquidationEvent,
  MarkPriceEvent,
  TradeTick,
} from '../../src/core/domain/market-events.ts';
import {
  DEFAULT_SYNTHETIC_CONFIG,
  SyntheticMarket,
  validateSyntheticConfig,
  type MarketEventSink,
  type SyntheticConfig,
} from '../../src/feed/synthetic/index.ts';

const BTC = 0;
const US_PER_S = 1_000_000;

/** FNV-1a over the 32-bit words of every field of every event. */
class HashingSink implements MarketEventSink {
  h = 0x811c9dc5;
  events = 0;
  private readonly f64 = new Float64Array(1);
  private readonly u32 = new Uint32Array(this.f64.buffer);

  private word(w: number): void {
    this.h = Math.imul(this.h ^ (w >>> 0), 0x01000193) >>> 0;
  }
  private num(x: number): void {
    this.f64[0] = x;
    this.word(this.u32[0]!);
    this.word(this.u32[1]!);
  }
  onBookDeltas(d: BookDeltas): void {
    this.events++;
    this.word(1);
    for (const x of [d.instrumentId, d.tsExchangeUs, d.tsRecvUs, d.seqId, d.prevSeqId, d.isSnapshot ? 1 : 0, d.checksum, d.bidCount, d.askCount]) this.num(x);
    for (let i = 0; i < d.bidCount; i++) {
      this.num(d.bidPriceTicks[i]!);
      this.num(d.bidSizeLots[i]!);
    }
    for (let i = 0; i < d.askCount; i++) {
      this.num(d.askPriceTicks[i]!);
      this.num(d.askSizeLots[i]!);
    }
  }
  onTrade(t: TradeTick): void {
    this.events++;
    this.word(2);
    for (const x of [t.instrumentId, t.tsExchangeUs, t.tsRecvUs, t.tradeId, t.priceTicks, t.sizeLots, t.aggressorSide]) this.num(x);
  }
  onLiquidation(l: LiquidationEvent): void {
    this.events++;
    this.word(3);
    for (const x of [l.instrumentId, l.tsExchangeUs, l.tsRecvUs, l.side, l.priceTicks, l.sizeLots]) this.num(x);
  }
  onFundingRate(f: FundingRateEvent): void {
    this.events++;
    this.word(4);
    for (const x of [f.instrumentId, f.tsExchangeUs, f.tsRecvUs, f.rate, f.fundingTimeUs]) this.num(x);
  }
  onMarkPrice(m: MarkPriceEvent): void {
    this.events++;
    this.word(5);
    for (const x of [m.instrumentId, m.tsExchangeUs, m.tsRecvUs, m.priceTicks]) this.num(x);
  }
}

function streamHash(seed: number, events: number, extra: Partial<SyntheticConfig> = {}): number {
  const m = new SyntheticMarket(DEFAULT_INSTRUMENTS, { seed, ...extra });
  const sink = new HashingSink();
  for (let i = 0; i < events; i++) m.next(sink);
  return sink.h;
}

const isInt = (x: number) => Number.isInteger(x);

/**
 * Applies every BookDeltas to a real L2Book per instrument and checks the
 * feed's invariants on every event; collects what the statistical tests need.
 */
class CheckingSink implements MarketEventSink {
  readonly books: L2Book[];
  readonly lastSeq: number[];
  lastTs = -Infinity;
  lastReturnedTs = NaN;
  errors: string[] = [];
  /** A trade whose consumption update must come next. */
  pendingTrade: { inst: number; bid: boolean; price: number; size: number; before: number } | null = null;
  trades: { inst: number; tsUs: number; side: Side }[] = [];
  liqs: { inst: number; tsUs: number; side: Side; notional: number; jumpTsUs: number; jumpSign: number }[] = [];
  marks = 0;
  fundings: FundingRateEvent[] = [];
  counts = { book: 0, trade: 0, liq: 0, funding: 0, mark: 0 };
  /** Largest relative distance of the mark from the book mid (the mark lags the mid by markSmoothingMs). */
  markTolerance = 0.02;

  constructor(
    readonly market: SyntheticMarket,
    readonly cfg: SyntheticConfig,
  ) {
    this.books = market.instruments.map(() => new L2Book());
    this.lastSeq = market.instruments.map(() => NaN);
  }

  private fail(msg: string): void {
    if (this.errors.length < 20) this.errors.push(msg);
  }

  private ts(inst: number, tsExchangeUs: number, tsRecvUs: number): void {
    if (!isInt(tsExchangeUs)) this.fail(`non-integer ts ${tsExchangeUs}`);
    if (tsExchangeUs < this.lastTs) this.fail(`ts went back: ${tsExchangeUs} < ${this.lastTs}`);
    if (tsRecvUs !== (this.cfg.stampRecvTime ? tsExchangeUs : 0)) this.fail(`tsRecvUs ${tsRecvUs}`);
    if (inst < 0 || inst >= this.books.length) this.fail(`instrument ${inst}`);
    this.lastTs = tsExchangeUs;
  }

  onBookDeltas(d: BookDeltas): void {
    this.counts.book++;
    const k = d.instrumentId;
    this.ts(k, d.tsExchangeUs, d.tsRecvUs);
    const book = this.books[k]!;
    if (Number.isNaN(this.lastSeq[k]!)) {
      if (!d.isSnapshot || d.prevSeqId !== -1) this.fail(`first book message of ${k} is not a snapshot`);
    } else {
      if (d.isSnapshot) this.fail('second snapshot');
      if (d.prevSeqId !== this.lastSeq[k]) this.fail(`seq gap: prevSeqId ${d.prevSeqId} != last ${this.lastSeq[k]}`);
      if (!(d.seqId > d.prevSeqId)) this.fail(`seqId ${d.seqId} not after ${d.prevSeqId}`);
    }
    this.lastSeq[k] = d.seqId;
    const seen = new Set<number>();
    for (const [n, px, sz, side] of [
      [d.bidCount, d.bidPriceTicks, d.bidSizeLots, Side.Buy],
      [d.askCount, d.askPriceTicks, d.askSizeLots, Side.Sell],
    ] as const) {
      seen.clear();
      for (let i = 0; i < n; i++) {
        const p = px[i]!;
        const s = sz[i]!;
        if (!isInt(p) || p <= 0) this.fail(`price off grid: ${p}`);
        if (!isInt(s) || s < 0) this.fail(`size off grid: ${s}`);
        if (s === 0 && (d.isSnapshot || book.sizeAt(side, p) === 0)) this.fail(`delete of a missing level ${p}`);
        if (seen.has(p)) this.fail(`price ${p} twice in one message`);
        seen.add(p);
      }
    }
    const pt = this.pendingTrade;
    book.applyDeltas(d);
    if (pt) {
      this.pendingTrade = null;
      if (pt.inst !== k) this.fail('trade not followed by its own book update');
      const after = book.sizeAt(pt.bid ? Side.Buy : Side.Sell, pt.price);
      if (after !== pt.before - pt.size) this.fail(`touch ${pt.price} not consumed: ${pt.before} - ${pt.size} != ${after}`);
    }
    if (book.isCrossed()) this.fail(`crossed book ${book.bestBid()} >= ${book.bestAsk()}`);
    if (book.bidCount === 0 || book.askCount === 0) this.fail('empty side');
  }

  onTrade(t: TradeTick): void {
    this.counts.trade++;
    this.ts(t.instrumentId, t.tsExchangeUs, t.tsRecvUs);
    if (this.pendingTrade) this.fail('two trades without the book update between');
    const book = this.books[t.instrumentId]!;
    const buy = t.aggressorSide === Side.Buy;
    const touch = buy ? book.bestAsk() : book.bestBid();
    const touchSize = buy ? book.bestAskSize() : book.bestBidSize();
    if (t.priceTicks !== touch) this.fail(`trade at ${t.priceTicks}, touch ${touch}`);
    if (!isInt(t.sizeLots) || t.sizeLots < 1 || t.sizeLots > touchSize) this.fail(`trade size ${t.sizeLots} vs touch ${touchSize}`);
    this.pendingTrade = { inst: t.instrumentId, bid: !buy, price: t.priceTicks, size: t.sizeLots, before: touchSize };
    this.trades.push({ inst: t.instrumentId, tsUs: t.tsExchangeUs, side: t.aggressorSide });
  }

  onLiquidation(l: LiquidationEvent): void {
    this.counts.liq++;
    this.ts(l.instrumentId, l.tsExchangeUs, l.tsRecvUs);
    const spec = this.market.instruments[l.instrumentId]!;
    if (!isInt(l.priceTicks) || l.priceTicks <= 0) this.fail(`liq price ${l.priceTicks}`);
    if (!isInt(l.sizeLots) || l.sizeLots < spec.minSizeLots) this.fail(`liq size ${l.sizeLots}`);
    if (l.side !== Side.Buy && l.side !== Side.Sell) this.fail(`liq side ${l.side}`);
    const mid = this.books[l.instrumentId]!.midTicks();
    if (Math.abs(l.priceTicks - mid) / mid > 0.01) this.fail(`liq price ${l.priceTicks} far from mid ${mid}`);
    this.liqs.push({
      inst: l.instrumentId,
      tsUs: l.tsExchangeUs,
      side: l.side,
      notional: notionalQuote(spec, l.priceTicks, l.sizeLots),
      jumpTsUs: this.market.lastJumpTsUs(l.instrumentId),
      jumpSign: this.market.lastJumpSign(l.instrumentId),
    });
  }

  onFundingRate(f: FundingRateEvent): void {
    this.counts.funding++;
    this.ts(f.instrumentId, f.tsExchangeUs, f.tsRecvUs);
    const periodUs = this.cfg.fundingSettlementHours * 3600 * US_PER_S;
    if (f.fundingTimeUs % periodUs !== 0) this.fail(`fundingTimeUs ${f.fundingTimeUs} not on a settlement boundary`);
    if (f.fundingTimeUs < f.tsExchangeUs || f.fundingTimeUs > f.tsExchangeUs + periodUs) this.fail(`fundingTimeUs ${f.fundingTimeUs} at ${f.tsExchangeUs}`);
    if (!(Math.abs(f.rate) <= 0.0075)) this.fail(`funding rate ${f.rate}`);
    this.fundings.push({ ...f });
  }

  onMarkPrice(m: MarkPriceEvent): void {
    this.counts.mark++;
    this.ts(m.instrumentId, m.tsExchangeUs, m.tsRecvUs);
    const mid = this.books[m.instrumentId]!.midTicks();
    if (!isInt(m.priceTicks)) this.fail(`mark ${m.priceTicks}`);
    if (Math.abs(m.priceTicks - mid) / mid > this.markTolerance) this.fail(`mark ${m.priceTicks} far from mid ${mid}`);
  }
}

function runChecked(events: number, extra: Partial<SyntheticConfig> = {}, markTolerance = 0.02): CheckingSink {
  const cfg = validateSyntheticConfig(extra);
  const m = new SyntheticMarket(DEFAULT_INSTRUMENTS, cfg);
  const sink = new CheckingSink(m, cfg);
  sink.markTolerance = markTolerance;
  for (let i = 0; i < events; i++) {
    const peek = m.peekNextTsUs();
    const ts = m.next(sink);
    if (ts !== sink.lastTs) sink.errors.push(`next() returned ${ts}, event ts ${sink.lastTs}`);
    if (ts !== peek) sink.errors.push(`peekNextTsUs() ${peek} != ${ts}`);
    if (i > 0 && i % 5000 === 0) {
      // The generator's own book equals the consumer's.
      for (let k = 0; k < sink.books.length; k++) {
        const a = m.bookOf(k);
        const b = sink.books[k]!;
        if (a.bidCount !== b.bidCount || a.askCount !== b.askCount || a.bestBid() !== b.bestBid() || a.bestAsk() !== b.bestAsk()) {
          sink.errors.push(`generator book ${k} diverged from the consumer's at event ${i}`);
        }
      }
    }
  }
  return sink;
}

describe('SyntheticMarket determinism', () => {
  it('gives bit-identical streams for the same seed and config over 200k events', () => {
    const a = streamHash(7, 200_000);
    const b = streamHash(7, 200_000);
    expect(a).toBe(b);
  });

  it('gives a different stream for a different seed', () => {
    expect(streamHash(7, 20_000)).not.toBe(streamHash(8, 20_000));
  });

  it('gives a different stream for a different config', () => {
    expect(streamHash(7, 20_000)).not.toBe(streamHash(7, 20_000, { tradeShare: 0.3 }));
  });
});

describe('SyntheticMarket book and event invariants', () => {
  const sink = runChecked(150_000, { seed: 3, eventsPerSec: 2_000, jumpsPerHour: 600 });

  it('never crosses, keeps seqId continuity, stays on the tick and lot grid, timestamps never go back', () => {
    expect(sink.errors).toEqual([]);
    expect(sink.counts.book).toBeGreaterThan(50_000);
  });

  it('starts each instrument with a snapshot at the configured start time', () => {
    const m = new SyntheticMarket(DEFAULT_INSTRUMENTS);
    const seen: { instrumentId: number; isSnapshot: boolean; prevSeqId: number; tsExchangeUs: number; bestBid: number; bestAsk: number; bidCount: number }[] = [];
    const capture: MarketEventSink = {
      onBookDeltas: (d) =>
        seen.push({ instrumentId: d.instrumentId, isSnapshot: d.isSnapshot, prevSeqId: d.prevSeqId, tsExchangeUs: d.tsExchangeUs, bestBid: d.bidPriceTicks[0]!, bestAsk: d.askPriceTicks[0]!, bidCount: d.bidCount }),
      onTrade() {},
      onLiquidation() {},
      onFundingRate() {},
      onMarkPrice() {},
    };
    m.next(capture);
    m.next(capture);
    expect(seen.map((d) => [d.instrumentId, d.isSnapshot, d.prevSeqId, d.tsExchangeUs])).toEqual([
      [0, true, -1, DEFAULT_SYNTHETIC_CONFIG.startUnixUs],
      [1, true, -1, DEFAULT_SYNTHETIC_CONFIG.startUnixUs],
    ]);
    // Start prices near the real ones: BTC ~95,000, ETH ~3,400.
    expect(Math.abs(seen[0]!.bestBid * DEFAULT_INSTRUMENTS[0]!.tickSize - 95_000)).toBeLessThan(1);
    expect(Math.abs(seen[1]!.bestAsk * DEFAULT_INSTRUMENTS[1]!.tickSize - 3_400)).toBeLessThan(0.1);
    expect(seen[0]!.bidCount).toBe(DEFAULT_SYNTHETIC_CONFIG.bookDepthLevels);
  });

  it('grows sizes away from the touch on average', () => {
    const book = sink.books[BTC]!;
    const top3 = (book.bidSize(0) + book.bidSize(1) + book.bidSize(2) + book.askSize(0) + book.askSize(1) + book.askSize(2)) / 6;
    const n = book.bidCount;
    const last3 = (book.bidSize(n - 1) + book.bidSize(n - 2) + book.bidSize(n - 3) + book.askSize(n - 1) + book.askSize(n - 2) + book.askSize(n - 3)) / 6;
    expect(last3).toBeGreaterThan(top3);
  });

  it('stamps tsRecvUs = tsExchangeUs only when stampRecvTime is set', () => {
    const s = runChecked(5_000, { seed: 5, stampRecvTime: true });
    expect(s.errors).toEqual([]);
  });

  it('holds the invariants with a deep book, no gaps, and frequent large jumps', () => {
    const s = runChecked(30_000, { seed: 11, bookDepthLevels: 150, levelGapTicksMean: 0, jumpsPerHour: 36_000, jumpSizeBps: 200, jumpSizeMaxBps: 1000, eventsPerSec: 5_000 }, 0.5);
    expect(s.errors).toEqual([]);
  });
});

describe('SyntheticMarket dynamics', () => {
  // ~1,000 s of simulated time: about 16 jumps per instrument at 60/h.
  const cfg = { seed: 2026, eventsPerSec: 200 };
  const sink = runChecked(200_000, cfg);

  it('sends most large-liquidation notional within seconds after a jump, in its direction', () => {
    expect(sink.errors).toEqual([]);
    const large = sink.liqs.filter((l) => l.notional >= DEFAULT_SYNTHETIC_CONFIG.liqBurstMinQuote);
    expect(large.length).toBeGreaterThan(30);
    let total = 0;
    let matched = 0;
    for (const l of large) {
      total += l.notional;
      const sinceJump = l.tsUs - l.jumpTsUs;
      const jumpSide = l.jumpSign < 0 ? Side.Sell : Side.Buy;
      if (l.jumpTsUs >= 0 && sinceJump <= 10 * US_PER_S && l.side === jumpSide) matched += l.notional;
    }
    expect(matched / total).toBeGreaterThan(0.8);
    // Down jumps liquidate longs (Sell), up jumps shorts (Buy): both directions occur.
    expect(large.some((l) => l.side === Side.Sell)).toBe(true);
    expect(large.some((l) => l.side === Side.Buy)).toBe(true);
  });

  it('shows each jump in the book: the mid moves in the jump direction', () => {
    const m = new SyntheticMarket(DEFAULT_INSTRUMENTS, { ...cfg, seed: 99, jumpsPerHour: 3_600 });
    const book = new L2Book();
    let lastJump = -1;
    let checked = 0;
    const s: MarketEventSink = {
      onBookDeltas(d) {
        if (d.instrumentId !== BTC) return;
        const before = book.midTicks();
        book.applyDeltas(d);
        const j = m.lastJumpTsUs(BTC);
        if (j !== lastJump && j === d.tsExchangeUs) {
          lastJump = j;
          const moveBps = ((book.midTicks() - before) / before) * 1e4;
          const expectedBps = Math.log(m.fairMidTicks(BTC) / before) * 1e4;
          if (Math.abs(expectedBps) > 5) {
            checked++;
            expect(Math.sign(moveBps)).toBe(m.lastJumpSign(BTC));
          }
        }
      },
      onTrade() {},
      onLiquidation() {},
      onFundingRate() {},
      onMarkPrice() {},
    };
    for (let i = 0; i < 100_000; i++) m.next(s);
    expect(checked).toBeGreaterThan(20);
  });

  it('clusters trades: index of dispersion of per-second counts > 1.5', () => {
    const dispersion = (trades: { inst: number; tsUs: number }[], bucketUs: number) => {
      const t0 = trades[0]!.tsUs;
      const counts = new Map<number, number>();
      let maxB = 0;
      for (const t of trades) {
        if (t.inst !== BTC) continue;
        const b = Math.floor((t.tsUs - t0) / bucketUs);
        counts.set(b, (counts.get(b) ?? 0) + 1);
        maxB = Math.max(maxB, b);
      }
      const xs: number[] = [];
      for (let b = 0; b < maxB; b++) xs.push(counts.get(b) ?? 0); // drop the last, partial bucket
      const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
      const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
      return variance / mean;
    };
    expect(dispersion(sink.trades, US_PER_S)).toBeGreaterThan(1.5);
    // Control: without self-excitation the counts are Poisson-like.
    const poissonish = runChecked(100_000, { ...cfg, hawkesBranchingRatio: 0, hawkesJumpKick: 0 });
    expect(poissonish.errors).toEqual([]);
    const d0 = dispersion(poissonish.trades, US_PER_S);
    expect(d0).toBeLessThan(1.4);
    expect(d0).toBeGreaterThan(0.7);
  });

  it('biases aggressors with the recent move: more sells right after down jumps', () => {
    let sellsAfterDown = 0;
    let tradesAfterDown = 0;
    let sellsAfterUp = 0;
    let tradesAfterUp = 0;
    const m = new SyntheticMarket(DEFAULT_INSTRUMENTS, { ...cfg, seed: 5, jumpsPerHour: 600 });
    const s: MarketEventSink = {
      onBookDeltas() {},
      onTrade(t) {
        const j = m.lastJumpTsUs(t.instrumentId);
        if (j < 0 || t.tsExchangeUs - j > 2 * US_PER_S) return;
        if (m.lastJumpSign(t.instrumentId) < 0) {
          tradesAfterDown++;
          if (t.aggressorSide === Side.Sell) sellsAfterDown++;
        } else {
          tradesAfterUp++;
          if (t.aggressorSide === Side.Sell) sellsAfterUp++;
        }
      },
      onLiquidation() {},
      onFundingRate() {},
      onMarkPrice() {},
    };
    for (let i = 0; i < 200_000; i++) m.next(s);
    expect(tradesAfterDown).toBeGreaterThan(200);
    expect(tradesAfterUp).toBeGreaterThan(200);
    expect(sellsAfterDown / tradesAfterDown).toBeGreaterThan(0.6);
    expect(sellsAfterUp / tradesAfterUp).toBeLessThan(0.4);
  });

  it('roughly matches the configured event mix and rate', () => {
    const c = validateSyntheticConfig({ seed: 17 });
    const s = runChecked(200_000, { seed: 17 });
    expect(s.errors).toEqual([]);
    const total = 200_000;
    const simS = (s.lastTs - c.startUnixUs) / US_PER_S;
    expect(simS).toBeGreaterThan((total / c.eventsPerSec) * 0.9);
    expect(simS).toBeLessThan((total / c.eventsPerSec) * 1.1);
    expect(s.counts.trade / total).toBeGreaterThan(c.tradeShare * 0.85);
    expect(s.counts.trade / total).toBeLessThan(c.tradeShare * 1.15);
    const n = DEFAULT_INSTRUMENTS.length;
    expect(s.counts.mark).toBeGreaterThan(((n * simS * 1000) / c.markPriceIntervalMs) * 0.98);
    expect(s.counts.mark).toBeLessThan(((n * simS * 1000) / c.markPriceIntervalMs) * 1.02 + n);
    // Liquidations over the longer (~1,000 s) run of this block: jumps are rare, so 200 s is too noisy.
    const longS = (sink.lastTs - c.startUnixUs) / US_PER_S;
    const expectedLiq = n * longS * ((c.jumpsPerHour / 3600) * c.liqBurstCount + c.liqBackgroundPerMin / 60);
    expect(sink.counts.liq).toBeGreaterThan(expectedLiq * 0.5);
    expect(sink.counts.liq).toBeLessThan(expectedLiq * 2);
    expect(s.counts.book / total).toBeGreaterThan(0.5);

    const heavy = runChecked(100_000, { seed: 17, tradeShare: 0.4 });
    expect(heavy.counts.trade / 100_000).toBeGreaterThan(0.34);
    expect(heavy.counts.trade / 100_000).toBeLessThan(0.46);
  });

  it('settles funding on 8 h boundaries and keeps publishing the next settlement time', () => {
    // Low rates so 9 h of simulated time stays cheap.
    const c = { seed: 4, eventsPerSec: 4, tradeShare: 0.1, markPriceIntervalMs: 60_000, fundingRateIntervalMs: 60_000, jumpsPerHour: 0, liqBackgroundPerMin: 0 };
    const cfgFull = validateSyntheticConfig(c);
    const m = new SyntheticMarket(DEFAULT_INSTRUMENTS, cfgFull);
    const s = new CheckingSink(m, cfgFull);
    const endUs = cfgFull.startUnixUs + 9 * 3600 * US_PER_S;
    while (m.peekNextTsUs() < endUs) m.next(s);
    expect(s.errors).toEqual([]);
    const eightH = cfgFull.startUnixUs + 8 * 3600 * US_PER_S;
    const settlements = s.fundings.filter((f) => f.fundingTimeUs === f.tsExchangeUs);
    expect(settlements.map((f) => [f.instrumentId, f.tsExchangeUs])).toEqual([
      [0, eightH],
      [1, eightH],
    ]);
    const before = s.fundings.filter((f) => f.tsExchangeUs < eightH);
    const after = s.fundings.filter((f) => f.tsExchangeUs > eightH);
    expect(before.every((f) => f.fundingTimeUs === eightH)).toBe(true);
    expect(after.every((f) => f.fundingTimeUs === eightH + 8 * 3600 * US_PER_S)).toBe(true);
    // The rate varies slowly: not constant, but within a few bp of the mean.
    const rates = s.fundings.map((f) => f.rate);
    expect(new Set(rates).size).toBeGreaterThan(10);
    expect(Math.max(...rates.map((r) => Math.abs(r - cfgFull.fundingRateMean)))).toBeLessThan(0.001);
    // The settled rate is the last one published for that period.
    const lastBtcBefore = before.filter((f) => f.instrumentId === 0).at(-1)!;
    expect(settlements[0]!.rate).toBe(lastBtcBefore.rate);
  });
});

describe('SyntheticMarket paced mode', () => {
  it('emits only events due by nowUs, respects maxEvents, and reproduces the sim-mode stream', () => {
    const cfg = { seed: 21 };
    const paced = new SyntheticMarket(DEFAULT_INSTRUMENTS, cfg);
    const ph = new HashingSink();
    let lastTs = 0;
    const guard: MarketEventSink = {
      onBookDeltas: (d) => ((lastTs = d.tsExchangeUs), ph.onBookDeltas(d)),
      onTrade: (t) => ((lastTs = t.tsExchangeUs), ph.onTrade(t)),
      onLiquidation: (l) => ((lastTs = l.tsExchangeUs), ph.onLiquidation(l)),
      onFundingRate: (f) => ((lastTs = f.tsExchangeUs), ph.onFundingRate(f)),
      onMarkPrice: (m) => ((lastTs = m.tsExchangeUs), ph.onMarkPrice(m)),
    };
    const start = DEFAULT_SYNTHETIC_CONFIG.startUnixUs;
    // Nothing is due before the start.
    expect(paced.emitDueUntil(start - 1, guard, 1000)).toBe(0);
    let now = start;
    let capped = 0;
    for (let step = 0; step < 2_000; step++) {
      now += 5_000; // 5 ms steps
      const max = step % 50 === 49 ? 1 : 1_000;
      const n = paced.emitDueUntil(now, guard, max);
      if (n > 0) expect(lastTs).toBeLessThanOrEqual(now);
      if (n < max) expect(paced.peekNextTsUs()).toBeGreaterThan(now);
      else capped++;
    }
    expect(capped).toBeGreaterThan(0);
    // About 10 s of events at 1,000 events/s.
    expect(ph.events).toBeGreaterThan(9_000);
    expect(ph.events).toBeLessThan(11_000);
    const sim = new SyntheticMarket(DEFAULT_INSTRUMENTS, cfg);
    const sh = new HashingSink();
    for (let i = 0; i < ph.events; i++) sim.next(sh);
    expect(sh.h).toBe(ph.h);
  });
});

describe('validateSyntheticConfig', () => {
  it('returns the defaults for undefined and merges a partial config', () => {
    expect(validateSyntheticConfig(undefined)).toBe(DEFAULT_SYNTHETIC_CONFIG);
    const c = validateSyntheticConfig({ seed: 9, startPrice: { 'BTC-USDT-SWAP': 100_000 } });
    expect(c.seed).toBe(9);
    expect(c.eventsPerSec).toBe(DEFAULT_SYNTHETIC_CONFIG.eventsPerSec);
    expect(c.startPrice['BTC-USDT-SWAP']).toBe(100_000);
    expect(c.startPrice['ETH-USDT-SWAP']).toBe(3_400);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each([
    [{ eventsPerSec: -5 }, 'synthetic.eventsPerSec', '-5'],
    [{ eventsPerSec: Number.NaN }, 'synthetic.eventsPerSec', 'null'],
    [{ seed: 1.5 }, 'synthetic.seed', '1.5'],
    [{ seed: 2 ** 32 }, 'synthetic.seed', '4294967296'],
    [{ tradeShare: 0.9 }, 'synthetic.tradeShare', '0.9'],
    [{ paretoAlpha: 1 }, 'synthetic.paretoAlpha', '1'],
    [{ bookDepthLevels: 1 }, 'synthetic.bookDepthLevels', '1'],
    [{ jumpsPerHour: '60' }, 'synthetic.jumpsPerHour', '"60"'],
    [{ jumpSizeBps: 400 }, 'synthetic.jumpSizeMaxBps', '300'],
    [{ stampRecvTime: 'yes' }, 'synthetic.stampRecvTime', '"yes"'],
    [{ startPrice: { 'BTC-USDT-SWAP': -1 } }, 'synthetic.startPrice["BTC-USDT-SWAP"]', '-1'],
    [{ evntsPerSec: 10 }, 'synthetic.evntsPerSec', '10'],
    [[1, 2], 'synthetic', '[1,2]'],
  ])('refuses %j naming the field', (raw, field, value) => {
    expect(() => validateSyntheticConfig(raw)).toThrowError(expect.objectContaining({ field }));
    expect(() => validateSyntheticConfig(raw)).toThrowError(field);
    expect(() => validateSyntheticConfig(raw)).toThrowError(value);
  });

  it('refuses an event rate too low for the fixed cadences, naming eventsPerSec', () => {
    expect(() => new SyntheticMarket(DEFAULT_INSTRUMENTS, { eventsPerSec: 10 })).toThrowError(/synthetic\.eventsPerSec: 10 .*eventsPerSec ≥ \d+/);
  });

  it('refuses an instrument without a start price, or one too coarse for its tick', () => {
    const doge = makeInstrumentSpec({ id: 2, symbol: 'FOO-USDT-SWAP', tickSize: 0.1, lotSize: 1, minSizeLots: 1, contractValue: 1, makerFeeBps: 2, takerFeeBps: 5 });
    expect(() => new SyntheticMarket([doge])).toThrowError('synthetic.startPrice["FOO-USDT-SWAP"]');
    expect(() => new SyntheticMarket([doge], { startPrice: { 'FOO-USDT-SWAP': 50 } })).toThrowError(/startPrice\["FOO-USDT-SWAP"\]: 50/);
    const ok = new SyntheticMarket([doge], { startPrice: { 'FOO-USDT-SWAP': 500 } });
    const s = new HashingSink();
    ok.next(s);
    expect(s.events).toBe(1);
  });

  it('refuses duplicate instrument ids and an empty instrument list', () => {
    expect(() => new SyntheticMarket([])).toThrowError('instruments');
    expect(() => new SyntheticMarket([DEFAULT_INSTRUMENTS[0]!, DEFAULT_INSTRUMENTS[0]!])).toThrowError('duplicate');
  });
});
