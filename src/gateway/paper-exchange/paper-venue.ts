/**
 * PaperVenue: the simulated exchange the paper execution stage trades against.
 *
 * Role: accepts our orders and cancels, fills them against the current L2 book
 * and public trade stream (never at the mid), mirrors the venue's rules (tick/
 * lot grid, self-trade prevention, price band, rate limit, cancel-on-
 * disconnect), keeps the perpetual-swap account, and reports fills and order
 * updates to a sink. Owning thread: the execution stage worker (single
 * writer; not re-entrant: the sink must not call back into the venue).
 * Hot: every method below runs per event and allocates nothing; the
 * constructor takes all memory. Time is passed in (`nowUs`): wall-clock µs
 * in live paper mode, event timestamps in simulated time.
 *
 * Mentor's Corner. Purpose: honest paper fills — walking the book, waiting in
 * the queue, paying fees, funding and latency — so paper PnL means something.
 * Ideal counterpart: hftbacktest fed exchange-grade L3 market-by-order data and
 * measured latency distributions, or the exchange's own C++ matching engine.
 * How we differ: OKX public data is L2, so queue position is estimated (pro-rata
 * cancels, with pessimistic/optimistic bounds) and our taker fills only shadow
 * the book until the next update. Why we accept it: no L3 feed exists for OKX and
 * the bounds bracket the error. Measured (Node 20, 2-core VM): ~90 ns per order
 * placement or cancel, ~35 ns per trade update (8 resting), 0 heap growth / 2M calls.
 */
import { Liquidity, OrderType, Side } from '../../core/domain/enums.ts';
import type { InstrumentSpec } from '../../core/domain/instrument.ts';
import type { BookDeltas, FundingRateEvent, MarkPriceEvent, TradeTick } from '../../core/domain/market-events.ts';
import { OrderStatus, VenueReason, type CancelIntent, type OrderIntent } from '../../core/domain/orders.ts';
import { L2Book } from '../../core/book/l2-book.ts';
import { PerpAccount } from './account.ts';
import { CommandKind, CommandQueue } from './command-queue.ts';
import { REASON_DUPLICATE_ID, REASON_TABLE_FULL, validatePaperVenueConfig, type PaperVenueConfig } from './config.ts';
import { BpsFeeModel, type FeeModel } from './fee-model.ts';
import { latencyModelFromConfig, type LatencyModel } from './latency-model.ts';
import { NO_SLOT, OrderTable, SlotState } from './order-table.ts';
import { queueModelByName, type QueueModel } from './queue-model.ts';
import { ReportQueue, type PaperVenueSink } from './report-queue.ts';

/** Policy objects; any left out come from the config (constant latency, pro-rata queue, bps fees). */
export interface PaperVenueModels {
  readonly latency?: LatencyModel;
  readonly queue?: QueueModel;
  readonly fee?: FeeModel;
}

/** Reused argument for latency-model calls (one object per venue). */
class OrderRefScratch {
  clientOrderId = 0;
  instrumentId = 0;
}

export class PaperVenue {
  readonly config: PaperVenueConfig;
  readonly instruments: readonly InstrumentSpec[];
  /** The venue's copy of each instrument's book, indexed by instrument id. */
  readonly books: readonly L2Book[];
  readonly account: PerpAccount;
  readonly orders: OrderTable;
  readonly latency: LatencyModel;
  readonly queue: QueueModel;
  readonly fee: FeeModel;
  /** Last mark price per instrument in ticks; NaN until known. */
  readonly markTicks: Float64Array;
  /** Rate and Unix time of the next funding settlement per instrument (NaN = none announced). */
  readonly fundingRate: Float64Array;
  readonly fundingTimeUs: Float64Array;
  private readonly lastSettledFundingUs: Float64Array;

  /** Venue clock: the largest `nowUs` seen. */
  clockUs = -Infinity;
  /** Next fill id to hand out. */
  nextFillId: number;
  /**
   * Fills by what produced them (counts of fill events; cold reads). Only
   * `makerFillsByQueue` depends on the queue model: a trade through our price,
   * or the book crossing it, fills us under every model, and a taker fill
   * has no queue. So when it is 0, optimistic and pessimistic queue models
   * cannot disagree on that run.
   */
  takerFills = 0;
  makerFillsByQueue = 0;
  makerFillsByTradeThrough = 0;
  makerFillsByBookCross = 0;
  /** Counters (cold reads by the monitor). */
  droppedEvents = 0;
  overlayOverflows = 0;
  fundingSkipped = 0;

  private readonly commands: CommandQueue;
  private readonly reports: ReportQueue;
  private readonly sink: PaperVenueSink;
  private readonly ref = new OrderRefScratch();
  private readonly nInstr: number;

  // Rate limit: per instrument, a ring of arrival times of the last `limit` new orders.
  private readonly rlLimit: number;
  private readonly rlTimes: Float64Array;
  private readonly rlHead: Int32Array;
  private readonly rlCount: Int32Array;

  // "Consumed by us" overlay: per (instrument, book side) up to K levels of
  // price, lots we took, and the displayed size when we took them.
  private readonly ovK: number;
  private readonly ovPx: Float64Array;
  private readonly ovLots: Float64Array;
  private readonly ovSeen: Float64Array;
  private readonly ovCount: Int32Array;

  // Scratch results of `walk`.
  private walkRemaining = 0;
  private walkLastPx = NaN;

  constructor(instruments: readonly InstrumentSpec[], sink: PaperVenueSink, config?: unknown, models?: PaperVenueModels) {
    const c = validatePaperVenueConfig(config);
    this.config = c;
    if (instruments.length === 0) throw new RangeError('PaperVenue needs at least one instrument, got 0');
    for (let i = 0; i < instruments.length; i++) {
      if (instruments[i]!.id !== i) {
        throw new RangeError(`PaperVenue instruments must be indexed by id (dense from 0): instruments[${i}].id = ${instruments[i]!.id}`);
      }
    }
    this.instruments = instruments;
    this.nInstr = instruments.length;
    this.sink = sink;
    const books: L2Book[] = [];
    for (let i = 0; i < instruments.length; i++) books.push(new L2Book());
    this.books = books;
    this.account = new PerpAccount(instruments, c.initialCashQuote);
    this.orders = new OrderTable(c.orderCapacity);
    this.commands = new CommandQueue(c.inFlightCapacity);
    this.reports = new ReportQueue(c.outboxCapacity, sink);
    this.latency = models?.latency ?? latencyModelFromConfig(c);
    this.queue = models?.queue ?? queueModelByName(c.queueModel);
    this.fee = models?.fee ?? new BpsFeeModel();
    const n = instruments.length;
    this.markTicks = new Float64Array(n).fill(NaN);
    this.fundingRate = new Float64Array(n).fill(NaN);
    this.fundingTimeUs = new Float64Array(n).fill(NaN);
    this.lastSettledFundingUs = new Float64Array(n).fill(-Infinity);
    this.nextFillId = c.fillIdStart;
    this.rlLimit = c.rateLimitOrders;
    this.rlTimes = new Float64Array(n * Math.max(1, c.rateLimitOrders));
    this.rlHead = new Int32Array(n);
    this.rlCount = new Int32Array(n);
    this.ovK = c.consumedLevelsPerSide;
    this.ovPx = new Float64Array(n * 2 * this.ovK);
    this.ovLots = new Float64Array(n * 2 * this.ovK);
    this.ovSeen = new Float64Array(n * 2 * this.ovK);
    this.ovCount = new Int32Array(n * 2);
  }

  // ---------------------------------------------------------------- commands

  /** Sends a new order; it reaches the venue after the entry latency. The intent is copied. */
  submit(o: OrderIntent, nowUs: number): void {
    this.step(nowUs);
    const t = this.clockUs;
    if (!(o.instrumentId >= 0 && o.instrumentId < this.nInstr && Number.isInteger(o.instrumentId))) {
      this.reports.pushUpdate(t, o.clientOrderId, o.instrumentId, OrderStatus.Rejected, VenueReason.UnknownInstrument, o.side, o.priceTicks, o.sizeLots, 0, t);
    } else if (this.orders.find(o.clientOrderId) !== NO_SLOT) {
      this.reports.pushUpdate(t, o.clientOrderId, o.instrumentId, OrderStatus.Rejected, REASON_DUPLICATE_ID, o.side, o.priceTicks, o.sizeLots, 0, t);
    } else if (this.orders.isFull || this.commands.isFull) {
      this.reports.pushUpdate(t, o.clientOrderId, o.instrumentId, OrderStatus.Rejected, REASON_TABLE_FULL, o.side, o.priceTicks, o.sizeLots, 0, t);
    } else {
      const s = this.orders.alloc(o);
      const delay = this.latency.entryDelayUs(t, o);
      this.commands.push(t + (delay > 0 ? delay : 0), CommandKind.New, s, o.clientOrderId, o.instrumentId);
      this.step(t);
    }
    this.reports.releaseUpTo(this.clockUs);
  }

  /** Sends a cancel; it reaches the venue after the entry latency, behind earlier commands. */
  cancel(c: CancelIntent, nowUs: number): void {
    this.step(nowUs);
    const t = this.clockUs;
    if (this.commands.isFull) {
      this.reports.pushUpdate(t, c.clientOrderId, c.instrumentId, OrderStatus.Rejected, REASON_TABLE_FULL, Side.Buy, 0, 0, 0, t);
    } else {
      const delay = this.latency.entryDelayUs(t, c);
      this.commands.push(t + (delay > 0 ? delay : 0), CommandKind.Cancel, -1, c.clientOrderId, c.instrumentId);
      this.step(t);
    }
    this.reports.releaseUpTo(this.clockUs);
  }

  /** Cancels every resting and in-flight order (kill switch), at once, venue side. */
  cancelAll(nowUs: number, reason: VenueReason = VenueReason.KillSwitch): void {
    this.step(nowUs);
    this.cancelWhere(-1, reason, this.clockUs);
    this.reports.releaseUpTo(this.clockUs);
  }

  /** Session lost: the venue cancels all our orders (OKX cancel-all-after / CME COD). */
  onDisconnect(nowUs: number): void {
    this.cancelAll(nowUs, VenueReason.CancelOnDisconnect);
  }

  /** One instrument's feed went stale: cancel its orders rather than quote blind. */
  onFeedStale(instrumentId: number, nowUs: number): void {
    this.step(nowUs);
    if (instrumentId >= 0 && instrumentId < this.nInstr) this.cancelWhere(instrumentId, VenueReason.CancelOnDisconnect, this.clockUs);
    this.reports.releaseUpTo(this.clockUs);
  }

  // ------------------------------------------------------------ market data

  /** Applies a book snapshot/delta (the carrier is read during the call only). */
  onBook(d: BookDeltas, nowUs: number): void {
    this.step(nowUs);
    const i = d.instrumentId;
    if (!(i >= 0 && i < this.nInstr)) {
      this.droppedEvents++;
      return;
    }
    const book = this.books[i]!;
    book.applyDeltas(d);
    this.reconcileOverlay(i);
    const t = this.clockUs;
    const ot = this.orders;
    for (let k = ot.restingCount - 1; k >= 0; k--) {
      const s = ot.resting[k]!;
      if (ot.instrumentId[s] !== i) continue;
      const side = ot.side[s]!;
      const px = ot.priceTicks[s]!;
      const level = book.sizeAt(side, px);
      if (level !== ot.levelSeenLots[s]) {
        ot.queueAheadLots[s] = this.queue.depth(ot.queueAheadLots[s]!, ot.levelSeenLots[s]!, level, ot.tradedSinceLots[s]!);
        ot.tradedSinceLots[s] = 0;
        ot.levelSeenLots[s] = level;
      }
      this.fillCrossedResting(s, i, t);
    }
    this.reports.releaseUpTo(t);
  }

  /** A public trade: advances queue positions at its price and fills what it reaches. */
  onTrade(tr: TradeTick, nowUs: number): void {
    this.step(nowUs);
    const i = tr.instrumentId;
    if (!(i >= 0 && i < this.nInstr)) {
      this.droppedEvents++;
      return;
    }
    const t = this.clockUs;
    const ot = this.orders;
    const px = tr.priceTicks;
    let budget = tr.sizeLots;
    for (let k = ot.restingCount - 1; k >= 0; k--) {
      const s = ot.resting[k]!;
      if (ot.instrumentId[s] !== i) continue;
      const side = ot.side[s]!;
      const limit = ot.priceTicks[s]!;
      const remaining = ot.sizeLots[s]! - ot.filledLots[s]!;
      if (side === Side.Buy ? px < limit : px > limit) {
        // Traded through our price: everything at our price is gone, so are we.
        this.makerFillsByTradeThrough++;
        this.fill(s, i, limit, remaining, Liquidity.Maker, t);
        ot.free(s);
        continue;
      }
      if (px !== limit || tr.aggressorSide === side) continue;
      const q = this.queue.trade(ot.queueAheadLots[s]!, tr.sizeLots);
      ot.tradedSinceLots[s] = ot.tradedSinceLots[s]! + tr.sizeLots;
      const passable = this.queue.isFilled(q);
      if (passable <= 0) {
        ot.queueAheadLots[s] = q;
        continue;
      }
      ot.queueAheadLots[s] = 0;
      let lots = remaining < passable ? remaining : passable;
      if (lots > budget) lots = budget;
      if (lots <= 0) continue;
      budget -= lots;
      this.makerFillsByQueue++;
      this.fill(s, i, limit, lots, Liquidity.Maker, t);
      if (lots === remaining) ot.free(s);
    }
    this.reports.releaseUpTo(t);
  }

  /** Mark price: used for the price band, unrealized PnL and funding. */
  onMark(e: MarkPriceEvent, nowUs: number): void {
    this.step(nowUs);
    const i = e.instrumentId;
    if (i >= 0 && i < this.nInstr && e.priceTicks > 0) this.markTicks[i] = e.priceTicks;
    else this.droppedEvents++;
    this.reports.releaseUpTo(this.clockUs);
  }

  /** Funding rate for the next settlement; settled when the clock reaches `fundingTimeUs`. */
  onFunding(e: FundingRateEvent, nowUs: number): void {
    this.step(nowUs);
    const i = e.instrumentId;
    if (!(i >= 0 && i < this.nInstr) || !Number.isFinite(e.rate) || !Number.isFinite(e.fundingTimeUs)) {
      this.droppedEvents++;
    } else if (e.fundingTimeUs > this.lastSettledFundingUs[i]!) {
      // OKX re-publishes the rate for the same settlement many times; the last one before it wins.
      // A re-send for a settlement already booked is ignored.
      this.fundingRate[i] = e.rate;
      this.fundingTimeUs[i] = e.fundingTimeUs;
      this.step(this.clockUs);
    }
    this.reports.releaseUpTo(this.clockUs);
  }

  /** Moves the venue clock: activates commands, settles funding and delivers reports due by `nowUs`. */
  advanceTo(nowUs: number): void {
    this.step(nowUs);
    this.reports.releaseUpTo(this.clockUs);
  }

  // ----------------------------------------------------------------- queries

  /** Mark if known, else mid, else NaN (ticks). */
  referencePriceTicks(instrumentId: number): number {
    const m = this.markTicks[instrumentId]!;
    return m > 0 ? m : this.books[instrumentId]!.midTicks();
  }

  /** Unrealized PnL of one instrument at its reference price (0 when flat or unpriced). */
  unrealizedPnlQuote(instrumentId: number): number {
    const ref = this.referencePriceTicks(instrumentId);
    return ref > 0 ? this.account.unrealizedPnlQuote(instrumentId, ref) : 0;
  }

  /** Cash + marked position value over all instruments. */
  equityQuote(): number {
    let e = this.account.cashQuote;
    for (let i = 0; i < this.nInstr; i++) {
      const ref = this.referencePriceTicks(i);
      if (ref > 0) e += this.account.positionValueQuote(i, ref);
    }
    return e;
  }

  /** Reports still travelling back (response latency). */
  get pendingReports(): number {
    return this.reports.count;
  }

  get reportEarlyReleases(): number {
    return this.reports.earlyReleases;
  }

  /** Commands still travelling to the venue (entry latency). */
  get pendingCommands(): number {
    return this.commands.count;
  }

  // ---------------------------------------------------------------- internals

  /**
   * Advances the clock to `nowUs`, merging in time order: reports due back,
   * funding settlements, and commands arriving at the venue (ties in that order).
   */
  private step(nowUs: number): void {
    if (nowUs > this.clockUs) this.clockUs = nowUs;
    const now = this.clockUs;
    const off = this.config.clockToUnixOffsetUs;
    while (true) {
      const tc = this.commands.peekDueUs();
      let tf = Infinity;
      let fi = -1;
      for (let i = 0; i < this.nInstr; i++) {
        const ft = this.fundingTimeUs[i]! - off;
        if (ft < tf && this.fundingTimeUs[i]! > this.lastSettledFundingUs[i]!) {
          tf = ft;
          fi = i;
        }
      }
      const next = tc < tf ? tc : tf;
      if (!(next <= now)) break;
      this.reports.releaseUpTo(next);
      if (fi >= 0 && tf <= tc) this.settleFunding(fi, tf);
      else this.processCommand(tc);
    }
  }

  private settleFunding(i: number, venueUs: number): void {
    this.lastSettledFundingUs[i] = this.fundingTimeUs[i]!;
    const rate = this.fundingRate[i]!;
    if (this.account.positionLots[i] === 0) return;
    const ref = this.referencePriceTicks(i);
    if (!(ref > 0)) {
      this.fundingSkipped++;
      return;
    }
    const amount = this.account.applyFunding(i, ref, rate);
    if (this.sink.onFundingPayment !== undefined) {
      this.reports.releaseUpTo(venueUs);
      this.sink.onFundingPayment(i, amount, rate, venueUs);
    }
  }

  private processCommand(venueUs: number): void {
    const cq = this.commands;
    const h = cq.headIndex;
    const kind = cq.kind[h]!;
    const slot = cq.slot[h]!;
    const id = cq.clientOrderId[h]!;
    const instr = cq.instrumentId[h]!;
    cq.pop();
    if (kind === CommandKind.New) this.activate(slot, venueUs);
    else if (kind === CommandKind.Cancel) this.processCancel(id, instr, venueUs);
  }

  private respondAt(s: number, venueUs: number): number {
    const r = this.ref;
    r.clientOrderId = this.orders.clientOrderId[s]!;
    r.instrumentId = this.orders.instrumentId[s]!;
    const d = this.latency.responseDelayUs(venueUs, r);
    return venueUs + (d > 0 ? d : 0);
  }

  private update(s: number, status: OrderStatus, reason: VenueReason, venueUs: number): void {
    const ot = this.orders;
    this.reports.pushUpdate(
      this.respondAt(s, venueUs), ot.clientOrderId[s]!, ot.instrumentId[s]!, status, reason,
      ot.side[s]!, ot.priceTicks[s]!, ot.sizeLots[s]!, ot.filledLots[s]!, venueUs,
    );
  }

  private reject(s: number, reason: VenueReason, venueUs: number): void {
    this.update(s, OrderStatus.Rejected, reason, venueUs);
    this.orders.free(s);
  }

  /** A new order reaches the venue: rules, then taker phase, then rest or cancel the remainder. */
  private activate(s: number, venueUs: number): void {
    const ot = this.orders;
    const i = ot.instrumentId[s]!;
    const spec = this.instruments[i]!;
    const side = ot.side[s]!;
    const type = ot.type[s]!;
    const px = ot.priceTicks[s]!;
    const size = ot.sizeLots[s]!;
    if (!this.rateLimitAllows(i, venueUs)) return this.reject(s, VenueReason.RateLimited, venueUs);
    const isMarket = type === OrderType.Market;
    if (
      (side !== Side.Buy && side !== Side.Sell) ||
      (type !== OrderType.Limit && type !== OrderType.Market && type !== OrderType.Ioc && type !== OrderType.PostOnly) ||
      !Number.isInteger(size) || size < spec.minSizeLots ||
      !Number.isInteger(px) || (isMarket ? px < 0 : px <= 0)
    ) {
      return this.reject(s, VenueReason.OffGrid, venueUs);
    }
    if (!isMarket && this.config.priceBandPct > 0) {
      const ref = this.referencePriceTicks(i);
      if (ref > 0 && Math.abs(px - ref) * 100 > this.config.priceBandPct * ref) return this.reject(s, VenueReason.PriceBand, venueUs);
    }
    const limit = px > 0 ? px : side === Side.Buy ? Infinity : -Infinity;
    if (type === OrderType.PostOnly) {
      this.walk(s, i, side, limit, size, false, venueUs);
      if (this.walkRemaining < size || this.ownCrossing(i, side, limit)) return this.reject(s, VenueReason.PostOnlyWouldTake, venueUs);
    }
    this.update(s, OrderStatus.Accepted, VenueReason.None, venueUs);
    if (type !== OrderType.PostOnly) {
      // Self-trade prevention (cancel maker): find how far this order reaches, cancel our makers there, then take.
      this.walk(s, i, side, limit, size, false, venueUs);
      const reach = this.walkRemaining > 0 ? limit : this.walkLastPx;
      this.cancelOwnCrossing(i, side, reach, venueUs);
      this.walk(s, i, side, limit, size, true, venueUs);
    }
    const remaining = size - ot.filledLots[s]!;
    if (remaining <= 0) {
      ot.free(s);
      return;
    }
    if (type === OrderType.Ioc || isMarket) {
      this.update(s, OrderStatus.Cancelled, ot.filledLots[s]! > 0 ? VenueReason.IocRemainder : VenueReason.NoLiquidity, venueUs);
      ot.free(s);
      return;
    }
    const book = this.books[i]!;
    const level = book.sizeAt(side, px);
    ot.levelSeenLots[s] = level;
    ot.tradedSinceLots[s] = 0;
    ot.queueAheadLots[s] = this.queue.newOrder(level - this.consumedAt(i, side === Side.Buy ? 0 : 1, px));
    ot.addResting(s);
  }

  private processCancel(clientOrderId: number, instrumentId: number, venueUs: number): void {
    const s = this.orders.find(clientOrderId);
    if (s === NO_SLOT || this.orders.state[s] !== SlotState.Resting) {
      const r = this.ref;
      r.clientOrderId = clientOrderId;
      r.instrumentId = instrumentId;
      const d = this.latency.responseDelayUs(venueUs, r);
      this.reports.pushUpdate(venueUs + (d > 0 ? d : 0), clientOrderId, instrumentId, OrderStatus.Rejected, VenueReason.UnknownOrder, Side.Buy, 0, 0, 0, venueUs);
      return;
    }
    this.update(s, OrderStatus.Cancelled, VenueReason.UserCancel, venueUs);
    this.orders.free(s);
  }

  /** Sliding window of `rateLimitOrders` arrivals per `rateLimitWindowUs`, per instrument. */
  private rateLimitAllows(i: number, venueUs: number): boolean {
    const L = this.rlLimit;
    if (L === 0) return true;
    const base = i * L;
    let head = this.rlHead[i]!;
    let count = this.rlCount[i]!;
    const horizon = venueUs - this.config.rateLimitWindowUs;
    while (count > 0 && this.rlTimes[base + head]! <= horizon) {
      head = head + 1 === L ? 0 : head + 1;
      count--;
    }
    let ok = false;
    if (count < L) {
      let tail = head + count;
      if (tail >= L) tail -= L;
      this.rlTimes[base + tail] = venueUs;
      count++;
      ok = true;
    }
    this.rlHead[i] = head;
    this.rlCount[i] = count;
    return ok;
  }

  /**
   * Walks the opposite side from the touch while prices are within `limit`,
   * taking displayed size net of what we already consumed. With `execute`
   * false it only measures (walkRemaining, walkLastPx); with true it fills.
   */
  private walk(s: number, i: number, side: number, limit: number, qty: number, execute: boolean, venueUs: number): void {
    const book = this.books[i]!;
    const buy = side === Side.Buy;
    const opposite = buy ? Side.Sell : Side.Buy;
    const n = book.levels(opposite);
    const b = buy ? 1 : 0; // book side index of the liquidity we take: 0 = bids, 1 = asks
    let rem = qty;
    let last = NaN;
    for (let j = 0; j < n && rem > 0; j++) {
      const px = book.price(opposite, j);
      if (buy ? px > limit : px < limit) break;
      const shown = book.size(opposite, j);
      const avail = shown - this.consumedAt(i, b, px);
      if (avail <= 0) continue;
      const take = avail < rem ? avail : rem;
      if (execute) {
        this.addConsumed(i, b, px, take, shown);
        this.takerFills++;
        this.fill(s, i, px, take, Liquidity.Taker, venueUs);
      }
      rem -= take;
      last = px;
    }
    this.walkRemaining = rem;
    this.walkLastPx = last;
  }

  /** A resting order the book has moved through: fill as maker at our price from the crossing liquidity. */
  private fillCrossedResting(s: number, i: number, venueUs: number): void {
    const ot = this.orders;
    const side = ot.side[s]!;
    const limit = ot.priceTicks[s]!;
    const book = this.books[i]!;
    const buy = side === Side.Buy;
    const opposite = buy ? Side.Sell : Side.Buy;
    const n = book.levels(opposite);
    if (n === 0 || (buy ? book.price(opposite, 0) > limit : book.price(opposite, 0) < limit)) return;
    const b = buy ? 1 : 0;
    let rem = ot.sizeLots[s]! - ot.filledLots[s]!;
    for (let j = 0; j < n && rem > 0; j++) {
      const px = book.price(opposite, j);
      if (buy ? px > limit : px < limit) break;
      const shown = book.size(opposite, j);
      const avail = shown - this.consumedAt(i, b, px);
      if (avail <= 0) continue;
      const take = avail < rem ? avail : rem;
      this.addConsumed(i, b, px, take, shown);
      this.makerFillsByBookCross++;
      this.fill(s, i, limit, take, Liquidity.Maker, venueUs);
      rem -= take;
    }
    if (rem <= 0) ot.free(s);
  }

  /** True if one of our resting orders on the other side sits at or through `limit`. */
  private ownCrossing(i: number, side: number, limit: number): boolean {
    const ot = this.orders;
    for (let k = ot.restingCount - 1; k >= 0; k--) {
      const m = ot.resting[k]!;
      if (ot.instrumentId[m] !== i || ot.side[m] === side) continue;
      const p = ot.priceTicks[m]!;
      if (side === Side.Buy ? p <= limit : p >= limit) return true;
    }
    return false;
  }

  /** OKX default STP (cancel maker): our resting opposite orders the incoming order would reach are cancelled. */
  private cancelOwnCrossing(i: number, side: number, reach: number, venueUs: number): void {
    if (reach !== reach) return; // NaN: reaches nothing
    const ot = this.orders;
    for (let k = ot.restingCount - 1; k >= 0; k--) {
      const m = ot.resting[k]!;
      if (ot.instrumentId[m] !== i || ot.side[m] === side) continue;
      const p = ot.priceTicks[m]!;
      if (side === Side.Buy ? p <= reach : p >= reach) {
        this.update(m, OrderStatus.Cancelled, VenueReason.SelfTradePrevention, venueUs);
        ot.free(m);
      }
    }
  }

  /** Cancels resting and in-flight orders of one instrument (or all when -1). */
  private cancelWhere(instrumentId: number, reason: VenueReason, venueUs: number): void {
    const ot = this.orders;
    for (let k = ot.restingCount - 1; k >= 0; k--) {
      const s = ot.resting[k]!;
      if (instrumentId >= 0 && ot.instrumentId[s] !== instrumentId) continue;
      this.update(s, OrderStatus.Cancelled, reason, venueUs);
      ot.free(s);
    }
    const cq = this.commands;
    for (let k = 0; k < cq.count; k++) {
      const idx = cq.indexAt(k);
      if (cq.kind[idx] !== CommandKind.New) continue;
      if (instrumentId >= 0 && cq.instrumentId[idx] !== instrumentId) continue;
      const s = cq.slot[idx]!;
      cq.kind[idx] = CommandKind.Dead;
      this.update(s, OrderStatus.Cancelled, reason, venueUs);
      ot.free(s);
    }
  }

  /** Books one fill: account, fee, counters, and the Fill + OrderUpdate reports. Does not free the slot. */
  private fill(s: number, i: number, px: number, lots: number, liq: Liquidity, venueUs: number): void {
    const ot = this.orders;
    const side = ot.side[s]!;
    const fee = this.fee.feeQuote(this.instruments[i]!, px, lots, liq);
    this.account.applyFill(i, side, px, lots, fee);
    const filled = ot.filledLots[s]! + lots;
    ot.filledLots[s] = filled;
    const at = this.respondAt(s, venueUs);
    this.reports.pushFill(at, this.nextFillId++, ot.clientOrderId[s]!, i, side, px, lots, liq, fee, venueUs, ot.tsTriggerRecvUs[s]!);
    this.update(s, filled >= ot.sizeLots[s]! ? OrderStatus.Filled : OrderStatus.PartiallyFilled, VenueReason.None, venueUs);
  }

  // ------------------------------------------------ consumed-liquidity overlay

  private consumedAt(i: number, b: number, px: number): number {
    const cell = i * 2 + b;
    const base = cell * this.ovK;
    const n = this.ovCount[cell]!;
    for (let k = 0; k < n; k++) if (this.ovPx[base + k] === px) return this.ovLots[base + k]!;
    return 0;
  }

  private addConsumed(i: number, b: number, px: number, lots: number, displayedLots: number): void {
    const cell = i * 2 + b;
    const base = cell * this.ovK;
    const n = this.ovCount[cell]!;
    for (let k = 0; k < n; k++) {
      if (this.ovPx[base + k] === px) {
        this.ovLots[base + k] = this.ovLots[base + k]! + lots;
        return;
      }
    }
    if (n === this.ovK) {
      this.overlayOverflows++;
      return;
    }
    this.ovPx[base + n] = px;
    this.ovLots[base + n] = lots;
    this.ovSeen[base + n] = displayedLots;
    this.ovCount[cell] = n + 1;
  }

  /** Forgets consumption at every level whose displayed size changed: the feed has caught up. */
  private reconcileOverlay(i: number): void {
    const book = this.books[i]!;
    for (let b = 0; b < 2; b++) {
      const cell = i * 2 + b;
      const base = cell * this.ovK;
      let n = this.ovCount[cell]!;
      if (n === 0) continue;
      const side = b === 0 ? Side.Buy : Side.Sell;
      for (let k = n - 1; k >= 0; k--) {
        if (book.sizeAt(side, this.ovPx[base + k]!) !== this.ovSeen[base + k]) {
          n--;
          this.ovPx[base + k] = this.ovPx[base + n]!;
          this.ovLots[base + k] = this.ovLots[base + n]!;
          this.ovSeen[base + k] = this.ovSeen[base + n]!;
        }
      }
      this.ovCount[cell] = n;
    }
  }
}
