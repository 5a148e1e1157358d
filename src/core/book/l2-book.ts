/**
 * L2 order book for one instrument: price levels in integer ticks with sizes
 * in lots, best level first.
 *
 * Role: the book the sanitizer maintains (and checks) and the paper venue
 * fills against. Owning thread: whichever stage holds it (single writer,
 * not shared across threads). Hot: `set`/`applyDeltas` run per book message.
 *
 * Layout: per side, two parallel sorted Float64Arrays (bids descending, asks
 * ascending), so index 0 is the touch and walking the book is a linear scan of
 * contiguous memory. Insert/delete is a binary search plus `copyWithin`
 * (memmove, no allocation). With OKX's 400-level books a mid-book insert moves
 * on average ~200 doubles (~1.6 KB), cheaper in JS than a tree's pointer chase.
 * hftbacktest's tick-indexed dense vector (`roivectormarketdepth.rs`) gives
 * O(1) updates but needs a price window sized in advance; sorted arrays need
 * none and stay correct after a 10× jump.
 */
import { Side } from '../domain/enums.ts';
import type { BookDeltas } from '../domain/market-events.ts';

/** Default levels kept per side: OKX `books` depth (400) with headroom. */
export const DEFAULT_BOOK_CAPACITY = 512;

export class L2Book {
  readonly capacity: number;
  readonly bidPx: Float64Array;
  readonly bidSz: Float64Array;
  readonly askPx: Float64Array;
  readonly askSz: Float64Array;
  bidCount = 0;
  askCount = 0;
  /** Levels discarded because a side was full (the worst level goes). */
  overflowCount = 0;

  constructor(capacity: number = DEFAULT_BOOK_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`L2Book capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.bidPx = new Float64Array(capacity);
    this.bidSz = new Float64Array(capacity);
    this.askPx = new Float64Array(capacity);
    this.askSz = new Float64Array(capacity);
  }

  clear(): void {
    this.bidCount = 0;
    this.askCount = 0;
  }

  /** Best bid in ticks, NaN when the side is empty. */
  bestBid(): number {
    return this.bidCount > 0 ? this.bidPx[0]! : NaN;
  }

  bestAsk(): number {
    return this.askCount > 0 ? this.askPx[0]! : NaN;
  }

  bestBidSize(): number {
    return this.bidCount > 0 ? this.bidSz[0]! : 0;
  }

  bestAskSize(): number {
    return this.askCount > 0 ? this.askSz[0]! : 0;
  }

  /** Mid price in ticks (may be x.5), NaN unless both sides have a level. */
  midTicks(): number {
    return this.bidCount > 0 && this.askCount > 0 ? (this.bidPx[0]! + this.askPx[0]!) / 2 : NaN;
  }

  /** Spread in ticks, NaN unless both sides have a level. */
  spreadTicks(): number {
    return this.bidCount > 0 && this.askCount > 0 ? this.askPx[0]! - this.bidPx[0]! : NaN;
  }

  /** True when best bid ≥ best ask (crossed or locked). */
  isCrossed(): boolean {
    return this.bidCount > 0 && this.askCount > 0 && this.bidPx[0]! >= this.askPx[0]!;
  }

  /** Sets one level; size 0 deletes it. `side` Buy = bid, Sell = ask. */
  set(side: Side, priceTicks: number, sizeLots: number): void {
    if (side === Side.Buy) this.setBid(priceTicks, sizeLots);
    else this.setAsk(priceTicks, sizeLots);
  }

  setBid(priceTicks: number, sizeLots: number): void {
    this.bidCount = this.setLevel(this.bidPx, this.bidSz, this.bidCount, priceTicks, sizeLots, true);
  }

  setAsk(priceTicks: number, sizeLots: number): void {
    this.askCount = this.setLevel(this.askPx, this.askSz, this.askCount, priceTicks, sizeLots, false);
  }

  /** Size resting at a price (0 when there is no level). */
  sizeAt(side: Side, priceTicks: number): number {
    const bid = side === Side.Buy;
    const px = bid ? this.bidPx : this.askPx;
    const n = bid ? this.bidCount : this.askCount;
    const i = findIndex(px, n, priceTicks, bid);
    return i < n && px[i] === priceTicks ? (bid ? this.bidSz : this.askSz)[i]! : 0;
  }

  /** Total lots over the best `levels` levels of one side. */
  depthLots(side: Side, levels: number): number {
    const bid = side === Side.Buy;
    const sz = bid ? this.bidSz : this.askSz;
    const n = Math.min(levels, bid ? this.bidCount : this.askCount);
    let total = 0;
    for (let i = 0; i < n; i++) total += sz[i]!;
    return total;
  }

  /** Applies a snapshot (replaces the book) or incremental deltas. */
  applyDeltas(d: BookDeltas): void {
    if (d.isSnapshot) this.clear();
    for (let i = 0; i < d.bidCount; i++) this.setBid(d.bidPriceTicks[i]!, d.bidSizeLots[i]!);
    for (let i = 0; i < d.askCount; i++) this.setAsk(d.askPriceTicks[i]!, d.askSizeLots[i]!);
  }

  /** Copies another book's levels (same or larger capacity), no allocation. */
  copyFrom(o: L2Book): void {
    const nb = Math.min(o.bidCount, this.capacity);
    const na = Math.min(o.askCount, this.capacity);
    for (let i = 0; i < nb; i++) {
      this.bidPx[i] = o.bidPx[i]!;
      this.bidSz[i] = o.bidSz[i]!;
    }
    for (let i = 0; i < na; i++) {
      this.askPx[i] = o.askPx[i]!;
      this.askSz[i] = o.askSz[i]!;
    }
    this.bidCount = nb;
    this.askCount = na;
  }

  private setLevel(px: Float64Array, sz: Float64Array, n: number, priceTicks: number, sizeLots: number, descending: boolean): number {
    const i = findIndex(px, n, priceTicks, descending);
    const exists = i < n && px[i] === priceTicks;
    if (sizeLots <= 0) {
      if (!exists) return n;
      shiftDown(px, sz, i, n);
      return n - 1;
    }
    if (exists) {
      sz[i] = sizeLots;
      return n;
    }
    if (i >= this.capacity) {
      // Worse than every level of a full side: not kept.
      this.overflowCount++;
      return n;
    }
    let count = n;
    if (count === this.capacity) {
      this.overflowCount++;
      count--; // the worst level falls off the end
    }
    shiftUp(px, sz, i, count);
    px[i] = priceTicks;
    sz[i] = sizeLots;
    return count + 1;
  }
}

/**
 * Below this many levels to move, a plain loop beats two `copyWithin` builtin
 * calls (~20 ns of call overhead each); most updates land near the touch.
 */
const LOOP_MOVE_MAX = 48;

/** Removes level i of [0, n): levels i+1.. move up one. */
function shiftDown(px: Float64Array, sz: Float64Array, i: number, n: number): void {
  if (n - i > LOOP_MOVE_MAX) {
    px.copyWithin(i, i + 1, n);
    sz.copyWithin(i, i + 1, n);
    return;
  }
  for (let k = i + 1; k < n; k++) {
    px[k - 1] = px[k]!;
    sz[k - 1] = sz[k]!;
  }
}

/** Opens a gap at i in [0, n): levels i..n-1 move down one (to i+1..n). */
function shiftUp(px: Float64Array, sz: Float64Array, i: number, n: number): void {
  if (n - i > LOOP_MOVE_MAX) {
    px.copyWithin(i + 1, i, n);
    sz.copyWithin(i + 1, i, n);
    return;
  }
  for (let k = n; k > i; k--) {
    px[k] = px[k - 1]!;
    sz[k] = sz[k - 1]!;
  }
}

/**
 * First index whose price is not better than `priceTicks`: the level's slot
 * if present, else where it would be inserted. Bids are descending, asks ascending.
 */
function findIndex(px: Float64Array, n: number, priceTicks: number, descending: boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = px[mid]!;
    if (descending ? p > priceTicks : p < priceTicks) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
