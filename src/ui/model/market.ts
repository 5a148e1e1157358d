/**
 * LiveMarketData state: the order-book ladder, trades and liquidation tapes
 * (fixed rows, one signal per cell) and the price chart with liquidation
 * markers. Records land in plain per-instrument buffers (`onBook`, `onTrade`,
 * ...); `publishMarket()` copies what the page shows into the signals once
 * per animation frame.
 */
import { signal, type Signal } from '@preact/signals';
import type uPlot from 'uplot';
import { instrument, selectedInstrument } from './instruments.ts';
import { px, qty, clock } from '../lib/format.ts';

export const LADDER_ROWS = 12;
export const TAPE_ROWS = 22;
export const LIQ_ROWS = 10;
const CHART_POINTS = 1200;
const CHART_WINDOW_S = 180;

export interface LadderCell {
  price: Signal<string>;
  size: Signal<string>;
  total: Signal<string>;
  /** `width: NN%` of the depth bar. */
  bar: Signal<string>;
}

export interface TapeCell {
  time: Signal<string>;
  side: Signal<string>;
  price: Signal<string>;
  size: Signal<string>;
  /** Tailwind colour class of the row. */
  tone: Signal<string>;
}

const ladderCell = (): LadderCell => ({ price: signal(''), size: signal(''), total: signal(''), bar: signal('width:0%') });
const tapeCell = (): TapeCell => ({ time: signal(''), side: signal(''), price: signal(''), size: signal(''), tone: signal('') });

export const bids: LadderCell[] = Array.from({ length: LADDER_ROWS }, ladderCell);
export const asks: LadderCell[] = Array.from({ length: LADDER_ROWS }, ladderCell);
export const trades: TapeCell[] = Array.from({ length: TAPE_ROWS }, tapeCell);
export const liquidations: TapeCell[] = Array.from({ length: LIQ_ROWS }, tapeCell);
export const spread = signal('–');
export const mid = signal('–');
export const bookSeq = signal(0);
export const bookAgeMs = signal(NaN);
export const bookUpdates = signal(0);
export const tradeCount = signal(0);
export const liqCount = signal(0);
/** Liquidation bursts seen (≥ 3 prints within 2 s). */
export const liqBursts = signal(0);
/** [unix s, mid, liquidation long (sell) price, liquidation short (buy) price] */
export const priceChart = signal<uPlot.AlignedData>([[], [], [], []]);

interface Book {
  n: number;
  bidPx: Float64Array;
  bidSz: Float64Array;
  askPx: Float64Array;
  askSz: Float64Array;
  nb: number;
  na: number;
  seq: number;
  recvMs: number;
  dirty: boolean;
}

interface Print {
  tsMs: number;
  side: number;
  priceTicks: number;
  sizeLots: number;
}

interface Series {
  t: number[];
  mid: (number | null)[];
  liqSell: (number | null)[];
  liqBuy: (number | null)[];
  dirty: boolean;
}

const books = new Map<number, Book>();
const tapes = new Map<number, Print[]>();
const liqTapes = new Map<number, Print[]>();
const series = new Map<number, Series>();
let tradesDirty = false;
let liqDirty = false;
let lastSelected = -1;
/** The price chart redraws at most this often (a full uPlot redraw is the costliest thing on the page). */
const CHART_MIN_INTERVAL_MS = 250;
let lastChartMs = 0;
let lastLiqBurstMs = 0;
const recentLiqMs: number[] = [];

function bookOf(id: number): Book {
  let b = books.get(id);
  if (b === undefined) {
    const n = LADDER_ROWS;
    b = { n, bidPx: new Float64Array(n), bidSz: new Float64Array(n), askPx: new Float64Array(n), askSz: new Float64Array(n), nb: 0, na: 0, seq: 0, recvMs: 0, dirty: false };
    books.set(id, b);
  }
  return b;
}

function seriesOf(id: number): Series {
  let s = series.get(id);
  if (s === undefined) {
    s = { t: [], mid: [], liqSell: [], liqBuy: [], dirty: false };
    series.set(id, s);
  }
  return s;
}

function pushPoint(s: Series, t: number, m: number | null, sell: number | null, buy: number | null): void {
  s.t.push(t);
  s.mid.push(m);
  s.liqSell.push(sell);
  s.liqBuy.push(buy);
  const cut = s.t.length > CHART_POINTS ? s.t.length - CHART_POINTS : 0;
  let k = cut;
  while (k < s.t.length && s.t[k]! < t - CHART_WINDOW_S) k++;
  if (k > 0) {
    s.t.splice(0, k);
    s.mid.splice(0, k);
    s.liqSell.splice(0, k);
    s.liqBuy.splice(0, k);
  }
  s.dirty = true;
}

/** A book snapshot (levels best first). Deltas are applied as a snapshot of the levels they carry. */
export function onBook(id: number, seq: number, nb: number, na: number, level: (side: 0 | 1, i: number, out: Float64Array) => void): void {
  const b = bookOf(id);
  const tmp = new Float64Array(2);
  b.nb = Math.min(nb, b.n);
  b.na = Math.min(na, b.n);
  for (let i = 0; i < b.nb; i++) {
    level(0, i, tmp);
    b.bidPx[i] = tmp[0]!;
    b.bidSz[i] = tmp[1]!;
  }
  for (let i = 0; i < b.na; i++) {
    level(1, i, tmp);
    b.askPx[i] = tmp[0]!;
    b.askSz[i] = tmp[1]!;
  }
  b.seq = seq;
  b.recvMs = Date.now();
  b.dirty = true;
  bookUpdates.value++;
  if (b.nb > 0 && b.na > 0) {
    const m = instrument(id);
    const midPx = ((b.bidPx[0]! + b.askPx[0]!) / 2) * (m?.tickSize ?? 1);
    pushPoint(seriesOf(id), Date.now() / 1000, midPx, null, null);
  }
}

function pushPrint(map: Map<number, Print[]>, id: number, p: Print, cap: number): void {
  let list = map.get(id);
  if (list === undefined) {
    list = [];
    map.set(id, list);
  }
  list.push(p);
  if (list.length > cap * 2) list.splice(0, list.length - cap);
}

export function onTrade(id: number, side: number, priceTicks: number, sizeLots: number, tsExchangeUs: number): void {
  pushPrint(tapes, id, { tsMs: tsExchangeUs > 0 ? tsExchangeUs / 1000 : Date.now(), side, priceTicks, sizeLots }, TAPE_ROWS);
  tradesDirty = true;
}

export function onLiquidation(id: number, side: number, priceTicks: number, sizeLots: number, tsExchangeUs: number): void {
  const now = Date.now();
  pushPrint(liqTapes, id, { tsMs: tsExchangeUs > 0 ? tsExchangeUs / 1000 : now, side, priceTicks, sizeLots }, LIQ_ROWS);
  liqDirty = true;
  liqCount.value++;
  recentLiqMs.push(now);
  while (recentLiqMs.length > 0 && recentLiqMs[0]! < now - 2000) recentLiqMs.shift();
  if (recentLiqMs.length >= 3 && now - lastLiqBurstMs > 2000) {
    lastLiqBurstMs = now;
    liqBursts.value++;
  }
  const m = instrument(id);
  const p = priceTicks * (m?.tickSize ?? 1);
  pushPoint(seriesOf(id), now / 1000, null, side < 0 ? p : null, side > 0 ? p : null);
}

function fillTape(cells: TapeCell[], list: Print[] | undefined, id: number): void {
  const m = instrument(id);
  for (let r = 0; r < cells.length; r++) {
    const c = cells[r]!;
    const p = list === undefined ? undefined : list[list.length - 1 - r];
    if (p === undefined) {
      c.time.value = '';
      c.side.value = '';
      c.price.value = '';
      c.size.value = '';
      c.tone.value = '';
      continue;
    }
    c.time.value = clock(p.tsMs);
    c.side.value = p.side > 0 ? 'BUY' : 'SELL';
    c.price.value = px(m, p.priceTicks);
    c.size.value = qty(m, p.sizeLots);
    c.tone.value = p.side > 0 ? 'text-emerald-400' : 'text-rose-400';
  }
}

/** Copies the selected instrument's buffers into the cells (once per animation frame). */
export function publishMarket(): void {
  const id = selectedInstrument.value;
  const switched = id !== lastSelected;
  lastSelected = id;
  const m = instrument(id);
  const b = books.get(id);
  if (b !== undefined && (b.dirty || switched)) {
    b.dirty = false;
    let cb = 0;
    let ca = 0;
    const cumB: number[] = [];
    const cumA: number[] = [];
    for (let i = 0; i < LADDER_ROWS; i++) {
      cb += i < b.nb ? b.bidSz[i]! : 0;
      ca += i < b.na ? b.askSz[i]! : 0;
      cumB.push(cb);
      cumA.push(ca);
    }
    const maxCum = Math.max(cb, ca, 1);
    for (let i = 0; i < LADDER_ROWS; i++) {
      const bc = bids[i]!;
      const ac = asks[i]!;
      const hasB = i < b.nb;
      const hasA = i < b.na;
      bc.price.value = hasB ? px(m, b.bidPx[i]!) : '';
      bc.size.value = hasB ? qty(m, b.bidSz[i]!) : '';
      bc.total.value = hasB ? qty(m, cumB[i]!) : '';
      bc.bar.value = `width:${hasB ? ((100 * cumB[i]!) / maxCum).toFixed(1) : 0}%`;
      ac.price.value = hasA ? px(m, b.askPx[i]!) : '';
      ac.size.value = hasA ? qty(m, b.askSz[i]!) : '';
      ac.total.value = hasA ? qty(m, cumA[i]!) : '';
      ac.bar.value = `width:${hasA ? ((100 * cumA[i]!) / maxCum).toFixed(1) : 0}%`;
    }
    if (b.nb > 0 && b.na > 0) {
      spread.value = px(m, b.askPx[0]! - b.bidPx[0]!);
      mid.value = ((b.askPx[0]! + b.bidPx[0]!) * 0.5 * (m?.tickSize ?? 1)).toFixed((m?.priceDecimals ?? 0) + 1);
    }
    bookSeq.value = b.seq;
    bookAgeMs.value = b.recvMs;
  }
  if (tradesDirty || switched) {
    tradesDirty = false;
    fillTape(trades, tapes.get(id), id);
  }
  if (liqDirty || switched) {
    liqDirty = false;
    fillTape(liquidations, liqTapes.get(id), id);
  }
  const s = series.get(id);
  const now = performance.now();
  if (s !== undefined && (s.dirty || switched) && (switched || now - lastChartMs >= CHART_MIN_INTERVAL_MS)) {
    s.dirty = false;
    lastChartMs = now;
    priceChart.value = [s.t.slice(), s.mid.slice(), s.liqSell.slice(), s.liqBuy.slice()] as uPlot.AlignedData;
  }
}
