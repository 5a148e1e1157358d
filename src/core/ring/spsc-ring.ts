/**
 * Single-producer / single-consumer ring of variable-length records over a
 * SharedArrayBuffer: the only channel between pipeline stages.
 *
 * Role: `createRing` (cold, any thread) builds the SAB; each side attaches its
 * own `SpscRing` to it (`SpscRing.attach(sab)`), the producer thread claims,
 * encodes in place and commits, the consumer thread batch-reads in place.
 * Hot path: `tryClaim`/`commit`/`write`/`read`/`hasWork` allocate nothing and
 * never throw; construction throws with the offending values.
 *
 * Concurrency contract: exactly one producer thread and one consumer thread
 * per ring, and they cannot change roles (as in ringbuf.js). Use one
 * `SpscRing` instance per side. The producer is the only writer of TAIL and
 * of the producer stats; the consumer the only writer of HEAD — except with
 * DropOldest, where the producer drops old records by CAS on HEAD and the
 * consumer claims its batch by CAS too (see `readContended`).
 *
 * Publication (ringbuf.js's "copy first, publish after",
 * https://github.com/padenot/ringbuf.js): the producer writes record header
 * and payload with plain stores, then `Atomics.store(TAIL)`; the consumer
 * `Atomics.load(TAIL)`s, reads records with plain loads, then
 * `Atomics.store(HEAD)` once per batch. Seq-cst Atomics give release/acquire.
 * The producer keeps a cached head and reads the real one only when the cache
 * says space is short (Agrona `OneToOneRingBuffer`'s head cache,
 * https://github.com/real-logic/agrona). The consumer's batch-then-publish-once
 * is the LMAX Disruptor's `BatchEventProcessor` idea
 * (https://github.com/LMAX-Exchange/disruptor); its producer-side twin,
 * `commitDeferred` + `flush`, publishes a burst with one TAIL store.
 *
 * Mentor's Corner. Purpose: move FlatBuffers frames between worker threads
 * with no copy on the consumer side, no structured clone, no allocation and
 * no syscall while both sides are awake. Ideal counterpart: a C++/Rust SPSC
 * ring (e.g. Agrona/Aeron's, or `rigtorp::SPSCQueue`) on pinned cores with
 * `alignas(128)` atomics and release/acquire stores that compile to plain
 * `mov`s, fed by a kernel-bypass NIC. We pay for a seq-cst `xchg` per commit,
 * JS bounds checks, a JIT, and unpinned threads that the OS migrates; in
 * exchange the whole engine stays in one language and one process. Measured
 * by `npm run bench -- ring` on the quiet 2-vCPU VM: 26.3 M msgs/s of 64 B
 * between two workers with batch publication (13.1 M publishing each record)
 * vs 0.57 M/s for postMessage and 8.4 M/s for ringbuf.js, and a ping-pong RTT
 * p50 of 0.24 µs vs 64.8 µs; a C++ ring on pinned cores does ~50–100 M/s and
 * ~0.1 µs, so most of what is left is the JIT and the seq-cst store.
 */
import {
  BYTES_F64,
  CAPACITY_INDEX,
  CONSUMED_F64,
  CONSUMER_HEARTBEAT_F64,
  DOORBELL_LENGTH,
  DOORBELL_OFFSET,
  DOORBELL_SEQ_OFFSET,
  DOORBELL_SLEEPING_OFFSET,
  DROPS_F64,
  HEADER_LENGTH,
  HEAD_CACHE_INDEX,
  HEAD_INDEX,
  HEAD_OFFSET,
  HIGH_WATER_INDEX,
  INITIAL_POSITION_INDEX,
  MAGIC_INDEX,
  MAX_CAPACITY,
  MAX_NAME_BYTES,
  MAX_PAYLOAD_INDEX,
  MESSAGES_F64,
  MIN_CAPACITY,
  NAME_LENGTH_INDEX,
  NAME_OFFSET,
  PADDING_MSG_TYPE_ID,
  POLICY_INDEX,
  PRODUCER_HEARTBEAT_F64,
  PRODUCER_WAITING_INDEX,
  READING_IDLE,
  READING_INDEX,
  RECORD_HEADER_LENGTH,
  RING_MAGIC,
  RING_VERSION,
  STALLS_F64,
  TAIL_INDEX,
  VERSION_INDEX,
  alignedRecordLength,
  defaultMaxPayloadLength,
  isPowerOfTwo,
  maxPossiblePayloadLength,
  ringByteLength,
} from './layout.ts';
import { Doorbell } from './doorbell.ts';
import type { IdleStrategy } from './idle-strategy.ts';
import {
  BackpressurePolicy,
  INSUFFICIENT_CAPACITY,
  INVALID_ARGUMENT,
  MSG_TOO_LARGE,
  type Parker,
  type RecordClaimer,
  type RecordHandler,
  type RecordReader,
} from './types.ts';

export interface RingOptions {
  /** Data bytes: a power of two in [MIN_CAPACITY, MAX_CAPACITY]. */
  capacityBytes: number;
  /** Default Block. */
  policy?: BackpressurePolicy;
  /** Shown in stats and errors; at most 100 UTF-8 bytes. */
  name?: string;
  /** Largest payload `tryClaim` accepts; default capacity / 8 (Agrona). */
  maxPayloadLength?: number;
  /**
   * Starting head/tail position (a multiple of 8). For tests: start near
   * 2^31 to exercise position overflow in a few wraps.
   */
  initialPosition?: number;
}

export interface AttachOptions {
  /** A shared doorbell (`createDoorbell()`) when one consumer reads several rings. */
  doorbell?: SharedArrayBuffer;
  /** Byte offset of that doorbell in its SAB; default 0. */
  doorbellByteOffset?: number;
}

const POLICY_NAMES = ['block', 'drop-newest', 'drop-oldest'];

export function policyName(policy: BackpressurePolicy): string {
  return POLICY_NAMES[policy] ?? `unknown(${String(policy)})`;
}

/** Cold: allocates and initialises the SAB of a ring; throws on bad options, naming the values. */
export function createRing(options: RingOptions): SharedArrayBuffer {
  const capacity = options.capacityBytes;
  if (!isPowerOfTwo(capacity) || capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
    throw new RangeError(
      `ring${options.name ? ` "${options.name}"` : ''}: capacityBytes must be a power of two in [${MIN_CAPACITY}, ${MAX_CAPACITY}], got capacityBytes=${String(capacity)}`,
    );
  }
  const policy = options.policy ?? BackpressurePolicy.Block;
  if (policy !== BackpressurePolicy.Block && policy !== BackpressurePolicy.DropNewest && policy !== BackpressurePolicy.DropOldest) {
    throw new RangeError(`ring: unknown policy=${String(policy)} (expected 0=Block, 1=DropNewest, 2=DropOldest)`);
  }
  const maxPayload = options.maxPayloadLength ?? defaultMaxPayloadLength(capacity);
  const maxPossible = maxPossiblePayloadLength(capacity);
  if (!Number.isInteger(maxPayload) || maxPayload < 1 || maxPayload > maxPossible) {
    throw new RangeError(`ring: maxPayloadLength must be an integer in [1, ${maxPossible}] for capacityBytes=${capacity}, got maxPayloadLength=${String(maxPayload)}`);
  }
  const initial = options.initialPosition ?? 0;
  if (!Number.isInteger(initial) || initial < -(2 ** 31) || initial > 2 ** 31 - 1 || initial % 8 !== 0) {
    throw new RangeError(`ring: initialPosition must be an int32 multiple of 8, got initialPosition=${String(initial)}`);
  }
  const nameBytes = new TextEncoder().encode(options.name ?? '');
  if (nameBytes.length > MAX_NAME_BYTES) {
    throw new RangeError(`ring: name is ${nameBytes.length} UTF-8 bytes, at most ${MAX_NAME_BYTES} fit: "${options.name}"`);
  }
  const sab = new SharedArrayBuffer(ringByteLength(capacity));
  const i32 = new Int32Array(sab, 0, HEADER_LENGTH >> 2);
  i32[VERSION_INDEX] = RING_VERSION;
  i32[CAPACITY_INDEX] = capacity;
  i32[POLICY_INDEX] = policy;
  i32[MAX_PAYLOAD_INDEX] = maxPayload;
  i32[INITIAL_POSITION_INDEX] = initial;
  i32[NAME_LENGTH_INDEX] = nameBytes.length;
  new Uint8Array(sab, NAME_OFFSET, MAX_NAME_BYTES).set(nameBytes);
  i32[HEAD_INDEX] = initial;
  i32[TAIL_INDEX] = initial;
  i32[HEAD_CACHE_INDEX] = initial;
  i32[READING_INDEX] = READING_IDLE;
  i32[HIGH_WATER_INDEX] = 0;
  // Magic last: an attach that sees it sees a fully initialised header.
  Atomics.store(i32, MAGIC_INDEX, RING_MAGIC);
  return sab;
}

/**
 * Cold: returns a ring to its just-created state — empty at its initial
 * position, every counter, heartbeat and doorbell at zero — keeping its
 * configuration and name. Only for a ring nobody is attached to any more
 * (attach fresh SpscRings afterwards): a thread that runs many short
 * in-process replays reuses its ~47 MiB of rings instead of allocating and
 * zeroing them per replay. The data region is left as is: a reader only
 * ever reads between head and tail, which start equal.
 */
export function resetRing(sab: SharedArrayBuffer): void {
  describeRing(sab);
  const i32 = new Int32Array(sab, 0, HEADER_LENGTH >> 2);
  // Everything after the META slot: positions, doorbell, counters, heartbeats.
  new Uint8Array(sab, HEAD_OFFSET, HEADER_LENGTH - HEAD_OFFSET).fill(0);
  const initial = i32[INITIAL_POSITION_INDEX]!;
  i32[HEAD_INDEX] = initial;
  i32[TAIL_INDEX] = initial;
  i32[HEAD_CACHE_INDEX] = initial;
  Atomics.store(i32, READING_INDEX, READING_IDLE);
}

export interface RingHeaderInfo {
  capacity: number;
  policy: BackpressurePolicy;
  maxPayloadLength: number;
  name: string;
}

/** Cold: validates a ring SAB and returns its configuration; throws naming what is wrong. */
export function describeRing(sab: SharedArrayBuffer): RingHeaderInfo {
  if (!(sab instanceof SharedArrayBuffer)) {
    throw new TypeError(`ring: expected a SharedArrayBuffer from createRing(), got ${Object.prototype.toString.call(sab)}`);
  }
  if (sab.byteLength < HEADER_LENGTH + MIN_CAPACITY) {
    throw new RangeError(`ring: SharedArrayBuffer of byteLength=${sab.byteLength} is smaller than a ring header (${HEADER_LENGTH}) + MIN_CAPACITY (${MIN_CAPACITY})`);
  }
  const i32 = new Int32Array(sab, 0, HEADER_LENGTH >> 2);
  const magic = Atomics.load(i32, MAGIC_INDEX);
  if (magic !== RING_MAGIC) {
    throw new RangeError(`ring: not a ring SharedArrayBuffer (magic=0x${(magic >>> 0).toString(16)}, expected 0x${RING_MAGIC.toString(16)})`);
  }
  const version = i32[VERSION_INDEX]!;
  if (version !== RING_VERSION) throw new RangeError(`ring: layout version=${version}, this code reads version ${RING_VERSION}`);
  const capacity = i32[CAPACITY_INDEX]!;
  if (!isPowerOfTwo(capacity) || ringByteLength(capacity) !== sab.byteLength) {
    throw new RangeError(`ring: header capacity=${capacity} does not match SharedArrayBuffer byteLength=${sab.byteLength} (expected ${HEADER_LENGTH} + capacity)`);
  }
  const nameLength = i32[NAME_LENGTH_INDEX]!;
  // TextDecoder refuses views on shared memory: copy the few name bytes first.
  const name = new TextDecoder().decode(new Uint8Array(sab, NAME_OFFSET, nameLength).slice());
  return { capacity, policy: i32[POLICY_INDEX]! as BackpressurePolicy, maxPayloadLength: i32[MAX_PAYLOAD_INDEX]!, name };
}

const NO_CLAIM = -1;

/**
 * One side's handle on a ring. Implements the producer face (`RecordClaimer`)
 * and the consumer face (`RecordReader`); a thread uses one of the two.
 */
export class SpscRing implements RecordClaimer, RecordReader {
  readonly sab: SharedArrayBuffer;
  readonly name: string;
  readonly capacity: number;
  readonly mask: number;
  readonly policy: BackpressurePolicy;
  readonly maxPayloadLength: number;
  /** The data region; payloads are read and written here in place. */
  readonly bytes: Uint8Array;
  /** The doorbell this ring's commits ring; by default the one in its own header. */
  readonly doorbell: Doorbell;
  /** Parker for a producer blocked on a full Block ring (bind an IdleStrategy to it). */
  readonly spaceParker: Parker;

  private readonly words: Int32Array;
  private readonly ctrl: Int32Array;
  private readonly stats: Float64Array;
  private readonly bellI32: Int32Array;
  private readonly bellSeqIndex: number;
  private readonly bellSleepingIndex: number;

  // Producer-side state (only the producer thread touches these).
  private tailPos: number;
  private headCache: number;
  private pendingTail: number;
  private claimIndex: number;
  private messages: number;
  private payloadBytes: number;
  private drops: number;
  private stalls: number;
  private stalled: boolean;
  private highWater: number;
  private limitIsReader: boolean;
  /** Records committed with `commitDeferred` that TAIL does not show yet. */
  private unpublished: boolean;
  /** copyIn's two-entry cache of int32 views over source buffers. */
  private srcA: Uint8Array | null = null;
  private srcWordsA: Int32Array | null = null;
  private srcB: Uint8Array | null = null;
  private srcWordsB: Int32Array | null = null;

  // Consumer-side state.
  private headPos: number;
  private consumed: number;

  /** Attaches to a ring SAB from any thread (cold). */
  static attach(sab: SharedArrayBuffer, options: AttachOptions = {}): SpscRing {
    return new SpscRing(sab, options);
  }

  constructor(sab: SharedArrayBuffer, options: AttachOptions = {}) {
    const info = describeRing(sab);
    this.sab = sab;
    this.name = info.name;
    this.capacity = info.capacity;
    this.mask = info.capacity - 1;
    this.policy = info.policy;
    this.maxPayloadLength = info.maxPayloadLength;
    this.bytes = new Uint8Array(sab, HEADER_LENGTH, info.capacity);
    this.words = new Int32Array(sab, HEADER_LENGTH, info.capacity >> 2);
    this.ctrl = new Int32Array(sab, 0, HEADER_LENGTH >> 2);
    this.stats = new Float64Array(sab, 0, HEADER_LENGTH >> 3);

    const bellSab = options.doorbell ?? sab;
    const bellOffset = options.doorbell ? (options.doorbellByteOffset ?? 0) : DOORBELL_OFFSET;
    if (options.doorbell && bellOffset + DOORBELL_LENGTH > options.doorbell.byteLength) {
      throw new RangeError(`ring "${this.name}": doorbell SharedArrayBuffer byteLength=${options.doorbell.byteLength} too small for byteOffset=${bellOffset} + ${DOORBELL_LENGTH}`);
    }
    this.doorbell = new Doorbell(bellSab, bellOffset, this);
    this.bellI32 = new Int32Array(bellSab);
    this.bellSeqIndex = (bellOffset + DOORBELL_SEQ_OFFSET) >> 2;
    this.bellSleepingIndex = (bellOffset + DOORBELL_SLEEPING_OFFSET) >> 2;
    this.spaceParker = new SpaceParker(this);

    const ctrl = this.ctrl;
    const stats = this.stats;
    this.tailPos = Atomics.load(ctrl, TAIL_INDEX);
    this.headPos = Atomics.load(ctrl, HEAD_INDEX);
    this.headCache = this.headPos;
    this.pendingTail = this.tailPos;
    this.claimIndex = NO_CLAIM;
    this.messages = stats[MESSAGES_F64]!;
    this.payloadBytes = stats[BYTES_F64]!;
    this.drops = stats[DROPS_F64]!;
    this.stalls = stats[STALLS_F64]!;
    this.stalled = false;
    this.limitIsReader = false;
    this.unpublished = false;
    this.highWater = ctrl[HIGH_WATER_INDEX]!;
    this.consumed = stats[CONSUMED_F64]!;
  }

  // ---------------------------------------------------------------- producer

  /**
   * Reserves a record of `length` payload bytes; returns the payload index in
   * `bytes`, or INSUFFICIENT_CAPACITY / MSG_TOO_LARGE / INVALID_ARGUMENT.
   * On a drop-policy ring an INSUFFICIENT_CAPACITY is already counted as a drop:
   * do not retry it. A second claim before `commit` replaces the first.
   */
  tryClaim(msgTypeId: number, length: number): number {
    if ((msgTypeId | 0) !== msgTypeId || msgTypeId < 1 || (length | 0) !== length || length < 0) return INVALID_ARGUMENT;
    if (length > this.maxPayloadLength) return MSG_TOO_LARGE;
    const aligned = alignedRecordLength(length);
    const tail = this.tailPos;
    const tailIndex = tail & this.mask;
    const toEnd = this.capacity - tailIndex;
    const padding = aligned > toEnd ? toEnd : 0;
    if (this.capacity - ((tail - this.headCache) | 0) >= aligned + padding) {
      return this.writeClaim(msgTypeId, length, aligned, tail, tailIndex, padding);
    }
    return this.claimSlow(msgTypeId, length, aligned);
  }

  /**
   * Producer: records this producer has committed so far (a plain field, no
   * atomic): lets the producer's own thread tell cheaply whether it wrote
   * anything between two points.
   */
  get committedMessages(): number {
    return this.messages;
  }

  /** Publishes the claimed record (and any deferred ones): one release store of TAIL, then the doorbell check. */
  commit(index: number): void {
    if (index !== this.claimIndex) return;
    this.claimIndex = NO_CLAIM;
    this.tailPos = this.pendingTail;
    this.messages++;
    this.payloadBytes += this.words[(index - RECORD_HEADER_LENGTH) >> 2]! - RECORD_HEADER_LENGTH;
    this.stalled = false;
    this.publishCommitted();
  }

  /**
   * Batch publication (the Disruptor's `publish(lo, hi)`): the claimed record
   * is complete and the next claim goes after it, but the consumer does not
   * see it until `flush()` (or a later `commit`). A producer that emits a burst
   * pays one release store, one doorbell check and one stats update per burst
   * instead of per record, and the TAIL cache line crosses cores once.
   * The producer must `flush()` before it idles; a full ring flushes by itself.
   */
  commitDeferred(index: number): void {
    // The same five lines as `commit`, on purpose: sharing them through a
    // private helper measured ~30 % slower at 256 B with batch publication
    // (12 vs 17–18 M msgs/s, `npm run bench -- ring --only ring/spin-park+batch`).
    if (index !== this.claimIndex) return;
    this.claimIndex = NO_CLAIM;
    this.tailPos = this.pendingTail;
    this.messages++;
    this.payloadBytes += this.words[(index - RECORD_HEADER_LENGTH) >> 2]! - RECORD_HEADER_LENGTH;
    this.stalled = false;
    this.unpublished = true;
  }

  /** Publishes every `commitDeferred` record; a no-op (one branch) when there are none. */
  flush(): void {
    if (this.unpublished) this.publishCommitted();
  }

  /** Release store of TAIL = tailPos, doorbell check, then the producer stats. */
  private publishCommitted(): void {
    const tail = this.tailPos;
    this.unpublished = false;
    Atomics.store(this.ctrl, TAIL_INDEX, tail);
    const bell = this.bellI32;
    if (Atomics.load(bell, this.bellSleepingIndex) !== 0) {
      Atomics.add(bell, this.bellSeqIndex, 1);
      Atomics.notify(bell, this.bellSeqIndex, 1);
    }
    // Stats after publication: they are telemetry, the consumer never waits on them.
    const stats = this.stats;
    stats[MESSAGES_F64] = this.messages;
    stats[BYTES_F64] = this.payloadBytes;
    const occupancy = (tail - this.headCache) | 0;
    if (occupancy > this.highWater) {
      this.highWater = occupancy;
      this.ctrl[HIGH_WATER_INDEX] = occupancy;
    }
  }

  /** Turns the claimed record into padding and publishes it (the space is used either way). */
  abort(index: number): void {
    if (index !== this.claimIndex) return;
    this.claimIndex = NO_CLAIM;
    this.words[((index - RECORD_HEADER_LENGTH) >> 2) + 1] = PADDING_MSG_TYPE_ID;
    this.tailPos = this.pendingTail;
    this.publishCommitted();
  }

  /**
   * Copies `length` bytes of `src` from `srcOffset` as one record.
   * Returns the payload index (≥ 0) or a negative status like `tryClaim`.
   */
  write(msgTypeId: number, src: Uint8Array, srcOffset: number, length: number): number {
    const index = this.tryClaim(msgTypeId, length);
    if (index < 0) return index;
    this.copyIn(src, srcOffset, index, length);
    this.commit(index);
    return index;
  }

  /**
   * Like `tryClaim`, but on a full Block ring waits with `idle` (bind it to
   * `spaceParker`: `new SpinThenParkIdle(ring.spaceParker)`) until space frees.
   * Drop-policy rings never wait. Returns the payload index or a status.
   */
  claimBlocking(msgTypeId: number, length: number, idle: IdleStrategy): number {
    let index = this.tryClaim(msgTypeId, length);
    if (index !== INSUFFICIENT_CAPACITY || this.policy !== BackpressurePolicy.Block) return index;
    idle.reset();
    do {
      idle.idle(0);
      index = this.tryClaim(msgTypeId, length);
    } while (index === INSUFFICIENT_CAPACITY);
    return index;
  }

  /** `write` that waits like `claimBlocking` on a full Block ring. */
  writeBlocking(msgTypeId: number, src: Uint8Array, srcOffset: number, length: number, idle: IdleStrategy): number {
    const index = this.claimBlocking(msgTypeId, length, idle);
    if (index < 0) return index;
    this.copyIn(src, srcOffset, index, length);
    this.commit(index);
    return index;
  }

  /** Producer: records "alive at tsUs" for monitors (call from the stage loop, not per message). */
  producerHeartbeat(tsUs: number): void {
    this.stats[PRODUCER_HEARTBEAT_F64] = tsUs;
  }

  private copyIn(src: Uint8Array, srcOffset: number, index: number, length: number): void {
    if (srcOffset === 0 && length === src.length) {
      this.bytes.set(src, index);
      return;
    }
    // A subarray() for TypedArray.set would allocate a view per message, and a
    // byte loop costs ~0.7 ns/byte (a 1 KiB book frame forwarded twice was
    // ~1.5 µs). Ring payloads are 8-aligned, so ring-to-ring forwards copy
    // int32 words through a cached view of the source (int32, not float64: a
    // float64 copy may canonicalise NaN bit patterns).
    const dst = this.bytes;
    let i = 0;
    const abs = src.byteOffset + srcOffset;
    if (length >= 16 && (abs & 3) === 0) {
      const from = this.wordsOf(src);
      const to = this.words;
      const n = length >> 2;
      const s0 = abs >> 2;
      const d0 = index >> 2;
      for (let k = 0; k < n; k++) to[d0 + k] = from[s0 + k]!;
      i = n << 2;
    }
    for (; i < length; i++) dst[index + i] = src[srcOffset + i]!;
  }

  /**
   * An Int32Array over the whole buffer behind `src`, cached for the last two
   * sources (a stage forwards from one or two input rings): a new view is
   * allocated only when the source changes.
   */
  private wordsOf(src: Uint8Array): Int32Array {
    if (src === this.srcA) return this.srcWordsA!;
    if (src === this.srcB) return this.srcWordsB!;
    const words = new Int32Array(src.buffer, 0, src.buffer.byteLength >> 2);
    this.srcB = this.srcA;
    this.srcWordsB = this.srcWordsA;
    this.srcA = src;
    this.srcWordsA = words;
    return words;
  }

  private writeClaim(msgTypeId: number, length: number, aligned: number, tail: number, tailIndex: number, padding: number): number {
    const words = this.words;
    let recordIndex = tailIndex;
    if (padding !== 0) {
      words[tailIndex >> 2] = padding;
      words[(tailIndex >> 2) + 1] = PADDING_MSG_TYPE_ID;
      recordIndex = 0;
    }
    words[recordIndex >> 2] = length + RECORD_HEADER_LENGTH;
    words[(recordIndex >> 2) + 1] = msgTypeId;
    this.pendingTail = (tail + padding + aligned) | 0;
    const index = recordIndex + RECORD_HEADER_LENGTH;
    this.claimIndex = index;
    return index;
  }

  /** Cold-ish: the cache said "short"; look at the real head and apply the policy. */
  private claimSlow(msgTypeId: number, length: number, aligned: number): number {
    const capacity = this.capacity;
    // Deferred records must become visible before we wait on (or drop) what
    // the consumer has not read: it cannot free space it cannot see.
    if (this.unpublished) this.publishCommitted();
    for (;;) {
      const tail = this.tailPos;
      const tailIndex = tail & this.mask;
      const toEnd = capacity - tailIndex;
      const padding = aligned > toEnd ? toEnd : 0;
      const free = capacity - ((tail - this.refreshLimit()) | 0);
      if (free >= aligned + padding) {
        return this.writeClaim(msgTypeId, length, aligned, tail, tailIndex, padding);
      }
      if (padding !== 0 && free >= padding) {
        // The record can only go at index 0: publish the padding alone now, so
        // the consumer frees the end of the region even if the ring drains
        // empty (otherwise a large record could wait forever on an empty ring).
        const words = this.words;
        words[tailIndex >> 2] = padding;
        words[(tailIndex >> 2) + 1] = PADDING_MSG_TYPE_ID;
        this.publishTail((tail + padding) | 0);
        continue;
      }
      if (this.policy === BackpressurePolicy.DropOldest) {
        // Dropping helps only when the space is held by unread records; while
        // the consumer holds a batch (READING), what blocks us is in its hands
        // and this message is dropped instead. Never waits, counts either way.
        if (!this.limitIsReader && this.dropOldest(tail)) continue;
      } else if (this.policy === BackpressurePolicy.Block) {
        if (!this.stalled) {
          this.stalled = true;
          this.stats[STALLS_F64] = ++this.stalls;
        }
        return INSUFFICIENT_CAPACITY;
      }
      this.stats[DROPS_F64] = ++this.drops;
      return INSUFFICIENT_CAPACITY;
    }
  }

  /**
   * Re-reads how far the producer may write: HEAD, or with DropOldest the
   * start of the batch the consumer is reading (READING) if it holds one.
   * Loads HEAD before READING: see `readContended` for why that order.
   */
  private refreshLimit(): number {
    const ctrl = this.ctrl;
    let limit = Atomics.load(ctrl, HEAD_INDEX);
    if (this.policy === BackpressurePolicy.DropOldest) {
      const reading = Atomics.load(ctrl, READING_INDEX);
      this.limitIsReader = (reading & 1) === 0;
      if (this.limitIsReader) limit = reading;
    }
    this.headCache = limit;
    ctrl[HEAD_CACHE_INDEX] = limit;
    return limit;
  }

  /**
   * DropOldest: takes the oldest unread record away from the consumer with a
   * CAS on HEAD. Returns false when no unclaimed record is left.
   * The record at HEAD was written by this thread and the consumer never
   * writes records, so reading its header here is safe.
   */
  private dropOldest(tail: number): boolean {
    const ctrl = this.ctrl;
    const head = Atomics.load(ctrl, HEAD_INDEX);
    if (head === tail) return false;
    const w = (head & this.mask) >> 2;
    const length = this.words[w]!;
    const type = this.words[w + 1]!;
    const next = (head + ((length + 7) & ~7)) | 0;
    if (Atomics.compareExchange(ctrl, HEAD_INDEX, head, next) === head && type !== PADDING_MSG_TYPE_ID) {
      this.stats[DROPS_F64] = ++this.drops;
    }
    // CAS lost: the consumer claimed a batch; either way, look again.
    return true;
  }

  private publishTail(tail: number): void {
    this.tailPos = tail;
    this.pendingTail = tail;
    this.publishCommitted();
  }

  /** Called by `spaceParker`: sleeps until HEAD moves from what this producer last saw. */
  parkForSpace(timeoutMs: number): void {
    const ctrl = this.ctrl;
    Atomics.store(ctrl, PRODUCER_WAITING_INDEX, 1);
    // Returns at once if HEAD already moved: no wake-up can be lost between
    // our last look at HEAD and this call (the consumer stores HEAD, then
    // reads PRODUCER_WAITING; we store PRODUCER_WAITING, then wait on HEAD).
    Atomics.wait(ctrl, HEAD_INDEX, this.headCache, timeoutMs);
    Atomics.store(ctrl, PRODUCER_WAITING_INDEX, 0);
  }

  // ---------------------------------------------------------------- consumer

  /**
   * Delivers up to `limit` records to `handler.onMessage(type, bytes, index,
   * length)` — `bytes` is this ring's own data region, valid only during the
   * call — then publishes the new head once. Returns the number delivered.
   * A handler should catch its own errors (STYLE §5); if one throws anyway,
   * the records before and including it count as consumed and the error
   * propagates (with DropOldest, the rest of that batch is lost uncounted).
   */
  read(handler: RecordHandler, limit: number): number {
    if (this.policy === BackpressurePolicy.DropOldest) return this.readContended(handler, limit);
    const ctrl = this.ctrl;
    const tail = Atomics.load(ctrl, TAIL_INDEX);
    let head = this.headPos;
    if (tail === head) return 0;
    const words = this.words;
    const bytes = this.bytes;
    const mask = this.mask;
    let count = 0;
    try {
      while (head !== tail && count < limit) {
        const index = head & mask;
        const length = words[index >> 2]!;
        const type = words[(index >> 2) + 1]!;
        head = (head + ((length + 7) & ~7)) | 0;
        if (type !== PADDING_MSG_TYPE_ID) {
          count++;
          handler.onMessage(type, bytes, index + RECORD_HEADER_LENGTH, length - RECORD_HEADER_LENGTH);
        }
      }
    } finally {
      this.headPos = head;
      Atomics.store(ctrl, HEAD_INDEX, head);
      if (Atomics.load(ctrl, PRODUCER_WAITING_INDEX) !== 0) Atomics.notify(ctrl, HEAD_INDEX, 1);
      this.stats[CONSUMED_F64] = this.consumed += count;
    }
    return count;
  }

  /**
   * DropOldest read. Both sides move HEAD, so the consumer must own records
   * before touching them, and the producer must not overwrite what the
   * consumer owns:
   *   consumer: h=HEAD; t=TAIL; READING=h; if (HEAD≠h) retry;
   *             scan [h,t) up to `limit` → e; CAS(HEAD, h→e) else retry;
   *             deliver [h,e) in place; READING=idle
   *   producer: limit = HEAD, then READING (if not idle) → writes only below limit+capacity;
   *             drops by CAS(HEAD, h→h+record)
   * If the consumer's HEAD re-check saw h after publishing READING=h, any
   * producer load of READING that comes later sees h (or a later batch), and
   * any earlier one was preceded by a HEAD load ≤ h: either way the producer
   * stays out of [h, t). Whoever wins the CAS owns a record, so each one is
   * either delivered or counted as dropped, never both. (ABA would need the
   * producer to write 4 GiB between our load and CAS.)
   */
  private readContended(handler: RecordHandler, limit: number): number {
    const ctrl = this.ctrl;
    const words = this.words;
    const mask = this.mask;
    let head: number;
    let end: number;
    for (;;) {
      head = Atomics.load(ctrl, HEAD_INDEX);
      const tail = Atomics.load(ctrl, TAIL_INDEX);
      if (head === tail) return 0;
      Atomics.store(ctrl, READING_INDEX, head);
      if (Atomics.load(ctrl, HEAD_INDEX) === head) {
        end = head;
        let n = 0;
        while (end !== tail && n < limit) {
          const w = (end & mask) >> 2;
          if (words[w + 1] !== PADDING_MSG_TYPE_ID) n++;
          end = (end + ((words[w]! + 7) & ~7)) | 0;
        }
        if (Atomics.compareExchange(ctrl, HEAD_INDEX, head, end) === head) break;
      }
      Atomics.store(ctrl, READING_INDEX, READING_IDLE);
    }
    this.headPos = end;
    const bytes = this.bytes;
    let count = 0;
    try {
      while (head !== end) {
        const index = head & mask;
        const length = words[index >> 2]!;
        const type = words[(index >> 2) + 1]!;
        head = (head + ((length + 7) & ~7)) | 0;
        if (type !== PADDING_MSG_TYPE_ID) {
          count++;
          handler.onMessage(type, bytes, index + RECORD_HEADER_LENGTH, length - RECORD_HEADER_LENGTH);
        }
      }
    } finally {
      Atomics.store(ctrl, READING_INDEX, READING_IDLE);
      this.stats[CONSUMED_F64] = this.consumed += count;
    }
    return count;
  }

  /** Consumer: true when `read` would find a record (or a padding record). */
  hasWork(): boolean {
    const ctrl = this.ctrl;
    if (this.policy === BackpressurePolicy.DropOldest) return Atomics.load(ctrl, TAIL_INDEX) !== Atomics.load(ctrl, HEAD_INDEX);
    return Atomics.load(ctrl, TAIL_INDEX) !== this.headPos;
  }

  /** Consumer: records "alive at tsUs" for monitors. */
  consumerHeartbeat(tsUs: number): void {
    this.stats[CONSUMER_HEARTBEAT_F64] = tsUs;
  }

  /** Any thread: bytes between head and tail right now (a snapshot). */
  occupancy(): number {
    const tail = Atomics.load(this.ctrl, TAIL_INDEX);
    const occ = (tail - Atomics.load(this.ctrl, HEAD_INDEX)) | 0;
    return occ < 0 ? 0 : occ > this.capacity ? this.capacity : occ;
  }
}

/** Binds an IdleStrategy to "wait until the consumer frees space" (cold object, made once per ring). */
class SpaceParker implements Parker {
  private readonly ring: SpscRing;
  constructor(ring: SpscRing) {
    this.ring = ring;
  }
  park(timeoutMs: number): void {
    this.ring.parkForSpace(timeoutMs);
  }
}
