/**
 * Paper venue fill model: hand-computed examples. Unit instrument: 1 tick =
 * 1 quote, 1 lot = 1 base, so notional = price × lots; maker 2 bps, taker 5 bps.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTRUMENTS } from '../../src/core/domain/instrument.ts';
import { OrderStatus, VenueReason } from '../../src/core/domain/orders.ts';
import {
  OptimisticQueueModel, PessimisticQueueModel, ProRataQueueModel, REASON_TABLE_FULL,
  SampledLatencyModel, validatePaperVenueConfig,
} from '../../src/gateway/paper-exchange/index.ts';
import { Liquidity, OrderType, Side } from '../../src/core/domain/enums.ts';
import { makeInstrumentSpec, type InstrumentSpec } from '../../src/core/domain/instrument.ts';
import { BookDeltas, FundingRateEvent, MarkPriceEvent, TradeTick } from '../../src/core/domain/market-events.ts';
import { CancelIntent, OrderIntent, type Fill, type OrderUpdate } from '../../src/core/domain/orders.ts';
import { PaperVenue, type PaperVenueModels, type PaperVenueSink } from '../../src/gateway/paper-exchange/index.ts';

/** Unit instrument: 1 tick = 1 quote, 1 lot = 1 contract = 1 base → multiplier 1. */
const UNIT = makeInstrumentSpec({ id: 0, symbol: 'UNIT-SWAP', tickSize: 1, lotSize: 1, minSizeLots: 1, contractValue: 1, makerFeeBps: 2, takerFeeBps: 5 });
const UNIT2 = makeInstrumentSpec({ id: 1, symbol: 'UNIT2-SWAP', tickSize: 1, lotSize: 1, minSizeLots: 1, contractValue: 1, makerFeeBps: 2, takerFeeBps: 5 });

interface UpdateRec { id: number; status: OrderStatus; reason: VenueReason; filled: number; ts: number; instr: number }
interface FillRec { fillId: number; id: number; side: Side; px: number; lots: number; liq: Liquidity; fee: number; ts: number; instr: number }

class RecordingSink implements PaperVenueSink {
  updates: UpdateRec[] = [];
  fills: FillRec[] = [];
  funding: { instr: number; amount: number; rate: number; ts: number }[] = [];
  onOrderUpdate(u: OrderUpdate): void {
    this.updates.push({ id: u.clientOrderId, status: u.status, reason: u.reason, filled: u.filledLots, ts: u.tsUs, instr: u.instrumentId });
  }
  onFill(f: Fill): void {
    this.fills.push({ fillId: f.fillId, id: f.clientOrderId, side: f.side, px: f.priceTicks, lots: f.sizeLots, liq: f.liquidity, fee: f.feeQuote, ts: f.tsUs, instr: f.instrumentId });
  }
  onFundingPayment(instr: number, amount: number, rate: number, ts: number): void {
    this.funding.push({ instr, amount, rate, ts });
  }
  updatesOf(id: number): UpdateRec[] {
    return this.updates.filter((u) => u.id === id);
  }
  fillsOf(id: number): FillRec[] {
    return this.fills.filter((f) => f.id === id);
  }
}

class Harness {
  readonly sink = new RecordingSink();
  readonly venue: PaperVenue;
  private readonly deltas = new BookDeltas(64);
  private readonly trade = new TradeTick();
  private readonly intent = new OrderIntent();
  private readonly cxl = new CancelIntent();
  private readonly mark = new MarkPriceEvent();
  private readonly funding = new FundingRateEvent();
  nowUs = 0;
  private nextId = 1;

  constructor(config: Record<string, unknown> = {}, instruments: readonly InstrumentSpec[] = [UNIT], models?: PaperVenueModels) {
    this.venue = new PaperVenue(instruments, this.sink, { priceBandPct: 0, ...config }, models);
  }

  /** Full snapshot: bids/asks as [priceTicks, sizeLots]. */
  snapshot(bids: [number, number][], asks: [number, number][], instr = 0, nowUs = this.nowUs): void {
    this.levels(true, bids, asks, instr, nowUs);
  }

  /** Incremental delta (size 0 deletes). */
  delta(bids: [number, number][], asks: [number, number][], instr = 0, nowUs = this.nowUs): void {
    this.levels(false, bids, asks, instr, nowUs);
  }

  private levels(snap: boolean, bids: [number, number][], asks: [number, number][], instr: number, nowUs: number): void {
    const d = this.deltas;
    d.reset();
    d.instrumentId = instr;
    d.isSnapshot = snap;
    d.bidCount = bids.length;
    d.askCount = asks.length;
    bids.forEach(([p, s], k) => { d.bidPriceTicks[k] = p; d.bidSizeLots[k] = s; });
    asks.forEach(([p, s], k) => { d.askPriceTicks[k] = p; d.askSizeLots[k] = s; });
    this.venue.onBook(d, nowUs);
  }

  print(priceTicks: number, sizeLots: number, aggressor: Side, instr = 0, nowUs = this.nowUs): void {
    const t = this.trade;
    t.instrumentId = instr;
    t.priceTicks = priceTicks;
    t.sizeLots = sizeLots;
    t.aggressorSide = aggressor;
    this.venue.onTrade(t, nowUs);
  }

  submit(side: Side, type: OrderType, priceTicks: number, sizeLots: number, instr = 0, nowUs = this.nowUs, id = this.nextId++): number {
    const o = this.intent;
    o.clientOrderId = id;
    o.instrumentId = instr;
    o.side = side;
    o.type = type;
    o.priceTicks = priceTicks;
    o.sizeLots = sizeLots;
    o.tsTriggerRecvUs = nowUs;
    this.venue.submit(o, nowUs);
    return id;
  }

  cancel(id: number, instr = 0, nowUs = this.nowUs): void {
    this.cxl.clientOrderId = id;
    this.cxl.instrumentId = instr;
    this.venue.cancel(this.cxl, nowUs);
  }

  setMark(priceTicks: number, instr = 0, nowUs = this.nowUs): void {
    this.mark.instrumentId = instr;
    this.mark.priceTicks = priceTicks;
    this.venue.onMark(this.mark, nowUs);
  }

  setFunding(rate: number, fundingTimeUs: number, instr = 0, nowUs = this.nowUs): void {
    this.funding.instrumentId = instr;
    this.funding.rate = rate;
    this.funding.fundingTimeUs = fundingTimeUs;
    this.venue.onFunding(this.funding, nowUs);
  }
}

const B = Side.Buy;
const S = Side.Sell;
const LIMIT = OrderType.Limit;
const MKT = OrderType.Market;
const IOC = OrderType.Ioc;

function vwap(fills: FillRec[]): number {
  let n = 0;
  let q = 0;
  for (const f of fills) {
    n += f.px * f.lots;
    q += f.lots;
  }
  return n / q;
}

/** The venue's fill counters by cause (only `queue` depends on the queue model). */
function fillCauses(h: Harness) {
  const v = h.venue;
  return { taker: v.takerFills, queue: v.makerFillsByQueue, tradeThrough: v.makerFillsByTradeThrough, bookCross: v.makerFillsByBookCross };
}

describe('taker orders walk the book', () => {
  it('market buy walks 3 levels at exact VWAP with slippage and taker fees', () => {
    const h = new Harness();
    h.snapshot([[99, 10]], [[100, 5], [101, 10], [102, 20]]);
    const id = h.submit(B, MKT, 0, 25);
    const fills = h.sink.fillsOf(id);
    expect(fills.map((f) => [f.px, f.lots, f.liq])).toEqual([[100, 5, Liquidity.Taker], [101, 10, Liquidity.Taker], [102, 10, Liquidity.Taker]]);
    expect(vwap(fills)).toBe(101.2); // (500 + 1010 + 1020) / 25
    expect(fillCauses(h)).toEqual({ taker: 3, queue: 0, tradeThrough: 0, bookCross: 0 });
    expect(vwap(fills) - 100).toBeCloseTo(1.2, 12); // slippage vs the touch, ticks
    // Fees: 5 bps of each level's notional: 0.25 + 0.505 + 0.51 = 1.265.
    expect(fills.map((f) => f.fee)).toEqual([0.25, 0.505, 0.51]);
    expect(h.venue.account.feesQuote[0]).toBeCloseTo(1.265, 12);
    expect(h.sink.updatesOf(id).map((u) => [u.status, u.filled])).toEqual([
      [OrderStatus.Accepted, 0], [OrderStatus.PartiallyFilled, 5], [OrderStatus.PartiallyFilled, 15], [OrderStatus.Filled, 25],
    ]);
    expect(h.venue.account.positionLots[0]).toBe(25);
    expect(h.venue.account.avgEntryTicks[0]).toBeCloseTo(101.2, 12);
    expect(h.venue.orders.liveCount).toBe(0);
  });

  it('market order on a thin book fills what exists and cancels the rest', () => {
    const h = new Harness();
    h.snapshot([[99, 10]], [[100, 5], [101, 10], [102, 20]]);
    const id = h.submit(B, MKT, 0, 50);
    expect(h.sink.fillsOf(id).reduce((a, f) => a + f.lots, 0)).toBe(35);
    const last = h.sink.updatesOf(id).at(-1)!;
    expect([last.status, last.reason, last.filled]).toEqual([OrderStatus.Cancelled, VenueReason.IocRemainder, 35]);
  });

  it('IOC takes up to its limit and cancels the remainder; with nothing in reach it reports NoLiquidity', () => {
    const h = new Harness();
    h.snapshot([[99, 10]], [[100, 5], [101, 10], [102, 20]]);
    const id = h.submit(B, IOC, 101, 30);
    expect(h.sink.fillsOf(id).map((f) => [f.px, f.lots])).toEqual([[100, 5], [101, 10]]);
    expect(h.sink.updatesOf(id).at(-1)).toMatchObject({ status: OrderStatus.Cancelled, reason: VenueReason.IocRemainder, filled: 15 });
    const id2 = h.submit(S, IOC, 100, 3); // bids only at 99
    expect(h.sink.fillsOf(id2)).toEqual([]);
    expect(h.sink.updatesOf(id2).at(-1)).toMatchObject({ status: OrderStatus.Cancelled, reason: VenueReason.NoLiquidity });
  });

  it('sell market order walks the bids downwards', () => {
    const h = new Harness();
    h.snapshot([[99, 2], [98, 3]], [[100, 5]]);
    const id = h.submit(S, MKT, 0, 4);
    expect(h.sink.fillsOf(id).map((f) => [f.px, f.lots, f.side])).toEqual([[99, 2, S], [98, 2, S]]);
    expect(h.venue.account.positionLots[0]).toBe(-4);
  });

  it('does not re-use liquidity we consumed until the book level changes', () => {
    const h = new Harness();
    h.snapshot([[99, 10]], [[100, 5], [101, 10]]);
    h.submit(B, MKT, 0, 3);
    const second = h.submit(B, MKT, 0, 5);
    expect(h.sink.fillsOf(second).map((f) => [f.px, f.lots])).toEqual([[100, 2], [101, 3]]);
    // An update elsewhere does not refresh level 100 (still fully consumed by us).
    h.delta([[98, 4]], []);
    const third = h.submit(B, IOC, 100, 5);
    expect(h.sink.fillsOf(third)).toEqual([]);
    // The feed updates level 100: our overlay there is dropped, the new size is available.
    h.delta([], [[100, 4]]);
    const fourth = h.submit(B, IOC, 100, 5);
    expect(h.sink.fillsOf(fourth).map((f) => [f.px, f.lots])).toEqual([[100, 4]]);
  });

  it('a crossing limit order takes liquidity first, then rests the remainder at its price', () => {
    const h = new Harness();
    h.snapshot([[99, 10]], [[100, 5], [102, 10]]);
    const id = h.submit(B, LIMIT, 101, 8);
    expect(h.sink.fillsOf(id).map((f) => [f.px, f.lots, f.liq])).toEqual([[100, 5, Liquidity.Taker]]);
    expect(h.venue.orders.restingCount).toBe(1);
    // Resting at 101 with an empty bid level there: first in the queue, the next sell print fills it as maker.
    h.print(101, 2, S);
    expect(h.sink.fillsOf(id).slice(1).map((f) => [f.px, f.lots, f.liq])).toEqual([[101, 2, Liquidity.Maker]]);
  });

  it('rejects a post-only order that would take', () => {
    const h = new Harness();
    h.snapshot([[99, 10]], [[100, 5]]);
    const id = h.submit(B, OrderType.PostOnly, 100, 1);
    expect(h.sink.updatesOf(id)).toMatchObject([{ status: OrderStatus.Rejected, reason: VenueReason.PostOnlyWouldTake }]);
    const ok = h.submit(B, OrderType.PostOnly, 99, 1);
    expect(h.sink.updatesOf(ok)).toMatchObject([{ status: OrderStatus.Accepted }]);
    expect(h.sink.fills).toEqual([]);
  });
});

describe('resting limit orders hold a queue position', () => {
  it('advances with trades at its price and pro-rata cancels, filling only once the queue ahead is exhausted', () => {
    const h = new Harness();
    h.snapshot([[99, 10]], [[101, 10]]);
    const id = h.submit(B, LIMIT, 99, 5);
    const ot = h.venue.orders;
    const slot = ot.find(id);
    expect(ot.queueAheadLots[slot]).toBe(10); // joined behind the 10 displayed
    h.delta([[99, 20]], []); // 10 more join behind us
    expect(ot.queueAheadLots[slot]).toBe(10);
    h.delta([[99, 14]], []); // 6 cancelled, no trade: ahead shrinks by 6 × 10/20 = 3
    expect(ot.queueAheadLots[slot]).toBe(7);
    h.print(99, 5, S); // 7 → 2
    expect(ot.queueAheadLots[slot]).toBe(2);
    h.delta([[99, 9]], []); // the trade's own depth update (14 − 5): not a cancel
    expect(ot.queueAheadLots[slot]).toBe(2);
    h.print(99, 3, B); // buyer-initiated print does not consume bids
    expect(ot.queueAheadLots[slot]).toBe(2);
    expect(h.sink.fillsOf(id)).toEqual([]);
    h.print(99, 4, S); // 2 ahead, 2 pass through to us: partial fill
    expect(h.sink.fillsOf(id).map((f) => [f.px, f.lots, f.liq])).toEqual([[99, 2, Liquidity.Maker]]);
    expect(h.sink.updatesOf(id).at(-1)).toMatchObject({ status: OrderStatus.PartiallyFilled, filled: 2 });
    h.print(99, 10, S); // remaining 3 fill; never more than the order size
    expect(h.sink.fillsOf(id).map((f) => f.lots)).toEqual([2, 3]);
    expect(h.sink.updatesOf(id).at(-1)).toMatchObject({ status: OrderStatus.Filled, filled: 5 });
    // Maker fee: 2 bps of 99 × 5 = 0.099.
    expect(h.sink.fillsOf(id).reduce((a, f) => a + f.fee, 0)).toBeCloseTo(0.099, 12);
    expect(ot.liveCount).toBe(0);
    expect(fillCauses(h)).toEqual({ taker: 0, queue: 2, tradeThrough: 0, bookCross: 0 });
  });

  it('a trade through its price fills it completely at its price', () => {
    const h = new Harness();
    h.snapshot([[99, 10]], [[101, 10]]);
    const id = h.submit(B, LIMIT, 99, 5);
    h.print(98, 1, S);
    expect(h.sink.fillsOf(id).map((f) => [f.px, f.lots, f.liq])).toEqual([[99, 5, Liquidity.Maker]]);
    expect(fillCauses(h)).toEqual({ taker: 0, queue: 0, tradeThrough: 1, bookCross: 0 });
  });

  it('fills as maker when the book moves through its price', () => {
    const h = new Harness();
    h.snapshot([[99, 10]], [[101, 10]]);
    const id = h.submit(B, LIMIT, 100, 5);
    h.snapshot([[98, 10]], [[100, 3], [101, 10]]);
    expect(h.sink.fillsOf(id).map((f) => [f.px, f.lots, f.liq])).toEqual([[100, 3, Liquidity.Maker]]);
    expect(h.venue.orders.restingCount).toBe(1);
    expect(fillCauses(h)).toEqual({ taker: 0, queue: 0, tradeThrough: 0, bookCross: 1 });
  });

  it('pessimistic model ignores cancels; optimistic model fills on the first print at its price', () => {
    const run = (queue: ProRataQueueModel | PessimisticQueueModel | OptimisticQueueModel): number[] => {
      const h = new Harness({}, [UNIT], { queue });
      h.snapshot([[99, 10]], [[101, 10]]);
      const id = h.submit(B, LIMIT, 99, 5);
      h.delta([[99, 4]], []); // 6 cancelled
      h.print(99, 3, S);
      return h.sink.fillsOf(id).map((f) => f.lots);
    };
    expect(run(new ProRataQueueModel())).toEqual([]); // ahead 10 → 4 → 1
    expect(run(new PessimisticQueueModel())).toEqual([]); // ahead 10 → clamp 4 → 1
    expect(run(new OptimisticQueueModel())).toEqual([3]); // always at the front
    const q = new PessimisticQueueModel();
    expect(q.depth(8, 20, 14, 0)).toBe(8); // cancels do not advance
    expect(new ProRataQueueModel().depth(8, 20, 14, 0)).toBeCloseTo(8 - 6 * 8 / 20, 12);
  });

  it('cancels on request, and rejects a cancel for an unknown order', () => {
    const h = new Harness();
    h.snapshot([[99, 10]], [[101, 10]]);
    const id = h.submit(B, LIMIT, 99, 5);
    h.cancel(id);
    expect(h.sink.updatesOf(id).at(-1)).toMatchObject({ status: OrderStatus.Cancelled, reason: VenueReason.UserCancel });
    h.cancel(id);
    expect(h.sink.updatesOf(id).at(-1)).toMatchObject({ status: OrderStatus.Rejected, reason: VenueReason.UnknownOrder });
    expect(h.venue.orders.liveCount).toBe(0);
  });
});

describe('fees and perpetual accounting', () => {
  it('charges exact maker and taker fees on BTC-USDT-SWAP', () => {
    const h = new Harness({}, DEFAULT_INSTRUMENTS);
    // 50 000.0 USDT = 500 000 ticks; 100 lots = 1 contract = 0.01 BTC → notional 500 USDT.
    h.snapshot([[499_990, 1000]], [[500_000, 100]]);
    const taker = h.submit(B, MKT, 0, 100);
    expect(h.sink.fillsOf(taker)[0]!.fee).toBeCloseTo(0.25, 12); // 5 bps
    const maker = h.submit(S, LIMIT, 500_010, 100);
    h.print(500_020, 1, B); // traded through our ask
    const f = h.sink.fillsOf(maker)[0]!;
    expect([f.px, f.lots, f.liq]).toEqual([500_010, 100, Liquidity.Maker]);
    expect(f.fee).toBeCloseTo(500.01 * 2 / 10_000, 12); // 2 bps of 500.01
    const a = h.venue.account;
    expect(a.positionLots[0]).toBe(0);
    expect(a.realizedPnlQuote[0]).toBeCloseTo(0.01, 9); // 10 ticks × 100 lots × 1e-5
    expect(a.cashQuote - a.initialCashQuote).toBeCloseTo(0.01 - 0.25 - 0.100002, 9);
  });

  it('long pays funding at the funding time when the rate is positive (OKX formula)', () => {
    const h = new Harness({}, DEFAULT_INSTRUMENTS);
    h.snapshot([[499_990, 1000]], [[500_000, 1000]]);
    h.submit(B, MKT, 0, 100); // long 100 lots = 0.01 BTC
    h.setMark(500_000); // 50 000 USDT
    h.setFunding(0.0001, 8_000_000);
    expect(h.sink.funding).toEqual([]); // not yet settlement time
    const cashBefore = h.venue.account.cashQuote;
    h.venue.advanceTo(8_000_000);
    // −position × contractValue × lotSize × mark × rate = −100 × 0.01 × 0.01 × 50 000 × 0.0001 = −0.05
    expect(h.sink.funding).toHaveLength(1);
    expect(h.sink.funding[0]!.amount).toBeCloseTo(-0.05, 12);
    expect(h.venue.account.cashQuote - cashBefore).toBeCloseTo(-0.05, 9); // difference of ~10 000-sized numbers
    expect(h.venue.account.fundingQuote[0]).toBeCloseTo(-0.05, 12);
    h.venue.advanceTo(9_000_000); // settled once only
    expect(h.sink.funding).toHaveLength(1);
  });

  it('a short receives funding when the rate is positive', () => {
    const h = new Harness();
    h.snapshot([[100, 50]], [[101, 50]]);
    h.submit(S, MKT, 0, 10);
    h.setMark(100);
    h.setFunding(0.001, 500);
    h.venue.advanceTo(500);
    expect(h.sink.funding[0]!.amount).toBeCloseTo(1, 12); // 10 × 100 × 0.001
  });

  it('reconciles cash + marked position with realized + unrealized − fees + funding', () => {
    const h = new Harness();
    h.snapshot([[99, 100]], [[100, 100]]);
    h.submit(B, MKT, 0, 10); // long 10 @ 100
    h.submit(S, MKT, 0, 4); // sell 4 @ 99: realized −4
    h.setMark(103);
    const a = h.venue.account;
    expect(a.realizedPnlQuote[0]).toBe(-4);
    expect(h.venue.unrealizedPnlQuote(0)).toBe(18); // 6 × (103 − 100)
    const lhs = h.venue.equityQuote() - a.initialCashQuote;
    const rhs = a.realizedPnlQuote[0]! + 18 - a.feesQuote[0]! + a.fundingQuote[0]!;
    expect(lhs).toBeCloseTo(rhs, 12);
  });
});

describe('venue rules', () => {
  it('self-trade prevention cancels our resting maker (OKX cancel-maker)', () => {
    const h = new Harness();
    h.snapshot([[99, 10]], [[102, 10]]);
    const maker = h.submit(S, LIMIT, 101, 5);
    const taker = h.submit(B, LIMIT, 101, 3);
    expect(h.sink.updatesOf(maker).at(-1)).toMatchObject({ status: OrderStatus.Cancelled, reason: VenueReason.SelfTradePrevention });
    expect(h.sink.fills).toEqual([]);
    expect(h.sink.updatesOf(taker)).toMatchObject([{ status: OrderStatus.Accepted }]);
    expect(h.venue.orders.restingCount).toBe(1);
    // A resting sell beyond the taker's reach is kept.
    const far = h.submit(S, LIMIT, 105, 1);
    h.submit(B, MKT, 0, 2); // fills at 102 only
    expect(h.sink.updatesOf(far)).toMatchObject([{ status: OrderStatus.Accepted }]);
  });

  it('rejects off-grid price and size', () => {
    const h = new Harness();
    h.snapshot([[99, 10]], [[101, 10]]);
    const a = h.submit(B, LIMIT, 99.5, 1);
    const b = h.submit(B, LIMIT, 99, 0.5);
    const c = h.submit(B, LIMIT, 99, 0);
    for (const id of [a, b, c]) expect(h.sink.updatesOf(id)).toMatchObject([{ status: OrderStatus.Rejected, reason: VenueReason.OffGrid }]);
  });

  it('rejects a limit price outside the band around mark (else mid)', () => {
    const h = new Harness({ priceBandPct: 5 });
    h.snapshot([[99, 10]], [[101, 10]]); // mid 100
    const far = h.submit(S, LIMIT, 106, 1);
    const near = h.submit(S, LIMIT, 105, 1);
    expect(h.sink.updatesOf(far)).toMatchObject([{ status: OrderStatus.Rejected, reason: VenueReason.PriceBand }]);
    expect(h.sink.updatesOf(near)).toMatchObject([{ status: OrderStatus.Accepted }]);
    h.setMark(200);
    const low = h.submit(B, LIMIT, 99, 1);
    expect(h.sink.updatesOf(low)).toMatchObject([{ status: OrderStatus.Rejected, reason: VenueReason.PriceBand }]);
  });

  it('rate-limits new orders per instrument per window', () => {
    const h = new Harness({ rateLimitOrders: 3, rateLimitWindowUs: 1000 }, [UNIT, UNIT2]);
    h.snapshot([[99, 10]], [[101, 10]]);
    const ids = [0, 1, 2, 3].map((k) => h.submit(B, LIMIT, 99, 1, 0, 100 + k));
    expect(h.sink.updatesOf(ids[3]!)).toMatchObject([{ status: OrderStatus.Rejected, reason: VenueReason.RateLimited }]);
    const other = h.submit(B, LIMIT, 99, 1, 1, 104); // other instrument has its own budget
    expect(h.sink.updatesOf(other)).toMatchObject([{ status: OrderStatus.Accepted }]);
    const later = h.submit(B, LIMIT, 99, 1, 0, 1100); // first one left the window
    expect(h.sink.updatesOf(later)).toMatchObject([{ status: OrderStatus.Accepted }]);
  });

  it('cancel-on-disconnect: a stale feed cancels that instrument, a disconnect cancels everything', () => {
    const h = new Harness({}, [UNIT, UNIT2]);
    h.snapshot([[99, 10]], [[101, 10]], 0);
    h.snapshot([[99, 10]], [[101, 10]], 1);
    const a = h.submit(B, LIMIT, 99, 1, 0);
    const b = h.submit(B, LIMIT, 99, 1, 1);
    h.venue.onFeedStale(0, 10);
    expect(h.sink.updatesOf(a).at(-1)).toMatchObject({ status: OrderStatus.Cancelled, reason: VenueReason.CancelOnDisconnect });
    expect(h.sink.updatesOf(b)).toHaveLength(1);
    h.venue.onDisconnect(20);
    expect(h.sink.updatesOf(b).at(-1)).toMatchObject({ status: OrderStatus.Cancelled, reason: VenueReason.CancelOnDisconnect });
    const c = h.submit(B, LIMIT, 99, 1, 0, 30);
    h.venue.cancelAll(40);
    expect(h.sink.updatesOf(c).at(-1)).toMatchObject({ status: OrderStatus.Cancelled, reason: VenueReason.KillSwitch });
    expect(h.venue.orders.liveCount).toBe(0);
  });

  it('rejects with a clear reason when the order table is full', () => {
    const h = new Harness({ orderCapacity: 2 });
    h.snapshot([[99, 10]], [[101, 10]]);
    h.submit(B, LIMIT, 99, 1);
    h.submit(B, LIMIT, 98, 1);
    const third = h.submit(B, LIMIT, 97, 1);
    expect(h.sink.updatesOf(third)).toMatchObject([{ status: OrderStatus.Rejected, reason: REASON_TABLE_FULL }]);
  });
});

describe('latency', () => {
  it('an order becomes active only after the entry delay and is reported after the response delay', () => {
    const h = new Harness({ entryLatencyUs: 100, responseLatencyUs: 50 });
    h.snapshot([[99, 10]], [[100, 5]], 0, 0);
    const id = h.submit(B, MKT, 0, 3, 0, 0);
    expect(h.sink.updates).toEqual([]);
    expect(h.venue.pendingCommands).toBe(1);
    h.snapshot([[99, 10]], [[102, 5]], 0, 60); // the book moves before the order arrives
    h.snapshot([[99, 10]], [[104, 5]], 0, 120); // arrives at 100: fills on the t=60 book
    expect(h.sink.updates).toEqual([]); // reports still travelling back
    h.venue.advanceTo(149);
    expect(h.sink.updates).toEqual([]);
    h.venue.advanceTo(150);
    expect(h.sink.fillsOf(id).map((f) => [f.px, f.lots, f.ts])).toEqual([[102, 3, 100]]);
    expect(h.sink.updatesOf(id).map((u) => u.status)).toEqual([OrderStatus.Accepted, OrderStatus.Filled]);
  });

  it('a cancel sent right after an order arrives after it (no overtaking)', () => {
    const h = new Harness({ entryLatencyUs: 100 });
    h.snapshot([[99, 10]], [[101, 10]], 0, 0);
    const id = h.submit(B, LIMIT, 99, 1, 0, 0);
    h.cancel(id, 0, 1);
    h.venue.advanceTo(200);
    expect(h.sink.updatesOf(id).map((u) => [u.status, u.reason, u.ts])).toEqual([
      [OrderStatus.Accepted, VenueReason.None, 100], [OrderStatus.Cancelled, VenueReason.UserCancel, 101],
    ]);
  });

  it('sampled latency draws deterministically from the measured distribution', () => {
    const ref = { clientOrderId: 1, instrumentId: 0 };
    const draw = (): number[] => {
      const m = new SampledLatencyModel([100, 200, 300], [5], 42);
      return Array.from({ length: 20 }, (_, k) => m.entryDelayUs(k, ref));
    };
    const a = draw();
    expect(draw()).toEqual(a);
    expect(new Set(a)).toEqual(new Set([100, 200, 300]));
  });
});

describe('config validation', () => {
  it('fills defaults and names the offending field and value', () => {
    const c = validatePaperVenueConfig({ entryLatencyUs: 250 });
    expect(c.entryLatencyUs).toBe(250);
    expect(c.rateLimitOrders).toBe(60);
    expect(() => validatePaperVenueConfig({ entryLatencyUs: -1 })).toThrow(/paperVenue\.entryLatencyUs .* got -1/);
    expect(() => validatePaperVenueConfig({ orderCapacity: 1.5 })).toThrow(/orderCapacity .* got 1\.5/);
    expect(() => validatePaperVenueConfig({ queueModel: 'fifo' })).toThrow(/queueModel .* got "fifo"/);
    expect(() => validatePaperVenueConfig({ entryLatencySamplesUs: [1, -2] })).toThrow(/entryLatencySamplesUs\[1\] .* got -2/);
    expect(() => validatePaperVenueConfig({ bogus: 1 })).toThrow(/bogus is not a known field/);
  });
});
