/**
 * LatencyProbe (`strategy.kind: "latency-probe"`): a strategy that exists to
 * be measured. Every `everyNEvents`-th market event (and at most once per
 * `minIntervalUs` of logic time) it submits one small IOC order at the touch
 * of the instrument that event was for — buy at the best ask, sell at the
 * best bid — so the order passes DRBGuard's price collars and either fills
 * or is cancelled (IOC remainder) at the paper venue. The order carries the
 * triggering event's stage stamps, so the venue records its tick-to-trade.
 *
 * Role: a `Strategy` for benchmarks (`npm run bench -- pipeline`) and smoke
 * runs. Owning thread: the strategy stage worker (or the fused core worker);
 * single-threaded. Hot: every handler runs per message and allocates nothing:
 * per-instrument state lives in typed arrays indexed by instrument id, and
 * the one OrderIntent carrier is reused. Time is passed in, never read, and
 * ids are `idBase + n`, so the same input gives the same orders.
 *
 * Side: the probe keeps its position bounded. Flat: it alternates buy/sell
 * per instrument. Long: it sells. Short: it buys. Position is what its own
 * fills say (orders in flight are not counted: with one order per N events
 * a fill normally arrives before the next order, and if not the position is
 * still bounded by orders in flight × size).
 * Eligibility: the instrument's feed is Ok and its book has a bid below its
 * ask; an ineligible N-th event keeps the count, so the next eligible event
 * fires. The probe never emits signals (it decides nothing worth recording).
 *
 * Mentor's Corner. Purpose: drive the order path (strategy → risk → venue)
 * at a known, bounded rate so tick-to-trade is measured on every run, not
 * only when a real strategy happens to trade. Ideal counterpart: a hardware
 * loopback probe stamping a packet at the NIC on the way in and the way out.
 * Ours runs the real stage code with a trivial decision, so what it measures
 * is the pipeline, not the strategy; its own cost is a counter and a compare.
 */
import { FeedState, OrderType, Side } from '../domain/enums.ts';
import type { InstrumentSpec } from '../domain/instrument.ts';
import type { BookDeltas, FundingRateEvent, LiquidationEvent, MarkPriceEvent, TradeTick } from '../domain/market-events.ts';
import { OrderIntent, OrderStatus, type Fill, type OrderUpdate } from '../domain/orders.ts';
import type { L2Book } from '../book/l2-book.ts';
import type { Strategy, StrategyOutput } from './strategy.ts';

export interface LatencyProbeConfig {
  /** Stamped on intents; in [0, 255] (DRBGuard's per-strategy arrays). */
  readonly strategyId: number;
  /** Order ids are `idBase + n`, n = 1, 2, … */
  readonly idBase: number;
  /** Submit on every N-th market event (counted over all instruments). */
  readonly everyNEvents: number;
  /** And at most once per this much logic time (µs); 0 = no time limit. Keeps the order rate under risk's throttle at any event rate. */
  readonly minIntervalUs: number;
  /** Order size in lots; 0 = each instrument's minimum size. */
  readonly sizeLots: number;
}

export const DEFAULT_LATENCY_PROBE_CONFIG: LatencyProbeConfig = Object.freeze({
  strategyId: 9,
  idBase: 0,
  everyNEvents: 50,
  minIntervalUs: 0,
  sizeLots: 0,
});

function integerIn(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`latency-probe config: ${field} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Validates a partial config (unknown fields refused); cold path, throws naming the field. */
export function validateLatencyProbeConfig(raw: unknown = {}): LatencyProbeConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`latency-probe config must be an object, got ${JSON.stringify(raw)}`);
  }
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!(k in DEFAULT_LATENCY_PROBE_CONFIG)) throw new Error(`latency-probe config: unknown field ${k} = ${JSON.stringify(r[k])}`);
  }
  const d = DEFAULT_LATENCY_PROBE_CONFIG;
  return Object.freeze({
    strategyId: integerIn('strategyId', r.strategyId ?? d.strategyId, 0, 255),
    idBase: integerIn('idBase', r.idBase ?? d.idBase, 0, Number.MAX_SAFE_INTEGER / 2),
    everyNEvents: integerIn('everyNEvents', r.everyNEvents ?? d.everyNEvents, 1, 1_000_000_000),
    minIntervalUs: integerIn('minIntervalUs', r.minIntervalUs ?? d.minIntervalUs, 0, 3_600_000_000),
    sizeLots: integerIn('sizeLots', r.sizeLots ?? d.sizeLots, 0, 1_000_000),
  });
}

const MAX_INSTRUMENT_ID = 65_535;

export class LatencyProbe implements Strategy {
  readonly strategyId: number;
  readonly config: LatencyProbeConfig;
  /** Telemetry and tests (read cold). */
  submitted = 0;
  fills = 0;
  denied = 0;
  rejected = 0;
  /** Orders that ended (filled, cancelled or rejected at the venue). */
  completed = 0;

  private readonly out: StrategyOutput;
  private readonly slots: number;
  private readonly known: Uint8Array;
  private readonly size: Float64Array;
  private readonly bestBid: Float64Array;
  private readonly bestAsk: Float64Array;
  private readonly feed: Uint8Array;
  private readonly posLots: Float64Array;
  /** Side of the last flat-position order per instrument (alternates). */
  private readonly lastFlatSide: Int8Array;
  private readonly intent = new OrderIntent();
  private readonly idBase: number;
  private orderSeq = 0;
  private eventCount = 0;
  private lastSubmitUs = -Infinity;
  /** Receive time of the event being handled: a field, so no double is boxed into a call. */
  private trigRecvUs = 0;

  constructor(out: StrategyOutput, instruments: readonly InstrumentSpec[], config: unknown = {}) {
    const cfg = validateLatencyProbeConfig(config);
    this.config = cfg;
    this.out = out;
    this.strategyId = cfg.strategyId;
    this.idBase = cfg.idBase;
    if (instruments.length === 0) throw new Error('LatencyProbe: instruments must not be empty');
    let maxId = 0;
    for (const s of instruments) {
      if (!Number.isInteger(s.id) || s.id < 0 || s.id > MAX_INSTRUMENT_ID) {
        throw new Error(`LatencyProbe: instrument id must be an integer in [0, ${MAX_INSTRUMENT_ID}], got ${s.id} (${s.symbol})`);
      }
      if (s.id > maxId) maxId = s.id;
    }
    const n = maxId + 1;
    this.slots = n;
    this.known = new Uint8Array(n);
    this.size = new Float64Array(n);
    for (const s of instruments) {
      this.known[s.id] = 1;
      this.size[s.id] = cfg.sizeLots > 0 ? Math.max(cfg.sizeLots, s.minSizeLots) : s.minSizeLots;
    }
    this.bestBid = new Float64Array(n).fill(NaN);
    this.bestAsk = new Float64Array(n).fill(NaN);
    this.feed = new Uint8Array(n).fill(FeedState.Ok);
    this.posLots = new Float64Array(n);
    this.lastFlatSide = new Int8Array(n).fill(Side.Sell);
  }

  // ── market data: each one is a market event ─────────────────────────────

  onBookDeltas(d: BookDeltas, book: L2Book, nowUs: number): void {
    const i = d.instrumentId;
    if (!this.isKnown(i)) return;
    this.bestBid[i] = book.bestBid();
    this.bestAsk[i] = book.bestAsk();
    this.trigRecvUs = d.tsRecvUs;
    this.onEvent(i, nowUs);
  }

  onTrade(t: TradeTick, nowUs: number): void {
    if (!this.isKnown(t.instrumentId)) return;
    this.trigRecvUs = t.tsRecvUs;
    this.onEvent(t.instrumentId, nowUs);
  }

  onLiquidation(l: LiquidationEvent, nowUs: number): void {
    if (!this.isKnown(l.instrumentId)) return;
    this.trigRecvUs = l.tsRecvUs;
    this.onEvent(l.instrumentId, nowUs);
  }

  onMarkPrice(m: MarkPriceEvent, nowUs: number): void {
    if (!this.isKnown(m.instrumentId)) return;
    this.trigRecvUs = m.tsRecvUs;
    this.onEvent(m.instrumentId, nowUs);
  }

  onFundingRate(f: FundingRateEvent, nowUs: number): void {
    if (!this.isKnown(f.instrumentId)) return;
    this.trigRecvUs = f.tsRecvUs;
    this.onEvent(f.instrumentId, nowUs);
  }

  onFeedState(instrumentId: number, state: FeedState): void {
    if (this.isKnown(instrumentId)) this.feed[instrumentId] = state;
  }

  onTimer(): void {}

  // ── order feedback ──────────────────────────────────────────────────────

  onOrderUpdate(u: OrderUpdate): void {
    if (!this.isOurs(u.clientOrderId)) return;
    switch (u.status) {
      case OrderStatus.Rejected:
        this.rejected++;
        this.completed++;
        return;
      case OrderStatus.Filled:
      case OrderStatus.Cancelled:
        this.completed++;
        return;
      default:
        return;
    }
  }

  onOrderDenied(clientOrderId: number): void {
    if (this.isOurs(clientOrderId)) this.denied++;
  }

  onFill(f: Fill): void {
    const i = f.instrumentId;
    if (!this.isOurs(f.clientOrderId) || i < 0 || i >= this.slots || this.known[i] !== 1) return;
    this.fills++;
    this.posLots[i] = this.posLots[i]! + (f.side === Side.Buy ? f.sizeLots : -f.sizeLots);
  }

  // ── views (tests, cold) ────────────────────────────────────────────────

  positionLots(instrumentId: number): number {
    return instrumentId >= 0 && instrumentId < this.slots ? this.posLots[instrumentId]! : 0;
  }

  // ── internals ───────────────────────────────────────────────────────────

  private isKnown(i: number): boolean {
    return i >= 0 && i < this.slots && this.known[i] === 1;
  }

  private isOurs(id: number): boolean {
    return id > this.idBase && id <= this.idBase + this.orderSeq;
  }

  private onEvent(i: number, nowUs: number): void {
    if (++this.eventCount < this.config.everyNEvents) return;
    if (nowUs - this.lastSubmitUs < this.config.minIntervalUs) return;
    if (this.feed[i] !== FeedState.Ok) return;
    const bid = this.bestBid[i]!;
    const ask = this.bestAsk[i]!;
    // NaN compares false: an empty side is not eligible either.
    if (!(bid > 0 && ask > bid)) return;
    const pos = this.posLots[i]!;
    let side: Side;
    if (pos > 0) side = Side.Sell;
    else if (pos < 0) side = Side.Buy;
    else {
      side = this.lastFlatSide[i] === Side.Buy ? Side.Sell : Side.Buy;
      this.lastFlatSide[i] = side;
    }
    this.eventCount = 0;
    this.lastSubmitUs = nowUs;
    const o = this.intent;
    o.clientOrderId = this.idBase + ++this.orderSeq;
    o.signalId = 0;
    o.strategyId = this.strategyId;
    o.instrumentId = i;
    o.side = side;
    o.type = OrderType.Ioc;
    o.priceTicks = side === Side.Buy ? ask : bid;
    o.sizeLots = this.size[i]!;
    o.reduceOnly = false;
    o.tsSignalUs = nowUs;
    o.tsTriggerRecvUs = this.trigRecvUs;
    this.submitted++;
    this.out.submit(o);
  }
}
