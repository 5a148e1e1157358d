/**
 * Exact "identical intent within T" detector (15c3-5 (c)(1)(ii) duplicative
 * orders): has an order with the same instrument, side, type, price and size
 * been accepted less than `windowUs` ago?
 *
 * Role: DRBGuard's row-14 duplicate-intent check. Owning thread: the risk
 * stage (single writer). Hot: `expire`, `findAgeUs` and `record` are O(1)
 * expected, allocation-free; memory is reserved in the constructor.
 *
 * Layout: a ring of accepted intents in time order (oldest at `head`) plus an
 * open-addressing index (linear probing, ≥ 4× capacity slots, backward-shift
 * deletion) from the intent's hash to its ring position. `expire` pops
 * entries that left the window from the ring *and* the index, so the index
 * holds exactly the live intents and a lookup is a short probe, not a scan
 * (a linear scan of ~100 live entries cost ~150 ns per check). Capacity must
 * cover every intent that can be accepted inside one window; the guard sizes
 * it from the order throttle (`duplicateHistorySlots`), so it never evicts a
 * live entry in practice — if it must, it drops the oldest (documented gap).
 */
export class DuplicateIntentFilter {
  readonly capacity: number;
  readonly windowUs: number;
  private readonly inst: Int32Array;
  private readonly side: Int8Array;
  private readonly type: Int8Array;
  private readonly px: Float64Array;
  private readonly lots: Float64Array;
  private readonly ts: Float64Array;
  private readonly hash: Int32Array;
  private head = 0;
  private count = 0;
  /** Ring position + 1 per slot; 0 = empty. */
  private readonly slotEntry: Int32Array;
  private readonly slotMask: number;

  constructor(capacity: number, windowUs: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`DuplicateIntentFilter capacity must be an integer ≥ 1, got ${capacity}`);
    if (!(windowUs >= 0) || !Number.isFinite(windowUs)) throw new RangeError(`DuplicateIntentFilter windowUs must be ≥ 0, got ${windowUs}`);
    this.capacity = capacity;
    this.windowUs = windowUs;
    this.inst = new Int32Array(capacity);
    this.side = new Int8Array(capacity);
    this.type = new Int8Array(capacity);
    this.px = new Float64Array(capacity);
    this.lots = new Float64Array(capacity);
    this.ts = new Float64Array(capacity);
    this.hash = new Int32Array(capacity);
    let slots = 16;
    while (slots < capacity * 4) slots *= 2;
    this.slotEntry = new Int32Array(slots);
    this.slotMask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  private static hashOf(inst: number, side: number, type: number, px: number, lots: number): number {
    let h = Math.imul(px >>> 0, 0x9e3779b1);
    h ^= Math.imul((px / 4294967296) >>> 0, 0x85ebca6b);
    h = Math.imul(h ^ (lots >>> 0), 0xc2b2ae35);
    h = Math.imul(h ^ ((inst << 4) | ((side + 1) << 2) | type), 0x27d4eb2f);
    return h ^ (h >>> 15);
  }

  /** Drops intents accepted `windowUs` or more before `nowUs`. */
  expire(nowUs: number): void {
    while (this.count > 0 && nowUs - this.ts[this.head]! >= this.windowUs) this.popOldest();
  }

  /** Age in µs of a live identical intent, or -1. Call `expire(nowUs)` first. */
  findAgeUs(nowUs: number, inst: number, side: number, type: number, px: number, lots: number): number {
    if (this.count === 0) return -1;
    const mask = this.slotMask;
    let s = DuplicateIntentFilter.hashOf(inst, side, type, px, lots) & mask;
    while (true) {
      const e = this.slotEntry[s]!;
      if (e === 0) return -1;
      const r = e - 1;
      if (this.px[r] === px && this.lots[r] === lots && this.inst[r] === inst && this.side[r] === side && this.type[r] === type) {
        return nowUs - this.ts[r]!;
      }
      s = (s + 1) & mask;
    }
  }

  /** Remembers an accepted intent. Evicts the oldest if full. */
  record(nowUs: number, inst: number, side: number, type: number, px: number, lots: number): void {
    if (this.count === this.capacity) this.popOldest();
    let r = this.head + this.count;
    if (r >= this.capacity) r -= this.capacity;
    const h = DuplicateIntentFilter.hashOf(inst, side, type, px, lots);
    this.inst[r] = inst;
    this.side[r] = side;
    this.type[r] = type;
    this.px[r] = px;
    this.lots[r] = lots;
    this.ts[r] = nowUs;
    this.hash[r] = h;
    this.count++;
    const mask = this.slotMask;
    let s = h & mask;
    while (this.slotEntry[s] !== 0) s = (s + 1) & mask;
    this.slotEntry[s] = r + 1;
  }

  private popOldest(): void {
    const r = this.head;
    const mask = this.slotMask;
    let s = this.hash[r]! & mask;
    while (this.slotEntry[s] !== r + 1) s = (s + 1) & mask;
    // Backward-shift deletion (Knuth's algorithm R): no tombstones.
    let i = s;
    let j = s;
    while (true) {
      j = (j + 1) & mask;
      const e = this.slotEntry[j]!;
      if (e === 0) break;
      const home = this.hash[e - 1]! & mask;
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        this.slotEntry[i] = e;
        i = j;
      }
    }
    this.slotEntry[i] = 0;
    this.head = r + 1 === this.capacity ? 0 : r + 1;
    this.count--;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
    this.slotEntry.fill(0);
  }
}
