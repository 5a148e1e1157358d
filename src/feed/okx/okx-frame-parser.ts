/**
 * Native OKX v5 public-channel parser: one raw WebSocket text frame in,
 * domain carriers out (BookDeltas, TradeTick, LiquidationEvent,
 * FundingRateEvent, MarkPriceEvent, BestBidOffer).
 *
 * Role: the per-frame hot path of OKXLiveService (and of the replay and
 * benchmark tools). Owning thread: the feed worker; single writer, not
 * thread-safe. Hot: `parseFrame` runs once per frame. Apart from what
 * `JSON.parse` itself builds, it allocates nothing: every carrier is a
 * reused object (BookDeltas with preallocated level arrays), instrument
 * state lives in typed arrays, counters are plain fields.
 *
 * Contract:
 * - Prices become integer ticks and sizes integer lots of the configured
 *   instrument (`toUnits`); an off-grid or non-numeric value becomes NaN and
 *   is passed through for L0Sanitizer to count. Timestamps: `tsExchangeUs` =
 *   OKX ms × 1000 (Unix µs); `tsRecvUs` = the caller's receive stamp.
 * - A frame that is not JSON, or whose structure is wrong (no `arg`, `data`
 *   not an array, a level that is not an array, ...), returns
 *   `OkxFrameKind.Malformed`, is counted and emits nothing. Never throws.
 * - `books` sequence: an update whose `prevSeqId` ≠ the last `seqId` is a
 *   gap: it is still emitted (so the sanitizer invalidates its book), the
 *   instrument then waits for a snapshot (later updates are dropped and
 *   counted) and `onGap(instrumentId)` asks the owner for a resubscribe. An
 *   update that is older than the last one (duplicate, reordered) is emitted
 *   for the sanitizer to drop, without touching the sequence state.
 * - `liquidation-orders` arrive per instType: entries for instruments we do
 *   not trade are counted (`liquidationsFiltered`) and skipped; each
 *   `details[]` entry of ours becomes one LiquidationEvent.
 * - Event frames (`subscribe`, `unsubscribe`, `error`, `notice`, ...) return
 *   `OkxFrameKind.Event` with `lastEvent*` set; `pong` returns `Pong`.
 */
import { Side } from '../../core/domain/enums.ts';
import { toUnits, type InstrumentSpec } from '../../core/domain/instrument.ts';
import {
  BestBidOffer,
  BookDeltas,
  FundingRateEvent,
  LiquidationEvent,
  MarkPriceEvent,
  MAX_BOOK_LEVELS,
  TradeTick,
} from '../../core/domain/market-events.ts';
import type { OkxEventSink } from './okx-event-sink.ts';

/** What one frame was. */
export const enum OkxFrameKind {
  /** A data frame of one of our channels and instruments (it may still have emitted nothing, e.g. filtered liquidations). */
  Data = 0,
  /** The text `pong` answering our `ping`. */
  Pong = 1,
  /** An `event` frame; see `lastEventType`. */
  Event = 2,
  /** Not JSON, or not shaped like an OKX frame; counted and skipped. */
  Malformed = 3,
  /** Well-formed but not ours (unknown channel, instrument not configured). */
  Ignored = 4,
}

export const enum OkxEventType {
  None = 0,
  Subscribe = 1,
  Unsubscribe = 2,
  Error = 3,
  Notice = 4,
  ConnCountError = 5,
  Login = 6,
  Other = 7,
}

/** Order-book channels we can consume. `books`: 400-level snapshot + updates; `books5`: top-5 snapshots; `bbo-tbt`: top-1 snapshots. */
export type OkxBookChannel = 'books' | 'books5' | 'bbo-tbt';
export const OKX_BOOK_CHANNELS: readonly OkxBookChannel[] = ['books', 'books5', 'bbo-tbt'];

export interface OkxFrameParserOptions {
  /** Called (synchronously, after the gapped update was emitted) when a `books` sequence gap is found. */
  onGap?: (instrumentId: number) => void;
  /** Capacity of the reused BookDeltas; frames with more levels per side are malformed. Default 400 (OKX `books`). */
  maxBookLevels?: number;
}

/** Monotonic counters; read them, never reset them while the parser runs. */
export class OkxParserCounters {
  frames = 0;
  dataFrames = 0;
  pongs = 0;
  events = 0;
  malformed = 0;
  ignored = 0;
  /** Carriers emitted, all kinds. */
  emitted = 0;
  books = 0;
  trades = 0;
  liquidations = 0;
  liquidationsFiltered = 0;
  fundingRates = 0;
  markPrices = 0;
  bbos = 0;
  /** `books` updates whose prevSeqId did not continue the last seqId. */
  gaps = 0;
  /** `books` updates older than the last applied one (duplicate or reordered). */
  staleUpdates = 0;
  /** `books` updates dropped because the instrument waits for a snapshot. */
  droppedAwaitingSnapshot = 0;
  errorEvents = 0;
  notices = 0;
}

// Channel codes: a switch on small integers after one Map lookup per frame.
const enum Ch {
  Books = 1,
  Books5 = 2,
  BboTbt = 3,
  Trades = 4,
  Liquidations = 5,
  FundingRate = 6,
  MarkPrice = 7,
  Tickers = 8,
}

const CHANNELS = new Map<string, Ch>([
  ['books', Ch.Books],
  ['books5', Ch.Books5],
  ['bbo-tbt', Ch.BboTbt],
  ['trades', Ch.Trades],
  ['liquidation-orders', Ch.Liquidations],
  ['funding-rate', Ch.FundingRate],
  ['mark-price', Ch.MarkPrice],
  ['tickers', Ch.Tickers],
]);

const EVENTS = new Map<string, OkxEventType>([
  ['subscribe', OkxEventType.Subscribe],
  ['unsubscribe', OkxEventType.Unsubscribe],
  ['error', OkxEventType.Error],
  ['notice', OkxEventType.Notice],
  ['channel-conn-count-error', OkxEventType.ConnCountError],
  ['login', OkxEventType.Login],
]);

// Returned by fillSide.
const SIDE_MALFORMED = -1;

/** A decimal string (or JSON number) → number; '' / missing / other types → NaN. */
function num(x: unknown): number {
  if (typeof x === 'string') return x.length === 0 ? NaN : +x;
  if (typeof x === 'number') return x;
  return NaN;
}

/** seqId-like integer fields: JSON numbers (or numeric strings); missing → 0 ("venue has none"). */
function seqNum(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && x.length > 0) return +x;
  return 0;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

type Rec = Record<string, unknown>;

export class OkxFrameParser {
  readonly counters = new OkxParserCounters();
  readonly instruments: readonly InstrumentSpec[];

  // Reused carriers.
  readonly book: BookDeltas;
  readonly trade = new TradeTick();
  readonly liquidation = new LiquidationEvent();
  readonly funding = new FundingRateEvent();
  readonly mark = new MarkPriceEvent();
  readonly bbo = new BestBidOffer();

  // Last event frame (cold: strings only on event frames).
  lastEventType: OkxEventType = OkxEventType.None;
  lastEventCode = '';
  lastEventMsg = '';
  lastEventChannel = '';
  lastEventInstId = '';

  private readonly index = new Map<string, number>();
  private readonly tick: Float64Array;
  private readonly lot: Float64Array;
  /** Last `books` seqId per instrument; NaN = none yet. */
  private readonly lastSeq: Float64Array;
  /** 1 while an instrument's `books` feed waits for a snapshot (start, gap, reconnect). */
  private readonly awaitingSnapshot: Uint8Array;
  private readonly onGap: ((instrumentId: number) => void) | undefined;

  constructor(instruments: readonly InstrumentSpec[], opts: OkxFrameParserOptions = {}) {
    this.instruments = instruments;
    const n = instruments.length;
    this.tick = new Float64Array(n);
    this.lot = new Float64Array(n);
    this.lastSeq = new Float64Array(n).fill(NaN);
    this.awaitingSnapshot = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      const s = instruments[i]!;
      if (s.id !== i) throw new RangeError(`instrument ids must be dense and in order: index ${i} has id ${s.id} (${s.symbol})`);
      this.index.set(s.symbol, i);
      this.tick[i] = s.tickSize;
      this.lot[i] = s.lotSize;
    }
    const maxLevels = opts.maxBookLevels ?? MAX_BOOK_LEVELS;
    if (!Number.isInteger(maxLevels) || maxLevels < 1) throw new RangeError(`maxBookLevels must be an integer ≥ 1, got ${maxLevels}`);
    this.book = new BookDeltas(maxLevels);
    this.onGap = opts.onGap;
  }

  /** Dense id of an OKX instId, or -1. */
  instrumentIndex(instId: string): number {
    const i = this.index.get(instId);
    return i === undefined ? -1 : i;
  }

  /** Last `books` seqId seen for an instrument (NaN before the first snapshot). */
  lastSeqId(instrumentId: number): number {
    return this.lastSeq[instrumentId]!;
  }

  isAwaitingSnapshot(instrumentId: number): boolean {
    return this.awaitingSnapshot[instrumentId] === 1;
  }

  /** Drop `books` updates for this instrument until the next snapshot (resubscribe in flight). */
  markAwaitingSnapshot(instrumentId: number): void {
    if (instrumentId >= 0 && instrumentId < this.awaitingSnapshot.length) this.awaitingSnapshot[instrumentId] = 1;
  }

  /** After a reconnect every book starts over from a snapshot. */
  markAllAwaitingSnapshot(): void {
    this.awaitingSnapshot.fill(1);
  }

  /** Parses one raw text frame. Never throws. */
  parseFrame(text: string, tsRecvUs: number, sink: OkxEventSink): OkxFrameKind {
    this.counters.frames++;
    if (text.length === 4 && text === 'pong') {
      this.counters.pongs++;
      return OkxFrameKind.Pong;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.counters.malformed++;
      return OkxFrameKind.Malformed;
    }
    return this.dispatch(msg, tsRecvUs, sink);
  }

  /** Same as parseFrame for an already-parsed message (e.g. ccxt's). Never throws. */
  parseMessage(msg: unknown, tsRecvUs: number, sink: OkxEventSink): OkxFrameKind {
    this.counters.frames++;
    return this.dispatch(msg, tsRecvUs, sink);
  }

  private dispatch(msg: unknown, tsRecvUs: number, sink: OkxEventSink): OkxFrameKind {
    let kind: OkxFrameKind;
    try {
      kind = this.route(msg, tsRecvUs, sink);
    } catch {
      // Only a sink that throws can get here (the parser itself checks every
      // shape); a stage must not die on one frame, so count it as malformed.
      kind = OkxFrameKind.Malformed;
    }
    const c = this.counters;
    if (kind === OkxFrameKind.Malformed) c.malformed++;
    else if (kind === OkxFrameKind.Data) c.dataFrames++;
    else if (kind === OkxFrameKind.Ignored) c.ignored++;
    return kind;
  }

  private route(msg: unknown, tsRecvUs: number, sink: OkxEventSink): OkxFrameKind {
    if (!isObject(msg)) return OkxFrameKind.Malformed;
    const ev = msg.event;
    if (ev !== undefined) return this.event(msg, ev);
    const arg = msg.arg;
    const data = msg.data;
    if (arg === undefined && typeof msg.op === 'string') return OkxFrameKind.Ignored; // an op echo/response (trading sockets)
    if (!isObject(arg) || !Array.isArray(data)) return OkxFrameKind.Malformed;
    const chName = arg.channel;
    if (typeof chName !== 'string') return OkxFrameKind.Malformed;
    const ch = CHANNELS.get(chName);
    if (ch === undefined) return OkxFrameKind.Ignored;
    if (ch === Ch.Liquidations) return this.liquidations(data, tsRecvUs, sink);
    const instId = arg.instId;
    if (typeof instId !== 'string') return OkxFrameKind.Malformed;
    const id = this.index.get(instId);
    if (id === undefined) return OkxFrameKind.Ignored;
    switch (ch) {
      case Ch.Books:
        return this.books(msg.action, data, id, tsRecvUs, sink);
      case Ch.Books5:
      case Ch.BboTbt:
        return this.topSnapshots(ch, data, id, tsRecvUs, sink);
      case Ch.Trades:
        return this.trades(data, id, tsRecvUs, sink);
      case Ch.FundingRate:
        return this.fundingRates(data, id, tsRecvUs, sink);
      case Ch.MarkPrice:
        return this.markPrices(data, id, tsRecvUs, sink);
      case Ch.Tickers:
        return this.tickers(data, id, tsRecvUs, sink);
    }
    return OkxFrameKind.Ignored;
  }

  // ------------------------------------------------------------------ events

  private event(msg: Rec, ev: unknown): OkxFrameKind {
    if (typeof ev !== 'string') return OkxFrameKind.Malformed;
    const c = this.counters;
    c.events++;
    const t = EVENTS.get(ev) ?? OkxEventType.Other;
    this.lastEventType = t;
    this.lastEventCode = typeof msg.code === 'string' ? msg.code : typeof msg.code === 'number' ? String(msg.code) : '';
    this.lastEventMsg = typeof msg.msg === 'string' ? msg.msg : '';
    const arg = msg.arg;
    this.lastEventChannel = isObject(arg) && typeof arg.channel === 'string' ? arg.channel : typeof msg.channel === 'string' ? msg.channel : '';
    this.lastEventInstId = isObject(arg) && typeof arg.instId === 'string' ? arg.instId : '';
    if (t === OkxEventType.Error || t === OkxEventType.ConnCountError) c.errorEvents++;
    else if (t === OkxEventType.Notice) c.notices++;
    return OkxFrameKind.Event;
  }

  // ------------------------------------------------------------------- books

  /** Fills one side; returns the level count or SIDE_MALFORMED. */
  private fillSide(levels: unknown, prices: Float64Array, sizes: Float64Array, tick: number, lot: number): number {
    if (!Array.isArray(levels)) return SIDE_MALFORMED;
    const n = levels.length;
    if (n > prices.length) return SIDE_MALFORMED;
    for (let i = 0; i < n; i++) {
      const lv: unknown = levels[i];
      if (!Array.isArray(lv) || lv.length < 2) return SIDE_MALFORMED;
      prices[i] = toUnits(num(lv[0]), tick);
      sizes[i] = toUnits(num(lv[1]), lot);
    }
    return n;
  }

  /** Fills `this.book` from one data entry; false if its shape is wrong. */
  private fillBook(e: unknown, id: number, tsRecvUs: number): boolean {
    if (!isObject(e)) return false;
    const b = this.book;
    const tick = this.tick[id]!;
    const lot = this.lot[id]!;
    const nb = this.fillSide(e.bids, b.bidPriceTicks, b.bidSizeLots, tick, lot);
    if (nb < 0) return false;
    const na = this.fillSide(e.asks, b.askPriceTicks, b.askSizeLots, tick, lot);
    if (na < 0) return false;
    b.bidCount = nb;
    b.askCount = na;
    b.instrumentId = id;
    b.tsExchangeUs = num(e.ts) * 1000;
    b.tsRecvUs = tsRecvUs;
    b.seqId = seqNum(e.seqId);
    b.checksum = typeof e.checksum === 'number' ? e.checksum | 0 : 0;
    return true;
  }

  private books(action: unknown, data: unknown[], id: number, tsRecvUs: number, sink: OkxEventSink): OkxFrameKind {
    let snapshot: boolean;
    if (action === 'snapshot') snapshot = true;
    else if (action === 'update') snapshot = false;
    else return OkxFrameKind.Malformed;
    const c = this.counters;
    const b = this.book;
    for (let k = 0; k < data.length; k++) {
      const e = data[k];
      if (!isObject(e)) return OkxFrameKind.Malformed;
      if (!snapshot && this.awaitingSnapshot[id] === 1) {
        c.droppedAwaitingSnapshot++;
        continue;
      }
      if (!this.fillBook(e, id, tsRecvUs)) return OkxFrameKind.Malformed;
      b.isSnapshot = snapshot;
      const prev = snapshot ? (e.prevSeqId === undefined ? -1 : seqNum(e.prevSeqId)) : seqNum(e.prevSeqId);
      b.prevSeqId = prev;
      const seq = b.seqId;
      let gap = false;
      if (snapshot) {
        this.lastSeq[id] = seq;
        this.awaitingSnapshot[id] = 0;
      } else if (seq !== 0 || prev !== 0) {
        const last = this.lastSeq[id]!;
        if (prev === last) {
          // Continuous (seq > prev normal; == heartbeat; < reset after maintenance).
          this.lastSeq[id] = seq;
        } else if (seq <= last && prev < last) {
          c.staleUpdates++;
        } else {
          gap = true;
          c.gaps++;
          this.awaitingSnapshot[id] = 1;
        }
      }
      c.books++;
      c.emitted++;
      sink.onBookDeltas(b);
      if (gap && this.onGap !== undefined) this.onGap(id);
    }
    return OkxFrameKind.Data;
  }

  /** books5 / bbo-tbt: every frame is a full top-N picture, sent as a snapshot (prevSeqId = -1). */
  private topSnapshots(ch: Ch, data: unknown[], id: number, tsRecvUs: number, sink: OkxEventSink): OkxFrameKind {
    const c = this.counters;
    const b = this.book;
    const wantBbo = ch === Ch.BboTbt && sink.onBbo !== undefined;
    for (let k = 0; k < data.length; k++) {
      if (!this.fillBook(data[k], id, tsRecvUs)) return OkxFrameKind.Malformed;
      b.isSnapshot = true;
      b.prevSeqId = -1;
      c.books++;
      c.emitted++;
      sink.onBookDeltas(b);
      if (wantBbo) {
        const q = this.bbo;
        q.instrumentId = id;
        q.tsExchangeUs = b.tsExchangeUs;
        q.tsRecvUs = tsRecvUs;
        q.bidPriceTicks = b.bidCount > 0 ? b.bidPriceTicks[0]! : NaN;
        q.bidSizeLots = b.bidCount > 0 ? b.bidSizeLots[0]! : NaN;
        q.askPriceTicks = b.askCount > 0 ? b.askPriceTicks[0]! : NaN;
        q.askSizeLots = b.askCount > 0 ? b.askSizeLots[0]! : NaN;
        c.bbos++;
        c.emitted++;
        sink.onBbo!(q);
      }
    }
    return OkxFrameKind.Data;
  }

  // ------------------------------------------------------------------ trades

  private trades(data: unknown[], id: number, tsRecvUs: number, sink: OkxEventSink): OkxFrameKind {
    const c = this.counters;
    const t = this.trade;
    const tick = this.tick[id]!;
    const lot = this.lot[id]!;
    for (let k = 0; k < data.length; k++) {
      const e = data[k];
      if (!isObject(e)) return OkxFrameKind.Malformed;
      const side = e.side;
      if (side === 'buy') t.aggressorSide = Side.Buy;
      else if (side === 'sell') t.aggressorSide = Side.Sell;
      else return OkxFrameKind.Malformed;
      t.instrumentId = id;
      t.tsExchangeUs = num(e.ts) * 1000;
      t.tsRecvUs = tsRecvUs;
      t.tradeId = num(e.tradeId);
      t.priceTicks = toUnits(num(e.px), tick);
      t.sizeLots = toUnits(num(e.sz), lot);
      c.trades++;
      c.emitted++;
      sink.onTrade(t);
    }
    return OkxFrameKind.Data;
  }

  // ------------------------------------------------------------ liquidations

  private liquidations(data: unknown[], tsRecvUs: number, sink: OkxEventSink): OkxFrameKind {
    const c = this.counters;
    const l = this.liquidation;
    for (let k = 0; k < data.length; k++) {
      const e = data[k];
      if (!isObject(e)) return OkxFrameKind.Malformed;
      const details = e.details;
      if (typeof e.instId !== 'string' || !Array.isArray(details)) return OkxFrameKind.Malformed;
      const id = this.index.get(e.instId);
      if (id === undefined) {
        c.liquidationsFiltered += details.length;
        continue;
      }
      const tick = this.tick[id]!;
      const lot = this.lot[id]!;
      for (let j = 0; j < details.length; j++) {
        const d: unknown = details[j];
        if (!isObject(d)) return OkxFrameKind.Malformed;
        const side = d.side;
        if (side === 'buy') l.side = Side.Buy;
        else if (side === 'sell') l.side = Side.Sell;
        else return OkxFrameKind.Malformed;
        l.instrumentId = id;
        l.tsExchangeUs = num(d.ts) * 1000;
        l.tsRecvUs = tsRecvUs;
        l.priceTicks = toUnits(num(d.bkPx), tick);
        l.sizeLots = toUnits(num(d.sz), lot);
        c.liquidations++;
        c.emitted++;
        sink.onLiquidation(l);
      }
    }
    return OkxFrameKind.Data;
  }

  // ------------------------------------------------- funding, mark, tickers

  private fundingRates(data: unknown[], id: number, tsRecvUs: number, sink: OkxEventSink): OkxFrameKind {
    const c = this.counters;
    const f = this.funding;
    for (let k = 0; k < data.length; k++) {
      const e = data[k];
      if (!isObject(e)) return OkxFrameKind.Malformed;
      f.instrumentId = id;
      f.tsExchangeUs = num(e.ts) * 1000;
      f.tsRecvUs = tsRecvUs;
      f.rate = num(e.fundingRate);
      f.fundingTimeUs = num(e.fundingTime) * 1000;
      c.fundingRates++;
      c.emitted++;
      sink.onFundingRate(f);
    }
    return OkxFrameKind.Data;
  }

  private markPrices(data: unknown[], id: number, tsRecvUs: number, sink: OkxEventSink): OkxFrameKind {
    const c = this.counters;
    const m = this.mark;
    const tick = this.tick[id]!;
    for (let k = 0; k < data.length; k++) {
      const e = data[k];
      if (!isObject(e)) return OkxFrameKind.Malformed;
      m.instrumentId = id;
      m.tsExchangeUs = num(e.ts) * 1000;
      m.tsRecvUs = tsRecvUs;
      m.priceTicks = toUnits(num(e.markPx), tick);
      c.markPrices++;
      c.emitted++;
      sink.onMarkPrice(m);
    }
    return OkxFrameKind.Data;
  }

  private tickers(data: unknown[], id: number, tsRecvUs: number, sink: OkxEventSink): OkxFrameKind {
    const c = this.counters;
    const q = this.bbo;
    const tick = this.tick[id]!;
    const lot = this.lot[id]!;
    for (let k = 0; k < data.length; k++) {
      const e = data[k];
      if (!isObject(e)) return OkxFrameKind.Malformed;
      if (sink.onBbo === undefined) continue;
      q.instrumentId = id;
      q.tsExchangeUs = num(e.ts) * 1000;
      q.tsRecvUs = tsRecvUs;
      q.bidPriceTicks = toUnits(num(e.bidPx), tick);
      q.bidSizeLots = toUnits(num(e.bidSz), lot);
      q.askPriceTicks = toUnits(num(e.askPx), tick);
      q.askSizeLots = toUnits(num(e.askSz), lot);
      c.bbos++;
      c.emitted++;
      sink.onBbo(q);
    }
    return OkxFrameKind.Data;
  }
}
