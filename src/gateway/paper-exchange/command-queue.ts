/**
 * Commands in flight from us to the venue (entry latency).
 *
 * Role: a fixed-capacity FIFO of new-order and cancel commands, each due at
 * the venue at `dueUs`. Due times are made non-decreasing on push (a later
 * command never overtakes an earlier one, as on one order-entry session), so
 * a ring suffices. Owning thread: execution stage worker. Hot: push/pop O(1),
 * no allocation.
 */

export const enum CommandKind {
  /** Dropped while in flight (cancel-on-disconnect); skipped on arrival. */
  Dead = 0,
  New = 1,
  Cancel = 2,
}

export class CommandQueue {
  readonly capacity: number;
  readonly dueUs: Float64Array;
  readonly kind: Uint8Array;
  /** New: order-table slot. Cancel: unused (-1). */
  readonly slot: Int32Array;
  /** Cancel: target id. New: the order's id. */
  readonly clientOrderId: Float64Array;
  readonly instrumentId: Int32Array;
  head = 0;
  count = 0;
  private lastDueUs = -Infinity;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`CommandQueue capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.dueUs = new Float64Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.slot = new Int32Array(capacity);
    this.clientOrderId = new Float64Array(capacity);
    this.instrumentId = new Int32Array(capacity);
  }

  get isFull(): boolean {
    return this.count === this.capacity;
  }

  /** Appends; false when full. */
  push(dueUs: number, kind: CommandKind, slot: number, clientOrderId: number, instrumentId: number): boolean {
    if (this.count === this.capacity) return false;
    const due = dueUs < this.lastDueUs ? this.lastDueUs : dueUs;
    this.lastDueUs = due;
    let i = this.head + this.count;
    if (i >= this.capacity) i -= this.capacity;
    this.dueUs[i] = due;
    this.kind[i] = kind;
    this.slot[i] = slot;
    this.clientOrderId[i] = clientOrderId;
    this.instrumentId[i] = instrumentId;
    this.count++;
    return true;
  }

  /** Due time of the oldest command, +Infinity when empty. */
  peekDueUs(): number {
    return this.count === 0 ? Infinity : this.dueUs[this.head]!;
  }

  /** Index of the oldest entry (read its fields), then `pop()`. */
  get headIndex(): number {
    return this.head;
  }

  pop(): void {
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.count--;
  }

  /** Physical index of the k-th oldest entry, for scans. */
  indexAt(k: number): number {
    const i = this.head + k;
    return i >= this.capacity ? i - this.capacity : i;
  }
}
