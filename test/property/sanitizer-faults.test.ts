/**
 * T4-style fault replay: a seeded generator produces a clean OKX-like stream
 * (snapshot, continuous book deltas, heartbeats, trades, never crossed), and
 * injects faults at random: gap, duplicate, reorder, crossed book, 10× spike,
 * NaN / negative size, off-grid price, 5 s stall, +2 s clock skew.
 * Asserted per run: every fault detected with its reason, the book INVALID on
 * the faulty message itself for sequence/crossing/value faults, 0 clean
 * messages rejected, canTrade false whenever the feed is not Ok, and the
 * counters add up.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { L2Book } from '../../src/core/book/l2-book.ts';
import { FeedState, Side } from '../../src/core/domain/enums.ts';
import { makeInstrumentSpec } from '../../src/core/domain/instrument.ts';
import { BookDeltas, TradeTick } from '../../src/core/domain/market-events.ts';
import { NullDataQualitySink, QualityFlag } from '../../src/core/sanitizer/data-quality-sink.ts';
import { L0Sanitizer } from '../../src/core/sanitizer/l0-sanitizer.ts';
import { RejectReason, rejectReasonName } from '../../src/core/sanitizer/reject-reason.ts';
import { validateSanitizerConfig } from '../../src/core/sanitizer/sanitizer-config.ts';

const SEED = 20261124;
const MESSAGES_PER_RUN = 400;
const FAULT_PROBABILITY = 0.12;
const SPEC = makeInstrumentSpec({
  id: 0, symbol: 'BTC-USDT-SWAP', tickSize: 0.1, lotSize: 0.01, minSizeLots: 1, contractValue: 0.01, makerFeeBps: 2, takerFeeBps: 5,
});
const CFG = validateSanitizerConfig({});
const T0 = 1_786_540_000_000_000;

const FAULTS = ['gap', 'duplicate', 'reorder', 'crossed', 'spike', 'nanSize', 'negSize', 'offGrid', 'stall', 'skew'] as const;
type Fault = (typeof FAULTS)[number];

/** ringbuf.js-style seeded PRNG. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RunStats {
  injected: Record<Fault, number>;
  detected: Record<Fault, number>;
  wrong: string[];
  cleanRejected: string[];
  invariant: string[];
  sent: number;
}

class Stream {
  readonly rnd: () => number;
  readonly san = new L0Sanitizer([SPEC], CFG, new NullDataQualitySink());
  readonly model = new L2Book(); // the exchange's true book
  readonly d = new BookDeltas(64);
  readonly last = new BookDeltas(64); // copy of the last book delta sent, for duplicates
  readonly t = new TradeTick();
  lastTrade = new TradeTick();
  seq = 1_000_000;
  tsUs = T0;
  skewUs = 0;
  skewLeft = 0;
  tradeId = 5_000;
  readonly stats: RunStats;

  constructor(seed: number) {
    this.rnd = mulberry32(seed);
    const zero = Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>;
    this.stats = { injected: { ...zero }, detected: { ...zero }, wrong: [], cleanRejected: [], invariant: [], sent: 0 };
    for (let i = 1; i <= 8; i++) {
      this.model.setBid(1_000_000 - i, this.size());
      this.model.setAsk(1_000_000 + i, this.size());
    }
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  size(): number {
    return this.int(2_000, 10_000); // 20–100 contracts: depth never collapses on a clean stream
  }

  tick(): number {
    this.tsUs += this.int(1_000, 5_000);
    return this.tsUs;
  }

  recv(tsUs: number): number {
    return tsUs + this.int(1_000, 3_000) + this.skewUs;
  }

  // ------------------------------------------------------------ messages

  snapshotMsg(): BookDeltas {
    const d = this.d;
    const m = this.model;
    d.reset();
    d.isSnapshot = true;
    d.prevSeqId = -1;
    d.seqId = this.seq += this.int(1, 5);
    d.tsExchangeUs = this.tick();
    d.tsRecvUs = this.recv(d.tsExchangeUs);
    m.copyLevelsTo(d);
    return d;
  }

  /** A clean delta of 1–3 level changes; applied to the model when `apply`. */
  deltaMsg(apply = true): BookDeltas {
    const d = this.d;
    const m = this.model;
    d.reset();
    d.prevSeqId = this.seq;
    d.seqId = this.seq += this.int(1, 3);
    d.tsExchangeUs = this.tick();
    d.tsRecvUs = this.recv(d.tsExchangeUs);
    const n = this.int(1, 3);
    for (let k = 0; k < n; k++) {
      const bid = this.rnd() < 0.5;
      const count = bid ? m.bidCount : m.askCount;
      let px: number;
      let sz: number;
      if (count > 6 && this.rnd() < 0.3) {
        px = bid ? m.bidPrice(this.int(0, count - 1)) : m.askPrice(this.int(0, count - 1));
        sz = 0;
      } else {
        // Never at or through the other side's touch.
        px = bid ? m.bestAsk() - this.int(1, 12) : m.bestBid() + this.int(1, 12);
        sz = this.size();
      }
      if (bid) {
        d.bidPriceTicks[d.bidCount] = px;
        d.bidSizeLots[d.bidCount++] = sz;
      } else {
        d.askPriceTicks[d.askCount] = px;
        d.askSizeLots[d.askCount++] = sz;
      }
      if (apply) m.set(bid ? Side.Buy : Side.Sell, px, sz); // later changes in one message win, as in the book
    }
    return d;
  }

  heartbeatMsg(): BookDeltas {
    const d = this.d;
    d.reset();
    d.prevSeqId = this.seq;
    d.seqId = this.seq;
    d.tsExchangeUs = this.tick();
    d.tsRecvUs = this.recv(d.tsExchangeUs);
    return d;
  }

  tradeMsg(): TradeTick {
    const t = this.t;
    t.instrumentId = 0;
    t.tradeId = this.tradeId += this.int(1, 3);
    t.tsExchangeUs = this.tick();
    t.tsRecvUs = this.recv(t.tsExchangeUs);
    t.aggressorSide = this.rnd() < 0.5 ? Side.Buy : Side.Sell;
    t.priceTicks = t.aggressorSide === Side.Buy ? this.model.bestAsk() : this.model.bestBid();
    t.sizeLots = this.int(1, 500);
    return t;
  }

  // --------------------------------------------------------------- sending

  sendBook(d: BookDeltas, clean: boolean, what: string): RejectReason {
    this.stats.sent++;
    const r = this.san.onBookDeltas(d, d.tsRecvUs);
    if (clean && r !== RejectReason.Accepted) this.stats.cleanRejected.push(`${what}: ${rejectReasonName(r)}`);
    if (r === RejectReason.Accepted && !d.isSnapshot && (d.bidCount > 0 || d.askCount > 0)) copyDeltas(d, this.last);
    // A message from before a snapshot is older than the book, not a duplicate of it (OUT_OF_ORDER).
    if (r === RejectReason.Accepted && d.isSnapshot) this.last.seqId = 0;
    this.checkInvariant(d.tsRecvUs);
    return r;
  }

  sendTrade(t: TradeTick, clean: boolean, what: string): RejectReason {
    this.stats.sent++;
    const r = this.san.onTrade(t, t.tsRecvUs);
    if (clean && r !== RejectReason.Accepted) this.stats.cleanRejected.push(`${what}: ${rejectReasonName(r)}`);
    if (r === RejectReason.Accepted) copyTrade(t, this.lastTrade);
    this.checkInvariant(t.tsRecvUs);
    return r;
  }

  checkInvariant(nowUs: number): void {
    this.san.onTimer(nowUs);
    const st = this.san.feedState(0);
    if (st !== FeedState.Ok && this.san.canTrade(0, nowUs)) this.stats.invariant.push(`canTrade true in state ${st}`);
    if ((this.san.qualityFlags(0) & QualityFlag.SkewBlocked) !== 0 && this.san.canTrade(0, nowUs)) {
      this.stats.invariant.push('canTrade true while skew blocked');
    }
  }

  expectReason(f: Fault, got: RejectReason, want: RejectReason, mustInvalidate: boolean): void {
    const invalid = this.san.feedState(0) === FeedState.Invalid;
    if (got === want && (!mustInvalidate || invalid)) this.stats.detected[f]++;
    else this.stats.wrong.push(`${f}: got ${rejectReasonName(got)} want ${rejectReasonName(want)} invalid=${invalid}`);
  }

  /** The feed's answer to a resync request: a fresh snapshot of the true book. */
  resync(): void {
    if (this.san.resyncRequested(0)) this.sendBook(this.snapshotMsg(), true, 'resync snapshot');
  }

  // ------------------------------------------------------------ the faults

  inject(f: Fault): void {
    this.stats.injected[f]++;
    const bookSide = this.rnd() < 0.6;
    switch (f) {
      case 'gap': {
        const d = this.deltaMsg();
        d.prevSeqId += 1; // the message before it was lost
        this.expectReason(f, this.sendBook(d, false, f), RejectReason.SequenceGap, true);
        this.resync();
        break;
      }
      case 'duplicate': {
        if (bookSide && this.last.seqId !== 0) {
          copyDeltas(this.last, this.d);
          this.expectReason(f, this.sendBook(this.d, false, f), RejectReason.Duplicate, false);
        } else if (this.lastTrade.tradeId !== 0) {
          copyTrade(this.lastTrade, this.t);
          this.expectReason(f, this.sendTrade(this.t, false, f), RejectReason.Duplicate, false);
        } else {
          this.stats.injected[f]--;
        }
        break;
      }
      case 'reorder': {
        if (bookSide) {
          const a = new BookDeltas(64);
          copyDeltas(this.deltaMsg(), a);
          const b = this.deltaMsg();
          // b arrives first: its prevSeqId is a's seqId, which we have not seen.
          this.expectReason(f, this.sendBook(b, false, f), RejectReason.SequenceGap, true);
          this.sendBook(a, false, 'reordered late message');
          this.resync();
        } else {
          const a = new TradeTick();
          copyTrade(this.tradeMsg(), a);
          const b = this.tradeMsg();
          this.sendTrade(b, true, 'reordered early trade');
          this.expectReason(f, this.sendTrade(a, false, f), RejectReason.OutOfOrder, false);
        }
        break;
      }
      case 'crossed': {
        const d = this.deltaMsg(false);
        d.bidCount = 1;
        d.askCount = 0;
        d.bidPriceTicks[0] = this.model.bestAsk() + this.int(0, 3); // locked or crossed
        d.bidSizeLots[0] = this.size();
        this.expectReason(f, this.sendBook(d, false, f), RejectReason.CrossedBook, true);
        this.resync();
        break;
      }
      case 'spike': {
        const t = this.tradeMsg();
        t.priceTicks *= 10;
        this.expectReason(f, this.sendTrade(t, false, f), RejectReason.SpikeQuarantined, false);
        break;
      }
      case 'nanSize':
      case 'negSize':
      case 'offGrid': {
        const want = f === 'nanSize' ? RejectReason.NonFinite : f === 'negSize' ? RejectReason.NonPositive : RejectReason.OffGrid;
        if (bookSide) {
          const d = this.deltaMsg(false);
          corrupt(f, d.bidCount > 0 ? d.bidPriceTicks : d.askPriceTicks, d.bidCount > 0 ? d.bidSizeLots : d.askSizeLots);
          this.expectReason(f, this.sendBook(d, false, f), want, true);
          this.resync();
        } else {
          const t = this.tradeMsg();
          if (f === 'offGrid') t.priceTicks += 0.5;
          else t.sizeLots = f === 'nanSize' ? NaN : -t.sizeLots;
          this.expectReason(f, this.sendTrade(t, false, f), want, false);
        }
        break;
      }
      case 'stall': {
        this.tsUs += 5_000_000; // 5 s of silence from the exchange
        const now = this.tsUs + 2_000;
        this.san.onTimer(now);
        const st = this.san.feedState(0);
        if (st === FeedState.Stale && !this.san.canTrade(0, now)) this.stats.detected[f]++;
        else this.stats.wrong.push(`stall: state ${st}`);
        this.checkInvariant(now);
        break;
      }
      case 'skew': {
        this.skewUs = 2_000_000;
        this.skewLeft = 40;
        break;
      }
    }
  }

  run(): RunStats {
    this.sendBook(this.snapshotMsg(), true, 'initial snapshot');
    let skewSeen = false;
    let skewAge = 0;
    while (this.stats.sent < MESSAGES_PER_RUN || this.skewLeft > 0) {
      if (this.skewLeft > 0) {
        // Inside a +2 s clock step: clean data, skewed receive clock.
        if (!skewSeen) {
          skewAge++;
          if ((this.san.qualityFlags(0) & QualityFlag.SkewAlarm) !== 0) {
            skewSeen = true;
            this.stats.detected.skew++;
          } else if (skewAge > 6) {
            skewSeen = true;
            this.stats.wrong.push('skew: no alarm within 5 messages');
          }
        }
        const first = this.skewLeft === 40;
        if (--this.skewLeft === 0) {
          this.skewUs = 0;
          skewSeen = false;
          skewAge = 0;
        }
        // The first skewed message may also read as stale data: that is a correct verdict, not a false positive.
        if (this.rnd() < 0.6) this.sendBook(this.deltaMsg(), !first, 'skewed delta');
        else this.sendTrade(this.tradeMsg(), !first, 'skewed trade');
        continue;
      }
      if (this.rnd() < FAULT_PROBABILITY) {
        this.inject(FAULTS[this.int(0, FAULTS.length - 1)]!);
        continue;
      }
      const u = this.rnd();
      if (u < 0.55) this.sendBook(this.deltaMsg(), true, 'delta');
      else if (u < 0.6) this.sendBook(this.heartbeatMsg(), true, 'heartbeat');
      else this.sendTrade(this.tradeMsg(), true, 'trade');
    }
    return this.stats;
  }
}

function corrupt(f: Fault, px: Float64Array, sz: Float64Array): void {
  if (f === 'nanSize') sz[0] = NaN;
  else if (f === 'negSize') sz[0] = -Math.max(1, sz[0]!);
  else px[0] = px[0]! + 0.5;
}

function copyDeltas(s: BookDeltas, d: BookDeltas): void {
  d.instrumentId = s.instrumentId;
  d.tsExchangeUs = s.tsExchangeUs;
  d.tsRecvUs = s.tsRecvUs;
  d.seqId = s.seqId;
  d.prevSeqId = s.prevSeqId;
  d.isSnapshot = s.isSnapshot;
  d.checksum = s.checksum;
  d.bidCount = s.bidCount;
  d.askCount = s.askCount;
  d.bidPriceTicks.set(s.bidPriceTicks.subarray(0, s.bidCount));
  d.bidSizeLots.set(s.bidSizeLots.subarray(0, s.bidCount));
  d.askPriceTicks.set(s.askPriceTicks.subarray(0, s.askCount));
  d.askSizeLots.set(s.askSizeLots.subarray(0, s.askCount));
}

function copyTrade(s: TradeTick, d: TradeTick): void {
  Object.assign(d, s);
}

describe('L0Sanitizer fault replay (T4)', () => {
  it('detects 100% of injected faults with the right reason and rejects no clean message', () => {
    const totals = Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0x7fffffff }), (seed) => {
        const s = new Stream(seed);
        const st = s.run();
        expect(st.wrong).toEqual([]);
        expect(st.cleanRejected).toEqual([]);
        expect(st.invariant).toEqual([]);
        expect(st.detected).toEqual(st.injected);
        expect(s.san.eventsIn()).toBe(st.sent);
        // The stream ends healthy: the sanitizer resynced after every book fault.
        expect(s.san.resyncRequested(0)).toBe(false);
        expect([s.model.bestBid(), s.model.bestAsk()]).toEqual([s.san.book(0).bestBid(), s.san.book(0).bestAsk()]);
        for (const f of FAULTS) totals[f] += st.injected[f];
      }),
      { seed: SEED, numRuns: 100 },
    );
    for (const f of FAULTS) expect(totals[f], `fault ${f} never injected`).toBeGreaterThan(20);
  });
});
