import { describe, expect, it } from 'vitest';
import * as L from '../../src/core/ring/layout.ts';
import {
  AnyReady,
  BackpressurePolicy,
  BlockingIdle,
  BusySpinIdle,
  Doorbell,
  INSUFFICIENT_CAPACITY,
  INVALID_ARGUMENT,
  MSG_TOO_LARGE,
  SpinThenParkIdle,
  SpscRing,
  chooseDefaultIdle,
  createDoorbell,
  createRing,
  idleKindFor,
  readRingStats,
  resetRing,
  type RecordHandler,
} from '../../src/core/ring/index.ts';

class Collect implements RecordHandler {
  types: number[] = [];
  lengths: number[] = [];
  indexes: number[] = [];
  firstBytes: number[] = [];
  onMessage(msgTypeId: number, buffer: Uint8Array, index: number, length: number): void {
    this.types.push(msgTypeId);
    this.lengths.push(length);
    this.indexes.push(index);
    this.firstBytes.push(length > 0 ? buffer[index]! : -1);
  }
}

function ctrlOf(ring: SpscRing): Int32Array {
  return new Int32Array(ring.sab, 0, L.HEADER_LENGTH >> 2);
}

describe('ring layout', () => {
  it('keeps every header counter in its own 128-byte slot', () => {
    const offsets = [
      L.HEAD_OFFSET, L.TAIL_OFFSET, L.HEAD_CACHE_OFFSET, L.READING_OFFSET, L.DOORBELL_OFFSET,
      L.DOORBELL_OFFSET + L.DOORBELL_SLEEPING_OFFSET, L.PRODUCER_WAITING_OFFSET, L.MESSAGES_OFFSET,
      L.BYTES_OFFSET, L.DROPS_OFFSET, L.STALLS_OFFSET, L.HIGH_WATER_OFFSET, L.CONSUMED_OFFSET,
      L.PRODUCER_HEARTBEAT_OFFSET, L.CONSUMER_HEARTBEAT_OFFSET,
    ];
    const sorted = [...offsets].sort((a, b) => a - b);
    expect(sorted[0]).toBeGreaterThanOrEqual(L.SLOT_BYTES); // not in the META slot
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(128);
    expect(sorted[sorted.length - 1]! + 8).toBeLessThanOrEqual(L.HEADER_LENGTH);
    expect(L.HEADER_LENGTH % 128).toBe(0);
    expect(L.NAME_OFFSET + L.MAX_NAME_BYTES).toBe(L.SLOT_BYTES);
  });

  it('aligns records to 8 bytes including the 8-byte header', () => {
    expect(L.alignedRecordLength(0)).toBe(8);
    expect(L.alignedRecordLength(1)).toBe(16);
    expect(L.alignedRecordLength(8)).toBe(16);
    expect(L.alignedRecordLength(9)).toBe(24);
    expect(L.align(13, 8)).toBe(16);
    expect(L.recordLength(5)).toBe(13);
    expect(L.payloadIndex(24)).toBe(32);
    expect(L.lengthWord(24)).toBe(6);
    expect(L.typeWord(24)).toBe(7);
  });

  it('pads to the end of the region only when a record would straddle it', () => {
    expect(L.paddingBefore(0, 64, 64)).toBe(0);
    expect(L.paddingBefore(48, 16, 64)).toBe(0); // fits exactly
    expect(L.paddingBefore(48, 24, 64)).toBe(16);
    expect(L.paddingBefore(56, 16, 64)).toBe(8);
  });

  it('recognises powers of two', () => {
    expect(L.isPowerOfTwo(64)).toBe(true);
    expect(L.isPowerOfTwo(2 ** 30)).toBe(true);
    expect(L.isPowerOfTwo(96)).toBe(false);
    expect(L.isPowerOfTwo(0)).toBe(false);
    expect(L.isPowerOfTwo(1.5)).toBe(false);
  });
});

describe('ring construction errors name the offending value', () => {
  it('rejects a capacity that is not a power of two', () => {
    expect(() => createRing({ capacityBytes: 1000 })).toThrow(/capacityBytes=1000/);
  });
  it('rejects a capacity below the minimum', () => {
    expect(() => createRing({ capacityBytes: 32, name: 'tiny' })).toThrow(/"tiny".*capacityBytes=32/);
  });
  it('rejects a max payload larger than the ring can hold', () => {
    expect(() => createRing({ capacityBytes: 1024, maxPayloadLength: 2000 })).toThrow(/maxPayloadLength=2000/);
  });
  it('rejects an unaligned initial position', () => {
    expect(() => createRing({ capacityBytes: 1024, initialPosition: 12 })).toThrow(/initialPosition=12/);
  });
  it('rejects an unknown policy', () => {
    expect(() => createRing({ capacityBytes: 1024, policy: 7 as BackpressurePolicy })).toThrow(/policy=7/);
  });
  it('rejects a SharedArrayBuffer that is not a ring', () => {
    expect(() => SpscRing.attach(new SharedArrayBuffer(4096))).toThrow(/magic=0x0/);
  });
  it('rejects a plain ArrayBuffer', () => {
    expect(() => SpscRing.attach(new ArrayBuffer(4096) as unknown as SharedArrayBuffer)).toThrow(/SharedArrayBuffer.*ArrayBuffer/);
  });
  it('rejects a ring SAB whose length does not match its header', () => {
    const sab = createRing({ capacityBytes: 1024 });
    const copy = new SharedArrayBuffer(sab.byteLength + 1024);
    new Uint8Array(copy).set(new Uint8Array(sab));
    expect(() => SpscRing.attach(copy)).toThrow(/capacity=1024.*byteLength=4096/);
  });
  it('keeps the name and configuration in the header', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 4096, name: 'md→strat', policy: BackpressurePolicy.DropNewest }));
    expect(ring.name).toBe('md→strat');
    expect(ring.capacity).toBe(4096);
    expect(ring.maxPayloadLength).toBe(512);
    expect(ring.policy).toBe(BackpressurePolicy.DropNewest);
    expect(ring.sab.byteLength).toBe(L.HEADER_LENGTH + 4096);
  });
});

describe('ring hot path status codes', () => {
  it('returns MSG_TOO_LARGE and INVALID_ARGUMENT instead of throwing', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 1024 }));
    expect(ring.tryClaim(1, 129)).toBe(MSG_TOO_LARGE);
    expect(ring.tryClaim(0, 8)).toBe(INVALID_ARGUMENT);
    expect(ring.tryClaim(-1, 8)).toBe(INVALID_ARGUMENT);
    expect(ring.tryClaim(1.5, 8)).toBe(INVALID_ARGUMENT);
    expect(ring.tryClaim(1, -1)).toBe(INVALID_ARGUMENT);
    expect(ring.tryClaim(1, NaN)).toBe(INVALID_ARGUMENT);
    expect(ring.tryClaim(1, 128)).toBeGreaterThanOrEqual(0);
  });

  it('rejects a write on a full Block ring with INSUFFICIENT_CAPACITY and counts one stall per blocked claim', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 64, maxPayloadLength: 8 }));
    const src = new Uint8Array(8);
    for (let i = 0; i < 4; i++) expect(ring.write(1, src, 0, 8)).toBeGreaterThanOrEqual(0);
    expect(ring.write(1, src, 0, 8)).toBe(INSUFFICIENT_CAPACITY);
    expect(ring.write(1, src, 0, 8)).toBe(INSUFFICIENT_CAPACITY);
    const stats = readRingStats(ring.sab);
    expect(stats.producerStalls).toBe(1);
    expect(stats.drops).toBe(0);
    expect(stats.occupancy).toBe(64);
    expect(stats.highWaterMark).toBe(64);
    const h = new Collect();
    expect(ring.read(h, 100)).toBe(4);
    expect(ring.write(1, src, 0, 8)).toBeGreaterThanOrEqual(0);
  });

  it('counts a DropNewest refusal as exactly one drop', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 64, maxPayloadLength: 8, policy: BackpressurePolicy.DropNewest }));
    const src = new Uint8Array(8);
    for (let i = 0; i < 4; i++) ring.write(1, src, 0, 8);
    expect(ring.write(1, src, 0, 8)).toBe(INSUFFICIENT_CAPACITY);
    expect(ring.write(1, src, 0, 8)).toBe(INSUFFICIENT_CAPACITY);
    const stats = readRingStats(ring.sab);
    expect(stats.drops).toBe(2);
    expect(stats.messages).toBe(4);
    expect(stats.producerStalls).toBe(0);
  });

  it('DropOldest overwrites the oldest record and counts it', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 64, maxPayloadLength: 8, policy: BackpressurePolicy.DropOldest }));
    const src = new Uint8Array(8);
    for (let i = 1; i <= 6; i++) {
      src[0] = i;
      expect(ring.write(1, src, 0, 8)).toBeGreaterThanOrEqual(0);
    }
    const h = new Collect();
    expect(ring.read(h, 100)).toBe(4);
    expect(h.firstBytes).toEqual([3, 4, 5, 6]);
    expect(readRingStats(ring.sab).drops).toBe(2);
  });
});

describe('ring claim/commit/abort and wrap', () => {
  it('hides a claimed record until commit, then delivers it in place', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 1024 }));
    const h = new Collect();
    const i = ring.tryClaim(7, 3);
    expect(i % 8).toBe(0);
    ring.bytes[i] = 42;
    expect(ring.hasWork()).toBe(false);
    expect(ring.read(h, 10)).toBe(0);
    ring.commit(i);
    expect(ring.hasWork()).toBe(true);
    expect(ring.read(h, 10)).toBe(1);
    expect(h.types).toEqual([7]);
    expect(h.lengths).toEqual([3]);
    expect(h.indexes).toEqual([i]);
    expect(h.firstBytes).toEqual([42]);
    expect(ring.hasWork()).toBe(false);
  });

  it('turns an aborted claim into padding that the consumer skips', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 1024 }));
    const h = new Collect();
    ring.abort(ring.tryClaim(3, 10));
    ring.commit(ring.tryClaim(4, 1));
    expect(ring.read(h, 10)).toBe(1);
    expect(h.types).toEqual([4]);
    expect(readRingStats(ring.sab).messages).toBe(1);
  });

  it('ignores a commit of an index that was not the current claim', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 1024 }));
    const i = ring.tryClaim(1, 8);
    ring.commit(i + 8);
    expect(ring.hasWork()).toBe(false);
    ring.commit(i);
    ring.commit(i);
    expect(readRingStats(ring.sab).messages).toBe(1);
  });

  it('writes a padding record at the wrap and starts the record at index 0', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 64, maxPayloadLength: 40 }));
    const h = new Collect();
    const words = new Int32Array(ring.sab, L.HEADER_LENGTH, 16);
    const a = ring.write(1, new Uint8Array(32), 0, 32); // 40 bytes → [0, 40)
    expect(a).toBe(8);
    expect(ring.read(h, 10)).toBe(1);
    const b = ring.write(2, new Uint8Array(16), 0, 16); // 24 bytes, 24 left → [40, 64)
    expect(b).toBe(48);
    const c = ring.write(3, new Uint8Array(8), 0, 8); // 16 bytes: wraps, no padding needed at 64
    expect(c).toBe(8);
    expect(ring.read(h, 10)).toBe(2);
    // tail index now 16: a 40-byte record needs [16,56) → fits; then 16 bytes at 56 → padding 8.
    expect(ring.write(4, new Uint8Array(32), 0, 32)).toBe(24);
    expect(ring.read(h, 10)).toBe(1);
    const e = ring.write(5, new Uint8Array(8), 0, 8);
    expect(e).toBe(8);
    expect(words[56 >> 2]).toBe(8); // padding length
    expect(words[(56 >> 2) + 1]).toBe(L.PADDING_MSG_TYPE_ID);
    expect(ring.read(h, 10)).toBe(1);
    expect(h.types).toEqual([1, 2, 3, 4, 5]);
  });

  it('publishes a lone padding record so a large record fits once the ring drains', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 64, maxPayloadLength: 56 }));
    const h = new Collect();
    ring.write(1, new Uint8Array(8), 0, 8); // [0,16)
    ring.read(h, 10);
    // Empty ring, tail index 16: 64 bytes can never fit before the end nor after padding yet.
    expect(ring.write(2, new Uint8Array(56), 0, 56)).toBe(INSUFFICIENT_CAPACITY);
    expect(ring.hasWork()).toBe(true); // the padding
    expect(ring.read(h, 10)).toBe(0);
    expect(ring.write(2, new Uint8Array(56), 0, 56)).toBe(8);
    expect(ring.read(h, 10)).toBe(1);
    expect(h.lengths).toEqual([8, 56]);
  });

  it('reads at most `limit` records per call and publishes the head once per batch', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 1024 }));
    const ctrl = ctrlOf(ring);
    for (let i = 0; i < 10; i++) ring.write(1, new Uint8Array(8), 0, 8);
    const h = new Collect();
    expect(ring.read(h, 3)).toBe(3);
    expect(Atomics.load(ctrl, L.HEAD_INDEX)).toBe(48);
    expect(ring.read(h, 100)).toBe(7);
    expect(Atomics.load(ctrl, L.HEAD_INDEX)).toBe(160);
    expect(readRingStats(ring.sab).consumed).toBe(10);
  });

  it('copies from a source offset without touching the rest of the source', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 1024 }));
    const src = Uint8Array.from([9, 8, 7, 6, 5]);
    const i = ring.write(1, src, 2, 3);
    expect(Array.from(ring.bytes.subarray(i, i + 3))).toEqual([7, 6, 5]);
  });

  it('wraps positions past 2^31 and keeps working', () => {
    const start = 2 ** 31 - 64;
    const ring = SpscRing.attach(createRing({ capacityBytes: 64, initialPosition: start }));
    const ctrl = ctrlOf(ring);
    const h = new Collect();
    for (let i = 0; i < 20; i++) {
      expect(ring.write(1, Uint8Array.of(i, 0, 0, 0, 0, 0, 0, 0), 0, 8)).toBeGreaterThanOrEqual(0);
      expect(ring.read(h, 1)).toBe(1);
    }
    expect(Atomics.load(ctrl, L.TAIL_INDEX)).toBeLessThan(0); // wrapped to negative int32
    expect(h.firstBytes).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe('doorbell and idle strategies', () => {
  it('rings (bumps seq) only when the consumer flagged that it sleeps', () => {
    const ring = SpscRing.attach(createRing({ capacityBytes: 1024 }));
    const bell = ring.doorbell;
    ring.write(1, new Uint8Array(8), 0, 8);
    expect(bell.seq()).toBe(0);
    const i32 = new Int32Array(ring.sab);
    Atomics.store(i32, (L.DOORBELL_OFFSET + L.DOORBELL_SLEEPING_OFFSET) >> 2, 1);
    ring.write(1, new Uint8Array(8), 0, 8);
    expect(bell.seq()).toBe(1);
  });

  it('lets several rings share one external doorbell', () => {
    const bellSab = createDoorbell();
    const a = SpscRing.attach(createRing({ capacityBytes: 1024 }), { doorbell: bellSab });
    const b = SpscRing.attach(createRing({ capacityBytes: 1024 }), { doorbell: bellSab });
    const bell = new Doorbell(bellSab, 0, new AnyReady([a, b]));
    Atomics.store(new Int32Array(bellSab), L.DOORBELL_SLEEPING_OFFSET >> 2, 1);
    a.write(1, new Uint8Array(1), 0, 1);
    b.write(1, new Uint8Array(1), 0, 1);
    expect(bell.seq()).toBe(2);
    expect(new AnyReady([a, b]).hasWork()).toBe(true);
    expect(() => SpscRing.attach(createRing({ capacityBytes: 1024 }), { doorbell: new SharedArrayBuffer(8) })).toThrow(/byteLength=8/);
  });

  it('never spins more threads than cores', () => {
    expect(idleKindFor(2, 1)).toBe('busy-spin');
    expect(idleKindFor(2, 2)).toBe('spin-park');
    expect(idleKindFor(2, 4)).toBe('spin-park');
    const parker = { park: () => {} };
    expect(chooseDefaultIdle(8, 4, parker)).toBeInstanceOf(BusySpinIdle);
    expect(chooseDefaultIdle(2, 4, parker)).toBeInstanceOf(SpinThenParkIdle);
  });

  it('spin-then-park spins for its time budget, then parks with a doubling timeout', () => {
    const timeouts: number[] = [];
    const idle = new SpinThenParkIdle({ park: (t) => void timeouts.push(t) }, { spinUs: 200, minParkMs: 1, maxParkMs: 4 });
    const t0 = performance.now();
    while (timeouts.length === 0) idle.idle(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(0.2);
    for (let i = 0; i < 8 * 4; i++) idle.idle(0);
    expect(timeouts.slice(0, 4)).toEqual([1, 2, 4, 4]);
    idle.idle(1);
    timeouts.length = 0;
    const t1 = performance.now();
    while (timeouts.length === 0) idle.idle(0);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(0.2);
    expect(timeouts[0]).toBe(1);
  });

  it('blocking idle parks on the first empty poll only', () => {
    let parks = 0;
    const idle = new BlockingIdle({ park: () => void parks++ }, 5);
    idle.idle(3);
    expect(parks).toBe(0);
    idle.idle(0);
    expect(parks).toBe(1);
  });

  it('validates idle options with their values', () => {
    expect(() => new SpinThenParkIdle({ park: () => {} }, { minParkMs: 0 })).toThrow(/minParkMs=0/);
  });
});

describe('resetRing', () => {
  it('returns a used ring to its just-created state and keeps its configuration', () => {
    const sab = createRing({ capacityBytes: 1024, policy: BackpressurePolicy.DropNewest, name: 'reused', initialPosition: 2 ** 31 - 64 });
    const fresh = readRingStats(sab);
    const producer = new SpscRing(sab);
    const consumer = new SpscRing(sab);
    const payload = new Uint8Array(40).fill(7);
    // Wrap past the end and past 2^31, fill it up (drops), read part of it.
    let drops = 0;
    for (let i = 0; i < 40; i++) if (producer.write(1 + (i % 5), payload, 0, 8 + (i % 33)) < 0) drops++;
    producer.producerHeartbeat(123);
    consumer.read(new Collect(), 3);
    const used = readRingStats(sab);
    expect([used.messages > 0, used.drops, used.consumed, used.occupancy > 0]).toEqual([true, drops, 3, true]);
    expect(drops).toBeGreaterThan(0);

    resetRing(sab);
    expect(readRingStats(sab)).toEqual(fresh);
    const p2 = new SpscRing(sab);
    const c2 = new SpscRing(sab);
    expect([c2.hasWork(), p2.name, p2.capacity]).toEqual([false, 'reused', 1024]);
    expect(p2.write(9, payload, 0, 16)).toBeGreaterThanOrEqual(0);
    const got = new Collect();
    expect(c2.read(got, 10)).toBe(1);
    expect([got.types, got.lengths]).toEqual([[9], [16]]);
    expect(readRingStats(sab).messages).toBe(1);
  });

  it('refuses a buffer that is not a ring', () => {
    expect(() => resetRing(new SharedArrayBuffer(4096))).toThrow(/not a ring/);
  });
});
