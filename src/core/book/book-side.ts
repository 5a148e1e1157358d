/**
 * One side of an L2Book: its levels as two parallel Float64Arrays (key,
 * size) sorted **worst level first, best level last**, kept in the middle of
 * a buffer twice the side's capacity so that a level can be inserted or
 * removed by moving whichever part of the side is shorter — the levels
 * worse than it (down into the room below) or the ones better (up into the
 * room above).
 *
 * Keys: the bid side stores prices, the ask side stores **negated** prices,
 * so on both sides a greater key is a better level and one code path serves
 * both (no per-call side branch in the search or the moves).
 *
 * Owning thread: the L2Book's. Hot: `set` runs per changed level.
 *
 * Why both ends: live books change mostly at the touch (the end of the
 * array, a few levels to move), but a book kept at a fixed depth also
 * trims and refills its far end on every move (the synthetic market: ~30 %
 * of changes land on the worst level or beyond it). Stored worst-first in a
 * buffer with no room below, each of those moved the whole side (20–400
 * levels); here it moves none. When the side drifts into an end of the
 * buffer it is re-centred once (one copy of the side), which happens at most
 * once per ~capacity/2 inserts.
 */
export class BookSide {
  readonly capacity: number;
  /** Keys ascending (price on bids, −price on asks) over [lo, lo + n). */
  readonly key: Float64Array;
  readonly size: Float64Array;
  /** Buffer index of the worst level. */
  lo: number;
  /** Levels on this side. */
  n = 0;
  /** Levels discarded because the side was full (the worst level goes). */
  overflowCount = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    // Room for a full side plus capacity free slots, split between both ends.
    this.key = new Float64Array(2 * capacity + 2);
    this.size = new Float64Array(2 * capacity + 2);
    this.lo = capacity + 1;
  }

  clear(): void {
    this.n = 0;
    this.lo = (this.key.length >> 1);
  }

  /** Key of level `i` from the best (0 = best); `i` must be < n. */
  keyAt(i: number): number {
    return this.key[this.lo + this.n - 1 - i]!;
  }

  sizeAtLevel(i: number): number {
    return this.size[this.lo + this.n - 1 - i]!;
  }

  /** Size resting at `k` (0 when there is no level). */
  sizeAtKey(k: number): number {
    const i = this.lo + this.find(k);
    return i < this.lo + this.n && this.key[i] === k ? this.size[i]! : 0;
  }

  /** Total size over the best `levels` levels. */
  depth(levels: number): number {
    const hi = this.lo + this.n;
    const stop = hi - (levels < this.n ? levels : this.n);
    let total = 0;
    for (let i = hi - 1; i >= stop; i--) total += this.size[i]!;
    return total;
  }

  /** Sets one level; size ≤ 0 deletes it. */
  set(k: number, s: number): void {
    const i = this.find(k);
    const n = this.n;
    const at = this.lo + i;
    const exists = i < n && this.key[at] === k;
    if (s <= 0) {
      if (exists) this.removeAt(i);
    } else if (exists) {
      this.size[at] = s;
    } else {
      this.insertAt(i, k, s);
    }
  }

  /**
   * Replaces the side with `count` levels given best first, keys strictly
   * descending (checked by the caller), count ≤ capacity.
   */
  loadBestFirst(keys: Float64Array, sizes: Float64Array, count: number, negate: boolean): void {
    const lo = (this.key.length - count) >> 1;
    const top = lo + count - 1;
    for (let j = 0; j < count; j++) {
      this.key[top - j] = negate ? -keys[j]! : keys[j]!;
      this.size[top - j] = sizes[j]!;
    }
    this.lo = lo;
    this.n = count;
  }

  /** Copies another side's best `capacity` levels. */
  copyFrom(o: BookSide): void {
    const n = o.n < this.capacity ? o.n : this.capacity;
    const lo = (this.key.length - n) >> 1;
    const from = o.lo + o.n - n;
    for (let j = 0; j < n; j++) {
      this.key[lo + j] = o.key[from + j]!;
      this.size[lo + j] = o.size[from + j]!;
    }
    this.lo = lo;
    this.n = n;
  }

  /**
   * Levels worse than `k` (its index from the worst end, i.e. where it is or
   * would be inserted). Most changes land near the touch (the top end): a
   * short scan down from there first, else a binary search. (A shortcut
   * for the worst end — `k <= key[lo]` — cost ~80 ns per change on a
   * 400-level stream of uniform changes, measured: left out.)
   */
  private find(k: number): number {
    const key = this.key;
    const lo = this.lo;
    const n = this.n;
    let j = lo + n;
    const stop = n > NEAR_TOUCH ? j - NEAR_TOUCH : lo;
    while (j > stop && key[j - 1]! >= k) j--;
    if (j > stop || j === lo) return j - lo;
    let a = lo;
    let b = j;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (key[mid]! < k) a = mid + 1;
      else b = mid;
    }
    return a - lo;
  }

  /** Inserts a new level at `i` levels from the worst end (not present). */
  private insertAt(i: number, k: number, s: number): void {
    let n = this.n;
    let lo = this.lo;
    if (n === this.capacity) {
      // Full: the worst level goes, unless the new one is worse still.
      this.overflowCount++;
      if (i === 0) return;
      lo++;
      n--;
      i--;
    }
    const key = this.key;
    const size = this.size;
    if (i <= n - i) {
      // Fewer levels below: move [lo, lo + i) down one.
      if (lo === 0) lo = this.recenter(lo, n);
      moveDown(key, size, lo, lo + i);
      lo--;
    } else {
      // Fewer levels above: move [lo + i, lo + n) up one.
      if (lo + n === key.length) lo = this.recenter(lo, n);
      moveUp(key, size, lo + i, lo + n);
    }
    key[lo + i] = k;
    size[lo + i] = s;
    this.lo = lo;
    this.n = n + 1;
  }

  /** Removes the level `i` levels from the worst end. */
  private removeAt(i: number): void {
    const n = this.n;
    const lo = this.lo;
    if (i < n - 1 - i) {
      // Fewer levels below: move [lo, lo + i) up one over it.
      moveUp(this.key, this.size, lo, lo + i);
      this.lo = lo + 1;
    } else {
      // Fewer levels above: move [lo + i + 1, lo + n) down one over it.
      moveDown(this.key, this.size, lo + i + 1, lo + n);
    }
    this.n = n - 1;
  }

  /** Moves the side to the middle of the buffer (one copy); returns the new `lo`. */
  private recenter(lo: number, n: number): number {
    const to = (this.key.length - n) >> 1;
    this.key.copyWithin(to, lo, lo + n);
    this.size.copyWithin(to, lo, lo + n);
    return to;
  }
}

/** Levels next to the touch scanned linearly before the worst end and the binary search. */
const NEAR_TOUCH = 8;

/**
 * Below this many levels to move, a plain loop beats two `copyWithin`
 * builtin calls (~20 ns of call overhead each).
 */
const LOOP_MOVE_MAX = 48;

/** Moves [from, to) down one slot (to [from − 1, to − 1)) in both arrays. */
function moveDown(key: Float64Array, size: Float64Array, from: number, to: number): void {
  if (to - from > LOOP_MOVE_MAX) {
    key.copyWithin(from - 1, from, to);
    size.copyWithin(from - 1, from, to);
    return;
  }
  for (let x = from; x < to; x++) {
    key[x - 1] = key[x]!;
    size[x - 1] = size[x]!;
  }
}

/** Moves [from, to) up one slot (to [from + 1, to + 1)) in both arrays. */
function moveUp(key: Float64Array, size: Float64Array, from: number, to: number): void {
  if (to - from > LOOP_MOVE_MAX) {
    key.copyWithin(from + 1, from, to);
    size.copyWithin(from + 1, from, to);
    return;
  }
  for (let x = to - 1; x >= from; x--) {
    key[x + 1] = key[x]!;
    size[x + 1] = size[x]!;
  }
}
