/**
 * Fixed-capacity table of the paper venue's live orders.
 *
 * Role: every order the venue knows (in flight or resting) lives in one slot
 * of struct-of-arrays typed arrays; a slot is found by clientOrderId through
 * an open-addressing hash index (linear probing, backward-shift delete), and
 * resting orders are also kept in a dense list for per-event scans.
 * Owning thread: execution stage worker, single writer. Hot: `alloc`, `find`,
 * `free`, `addResting`/`removeResting` are O(1) and allocate nothing; all
 * memory is taken at construction.
 */
import type { OrderIntent } from '../../core/domain/orders.ts';

export const enum SlotState {
  Free = 0,
  /** Submitted, travelling to the venue (entry latency). */
  InFlight = 1,
  /** Active at the venue, resting in the book. */
  Resting = 2,
}

/** Returned by `find` / `alloc` when there is no slot. */
export const NO_SLOT = -1;

export class OrderTable {
  readonly capacity: number;
  readonly state: Uint8Array;
  readonly clientOrderId: Float64Array;
  readonly instrumentId: Int32Array;
  readonly side: Int8Array;
  readonly type: Int8Array;
  readonly priceTicks: Float64Array;
  readonly sizeLots: Float64Array;
  readonly filledLots: Float64Array;
  /** Estimated lots ahead of us at our price (queue model state). */
  readonly queueAheadLots: Float64Array;
  /** Displayed size at our price when last looked at. */
  readonly levelSeenLots: Float64Array;
  /** Lots traded at our price since `levelSeenLots` was taken. */
  readonly tradedSinceLots: Float64Array;
  readonly tsTriggerRecvUs: Float64Array;
  /** Index in `resting`, or -1. */
  readonly restingPos: Int32Array;

  /** Dense list of resting slots (order of insertion, perturbed by swap-remove). */
  readonly resting: Int32Array;
  restingCount = 0;
  liveCount = 0;

  private readonly freeStack: Int32Array;
  private freeTop: number;
  private readonly hashKeys: Float64Array;
  private readonly hashSlots: Int32Array;
  private readonly hashMask: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 24) {
      throw new RangeError(`OrderTable capacity must be an integer in [1, 2^24], got ${capacity}`);
    }
    this.capacity = capacity;
    this.state = new Uint8Array(capacity);
    this.clientOrderId = new Float64Array(capacity);
    this.instrumentId = new Int32Array(capacity);
    this.side = new Int8Array(capacity);
    this.type = new Int8Array(capacity);
    this.priceTicks = new Float64Array(capacity);
    this.sizeLots = new Float64Array(capacity);
    this.filledLots = new Float64Array(capacity);
    this.queueAheadLots = new Float64Array(capacity);
    this.levelSeenLots = new Float64Array(capacity);
    this.tradedSinceLots = new Float64Array(capacity);
    this.tsTriggerRecvUs = new Float64Array(capacity);
    this.restingPos = new Int32Array(capacity).fill(-1);
    this.resting = new Int32Array(capacity);
    this.freeStack = new Int32Array(capacity);
    // Pop order 0, 1, 2, … so slot numbering is deterministic.
    for (let i = 0; i < capacity; i++) this.freeStack[i] = capacity - 1 - i;
    this.freeTop = capacity;
    let hashSize = 2;
    while (hashSize < capacity * 2) hashSize <<= 1;
    this.hashKeys = new Float64Array(hashSize);
    this.hashSlots = new Int32Array(hashSize).fill(NO_SLOT);
    this.hashMask = hashSize - 1;
  }

  get isFull(): boolean {
    return this.freeTop === 0;
  }

  /** Slot of a live order, or NO_SLOT. */
  find(clientOrderId: number): number {
    let h = hashOf(clientOrderId) & this.hashMask;
    while (true) {
      const s = this.hashSlots[h]!;
      if (s === NO_SLOT) return NO_SLOT;
      if (this.hashKeys[h] === clientOrderId) return s;
      h = (h + 1) & this.hashMask;
    }
  }

  /** Takes a slot for the intent (state InFlight). NO_SLOT when full. The caller checks duplicates first. */
  alloc(o: OrderIntent): number {
    if (this.freeTop === 0) return NO_SLOT;
    const s = this.freeStack[--this.freeTop]!;
    this.state[s] = SlotState.InFlight;
    this.clientOrderId[s] = o.clientOrderId;
    this.instrumentId[s] = o.instrumentId;
    this.side[s] = o.side;
    this.type[s] = o.type;
    this.priceTicks[s] = o.priceTicks;
    this.sizeLots[s] = o.sizeLots;
    this.filledLots[s] = 0;
    this.queueAheadLots[s] = 0;
    this.levelSeenLots[s] = 0;
    this.tradedSinceLots[s] = 0;
    this.tsTriggerRecvUs[s] = o.tsTriggerRecvUs;
    this.restingPos[s] = -1;
    let h = hashOf(o.clientOrderId) & this.hashMask;
    while (this.hashSlots[h] !== NO_SLOT) h = (h + 1) & this.hashMask;
    this.hashKeys[h] = o.clientOrderId;
    this.hashSlots[h] = s;
    this.liveCount++;
    return s;
  }

  /** Releases a slot (removing it from the resting list and the id index). */
  free(s: number): void {
    if (this.state[s] === SlotState.Free) return;
    if (this.restingPos[s]! >= 0) this.removeResting(s);
    this.hashDelete(this.clientOrderId[s]!);
    this.state[s] = SlotState.Free;
    this.freeStack[this.freeTop++] = s;
    this.liveCount--;
  }

  addResting(s: number): void {
    this.state[s] = SlotState.Resting;
    this.restingPos[s] = this.restingCount;
    this.resting[this.restingCount++] = s;
  }

  /** Swap-remove: safe while scanning `resting` from the end towards 0. */
  removeResting(s: number): void {
    const i = this.restingPos[s]!;
    if (i < 0) return;
    const last = this.resting[--this.restingCount]!;
    this.resting[i] = last;
    this.restingPos[last] = i;
    this.restingPos[s] = -1;
  }

  private hashDelete(key: number): void {
    const mask = this.hashMask;
    let i = hashOf(key) & mask;
    while (true) {
      const s = this.hashSlots[i]!;
      if (s === NO_SLOT) return;
      if (this.hashKeys[i] === key) break;
      i = (i + 1) & mask;
    }
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    let j = i;
    while (true) {
      j = (j + 1) & mask;
      const s = this.hashSlots[j]!;
      if (s === NO_SLOT) break;
      const home = hashOf(this.hashKeys[j]!) & mask;
      // Move j back into the hole at i unless its home lies cyclically in (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        this.hashKeys[i] = this.hashKeys[j]!;
        this.hashSlots[i] = s;
        i = j;
      }
    }
    this.hashSlots[i] = NO_SLOT;
  }
}

/** Mixes a float64 integer id (< 2^53) into 32 bits. */
function hashOf(id: number): number {
  const lo = id | 0;
  const hi = (id / 4294967296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
  h ^= h >>> 16;
  return h >>> 0;
}
