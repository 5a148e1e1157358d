/**
 * Paper venue invariants under random sequences of book updates, trades,
 * orders, cancels, marks, funding and disconnects (fast-check, fixed seed).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OrderType, Side } from '../../src/core/domain/enums.ts';
import { makeInstrumentSpec } from '../../src/core/domain/instrument.ts';
import { BookDeltas, FundingRateEvent, MarkPriceEvent, TradeTick } from '../../src/core/domain/market-events.ts';
import { CancelIntent, OrderIntent, type Fill, type OrderUpdate } from '../../src/core/domain/orders.ts';
import { PaperVenue, type PaperVenueSink, type QueueModelName } from '../../src/gateway/paper-exchange/index.ts';

const SEED = 20261124;
// Fractional grid on purpose: the identity must hold with non-integer multipliers.
const SPEC = makeInstrumentSpec({ id: 0, symbol: 'TEST-USDT-SWAP', tickSize: 0.1, lotSize: 0.01, minSizeLots: 1, contractValue: 0.01, makerFeeBps: 2, takerFeeBps: 5 });
const MULT = SPEC.tickSize * SPEC.lotSize * SPEC.contractValue;

type Op =
  | { k: 'snap'; mid: number; bids: number[]; asks: number[] }
  | { k: 'delta'; bid: boolean; px: number; size: number }
  | { k: 'trade'; px: number; size: number; buyAggr: boolean }
  | { k: 'order'; buy: boolean; type: number; px: number; size: number }
  | { k: 'cancel'; pick: number }
  | { k: 'mark'; px: number }
  | { k: 'funding'; rateBp: number; dtUs: number }
  | { k: 'time'; dtUs: number }
  | { k: 'stale' }
  | { k: 'disconnect' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ k: fc.constant('snap' as const), mid: fc.integer({ min: 995, max: 1005 }), bids: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }), asks: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }) }) },
  { weight: 20, arbitrary: fc.record({ k: fc.constant('delta' as const), bid: fc.boolean(), px: fc.integer({ min: 985, max: 1015 }), size: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 20, arbitrary: fc.record({ k: fc.constant('trade' as const), px: fc.integer({ min: 985, max: 1015 }), size: fc.integer({ min: 1, max: 25 }), buyAggr: fc.boolean() }) },
  { weight: 25, arbitrary: fc.record({ k: fc.constant('order' as const), buy: fc.boolean(), type: fc.integer({ min: 1, max: 4 }), px: fc.integer({ min: 985, max: 1015 }), size: fc.integer({ min: 1, max: 15 }) }) },
  { weight: 10, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('mark' as const), px: fc.integer({ min: 990, max: 1010 }) }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('funding' as const), rateBp: fc.integer({ min: -10, max: 10 }), dtUs: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 10, arbitrary: fc.record({ k: fc.constant('time' as const), dtUs: fc.integer({ min: 0, max: 400 }) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'stale' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'disconnect' as const }) },
);

interface Cfg { queue: QueueModelName; latency: boolean; band: number }
const cfgArb: fc.Arbitrary<Cfg> = fc.record({
  queue: fc.constantFrom<QueueModelName>('pro-rata', 'pessimistic', 'optimistic'),
  latency: fc.boolean(),
  band: fc.constantFrom(0, 1),
});

interface FillRow { fillId: number; id: number; side: number; px: number; lots: number; liq: number; fee: number; ts: number }

class Sink implements PaperVenueSink {
  fills: FillRow[] = [];
  updates: [number, number, number, number, number][] = [];
  fundingQuote = 0;
  onOrderUpdate(u: OrderUpdate): void {
    this.updates.push([u.clientOrderId, u.status, u.reason, u.filledLots, u.tsUs]);
  }
  onFill(f: Fill): void {
    this.fills.push({ fillId: f.fillId, id: f.clientOrderId, side: f.side, px: f.priceTicks, lots: f.sizeLots, liq: f.liquidity, fee: f.feeQuote, ts: f.tsUs });
  }
  onFundingPayment(_i: number, amount: number): void {
    this.fundingQuote += amount;
  }
}

interface Sent { side: number; type: number; px: number; size: number }

function simulate(ops: Op[], cfg: Cfg): { venue: PaperVenue; sink: Sink; sent: Map<number, Sent> } {
  const sink = new Sink();
  const venue = new PaperVenue([SPEC], sink, {
    queueModel: cfg.queue,
    priceBandPct: cfg.band,
    entryLatencySamplesUs: cfg.latency ? [0, 30, 80, 250] : [],
    responseLatencySamplesUs: cfg.latency ? [0, 20, 120] : [],
    latencySeed: 7,
    orderCapacity: 64,
    rateLimitOrders: 40,
    rateLimitWindowUs: 1000,
  });
  const d = new BookDeltas(16);
  const t = new TradeTick();
  const o = new OrderIntent();
  const c = new CancelIntent();
  const m = new MarkPriceEvent();
  const f = new FundingRateEvent();
  const sent = new Map<number, Sent>();
  let now = 1000;
  let nextId = 1;
  m.priceTicks = 1000;
  venue.onMark(m, now);
  for (const op of ops) {
    now += 1;
    switch (op.k) {
      case 'snap':
        d.reset();
        d.isSnapshot = true;
        d.bidCount = op.bids.length;
        d.askCount = op.asks.length;
        op.bids.forEach((s, k) => { d.bidPriceTicks[k] = op.mid - 1 - k; d.bidSizeLots[k] = s; });
        op.asks.forEach((s, k) => { d.askPriceTicks[k] = op.mid + 1 + k; d.askSizeLots[k] = s; });
        venue.onBook(d, now);
        break;
      case 'delta':
        d.reset();
        if (op.bid) { d.bidCount = 1; d.bidPriceTicks[0] = op.px; d.bidSizeLots[0] = op.size; } else { d.askCount = 1; d.askPriceTicks[0] = op.px; d.askSizeLots[0] = op.size; }
        venue.onBook(d, now);
        break;
      case 'trade':
        t.priceTicks = op.px;
        t.sizeLots = op.size;
        t.aggressorSide = op.buyAggr ? Side.Buy : Side.Sell;
        venue.onTrade(t, now);
        break;
      case 'order': {
        const id = nextId++;
        o.clientOrderId = id;
        o.side = op.buy ? Side.Buy : Side.Sell;
        o.type = op.type as OrderType;
        o.priceTicks = op.type === OrderType.Market && op.px % 2 === 0 ? 0 : op.px;
        o.sizeLots = op.size;
        sent.set(id, { side: o.side, type: o.type, px: o.priceTicks, size: o.sizeLots });
        venue.submit(o, now);
        break;
      }
      case 'cancel':
        if (nextId > 1) {
          c.clientOrderId = 1 + (op.pick % (nextId - 1));
          venue.cancel(c, now);
        }
        break;
      case 'mark':
        m.priceTicks = op.px;
        venue.onMark(m, now);
        break;
      case 'funding':
        f.rate = op.rateBp / 10_000;
        f.fundingTimeUs = now + op.dtUs;
        venue.onFunding(f, now);
        break;
      case 'time':
        now += op.dtUs;
        venue.advanceTo(now);
        break;
      case 'stale':
        venue.onFeedStale(0, now);
        break;
      case 'disconnect':
        venue.onDisconnect(now);
        break;
    }
  }
  venue.advanceTo(now + 10_000); // drain everything in flight
  return { venue, sink, sent };
}

const opsArb = fc.array(opArb, { minLength: 40, maxLength: 200, size: 'max' });

describe('paper venue invariants', () => {
  let fillsSeen = 0;
  let makerFillsSeen = 0;

  it('never overfills, fills within the limit, and position = Σ signed fills', () => {
    fc.assert(
      fc.property(opsArb, cfgArb, (ops, cfg) => {
        const { venue, sink, sent } = simulate(ops, cfg);
        const filledById = new Map<number, number>();
        let pos = 0;
        for (const fl of sink.fills) {
          const o = sent.get(fl.id)!;
          expect(fl.side).toBe(o.side);
          expect(Number.isInteger(fl.px) && Number.isInteger(fl.lots) && fl.lots > 0).toBe(true);
          if (o.px > 0) expect(o.side === Side.Buy ? fl.px <= o.px : fl.px >= o.px).toBe(true);
          filledById.set(fl.id, (filledById.get(fl.id) ?? 0) + fl.lots);
          pos += fl.side * fl.lots;
        }
        for (const [id, lots] of filledById) expect(lots).toBeLessThanOrEqual(sent.get(id)!.size);
        expect(venue.account.positionLots[0]).toBe(pos);
        // Fill ids: a gap-free counter.
        sink.fills.forEach((fl, k) => expect(fl.fillId).toBe(1 + k));
        expect(venue.pendingReports).toBe(0);
        expect(venue.pendingCommands).toBe(0);
        fillsSeen += sink.fills.length;
        makerFillsSeen += sink.fills.filter((fl) => fl.liq === 1).length;
      }),
      { seed: SEED, numRuns: 150 },
    );
    // The generator must actually exercise both taker and maker paths.
    expect(fillsSeen).toBeGreaterThan(1500);
    expect(makerFillsSeen).toBeGreaterThan(300);
  });

  it('cash + marked position − initial = realized + unrealized − fees + funding (1e-9 relative)', () => {
    fc.assert(
      fc.property(opsArb, cfgArb, (ops, cfg) => {
        const { venue, sink } = simulate(ops, cfg);
        const a = venue.account;
        const ref = venue.referencePriceTicks(0);
        let gross = 0;
        let cashFromStream = a.initialCashQuote + sink.fundingQuote;
        let fees = 0;
        for (const fl of sink.fills) {
          gross += fl.px * fl.lots * MULT;
          cashFromStream -= fl.side * fl.px * fl.lots * MULT + fl.fee;
          fees += fl.fee;
        }
        const tol = 1e-9 * Math.max(1, gross);
        const lhs = a.cashQuote + a.positionValueQuote(0, ref) - a.initialCashQuote;
        const rhs = a.realizedPnlQuote[0]! + a.unrealizedPnlQuote(0, ref) - a.feesQuote[0]! + a.fundingQuote[0]!;
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(tol);
        // The account agrees with an independent replay of the fill and funding streams.
        expect(Math.abs(a.cashQuote - cashFromStream)).toBeLessThanOrEqual(tol);
        expect(Math.abs(a.feesQuote[0]! - fees)).toBeLessThanOrEqual(tol);
        expect(Math.abs(a.fundingQuote[0]! - sink.fundingQuote)).toBeLessThanOrEqual(tol);
        expect(Math.abs(venue.equityQuote() - (a.walletBalanceQuote() + venue.unrealizedPnlQuote(0)))).toBeLessThanOrEqual(tol);
      }),
      { seed: SEED + 1, numRuns: 150 },
    );
  });

  it('is deterministic: the same sequence twice gives the same fill and update streams', () => {
    fc.assert(
      fc.property(opsArb, cfgArb, (ops, cfg) => {
        const a = simulate(ops, cfg);
        const b = simulate(ops, cfg);
        expect(b.sink.fills).toEqual(a.sink.fills);
        expect(b.sink.updates).toEqual(a.sink.updates);
        expect(b.venue.account.cashQuote).toBe(a.venue.account.cashQuote);
      }),
      { seed: SEED + 2, numRuns: 60 },
    );
  });
});
