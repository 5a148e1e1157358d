/**
 * L2 order book for one instrument: price levels in integer ticks with sizes
 * in lots, read from the touch outwards (`bidPrice(0)` is the best bid).
 *
 * Role: the book the sanitizer maintains (and checks) and the paper venue
 * fills against. Owning thread: whichever stage holds it (single writer,
 * not shared across threads). Hot: `set`/`applyDeltas` run per book message.
 *
 * Layout: per side, two parallel sorted Float64Arrays stored **worst level
 * first, best level last**, so walking the book is a linear scan of
 * contiguous memory and the touch — where most of a live book's updates
 * land — sits at the end: finding a level there is a short scan back from
 * the end (binary search beyond 8 levels) and an insert or delete moves
 * only the few levels better than it (a short loop or `copyWithin`, no
 * allocation). Stored best-first, a change at the touch moved the whole
 * side (400 levels on OKX): on an OKX-depth stream (`npm run bench --
 * logic`, 70 % of changes within 10 levels of the touch) an update took
 * ~330 ns that way, ~260 ns now; on the synthetic market's 20-level books
 * (changes at both ends) the two layouts cost about the same.
 * hftbacktest's tick-indexed dense vector (`roivectormarketdepth.rs`) gives
 * O(1) updates but needs a price window sized in advance; sorted arrays
 * need none and stay correct after a 10× jump. The arrays are private: level i from the touch is
 * `bidPrice(i)` / `bidSize(i)` (and ask, or `price(side, i)`).
 */
import { Side } from '../domain/enums.ts';
import type { BookDeltas } from '../domain/market-events.ts';

/** Default levels kept per side: OKX `books` depth (400) with headroom. */
export const DEFAULT_BOOK_CAPACITY = 512;

export class L2Book {
  readonly capacity: number;
  /** Bid prices ascending: index bidCount − 1 is the best bid. */
  private readonly bidPx: Float64Array;
  private readonly bidSz: Float64Array;
  /** Ask prices descending: index askCount − 1 is the best ask. */
  private readonly askPx: Float64Array;
  private readonly askSz: Float64Array;
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

  /** Price of bid level `i` (0 = best); `i` must be < bidCount. */
  bidPrice(i: number): number {
    return this.bidPx[this.bidCount - 1 - i]!;
  }

  bidSize(i: number): number {
    return this.bidSz[this.bidCount - 1 - i]!;
  }

  /** Price of ask level `i` (0 = best); `i` must be < askCount. */
  askPrice(i: number): number {
    return this.askPx[this.askCount - 1 - i]!;
  }

  askSize(i: number): number {
    return this.askSz[this.askCount - 1 - i]!;
  }

  /** Levels on one side (`Side.Buy` = bids). */
  levels(side: Side): number {
    return side === Side.Buy ? this.bidCount : this.askCount;
  }

  /** Price of level `i` (0 = best) of one side; `i` must be < `levels(side)`. */
  price(side: Side, i: number): number {
    return side === Side.Buy ? this.bidPx[this.bidCount - 1 - i]! : this.askPx[this.askCount - 1 - i]!;
  }

  size(side: Side, i: number): number {
    return side === Side.Buy ? this.bidSz[this.bidCount - 1 - i]! : this.askSz[this.askCount - 1 - i]!;
  }

  /** Best bid in ticks, NaN when the side is empty. */
  bestBid(): number {
    return this.bidCount > 0 ? this.bidPx[this.bidCount - 1]! : NaN;
  }

  bestAsk(): number {
    return this.askCount > 0 ? this.askPx[this.askCount - 1]! : NaN;
  }

  bestBidSize(): number {
    return this.bidCount > 0 ? this.bidSz[this.bidCount - 1]! : 0;
  }

  bestAskSize(): number {
    return this.askCount > 0 ? this.askSz[this.askCount - 1]! : 0;
  }

  /** Mid price in ticks (may be x.5), NaN unless both sides have a level. */
  midTicks(): number {
    return this.bidCount > 0 && this.askCount > 0 ? (this.bidPx[this.bidCount - 1]! + this.askPx[this.askCount - 1]!) / 2 : NaN;
  }

  /** Spread in ticks, NaN unless both sides have a level. */
  spreadTicks(): number {
    return this.bidCount > 0 && this.askCount > 0 ? this.askPx[this.askCount - 1]! - this.bidPx[this.bidCount - 1]! : NaN;
  }

  /** True when best bid ≥ best ask (crossed or locked). */
  isCrossed(): boolean {
    return this.bidCount > 0 && this.askCount > 0 && this.bidPx[this.bidCount - 1]! >= this.askPx[this.askCount - 1]!;
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
    const n = bid ? this.bidCount : this.askCount;
    const stop = n - Math.min(levels, n);
    let total = 0;
    for (let i = n - 1; i >= stop; i--) total += sz[i]!;
    return total;
  }

  /** Applies a snapshot (replaces the book) or incremental deltas. */
  applyDeltas(d: BookDeltas): void {
    if (d.isSnapshot) {
      this.clear();
      // A venue snapshot lists each side from the touch outwards: stored
      // worst-first it would insert every level at index 0 and move the side
      // each time (O(n²)); take it as a block when it is strictly ordered.
      if (this.loadSorted(d)) return;
    }
    for (let i = 0; i < d.bidCount; i++) this.setBid(d.bidPriceTicks[i]!, d.bidSizeLots[i]!);
    for (let i = 0; i < d.askCount; i++) this.setAsk(d.askPriceTicks[i]!, d.askSizeLots[i]!);
  }

  /**
   * Writes the best `maxLevels` levels of each side into `d`, best first (the
   * order a venue's snapshot lists them), and sets its counts; leaves `d`'s
   * other fields alone. Bounded by `d`'s capacity. No allocation.
   */
  copyLevelsTo(d: BookDeltas, maxLevels: number = this.capacity): void {
    const nb = Math.min(this.bidCount, maxLevels, d.bidPriceTicks.length);
    const na = Math.min(this.askCount, maxLevels, d.askPriceTicks.length);
    for (let i = 0; i < nb; i++) {
      d.bidPriceTicks[i] = this.bidPx[this.bidCount - 1 - i]!;
      d.bidSizeLots[i] = this.bidSz[this.bidCount - 1 - i]!;
    }
    for (let i = 0; i < na; i++) {
      d.askPriceTicks[i] = this.askPx[this.askCount - 1 - i]!;
      d.askSizeLots[i] = this.askSz[this.askCount - 1 - i]!;
    }
    d.bidCount = nb;
    d.askCount = na;
  }

  /** Copies another book's levels (the best `capacity` of each side), no allocation. */
  copyFrom(o: L2Book): void {
    const nb = Math.min(o.bidCount, this.capacity);
    const na = Math.min(o.askCount, this.capacity);
    const ob = o.bidCount - nb;
    const oa = o.askCount - na;
    for (let i = 0; i < nb; i++) {
      this.bidPx[i] = o.bidPx[ob + i]!;
      this.bidSz[i] = o.bidSz[ob + i]!;
    }
    for (let i = 0; i < na; i++) {
      this.askPx[i] = o.askPx[oa + i]!;
      this.askSz[i] = o.askSz[oa + i]!;
    }
    this.bidCount = nb;
    this.askCount = na;
  }

  /**
   * Snapshot fast path (the book is empty): both sides strictly ordered from
   * the touch, sizes > 0, within capacity. Otherwise leaves the book empty
   * and returns false, and the caller applies the levels one by one (same
   * result as before for unordered, duplicate or oversized snapshots).
   */
  private loadSorted(d: BookDeltas): boolean {
    const nb = d.bidCount;
    const na = d.askCount;
    if (nb > this.capacity || na > this.capacity) return false;
    const bp = d.bidPriceTicks;
    const bs = d.bidSizeLots;
    const ap = d.askPriceTicks;
    const as = d.askSizeLots;
    for (let i = 0; i < nb; i++) if (!(bs[i]! > 0) || (i > 0 && !(bp[i]! < bp[i - 1]!))) return false;
    for (let i = 0; i < na; i++) if (!(as[i]! > 0) || (i > 0 && !(ap[i]! > ap[i - 1]!))) return false;
    for (let i = 0; i < nb; i++) {
      this.bidPx[nb - 1 - i] = bp[i]!;
      this.bidSz[nb - 1 - i] = bs[i]!;
    }
    for (let i = 0; i < na; i++) {
      this.askPx[na - 1 - i] = ap[i]!;
      this.askSz[na - 1 - i] = as[i]!;
    }
    this.bidCount = nb;
    this.askCount = na;
    return true;
  }

  private setLevel(px: Float64Array, sz: Float64Array, n: number, priceTicks: number, sizeLots: number, bid: boolean): number {
    const i = findIndex(px, n, priceTicks, bid);
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
    if (n < this.capacity) {
      shiftUp(px, sz, i, n);
      px[i] = priceTicks;
      sz[i] = sizeLots;
      return n + 1;
    }
    // Full side: the worst level (index 0) goes, unless the new one is worse still.
    this.overflowCount++;
    if (i === 0) return n;
    shiftDown(px, sz, 0, i);
    px[i - 1] = priceTicks;
    sz[i - 1] = sizeLots;
    return n;
  }
}

/**
 * Below this many levels to move, a plain loop beats two `copyWithin`
 * builtin calls (~20 ns of call overhead each); most updates land near the
 * touch, i.e. near the end, and move only a few.
 */
const LOOP_MOVE_MAX = 48;

/** Removes index i of [0, n): indexes i+1.. move down one. */
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

/** Opens a gap at i in [0, n): indexes i..n-1 move up one (to i+1..n). */
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

/** Levels next to the touch scanned linearly before falling back to binary search. */
const NEAR_TOUCH = 8;

/**
 * First index whose price is not worse than `priceTicks`: the level's slot if
 * present, else where it would be inserted. Stored worst first: bids
 * ascending, asks descending. Most updates land within a few levels of the
 * touch (the end), so those are scanned first: a predictable loop instead of
 * ~9 mispredicted halvings of a 400-level side.
 */
function findIndex(px: Float64Array, n: number, priceTicks: number, bid: boolean): number {
  let j = n;
  const stop = n > NEAR_TOUCH ? n - NEAR_TOUCH : 0;
  if (bid) {
    while (j > stop && px[j - 1]! >= priceTicks) j--;
  } else {
    while (j > stop && px[j - 1]! <= priceTicks) j--;
  }
  if (j > stop || j === 0) return j;
  let lo = 0;
  let hi = j;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = px[mid]!;
    if (bid ? p < priceTicks : p > priceTicks) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
