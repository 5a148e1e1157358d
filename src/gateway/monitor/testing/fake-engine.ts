/**
 * A stand-in engine for the monitor's tests, the browser tests and demos:
 * `FakeEngineView` (an EngineView with plausible, slowly changing state) and
 * `FakeMarketDriver` (emits changing book snapshots, trades, liquidations,
 * signals, orders, fills, positions and data-quality events through a
 * MonitorPublisher, encoded with the real codec).
 *
 * Role: lets the monitor and the UI be built and tested before / without the
 * real engine; the real engine implements the same EngineView and feeds the
 * same publisher. Owning thread: main. Cold (test code; allocates freely).
 * Deterministic for a given seed.
 */
import * as hdr from 'hdr-histogram-js';
import {
  encodeBookDeltas, encodeTrade, encodeLiquidation, encodeMarkPrice, encodeFundingRate, encodeSignal, encodeOrderFilled,
  encodeOrderUpdate, encodeOrderDenied, encodePositionUpdate, encodeDataQualityEvent, encodeRiskEvent, newStageStampSet,
  OrderDeniedEvent, PositionUpdateEvent, SignalEvent, DataQualityEvent, RiskEvent as WireRiskEvent, INSTRUMENT_NONE,
} from '../../../core/codec/index.ts';
import type { RecordClaimer } from '../../../core/ring/types.ts';
import { BookDeltas, TradeTick, LiquidationEvent, MarkPriceEvent, FundingRateEvent } from '../../../core/domain/market-events.ts';
import { Fill, OrderUpdate, OrderStatus } from '../../../core/domain/orders.ts';
import { Side, Liquidity, FeedState, TradingState } from '../../../core/domain/enums.ts';
import { nowUs } from '../../../core/clock.ts';
import type {
  EngineView, FillRow, HealthInfo, HistoryRun, InstrumentInfo, LatencySeriesMap, OrderRow, PositionRow, RiskState, RunSummary,
  RuntimeStats, SignalRow, TradingStateName,
} from '../engine-view.ts';
import { hdrPercentileSeries } from '../percentile.ts';
import type { MonitorPublisher } from '../publisher.ts';

/** Seeded PRNG (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A RecordClaimer over a scratch buffer: each committed record is handed to `sink` (tests, drivers). */
export class ScratchClaimer implements RecordClaimer {
  readonly bytes = new Uint8Array(64 * 1024);
  private type = 0;
  private length = 0;
  constructor(private readonly sink: (msgTypeId: number, bytes: Uint8Array, index: number, length: number) => void) {}
  tryClaim(msgTypeId: number, length: number): number {
    if (length > this.bytes.length) return -3;
    this.type = msgTypeId;
    this.length = length;
    return 0;
  }
  commit(index: number): void {
    this.sink(this.type, this.bytes, index, this.length);
  }
  abort(): void {}
}

const SYMBOLS = [
  { id: 0, symbol: 'BTC-USDT-SWAP', tickSize: 0.1, lotSize: 0.01, contractValue: 0.01, priceDecimals: 1, sizeDecimals: 2, mid: 650_000 },
  { id: 1, symbol: 'ETH-USDT-SWAP', tickSize: 0.01, lotSize: 0.01, contractValue: 0.1, priceDecimals: 2, sizeDecimals: 2, mid: 340_000 },
];

const HOPS = ['recv>feed', 'feed>sanitizer', 'sanitizer>strategy', 'strategy>risk', 'risk>execution'];
const NO_TRADE = ['BURST_BELOW_THRESHOLD', 'PRICE_MOVE_TOO_SMALL', 'COOLDOWN', 'POSITION_OPEN', 'WARMUP'];
const DENY = ['NOTIONAL_EXCEEDS_MAXIMUM', 'PRICE_OUTSIDE_COLLAR', 'ORDER_RATE_EXCEEDED'];

export class FakeEngineView implements EngineView {
  readonly startedMs = Date.now();
  tradingState: TradingStateName = 'ACTIVE';
  killLatched = false;
  killReason: string | undefined;
  readonly killCalls: string[] = [];
  readonly rearmCalls: string[] = [];
  eventsIn = 0;
  rejected = 0;
  submitted = 0;
  denied = 0;
  realized = 0;
  fees = 0;
  readonly mid = SYMBOLS.map((s) => s.mid);
  readonly positionLots = [0, 0];
  readonly avgEntry = [0, 0];
  readonly fills: FillRow[] = [];
  readonly signals: SignalRow[] = [];
  readonly orders: OrderRow[] = [];
  readonly feedStates: ('OK' | 'STALE' | 'INVALID')[] = ['OK', 'OK'];
  readonly hist = new Map<string, hdr.Histogram>();
  historyRuns: HistoryRun[] | null = null;
  /** When set, health() reports this state. */
  failWith: string | null = null;

  constructor() {
    for (const h of [...HOPS, 'tickToTrade']) {
      this.hist.set(h, hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false }));
    }
  }

  /** Records one pipeline pass with random hop latencies (ns). */
  recordLatency(rnd: () => number): void {
    let total = 0;
    for (const h of HOPS) {
      const base = h === 'recv>feed' ? 4000 : 1500;
      const tail = rnd() < 0.01 ? 30 + rnd() * 300 : 1;
      const v = Math.round(base * (0.6 + rnd()) * tail);
      total += v;
      this.hist.get(h)!.recordValue(v);
    }
    this.hist.get('tickToTrade')!.recordValue(total);
  }

  pnlUnrealized(): number {
    let u = 0;
    for (const s of SYMBOLS) {
      const lots = this.positionLots[s.id]!;
      u += (this.mid[s.id]! - this.avgEntry[s.id]!) * s.tickSize * lots * s.lotSize * s.contractValue;
    }
    return u;
  }

  health(): HealthInfo {
    if (this.failWith !== null) return { ok: false, state: 'failed', uptimeS: this.uptime(), problems: [this.failWith] };
    return { ok: true, state: 'running', uptimeS: this.uptime(), source: 'synthetic', runId: 'fake-run' };
  }

  private uptime(): number {
    return (Date.now() - this.startedMs) / 1000;
  }

  private stats(name: string) {
    const h = this.hist.get(name)!;
    if (h.totalCount === 0) return { count: 0, p50: 0, p99: 0, p999: 0, max: 0 };
    return { count: h.totalCount, p50: h.getValueAtPercentile(50) / 1000, p99: h.getValueAtPercentile(99) / 1000, p999: h.getValueAtPercentile(99.9) / 1000, max: h.maxValue / 1000 };
  }

  summary(): RunSummary {
    const hops: RunSummary['latencyUs']['hops'] = {};
    for (const h of HOPS) hops[h] = this.stats(h);
    const unrealized = this.pnlUnrealized();
    return {
      source: 'synthetic',
      topology: 'fused',
      clock: 'wall',
      durationS: this.uptime(),
      events: { in: this.eventsIn, accepted: this.eventsIn - this.rejected, rejected: this.rejected ? { CROSSED_BOOK: this.rejected } : {} },
      orders: { submitted: this.submitted, accepted: this.submitted - this.denied, denied: this.denied ? { NOTIONAL_EXCEEDS_MAXIMUM: this.denied } : {}, cancels: 0 },
      signals: this.signals.length,
      fills: this.fills.length,
      pnl: { realized: this.realized, unrealized, fees: this.fees, funding: 0, net: this.realized + unrealized - this.fees },
      tradingState: this.tradingState,
      killSwitch: this.killLatched,
      lost: 0,
      fillsHash: 'f'.repeat(16),
      latencyUs: { tickToTrade: this.stats('tickToTrade'), hops },
    };
  }

  instruments(): InstrumentInfo[] {
    return SYMBOLS.map((s) => ({
      id: s.id, symbol: s.symbol, tickSize: s.tickSize, lotSize: s.lotSize, contractValue: s.contractValue,
      priceDecimals: s.priceDecimals, sizeDecimals: s.sizeDecimals, feedState: this.feedStates[s.id]!,
      markPriceTicks: this.mid[s.id]!, fundingRate: 0.0001, nextFundingUnixMs: Math.ceil(Date.now() / 28_800_000) * 28_800_000,
    }));
  }

  positions(): PositionRow[] {
    return SYMBOLS.map((s) => ({
      instrumentId: s.id, positionLots: this.positionLots[s.id]!, avgEntryPriceTicks: this.avgEntry[s.id]!, markPriceTicks: this.mid[s.id]!,
      realizedPnl: this.realized / 2, unrealizedPnl: (this.mid[s.id]! - this.avgEntry[s.id]!) * s.tickSize * this.positionLots[s.id]! * s.lotSize * s.contractValue,
      fees: this.fees / 2,
    }));
  }

  openOrders(): OrderRow[] {
    return this.orders.slice(0, 50);
  }

  recentFills(limit: number): FillRow[] {
    return this.fills.slice(-limit).reverse();
  }

  recentSignals(limit: number): SignalRow[] {
    return this.signals.slice(-limit).reverse();
  }

  riskState(): RiskState {
    const pos = Math.abs(this.positionLots[0]!);
    return {
      tradingState: this.tradingState,
      killLatched: this.killLatched,
      killReason: this.killReason,
      stateReason: this.killLatched ? 'KILL_SWITCH_ACTIVE' : undefined,
      limits: [
        { name: 'maxPositionLots BTC', value: pos, limit: 500, utilisation: pos / 500 },
        { name: 'dailyLossQuote', value: Math.max(0, -this.realized), limit: 1000, utilisation: Math.max(0, -this.realized) / 1000 },
        { name: 'ordersPerSecond', value: 3, limit: 20, utilisation: 0.15 },
        { name: 'openOrders', value: this.orders.length % 8, limit: 16, utilisation: (this.orders.length % 8) / 16 },
      ],
    };
  }

  latency(): LatencySeriesMap {
    const out: LatencySeriesMap = {};
    for (const [name, h] of this.hist) out[name] = { count: h.totalCount, points: hdrPercentileSeries(h, 1 / 1000) };
    return out;
  }

  runtime(): RuntimeStats {
    const m = process.memoryUsage();
    const t = this.uptime();
    return {
      rings: [
        { name: 'feed>sanitizer', capacityBytes: 1 << 20, usedBytes: Math.round((1 << 14) * (1 + Math.sin(t))), highWaterBytes: 1 << 16, messages: this.eventsIn, drops: 0, stalls: 0 },
        { name: 'strategy>risk', capacityBytes: 1 << 18, usedBytes: 512, highWaterBytes: 4096, messages: this.submitted, drops: 0, stalls: 0 },
        { name: 'ui.book', capacityBytes: 1 << 20, usedBytes: 2048, highWaterBytes: 1 << 18, messages: this.eventsIn, drops: Math.floor(t), stalls: 0 },
      ],
      eventLoop: { p50Us: 250 + 50 * Math.sin(t), p99Us: 1800 + 400 * Math.sin(t / 3), maxUs: 4200 },
      gc: { count: Math.floor(t * 2), pauseMs: t * 0.8 },
      threads: [
        { name: 'main', cpuPct: 12 + 3 * Math.sin(t), elu: 0.1, eventLoopDelayP99Us: 1800, gcCount: Math.floor(t), gcPauseMs: t * 0.5 },
        { name: 'feed', cpuPct: 20 + 5 * Math.sin(t / 2), elu: 0.2, eventLoopDelayP99Us: 900, gcCount: 1, gcPauseMs: 0.4 },
        { name: 'hot (fused)', cpuPct: 35 + 8 * Math.cos(t), elu: 0.4, eventLoopDelayP99Us: 300, gcCount: 0, gcPauseMs: 0 },
        { name: 'writer', cpuPct: 4, elu: 0.05, eventLoopDelayP99Us: 2500, gcCount: 2, gcPauseMs: 1.1 },
      ],
      db: { connected: true, lagMs: 12 + 5 * Math.abs(Math.sin(t)), queueRecords: 40, journalBytes: 0, committedRecords: this.fills.length },
      memory: { rssBytes: m.rss, heapUsedBytes: m.heapUsed },
    };
  }

  history(): HistoryRun[] | null {
    return this.historyRuns;
  }

  kill(reason: string): RiskState {
    this.killCalls.push(reason);
    this.killLatched = true;
    this.killReason = reason;
    this.tradingState = 'HALTED';
    return this.riskState();
  }

  rearm(reason: string): RiskState {
    if (!this.killLatched && this.tradingState === 'ACTIVE') throw new Error('not halted: nothing to re-arm');
    this.rearmCalls.push(reason);
    this.killLatched = false;
    this.killReason = undefined;
    this.tradingState = 'ACTIVE';
    return this.riskState();
  }
}

export interface DriverOptions {
  /** Market-data records per second (book + trades; default 200). */
  ratePerS?: number;
  seed?: number;
  /** Book levels per side (default 20). */
  levels?: number;
}

/**
 * Emits changing records through `publisher` on a 10 ms timer, and keeps
 * `view` consistent with them (fills, signals, positions).
 */
export class FakeMarketDriver {
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly rnd: () => number;
  private readonly claimer: ScratchClaimer;
  private readonly stamps = newStageStampSet();
  private readonly book: BookDeltas;
  private readonly trade = new TradeTick();
  private readonly liq = new LiquidationEvent();
  private readonly mark = new MarkPriceEvent();
  private readonly funding = new FundingRateEvent();
  private readonly signal = new SignalEvent();
  private readonly fill = new Fill();
  private readonly update = new OrderUpdate();
  private readonly denied = new OrderDeniedEvent();
  private readonly pos = new PositionUpdateEvent();
  private readonly dq = new DataQualityEvent();
  private readonly risk = new WireRiskEvent();
  private seq = 0;
  private carry = 0;
  private lastTickMs = 0;
  private lastRiskState: TradingStateName = 'ACTIVE';
  records = 0;
  private readonly rate: number;
  private readonly levels: number;

  constructor(private readonly view: FakeEngineView, private readonly publisher: MonitorPublisher, options: DriverOptions = {}) {
    this.rnd = mulberry32(options.seed ?? 42);
    this.rate = options.ratePerS ?? 200;
    this.levels = options.levels ?? 20;
    this.book = new BookDeltas(this.levels);
    this.claimer = new ScratchClaimer((type, bytes, index, length) => {
      this.records++;
      this.publisher.offer(type, bytes, index, length);
    });
  }

  start(): void {
    if (this.timer !== null) return;
    this.lastTickMs = performance.now();
    this.timer = setInterval(() => this.tick(), 10);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Emits what `rate` asks for since the last call. */
  tick(): void {
    const now = performance.now();
    this.carry += ((now - this.lastTickMs) / 1000) * this.rate;
    this.lastTickMs = now;
    const n = Math.min(Math.floor(this.carry), this.rate); // at most 1 s worth per tick
    this.carry -= n;
    for (let i = 0; i < n; i++) this.step();
    if (this.view.tradingState !== this.lastRiskState) {
      this.lastRiskState = this.view.tradingState;
      const r = this.risk;
      r.instrumentId = INSTRUMENT_NONE;
      r.code = this.view.killLatched ? 2 : 3;
      r.tradingState = this.view.tradingState === 'ACTIVE' ? TradingState.Active : this.view.tradingState === 'REDUCING' ? TradingState.Reducing : TradingState.Halted;
      encodeRiskEvent(this.claimer, r, this.stamps);
    }
  }

  private stampNow(): void {
    const t = nowUs();
    this.stamps.fill(0);
    this.stamps[0] = t - 40;
    this.stamps[1] = t - 35;
    this.stamps[2] = t - 30;
  }

  step(): void {
    const v = this.view;
    const rnd = this.rnd;
    const inst = rnd() < 0.7 ? 0 : 1;
    v.mid[inst] = Math.max(1000, v.mid[inst]! + Math.round((rnd() - 0.5) * 6));
    const mid = v.mid[inst]!;
    v.eventsIn++;
    v.recordLatency(rnd);
    this.stampNow();
    const tsEx = Date.now() * 1000;
    const k = this.seq++;
    if (k % 2 === 0) {
      const b = this.book;
      b.instrumentId = inst;
      b.tsExchangeUs = tsEx;
      b.tsRecvUs = this.stamps[0]!;
      b.seqId = k;
      b.prevSeqId = -1;
      b.isSnapshot = true;
      b.bidCount = b.askCount = this.levels;
      for (let l = 0; l < this.levels; l++) {
        b.bidPriceTicks[l] = mid - 1 - l;
        b.askPriceTicks[l] = mid + 1 + l;
        b.bidSizeLots[l] = 1 + Math.floor(rnd() * 400 * (1 + l / 4));
        b.askSizeLots[l] = 1 + Math.floor(rnd() * 400 * (1 + l / 4));
      }
      encodeBookDeltas(this.claimer, b, this.stamps);
    } else {
      const t = this.trade;
      t.instrumentId = inst;
      t.tsExchangeUs = tsEx;
      t.tsRecvUs = this.stamps[0]!;
      t.tradeId = k;
      t.aggressorSide = rnd() < 0.5 ? Side.Buy : Side.Sell;
      t.priceTicks = t.aggressorSide === Side.Buy ? mid + 1 : mid - 1;
      t.sizeLots = 1 + Math.floor(rnd() * 50);
      encodeTrade(this.claimer, t, this.stamps);
    }
    if (k % 50 === 0) {
      const m = this.mark;
      m.instrumentId = inst;
      m.priceTicks = mid;
      m.tsExchangeUs = tsEx;
      encodeMarkPrice(this.claimer, m, this.stamps);
      const f = this.funding;
      f.instrumentId = inst;
      f.rate = 0.0001 + (rnd() - 0.5) * 0.0001;
      f.fundingTimeUs = Math.ceil(Date.now() / 28_800_000) * 28_800_000_000;
      encodeFundingRate(this.claimer, f, this.stamps);
    }
    // liquidation bursts: every ~200 events, 3–6 prints
    if (k % 200 < 5 && k % 200 >= 0 && rnd() < 0.8) {
      const l = this.liq;
      l.instrumentId = inst;
      l.tsExchangeUs = tsEx;
      l.tsRecvUs = this.stamps[0]!;
      l.side = (k / 200) % 2 < 1 ? Side.Sell : Side.Buy;
      l.priceTicks = mid + (l.side === Side.Sell ? -3 : 3);
      l.sizeLots = 20 + Math.floor(rnd() * 500);
      encodeLiquidation(this.claimer, l, this.stamps);
    }
    if (k % 40 === 7) this.decide(inst, mid, tsEx);
    if (k % 500 === 250) {
      const d = this.dq;
      d.instrumentId = inst;
      d.prevState = v.feedStates[inst] === 'OK' ? FeedState.Ok : FeedState.Stale;
      d.state = d.prevState === FeedState.Ok ? FeedState.Stale : FeedState.Ok;
      d.reasonCode = 3;
      d.value = 1200;
      d.tsExchangeUs = tsEx;
      v.feedStates[inst] = d.state === FeedState.Ok ? 'OK' : 'STALE';
      encodeDataQualityEvent(this.claimer, d, this.stamps);
    }
  }

  /** A strategy decision: mostly no-trade, sometimes an order that fills or is denied. */
  private decide(inst: number, mid: number, tsEx: number): void {
    const v = this.view;
    const rnd = this.rnd;
    const s = this.signal;
    const trade = rnd() < 0.35 && !v.killLatched;
    s.signalId = v.signals.length + 1;
    s.instrumentId = inst;
    s.side = rnd() < 0.5 ? Side.Buy : Side.Sell;
    s.reasonCode = trade ? 32 : 1 + Math.floor(rnd() * 5);
    s.priceTicks = mid;
    s.sizeLots = 10;
    s.value = Math.round(rnd() * 200000);
    s.threshold = 100000;
    s.tsExchangeUs = tsEx;
    s.tsTriggerRecvUs = this.stamps[0]!;
    encodeSignal(this.claimer, s, this.stamps);
    const side = s.side === Side.Buy ? 'buy' : 'sell';
    v.signals.push({ signalId: s.signalId, instrumentId: inst, decision: trade ? 'ENTER' : 'NO_TRADE', reason: trade ? 'NONE' : NO_TRADE[s.reasonCode - 1]!,
      side, priceTicks: mid, sizeLots: 10, value: s.value, threshold: s.threshold, tsUs: nowUs() });
    if (v.signals.length > 1000) v.signals.splice(0, 500);
    if (!trade) return;
    v.submitted++;
    const coid = v.submitted;
    if (rnd() < 0.2) {
      v.denied++;
      const d = this.denied;
      d.clientOrderId = coid;
      d.signalId = s.signalId;
      d.instrumentId = inst;
      d.side = s.side;
      d.priceTicks = mid;
      d.sizeLots = 10;
      d.reasonCode = 16;
      d.value = 12000;
      d.limit = 10000;
      encodeOrderDenied(this.claimer, d, this.stamps);
      v.orders.unshift({ clientOrderId: coid, signalId: s.signalId, instrumentId: inst, side, type: 'IOC', priceTicks: mid, sizeLots: 10, filledLots: 0,
        status: 'DENIED', riskDecision: 'DENIED', denyReason: DENY[Math.floor(rnd() * DENY.length)]!, denyValue: 12000, denyLimit: 10000, tsUs: nowUs() });
    } else {
      const u = this.update;
      u.clientOrderId = coid;
      u.instrumentId = inst;
      u.side = s.side;
      u.priceTicks = mid;
      u.sizeLots = 10;
      u.filledLots = 10;
      u.status = OrderStatus.Filled;
      u.tsUs = nowUs();
      encodeOrderUpdate(this.claimer, u, this.stamps);
      const f = this.fill;
      f.fillId = v.fills.length + 1;
      f.clientOrderId = coid;
      f.instrumentId = inst;
      f.side = s.side;
      f.priceTicks = mid + (s.side === Side.Buy ? 1 : -1);
      f.sizeLots = 10;
      f.liquidity = Liquidity.Taker;
      f.feeQuote = 0.05 + rnd() * 0.02;
      f.tsUs = nowUs();
      f.tsTriggerRecvUs = this.stamps[0]!;
      encodeOrderFilled(this.claimer, f, this.stamps);
      v.fees += f.feeQuote;
      const sign = s.side === Side.Buy ? 1 : -1;
      const prev = v.positionLots[inst]!;
      const next = prev + sign * 10;
      if (prev !== 0 && Math.sign(next) !== Math.sign(prev)) {
        const spec = SYMBOLS[inst]!;
        v.realized += (f.priceTicks - v.avgEntry[inst]!) * Math.sign(prev) * spec.tickSize * Math.abs(prev) * spec.lotSize * spec.contractValue;
      }
      v.avgEntry[inst] = next === 0 ? 0 : f.priceTicks;
      v.positionLots[inst] = next;
      v.fills.push({ fillId: f.fillId, clientOrderId: coid, instrumentId: inst, side, priceTicks: f.priceTicks, sizeLots: 10, liquidity: 'taker', feeQuote: f.feeQuote,
        slippageTicks: 1, queueTimeUs: Math.round(rnd() * 800), tsUs: f.tsUs });
      if (v.fills.length > 1000) v.fills.splice(0, 500);
      v.orders.unshift({ clientOrderId: coid, signalId: s.signalId, instrumentId: inst, side, type: 'IOC', priceTicks: mid, sizeLots: 10, filledLots: 10,
        status: 'FILLED', riskDecision: 'ACCEPTED', tsUs: nowUs() });
      const p = this.pos;
      p.instrumentId = inst;
      p.positionLots = next;
      p.avgEntryPriceTicks = v.avgEntry[inst]!;
      p.markPriceTicks = mid;
      p.realizedPnlQuote = v.realized;
      p.unrealizedPnlQuote = v.pnlUnrealized();
      p.feesQuote = v.fees;
      encodePositionUpdate(this.claimer, p, this.stamps);
    }
    if (v.orders.length > 200) v.orders.length = 100;
  }
}
