/**
 * SyntheticMarket: a seeded, deterministic multi-instrument market that speaks
 * the same domain carriers as the live OKX feed (BookDeltas, TradeTick,
 * LiquidationEvent, FundingRateEvent, MarkPriceEvent), so nothing downstream
 * knows the difference. It is the engine's default source: it needs no network.
 *
 * Role: market-data source. Owning thread: the feed stage worker in synthetic
 * mode (single writer; not thread-safe). Hot: `next`/`emitDueUntil` run per
 * event and create no objects (reused carriers, typed-array scheduler, no
 * closures); V8 still boxes some doubles returned from calls it does not
 * inline (measured ~100 B/event of short-lived HeapNumbers: one ~0.1 ms
 * scavenge per ~40k events, nothing retained). The constructor is cold and
 * throws ConfigError on bad input.
 *
 * Model, per instrument:
 * - a latent fair mid (float ticks): geometric diffusion plus compound-Poisson
 *   jumps in both directions;
 * - an L2 book kept around it: bids ≤ floor(mid) < asks, so it never crosses;
 *   sizes grow away from the touch with log-normal noise; every change goes
 *   out as OKX-style deltas (continuous seqId/prevSeqId) after one snapshot
 *   (prevSeqId = -1);
 * - trades from a Hawkes process with an exponential kernel (exact simulation,
 *   Dassios & Zhao 2013), aggressor biased by the recent move, each hitting
 *   the touch and followed by the book update that consumes it;
 * - a liquidation burst after each jump, in the jump's direction (down jump →
 *   Sell-side forced orders, longs liquidated), Pareto-sized notionals, plus a
 *   low background rate of small ones; jumps and burst liquidations also kick
 *   the trade intensity;
 * - mark price (exponentially smoothed mid) and funding rate (Ornstein–
 *   Uhlenbeck walk, settlement on every `fundingSettlementHours` boundary) at
 *   fixed cadences.
 * All processes are merged by an event scheduler (earliest next time, ties to
 * the lowest instrument/process slot), so `next()` returns the next event
 * immediately: simulated time never sleeps.
 *
 * Clocks: `tsExchangeUs` is Unix µs = `startUnixUs` + simulated time.
 * Sim mode: call `next()` as fast as you like. Paced mode: construct with
 * `startUnixUs` = the wall clock's Unix µs at start and call
 * `emitDueUntil(unixNowUs(), sink, max)` from the loop. `tsRecvUs` is 0 for
 * the caller to stamp with its shared-epoch clock, unless `stampRecvTime`
 * is set, which copies `tsExchangeUs` (the `--clock sim` convention).
 *
 * Mentor's Corner. Purpose: a reproducible, network-free market with what the
 * sanitizer and the liquidation hunter care about (book churn, clustered
 * trades, jumps with liquidation cascades, funding). Ideal counterpart: replay
 * of exchange-grade L3 captures, or an agent-based simulator calibrated to real
 * data, where queues, impact and cascades emerge from behaviour. We differ: a
 * stylised exogenous price with a book painted around it, no order-level queue,
 * liquidations that never move the price. We accept it for determinism and
 * speed: 1.0–1.5 M events/s (default mix, 2 instruments; shared 2-core box).
 */
import { ConfigError } from '../../core/config/config-error.ts';
import { L2Book } from '../../core/book/l2-book.ts';
import { Side } from '../../core/domain/enums.ts';
import type { InstrumentSpec } from '../../core/domain/instrument.ts';
import {
  BookDeltas,
  FundingRateEvent,
  LiquidationEvent,
  MarkPriceEvent,
  MAX_BOOK_LEVELS,
  TradeTick,
} from '../../core/domain/market-events.ts';
import type { MarketEventSink } from './market-event-sink.ts';
import { Xoshiro128 } from './prng.ts';
import { validateSyntheticConfig, type SyntheticConfig } from './synthetic-config.ts';

/** What the last `next()` emitted; also the index into `countsByKind`. */
export const enum SyntheticEventKind {
  Book = 0,
  Trade = 1,
  Liquidation = 2,
  FundingRate = 3,
  MarkPrice = 4,
}

/** Scheduler slots per instrument. */
const enum Proc {
  BookNoise = 0,
  Trade = 1,
  Jump = 2,
  LiqBackground = 3,
  LiqBurst = 4,
  Mark = 5,
  Funding = 6,
}
const PROCS = 7;

const enum Pending {
  Snapshot = 0,
  Consume = 1,
}

const US_PER_S = 1_000_000;
const US_PER_HOUR = 3_600_000_000;
/** Mid below this many ticks is refused: the grid would be too coarse to paint a book. */
const MIN_START_PRICE_TICKS = 1_000;
/** Time constant of the mid's EWMA that defines the "recent move" biasing aggressors and background liquidations. */
const MOMENTUM_TAU_US = 5_000_000;
/** A recent move of this many bps tilts the buy probability by tanh(1) × MAX_TILT. */
const MOMENTUM_SCALE_BPS = 5;
const MAX_AGGRESSOR_TILT = 0.4;
/** Probability that a refill leaves the touch tick empty (spread of 2 ticks for a while). */
const TOUCH_GAP_PROB = 0.15;
/** σ of the log-normal size noise on each level. */
const SIZE_NOISE_SIGMA = 0.35;
/** Mean depth index (from the touch) of a noise operation: activity concentrates near the top. */
const NOISE_DEPTH_MEAN = 2;
/** Heavy-tailed draws are capped at this multiple of their scale (keeps notionals finite and sizes < 2^53). */
const PARETO_CAP = 10_000;
const FUNDING_RATE_CAP = 0.0075;

/** Per-instrument simulation state (allocated once). */
class InstrumentSim {
  readonly spec: InstrumentSpec;
  readonly book: L2Book;
  /** Quote notional of one lot at the start price. */
  readonly quotePerLotAtStart: number;
  readonly touchLots: number;
  readonly tradeMinLots: number;

  /** Latent fair mid in (fractional) ticks. */
  midTicks: number;
  /** EWMA of the mid over MOMENTUM_TAU_US. */
  emaMidTicks: number;
  /** Mark price EWMA (ticks) and when it was last updated (sim µs). */
  markTicks: number;
  markLastUs = 0;
  /** Sim µs of the last `advance`. */
  lastUs = 0;
  seqId = 0;
  tradeId = 0;

  /** Hawkes excess intensity (per µs) as of `hawkesLastUs`. */
  hawkesExcess = 0;
  hawkesLastUs = 0;

  burstLeft = 0;
  burstSide: Side = Side.Sell;
  burstGapUs = 0;

  lastJumpUnixUs = -1;
  lastJumpSign = 0;

  fundingRate: number;
  fundingLastUs = 0;
  nextSettleUs = 0;
  nextFundingCadenceUs = 0;

  constructor(spec: InstrumentSpec, startPrice: number, cfg: SyntheticConfig, bookCapacity: number) {
    this.spec = spec;
    this.book = new L2Book(bookCapacity);
    this.midTicks = startPrice / spec.tickSize;
    this.emaMidTicks = this.midTicks;
    this.markTicks = this.midTicks;
    this.quotePerLotAtStart = startPrice * spec.lotSize * spec.contractValue;
    this.touchLots = Math.max(spec.minSizeLots, cfg.touchSizeQuote / this.quotePerLotAtStart);
    this.tradeMinLots = Math.max(spec.minSizeLots, cfg.tradeSizeMinQuote / this.quotePerLotAtStart);
    this.fundingRate = cfg.fundingRateMean;
  }
}

export class SyntheticMarket {
  readonly config: SyntheticConfig;
  readonly instruments: readonly InstrumentSpec[];
  /** Events emitted so far, by SyntheticEventKind. Diagnostics; read any time. */
  readonly countsByKind = new Float64Array(5);
  /** Kind of the event the last `next()` emitted. */
  lastKind: SyntheticEventKind = SyntheticEventKind.Book;
  jumpCount = 0;

  private readonly sims: InstrumentSim[];
  private readonly rng: Xoshiro128;
  /** Next time (sim µs since start) of each process, slot = instrument × PROCS + Proc. */
  private readonly nextAtUs: Float64Array;
  private readonly startUnixUs: number;
  private readonly stampRecv: boolean;
  /** Sim µs (since start, fractional) of the event being emitted. */
  private nowUs = 0;
  /** Its Unix µs `tsExchangeUs`. Kept in a field so no double crosses a call boundary (that would box it). */
  private tsUs = 0;

  // Reused carriers (one each; the sink sees them only during the call).
  private readonly deltas = new BookDeltas();
  private readonly trade = new TradeTick();
  private readonly liq = new LiquidationEvent();
  private readonly funding = new FundingRateEvent();
  private readonly mark = new MarkPriceEvent();
  /** Per delta entry: 1 when the level did not exist before this message. */
  private readonly bidAdded = new Uint8Array(MAX_BOOK_LEVELS);
  private readonly askAdded = new Uint8Array(MAX_BOOK_LEVELS);

  // Pending follow-up events (snapshots at start, the book update after a trade): a FIFO ring.
  private readonly pendKind: Uint8Array;
  private readonly pendInst: Int32Array;
  private readonly pendSide: Int8Array;
  private readonly pendPrice: Float64Array;
  private readonly pendSize: Float64Array;
  private readonly pendUs: Float64Array;
  private pendHead = 0;
  private pendCount = 0;

  // Derived constants (per µs unless noted).
  private readonly depth: number;
  private readonly halfDepth: number;
  private readonly lnGapP: number;
  private readonly growth: number;
  private readonly sigmaPerSqrtUs: number;
  private readonly bookMeanGapUs: number;
  private readonly jumpMeanGapUs: number;
  private readonly liqBgMeanGapUs: number;
  private readonly hawkesMu: number;
  private readonly hawkesAlpha: number;
  private readonly hawkesBeta: number;
  private readonly tradesOn: boolean;
  private readonly markIntervalUs: number;
  private readonly fundingIntervalUs: number;
  private readonly settleUs: number;
  private readonly fundingTheta: number;
  private readonly fundingSigma: number;

  /**
   * @param instruments the instruments to simulate (ids as on the wire); at least one.
   * @param config a partial or full config; validated here (see validateSyntheticConfig).
   * @throws ConfigError naming the field when the config or an instrument's start price is unusable.
   */
  constructor(instruments: readonly InstrumentSpec[], config?: Partial<SyntheticConfig>) {
    const cfg = validateSyntheticConfig(config);
    this.config = cfg;
    if (!Array.isArray(instruments) || instruments.length === 0) {
      throw new ConfigError('instruments', instruments, 'need at least one instrument');
    }
    const ids = new Set<number>();
    for (const spec of instruments) {
      if (ids.has(spec.id)) throw new ConfigError('instruments', spec.id, 'duplicate instrument id');
      ids.add(spec.id);
    }
    this.instruments = instruments;
    const n = instruments.length;

    // Rate budget per instrument: trades + their consumption updates + jumps +
    // liquidations + fixed cadences; book noise updates take the rest.
    const perInstPerS = cfg.eventsPerSec / n;
    const tradesPerS = perInstPerS * cfg.tradeShare;
    const jumpsPerS = cfg.jumpsPerHour / 3600;
    const liqPerS = jumpsPerS * cfg.liqBurstCount + cfg.liqBackgroundPerMin / 60;
    const fixedPerS = 1000 / cfg.markPriceIntervalMs + 1000 / cfg.fundingRateIntervalMs + 1 / (cfg.fundingSettlementHours * 3600);
    const bookNoisePerS = perInstPerS - 2 * tradesPerS - liqPerS - fixedPerS - jumpsPerS;
    if (bookNoisePerS < 0.05 * perInstPerS) {
      const minTotal = (n * (liqPerS + fixedPerS + jumpsPerS)) / (0.95 - 2 * cfg.tradeShare);
      throw new ConfigError(
        'synthetic.eventsPerSec',
        cfg.eventsPerSec,
        `too low for ${n} instrument(s): mark/funding cadences, jumps and liquidations need eventsPerSec ≥ ${Math.ceil(minTotal)} at tradeShare ${cfg.tradeShare}`,
      );
    }
    this.bookMeanGapUs = US_PER_S / bookNoisePerS;
    this.jumpMeanGapUs = jumpsPerS > 0 ? US_PER_S / jumpsPerS : Infinity;
    this.liqBgMeanGapUs = cfg.liqBackgroundPerMin > 0 ? (60 * US_PER_S) / cfg.liqBackgroundPerMin : Infinity;

    // Hawkes: stationary rate = μ / (1 − n). Kicks at jumps and burst
    // liquidations add c·n/(1−n) trades each (c in units of α); take them out
    // of the baseline so the trade share stays near the config (floor: a quarter).
    const br = cfg.hawkesBranchingRatio;
    this.hawkesBeta = 1 / (cfg.hawkesDecayMs * 1000);
    this.hawkesAlpha = br * this.hawkesBeta;
    const kickTradesPerS = br < 1 ? (jumpsPerS * (cfg.hawkesJumpKick + cfg.liqBurstCount) * br) / (1 - br) : 0;
    const baseTradesPerS = Math.max(tradesPerS - kickTradesPerS, 0.25 * tradesPerS);
    this.hawkesMu = (baseTradesPerS * (1 - br)) / US_PER_S;
    this.tradesOn = cfg.tradeShare > 0;

    this.depth = cfg.bookDepthLevels;
    this.halfDepth = Math.ceil(cfg.bookDepthLevels / 2);
    const gapP = cfg.levelGapTicksMean / (1 + cfg.levelGapTicksMean);
    this.lnGapP = gapP > 0 ? Math.log(gapP) : -Infinity;
    this.growth = cfg.depthGrowthPerLevel;
    this.sigmaPerSqrtUs = (cfg.diffusionBpsPerSqrtSec * 1e-4) / 1000;
    this.markIntervalUs = cfg.markPriceIntervalMs * 1000;
    this.fundingIntervalUs = cfg.fundingRateIntervalMs * 1000;
    this.settleUs = cfg.fundingSettlementHours * US_PER_HOUR;
    this.fundingTheta = Math.LN2 / (cfg.fundingRateHalfLifeHours * US_PER_HOUR);
    this.fundingSigma = cfg.fundingRateVolPerSqrtHour / Math.sqrt(US_PER_HOUR);
    this.startUnixUs = cfg.startUnixUs;
    this.stampRecv = cfg.stampRecvTime;

    this.rng = new Xoshiro128(cfg.seed);
    this.sims = [];
    // Room for a full side plus the levels a rebuild inserts before trimming.
    const bookCapacity = 2 * cfg.bookDepthLevels + 8;
    for (const spec of instruments) {
      const price = cfg.startPrice[spec.symbol];
      if (price === undefined) {
        throw new ConfigError(`synthetic.startPrice["${spec.symbol}"]`, price, 'every simulated instrument needs a start price');
      }
      if (price / spec.tickSize < MIN_START_PRICE_TICKS) {
        throw new ConfigError(
          `synthetic.startPrice["${spec.symbol}"]`,
          price,
          `must be ≥ ${MIN_START_PRICE_TICKS} ticks of ${spec.tickSize}`,
        );
      }
      this.sims.push(new InstrumentSim(spec, price, cfg, bookCapacity));
    }

    const cap = n + 4;
    this.pendKind = new Uint8Array(cap);
    this.pendInst = new Int32Array(cap);
    this.pendSide = new Int8Array(cap);
    this.pendPrice = new Float64Array(cap);
    this.pendSize = new Float64Array(cap);
    this.pendUs = new Float64Array(cap);

    this.nextAtUs = new Float64Array(n * PROCS).fill(Infinity);
    for (let k = 0; k < n; k++) {
      const s = this.sims[k]!;
      s.seqId = 1_000_000 + (this.rng.nextI32() & 0xffffff);
      s.tradeId = 100_000_000 + (this.rng.nextI32() & 0xffffff);
      this.fillTop(s, true, Math.floor(s.midTicks));
      this.fillTop(s, false, Math.floor(s.midTicks) + 1);
      this.fitDepth(s);
      this.pushPending(Pending.Snapshot, k, 0, 0, 0);

      const base = k * PROCS;
      const r = this.rng;
      this.nextAtUs[base + Proc.BookNoise] = r.exp1() * this.bookMeanGapUs;
      if (this.tradesOn) this.scheduleTrade(k, s);
      this.nextAtUs[base + Proc.Jump] = r.exp1() * this.jumpMeanGapUs;
      this.nextAtUs[base + Proc.LiqBackground] = r.exp1() * this.liqBgMeanGapUs;
      this.nextAtUs[base + Proc.Mark] = (this.markIntervalUs * (k + 1)) / (n + 1);
      const startAbs = cfg.startUnixUs;
      s.nextSettleUs = (Math.floor(startAbs / this.settleUs) + 1) * this.settleUs - startAbs;
      s.nextFundingCadenceUs = 1000 * (k + 1);
      this.nextAtUs[base + Proc.Funding] = Math.min(s.nextSettleUs, s.nextFundingCadenceUs);
    }
    this.deltas.reset();
  }

  /** Unix µs of the event the next `next()` will emit. */
  peekNextTsUs(): number {
    if (this.pendCount > 0) return this.startUnixUs + Math.floor(this.pendUs[this.pendHead]!);
    const at = this.nextAtUs;
    let t = at[0]!;
    for (let i = 1; i < at.length; i++) if (at[i]! < t) t = at[i]!;
    return this.startUnixUs + Math.floor(t);
  }

  /** Emits exactly one event into `sink`; returns its `tsExchangeUs` (Unix µs). */
  next(sink: MarketEventSink): number {
    if (this.pendCount > 0) {
      this.emitPending(sink);
      return this.tsUs;
    }
    const at = this.nextAtUs;
    let slot = 0;
    let t = at[0]!;
    for (let i = 1; i < at.length; i++) {
      if (at[i]! < t) {
        t = at[i]!;
        slot = i;
      }
    }
    this.nowUs = t;
    this.tsUs = this.startUnixUs + Math.floor(t);
    let k = 0;
    let proc = slot;
    while (proc >= PROCS) {
      proc -= PROCS;
      k++;
    }
    const s = this.sims[k]!;
    this.advance(s);
    switch (proc as Proc) {
      case Proc.BookNoise:
        at[slot] = t + this.rng.exp1() * this.bookMeanGapUs;
        this.emitBookUpdate(s, true, sink);
        break;
      case Proc.Trade:
        this.emitTrade(k, s, sink);
        break;
      case Proc.Jump:
        at[slot] = t + this.rng.exp1() * this.jumpMeanGapUs;
        this.emitJump(k, s, sink);
        break;
      case Proc.LiqBackground: {
        at[slot] = t + this.rng.exp1() * this.liqBgMeanGapUs;
        const side = this.rng.uniform() < this.buyProbability(s) ? Side.Buy : Side.Sell;
        this.emitLiquidation(s, side, this.config.liqBackgroundMinQuote, sink);
        break;
      }
      case Proc.LiqBurst: {
        s.burstLeft--;
        at[slot] = s.burstLeft > 0 ? t + this.rng.exp1() * s.burstGapUs : Infinity;
        this.kickHawkes(k, s, this.hawkesAlpha);
        this.emitLiquidation(s, s.burstSide, this.config.liqBurstMinQuote, sink);
        break;
      }
      case Proc.Mark:
        at[slot] = t + this.markIntervalUs;
        this.emitMark(s, sink);
        break;
      default:
        this.emitFunding(k, s, sink);
    }
    return this.tsUs;
  }

  /**
   * Paced mode: emits every event due at or before `nowUs` (Unix µs, same
   * clock as `tsExchangeUs`), at most `maxEvents`; returns how many it emitted.
   */
  emitDueUntil(nowUs: number, sink: MarketEventSink, maxEvents: number): number {
    let n = 0;
    while (n < maxEvents && this.peekNextTsUs() <= nowUs) {
      this.next(sink);
      n++;
    }
    return n;
  }

  /** Latent fair mid of the instrument at `index` (position in `instruments`), in fractional ticks. */
  fairMidTicks(index: number): number {
    return this.sims[index]!.midTicks;
  }

  /** Unix µs of the instrument's last jump (-1 = none yet). Ground truth for tests and demos. */
  lastJumpTsUs(index: number): number {
    return this.sims[index]!.lastJumpUnixUs;
  }

  /** Direction of the instrument's last jump: -1 down, +1 up, 0 none yet. */
  lastJumpSign(index: number): number {
    return this.sims[index]!.lastJumpSign;
  }

  /** The generator's own copy of the book (what a consumer applying every delta holds). Read only. */
  bookOf(index: number): L2Book {
    return this.sims[index]!.book;
  }

  // ---------------------------------------------------------------- processes

  /** Moves the latent mid (diffusion) and its EWMA to sim time `t`. */
  private advance(s: InstrumentSim): void {
    const t = this.nowUs;
    const dt = t - s.lastUs;
    if (dt <= 0) return;
    s.lastUs = t;
    const mid = s.midTicks * (1 + this.sigmaPerSqrtUs * Math.sqrt(dt) * this.rng.normal());
    s.midTicks = mid > MIN_START_PRICE_TICKS / 10 ? mid : MIN_START_PRICE_TICKS / 10;
    const a = dt / MOMENTUM_TAU_US;
    s.emaMidTicks += (s.midTicks - s.emaMidTicks) * (a < 1e-3 ? a : 1 - Math.exp(-a));
  }

  /** Probability that the next aggressor is a buyer: 0.5 tilted by the recent move (bounded to 0.1..0.9). */
  private buyProbability(s: InstrumentSim): number {
    const moveBps = ((s.midTicks - s.emaMidTicks) / s.emaMidTicks) * 1e4;
    return 0.5 + MAX_AGGRESSOR_TILT * Math.tanh(moveBps / MOMENTUM_SCALE_BPS);
  }

  private emitTrade(k: number, s: InstrumentSim, sink: MarketEventSink): void {
    const t = this.nowUs;
    const book = s.book;
    // Hawkes update: decay the excess to now, add this trade's excitation, draw the next.
    s.hawkesExcess = s.hawkesExcess * Math.exp(-this.hawkesBeta * (t - s.hawkesLastUs)) + this.hawkesAlpha;
    s.hawkesLastUs = t;
    this.scheduleTrade(k, s);

    const side = this.rng.uniform() < this.buyProbability(s) ? Side.Buy : Side.Sell;
    const buy = side === Side.Buy;
    if ((buy ? book.askCount : book.bidCount) === 0) {
      // Cannot happen (sides are refilled to half depth at least); stay well-defined anyway.
      this.emitBookUpdate(s, false, sink);
      return;
    }
    const priceTicks = buy ? book.askPrice(0) : book.bidPrice(0);
    const touchLots = buy ? book.askSize(0) : book.bidSize(0);
    let sizeLots = Math.round(this.rng.pareto(s.tradeMinLots, this.config.tradeParetoAlpha));
    if (sizeLots > touchLots) sizeLots = touchLots;
    if (sizeLots < 1) sizeLots = 1;

    const tr = this.trade;
    tr.instrumentId = s.spec.id;
    tr.tsExchangeUs = this.tsUs;
    tr.tsRecvUs = this.stampRecv ? tr.tsExchangeUs : 0;
    tr.tradeId = ++s.tradeId;
    tr.priceTicks = priceTicks;
    tr.sizeLots = sizeLots;
    tr.aggressorSide = side;
    this.pushPending(Pending.Consume, k, side, priceTicks, sizeLots);
    this.count(SyntheticEventKind.Trade);
    sink.onTrade(tr);
  }

  private emitJump(k: number, s: InstrumentSim, sink: MarketEventSink): void {
    const cfg = this.config;
    const r = this.rng;
    const sign = r.uniform() < cfg.jumpDownProb ? -1 : 1;
    let bps = cfg.jumpSizeBps * r.exp1();
    if (bps > cfg.jumpSizeMaxBps) bps = cfg.jumpSizeMaxBps;
    s.midTicks *= Math.exp(sign * bps * 1e-4);
    s.lastJumpUnixUs = this.tsUs;
    s.lastJumpSign = sign;
    this.jumpCount++;

    // The cascade: forced orders on the side the move hurts, more for bigger jumps.
    let mean = (cfg.liqBurstCount * bps) / cfg.jumpSizeBps;
    if (mean > 200) mean = 200;
    s.burstLeft = 1 + (mean > 1 ? r.poisson(mean - 1) : 0);
    s.burstSide = sign < 0 ? Side.Sell : Side.Buy;
    s.burstGapUs = (cfg.liqBurstWindowMs * 1000) / s.burstLeft;
    this.nextAtUs[k * PROCS + Proc.LiqBurst] = this.nowUs + r.exp1() * s.burstGapUs;
    if (cfg.hawkesJumpKick > 0) this.kickHawkes(k, s, cfg.hawkesJumpKick * this.hawkesAlpha);
    // The book re-quotes around the new mid at once (the sweep).
    this.emitBookUpdate(s, false, sink);
  }

  /**
   * Adds `excess` to the trade intensity now and redraws the next trade time.
   * Exact: the excess intensity is Markov, so conditioned on no trade since
   * the last draw, a fresh draw from now has the right law.
   */
  private kickHawkes(k: number, s: InstrumentSim, excess: number): void {
    if (!this.tradesOn) return;
    const t = this.nowUs;
    s.hawkesExcess = s.hawkesExcess * Math.exp(-this.hawkesBeta * (t - s.hawkesLastUs)) + excess;
    s.hawkesLastUs = t;
    this.scheduleTrade(k, s);
  }

  /**
   * Schedules the next Hawkes event after `hawkesLastUs` given the excess `hawkesExcess`:
   * the earlier of a baseline arrival (Exp(μ)) and the first arrival of the
   * decaying excess, which exists with probability 1 − exp(−E/β).
   */
  private scheduleTrade(k: number, s: InstrumentSim): void {
    const r = this.rng;
    let gap = this.hawkesMu > 0 ? r.exp1() / this.hawkesMu : Infinity;
    const e = s.hawkesExcess;
    if (e > 0) {
      const d = 1 + (this.hawkesBeta * Math.log(r.uniform())) / e;
      if (d > 0) {
        const g2 = -Math.log(d) / this.hawkesBeta;
        if (g2 < gap) gap = g2;
      }
    }
    this.nextAtUs[k * PROCS + Proc.Trade] = s.hawkesLastUs + gap;
  }

  private emitLiquidation(s: InstrumentSim, side: Side, minQuote: number, sink: MarketEventSink): void {
    const r = this.rng;
    let notional = r.pareto(minQuote, this.config.paretoAlpha);
    if (notional > minQuote * PARETO_CAP) notional = minQuote * PARETO_CAP;
    const spec = s.spec;
    // Bankruptcy price: beyond the mid on the losing side (below for a long's forced sell).
    const priceTicks = Math.round(s.midTicks * (1 + side * r.uniform() * this.config.liqPriceOffsetBps * 1e-4));
    const quotePerLot = priceTicks * spec.tickSize * spec.lotSize * spec.contractValue;
    let sizeLots = Math.round(notional / quotePerLot);
    if (sizeLots < spec.minSizeLots) sizeLots = spec.minSizeLots;
    const l = this.liq;
    l.instrumentId = spec.id;
    l.tsExchangeUs = this.tsUs;
    l.tsRecvUs = this.stampRecv ? l.tsExchangeUs : 0;
    l.side = side;
    l.priceTicks = priceTicks;
    l.sizeLots = sizeLots;
    this.count(SyntheticEventKind.Liquidation);
    sink.onLiquidation(l);
  }

  private emitMark(s: InstrumentSim, sink: MarketEventSink): void {
    const t = this.nowUs;
    const a = (t - s.markLastUs) / (this.config.markSmoothingMs * 1000);
    s.markTicks += (s.midTicks - s.markTicks) * (1 - Math.exp(-a));
    s.markLastUs = t;
    const m = this.mark;
    m.instrumentId = s.spec.id;
    m.tsExchangeUs = this.tsUs;
    m.tsRecvUs = this.stampRecv ? m.tsExchangeUs : 0;
    m.priceTicks = Math.round(s.markTicks);
    this.count(SyntheticEventKind.MarkPrice);
    sink.onMarkPrice(m);
  }

  /**
   * Funding: a cadence event carries the current rate and the next settlement
   * time; at each settlement instant one event carries the rate that settles
   * with `fundingTimeUs` = that instant (= `tsExchangeUs`), and later events
   * point at the following settlement.
   */
  private emitFunding(k: number, s: InstrumentSim, sink: MarketEventSink): void {
    const t = this.nowUs;
    const f = this.funding;
    if (t === s.nextSettleUs) {
      f.fundingTimeUs = this.startUnixUs + s.nextSettleUs;
      s.nextSettleUs += this.settleUs;
    } else {
      // Ornstein–Uhlenbeck step since the last published rate.
      const dt = t - s.fundingLastUs;
      s.fundingLastUs = t;
      const cfg = this.config;
      let rate = s.fundingRate + (cfg.fundingRateMean - s.fundingRate) * (1 - Math.exp(-this.fundingTheta * dt));
      rate += this.fundingSigma * Math.sqrt(dt) * this.rng.normal();
      s.fundingRate = rate > FUNDING_RATE_CAP ? FUNDING_RATE_CAP : rate < -FUNDING_RATE_CAP ? -FUNDING_RATE_CAP : rate;
      f.fundingTimeUs = this.startUnixUs + s.nextSettleUs;
      s.nextFundingCadenceUs += this.fundingIntervalUs;
    }
    this.nextAtUs[k * PROCS + Proc.Funding] = Math.min(s.nextSettleUs, s.nextFundingCadenceUs);
    f.instrumentId = s.spec.id;
    f.tsExchangeUs = this.tsUs;
    f.tsRecvUs = this.stampRecv ? f.tsExchangeUs : 0;
    f.rate = s.fundingRate;
    this.count(SyntheticEventKind.FundingRate);
    sink.onFundingRate(f);
  }

  // ---------------------------------------------------------------- pending

  private pushPending(kind: Pending, inst: number, side: number, price: number, size: number): void {
    const cap = this.pendKind.length;
    const i = (this.pendHead + this.pendCount) % cap;
    this.pendKind[i] = kind;
    this.pendInst[i] = inst;
    this.pendSide[i] = side;
    this.pendPrice[i] = price;
    this.pendSize[i] = size;
    this.pendUs[i] = this.nowUs;
    this.pendCount++;
  }

  private emitPending(sink: MarketEventSink): void {
    const i = this.pendHead;
    this.pendHead = (i + 1) % this.pendKind.length;
    this.pendCount--;
    const s = this.sims[this.pendInst[i]!]!;
    this.nowUs = this.pendUs[i]!;
    this.tsUs = this.startUnixUs + Math.floor(this.nowUs);
    const d = this.deltas;
    if (this.pendKind[i] === Pending.Snapshot) {
      const book = s.book;
      this.beginDeltas(s);
      d.isSnapshot = true;
      book.copyLevelsTo(d);
      d.prevSeqId = -1;
      d.seqId = s.seqId;
      this.count(SyntheticEventKind.Book);
      sink.onBookDeltas(d);
      return;
    }
    // The book update a trade leaves behind: the touch it hit shrinks or goes.
    this.beginDeltas(s);
    const price = this.pendPrice[i]!;
    const size = this.pendSize[i]!;
    const bidHit = this.pendSide[i] === Side.Sell;
    const resting = s.book.sizeAt(bidHit ? Side.Buy : Side.Sell, price);
    const left = resting > size ? resting - size : 0;
    this.rec(s, bidHit, price, left);
    const count = bidHit ? s.book.bidCount : s.book.askCount;
    // A trade that empties a side moves the touch one tick on (never back onto the consumed price).
    if (count === 0) this.rec(s, bidHit, bidHit ? price - 1 : price + 1, this.profileLots(s, 0));
    if (count < this.halfDepth) this.fitDepth(s);
    this.finishDeltas(s, sink);
  }

  // ---------------------------------------------------------------- book

  private emitBookUpdate(s: InstrumentSim, withNoise: boolean, sink: MarketEventSink): void {
    this.beginDeltas(s);
    const tb = Math.floor(s.midTicks);
    const book = s.book;
    // Stale levels on the wrong side of the mid go first: bids ≤ tb < tb + 1 ≤ asks, never crossed.
    while (book.bidCount > 0 && book.bidPrice(0) > tb) this.rec(s, true, book.bidPrice(0), 0);
    while (book.askCount > 0 && book.askPrice(0) <= tb) this.rec(s, false, book.askPrice(0), 0);
    this.fillTop(s, true, tb);
    this.fillTop(s, false, tb + 1);
    if (withNoise) this.noise(s);
    this.fitDepth(s);
    this.finishDeltas(s, sink);
  }

  /**
   * Quotes from the target touch outwards until reaching the side's current
   * best (or `depth` new levels): refills the touch after a move or a trade
   * and rebuilds the near book after a jump.
   */
  private fillTop(s: InstrumentSim, bid: boolean, touch: number): void {
    const book = s.book;
    const count = bid ? book.bidCount : book.askCount;
    if (count > 0) {
      const best = bid ? book.bidPrice(0) : book.askPrice(0);
      if (bid ? best >= touch : best <= touch) return;
    }
    const stop = count > 0 ? (bid ? book.bidPrice(0) : book.askPrice(0)) : bid ? -Infinity : Infinity;
    const dir = bid ? -1 : 1;
    let p = this.rng.uniform() < TOUCH_GAP_PROB ? touch + dir : touch;
    for (let k = 0; k < this.depth && p > 0 && (bid ? p > stop : p < stop); k++) {
      this.rec(s, bid, p, this.profileLots(s, k));
      p += dir * (1 + this.rng.geometric(this.lnGapP));
    }
  }

  /** Trims each side to `depth` levels, or extends it beyond its worst level. */
  private fitDepth(s: InstrumentSim): void {
    const book = s.book;
    const depth = this.depth;
    while (book.bidCount > depth) this.rec(s, true, book.bidPrice(book.bidCount - 1), 0);
    while (book.askCount > depth) this.rec(s, false, book.askPrice(book.askCount - 1), 0);
    while (book.bidCount < depth) {
      const worst = book.bidCount > 0 ? book.bidPrice(book.bidCount - 1) : Math.floor(s.midTicks) + 1;
      const p = worst - 1 - this.rng.geometric(this.lnGapP);
      if (p < 1) break;
      this.rec(s, true, p, this.profileLots(s, book.bidCount));
    }
    while (book.askCount < depth) {
      const worst = book.askCount > 0 ? book.askPrice(book.askCount - 1) : Math.floor(s.midTicks);
      this.rec(s, false, worst + 1 + this.rng.geometric(this.lnGapP), this.profileLots(s, book.askCount));
    }
  }

  /** One or two random operations near the top: resize (mean-reverting to the profile), cancel, or insert into a gap. */
  private noise(s: InstrumentSim): void {
    const r = this.rng;
    const book = s.book;
    const ops = r.uniform() < 0.5 ? 1 : 2;
    for (let op = 0; op < ops; op++) {
      const bid = (r.nextI32() & 1) === 1;
      const n = bid ? book.bidCount : book.askCount;
      if (n === 0) continue;
      let i = Math.floor(r.exp1() * NOISE_DEPTH_MEAN);
      if (i > n - 1) i = n - 1;
      const side = bid ? Side.Buy : Side.Sell;
      const price = book.price(side, i);
      const u = r.uniform();
      if (u < 0.8) {
        const size = book.size(side, i);
        const target = this.profileLots(s, i);
        this.rec(s, bid, price, Math.max(s.spec.minSizeLots, Math.round(0.5 * size + 0.5 * target)));
      } else if (u < 0.9) {
        if (n > this.halfDepth) this.rec(s, bid, price, 0);
      } else if (i + 1 < n) {
        const gap = Math.abs(book.price(side, i + 1) - price) - 1;
        if (gap >= 1) {
          const off = 1 + Math.floor(r.uniform() * gap);
          this.rec(s, bid, bid ? price - off : price + off, this.profileLots(s, i + 1));
        }
      }
    }
  }

  /** Size of a new level `k` places from the touch: (1 + k·growth) × touch size × log-normal noise (mean 1). */
  private profileLots(s: InstrumentSim, k: number): number {
    const noise = Math.exp(SIZE_NOISE_SIGMA * this.rng.normal() - 0.5 * SIZE_NOISE_SIGMA * SIZE_NOISE_SIGMA);
    const lots = Math.round(s.touchLots * (1 + this.growth * k) * noise);
    return lots > s.spec.minSizeLots ? lots : s.spec.minSizeLots;
  }

  /**
   * Sets a level in the generator's book and records it in the outgoing
   * deltas. One entry per price: a second change to a price already in this
   * message overwrites it, and a level both added and removed within the
   * message is dropped (a consumer never sees a delete of a level it never
   * had, as on OKX). Bound: a message touches at most the old depth plus the
   * new depth plus two noise inserts per side (≤ 2·150 + 2 < MAX_BOOK_LEVELS).
   */
  private rec(s: InstrumentSim, bid: boolean, price: number, size: number): void {
    const d = this.deltas;
    const px = bid ? d.bidPriceTicks : d.askPriceTicks;
    const sz = bid ? d.bidSizeLots : d.askSizeLots;
    const added = bid ? this.bidAdded : this.askAdded;
    const n = bid ? d.bidCount : d.askCount;
    const existed = s.book.sizeAt(bid ? Side.Buy : Side.Sell, price) > 0;
    if (bid) s.book.setBid(price, size);
    else s.book.setAsk(price, size);
    for (let i = 0; i < n; i++) {
      if (px[i] !== price) continue;
      if (size === 0 && added[i] === 1) {
        // Added earlier in this message: the consumer never had it. Swap-remove.
        px[i] = px[n - 1]!;
        sz[i] = sz[n - 1]!;
        added[i] = added[n - 1]!;
        if (bid) d.bidCount = n - 1;
        else d.askCount = n - 1;
      } else {
        sz[i] = size;
      }
      return;
    }
    if (size === 0 && !existed) return;
    px[n] = price;
    sz[n] = size;
    added[n] = existed ? 0 : 1;
    if (bid) d.bidCount = n + 1;
    else d.askCount = n + 1;
  }

  private beginDeltas(s: InstrumentSim): void {
    const d = this.deltas;
    d.instrumentId = s.spec.id;
    d.tsExchangeUs = this.tsUs;
    d.tsRecvUs = this.stampRecv ? d.tsExchangeUs : 0;
    d.isSnapshot = false;
    d.checksum = 0;
    d.bidCount = 0;
    d.askCount = 0;
  }

  /** Stamps OKX-style continuity (prevSeqId = the last seqId; seqId grows by 1–4) and emits. */
  private finishDeltas(s: InstrumentSim, sink: MarketEventSink): void {
    const d = this.deltas;
    d.prevSeqId = s.seqId;
    s.seqId += 1 + (this.rng.nextI32() & 3);
    d.seqId = s.seqId;
    this.count(SyntheticEventKind.Book);
    sink.onBookDeltas(d);
  }

  private count(kind: SyntheticEventKind): void {
    this.lastKind = kind;
    this.countsByKind[kind] = this.countsByKind[kind]! + 1;
  }
}
