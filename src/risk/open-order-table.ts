/**
 * Fixed-capacity table of DRBGuard's working orders, keyed by clientOrderId.
 *
 * Role: the guard's own view of every order it let through and the venue has
 * not finished (accepted, partially filled, or a cancel in flight). Owning
 * thread: the risk stage (single writer). Hot: find/insert/remove are O(1)
 * expected and allocate nothing; all memory is reserved in the constructor.
 *
 * Layout (columns, struct-of-arrays):
 *
 *   rows 0..count-1  (dense; removal moves the last row into the hole)
 *   ┌─────────┬───────┬──────┬─────────┬─────────┬──────────┬─────────┬──────────┬───────┐
 *   │ orderId │ inst  │ side │ pxTicks │ sizeLots│ openLots │ stratId │ signalId │ flags │
 *   │ Float64 │ Int32 │ Int8 │ Float64 │ Float64 │ Float64  │ Int32   │ Float64  │ Uint8 │
 *   └─────────┴───────┴──────┴─────────┴─────────┴──────────┴─────────┴──────────┴───────┘
 *
 *   index: open addressing, linear probing, power-of-two slots ≥ 2 × capacity,
 *   `slotKey` (0 = empty; ids are > 0) → `slotRow`. Deletion shifts the probe
 *   chain back (Knuth's algorithm R), so there are no tombstones and lookups
 *   never degrade. Dense rows make the kill switch and the self-trade rescan
 *   O(working orders), not O(capacity).
 *
 * Capacity: `insert` returns -1 when `capacity` orders are working; the guard
 * turns that into OPEN_ORDER_TABLE_FULL (fail closed).
 */

/** Order does not rest on the book (Market/IOC): excluded from self-trade prices. */
export const FLAG_TAKER = 1;
/** A cancel has been requested (by the strategy or the kill switch). */
export const FLAG_CANCEL_PENDING = 2;
/** The venue reported a final status; the row only waits for fills still in flight. */
export const FLAG_FINAL = 4;

const TWO_POW_32 = 4294967296;

export class OpenOrderTable {
  readonly capacity: number;
  count = 0;

  readonly orderId: Float64Array;
  readonly instrumentId: Int32Array;
  readonly side: Int8Array;
  readonly priceTicks: Float64Array;
  /** Original order size; `sizeLots − openLots` = lots the guard has seen filled. */
  readonly sizeLots: Float64Array;
  readonly openLots: Float64Array;
  readonly strategyId: Int32Array;
  readonly signalId: Float64Array;
  readonly flags: Uint8Array;

  private readonly slotKey: Float64Array;
  private readonly slotRow: Int32Array;
  private readonly slotMask: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`OpenOrderTable capacity must be an integer ≥ 1, got ${capacity}`);
    this.capacity = capacity;
    this.orderId = new Float64Array(capacity);
    this.instrumentId = new Int32Array(capacity);
    this.side = new Int8Array(capacity);
    this.priceTicks = new Float64Array(capacity);
    this.sizeLots = new Float64Array(capacity);
    this.openLots = new Float64Array(capacity);
    this.strategyId = new Int32Array(capacity);
    this.signalId = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    let slots = 8;
    while (slots < capacity * 2) slots *= 2;
    this.slotKey = new Float64Array(slots);
    this.slotRow = new Int32Array(slots);
    this.slotMask = slots - 1;
  }

  private slotOf(id: number): number {
    // Mix both 32-bit halves of the (safe-integer) id; Fibonacci hashing.
    const lo = id >>> 0;
    const hi = (id / TWO_POW_32) >>> 0;
    return (Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 0) & this.slotMask;
  }

  /** Row of `id`, or -1 if it is not working. */
  find(id: number): number {
    if (!(id > 0)) return -1;
    let s = this.slotOf(id);
    while (true) {
      const k = this.slotKey[s]!;
      if (k === id) return this.slotRow[s]!;
      if (k === 0) return -1;
      s = (s + 1) & this.slotMask;
    }
  }

  /** Adds a working order; returns its row, or -1 if the table is full or `id` is already working (or ≤ 0). */
  insert(id: number, instrumentId: number, side: number, priceTicks: number, lots: number, strategyId: number, signalId: number, flags: number): number {
    if (this.count >= this.capacity || !(id > 0)) return -1;
    let s = this.slotOf(id);
    while (true) {
      const k = this.slotKey[s]!;
      if (k === 0) break;
      if (k === id) return -1;
      s = (s + 1) & this.slotMask;
    }
    const row = this.count++;
    this.slotKey[s] = id;
    this.slotRow[s] = row;
    this.orderId[row] = id;
    this.instrumentId[row] = instrumentId;
    this.side[row] = side;
    this.priceTicks[row] = priceTicks;
    this.sizeLots[row] = lots;
    this.openLots[row] = lots;
    this.strategyId[row] = strategyId;
    this.signalId[row] = signalId;
    this.flags[row] = flags;
    return row;
  }

  /** Removes `id`; returns false if it was not working. Rows after the call may have moved. */
  remove(id: number): boolean {
    if (!(id > 0)) return false;
    let s = this.slotOf(id);
    while (true) {
      const k = this.slotKey[s]!;
      if (k === 0) return false;
      if (k === id) break;
      s = (s + 1) & this.slotMask;
    }
    const row = this.slotRow[s]!;
    this.deleteSlot(s);
    const last = --this.count;
    if (row !== last) {
      // Move the last row into the hole and repoint its index slot.
      const movedId = this.orderId[last]!;
      this.orderId[row] = movedId;
      this.instrumentId[row] = this.instrumentId[last]!;
      this.side[row] = this.side[last]!;
      this.priceTicks[row] = this.priceTicks[last]!;
      this.sizeLots[row] = this.sizeLots[last]!;
      this.openLots[row] = this.openLots[last]!;
      this.strategyId[row] = this.strategyId[last]!;
      this.signalId[row] = this.signalId[last]!;
      this.flags[row] = this.flags[last]!;
      let t = this.slotOf(movedId);
      while (this.slotKey[t] !== movedId) t = (t + 1) & this.slotMask;
      this.slotRow[t] = row;
    }
    return true;
  }

  /** Backward-shift deletion: pull later members of the probe chain into the gap. */
  private deleteSlot(gap: number): void {
    const mask = this.slotMask;
    let i = gap;
    let j = gap;
    while (true) {
      j = (j + 1) & mask;
      const k = this.slotKey[j]!;
      if (k === 0) break;
      const home = this.slotOf(k);
      // Move j into i unless its home lies cyclically in (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        this.slotKey[i] = k;
        this.slotRow[i] = this.slotRow[j]!;
        i = j;
      }
    }
    this.slotKey[i] = 0;
  }

  clear(): void {
    this.count = 0;
    this.slotKey.fill(0);
  }
}
