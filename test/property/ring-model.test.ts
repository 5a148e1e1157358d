/**
 * Model-based property test of the SPSC ring in one thread (ringbuf.js style:
 * seeded, random record sizes, random interleavings of write/read, many wraps,
 * NaN/±Infinity canaries in every payload). The model is a plain FIFO queue;
 * the ring must deliver exactly its front, byte for byte, and each drop policy
 * must account for every message: delivered + dropped + queued == produced.
 * Positions start anywhere, including just below 2^31, so int32 overflow of
 * head/tail is part of the input space.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BackpressurePolicy,
  INSUFFICIENT_CAPACITY,
  SpscRing,
  alignedRecordLength,
  createRing,
  policyName,
  readRingStats,
  type RecordHandler,
} from '../../src/core/ring/index.ts';
import { HEADER_LENGTH, TAIL_INDEX } from '../../src/core/ring/layout.ts';

const SEED = Number(process.env.FC_SEED ?? 0x5eed_2026);
const NUM_RUNS = Number(process.env.FC_RUNS ?? 150);
console.log(`ring property tests: fast-check seed=${SEED} numRuns=${NUM_RUNS} (FC_SEED / FC_RUNS to override)`);

const CANARIES = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

function canary(seq: number, k: number): number {
  const c = (seq + k) % 4;
  return c < 3 ? CANARIES[c]! : seq + k + 0.5;
}

/** [seq:i32][~seq:i32][float64 canaries…][bytes]; short payloads are bytes only. */
function fill(bytes: Uint8Array, f64: Float64Array, i32: Int32Array, index: number, length: number, seq: number): void {
  let off = 0;
  if (length >= 8) {
    i32[index >> 2] = seq;
    i32[(index >> 2) + 1] = ~seq;
    off = 8;
    for (; off + 8 <= length; off += 8) f64[(index + off) >> 3] = canary(seq, off >> 3);
  }
  for (; off < length; off++) bytes[index + off] = (seq * 13 + off) & 255;
}

function check(bytes: Uint8Array, f64: Float64Array, i32: Int32Array, index: number, length: number, seq: number): string {
  let off = 0;
  if (length >= 8) {
    if (i32[index >> 2] !== seq || i32[(index >> 2) + 1] !== ~seq) return `seq header of ${seq} corrupted`;
    off = 8;
    for (; off + 8 <= length; off += 8) {
      if (!Object.is(f64[(index + off) >> 3], canary(seq, off >> 3))) return `canary ${off >> 3} of ${seq} = ${f64[(index + off) >> 3]}`;
    }
  }
  for (; off < length; off++) if (bytes[index + off] !== ((seq * 13 + off) & 255)) return `byte ${off} of ${seq} corrupted`;
  return '';
}

interface Expected { seq: number; type: number; length: number }

class ModelHandler implements RecordHandler {
  queue: Expected[] = [];
  delivered = 0;
  error = '';
  constructor(private readonly f64: Float64Array, private readonly i32: Int32Array) {}
  onMessage(msgTypeId: number, buffer: Uint8Array, index: number, length: number): void {
    this.delivered++;
    const e = this.queue.shift();
    if (this.error !== '') return;
    if (e === undefined) this.error = `unexpected record type=${msgTypeId} length=${length}`;
    else if (e.type !== msgTypeId || e.length !== length) this.error = `expected seq ${e.seq} type=${e.type} len=${e.length}, got type=${msgTypeId} len=${length}`;
    else if (index % 8 !== 0) this.error = `payload index ${index} not 8-aligned`;
    else this.error = check(buffer, this.f64, this.i32, index, length, e.seq);
  }
}

/** w: claim+commit (lazy: commitDeferred); r: read up to r; flush: publish deferred records. */
type Op = { w: number; lazy?: boolean } | { r: number } | { flush: true };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.nat({ max: 1_000_000 }).map((w) => ({ w })) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 40 }).map((r) => ({ r })) },
);

/** Batch publication: most writes deferred, flushes now and then. */
const batchOpArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ w: fc.nat({ max: 1_000_000 }), lazy: fc.boolean() }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 40 }).map((r) => ({ r })) },
  { weight: 1, arbitrary: fc.constant({ flush: true as const }) },
);

const caseArb = fc.record({
  capacityLog2: fc.integer({ min: 6, max: 11 }),
  /** Start position: anywhere in int32, biased to just below the 2^31 overflow. */
  start: fc.oneof(fc.integer({ min: 1, max: 600 }).map((k) => 2 ** 31 - 8 * k), fc.integer({ min: -(2 ** 28), max: 2 ** 28 - 1 }).map((k) => k * 8)),
  maxPayloadDivisor: fc.constantFrom(2, 4, 8),
  ops: fc.array(opArb, { minLength: 50, maxLength: 1500 }),
});

const batchCaseArb = fc.record({
  capacityLog2: fc.integer({ min: 6, max: 11 }),
  start: fc.oneof(fc.integer({ min: 1, max: 600 }).map((k) => 2 ** 31 - 8 * k), fc.integer({ min: -(2 ** 28), max: 2 ** 28 - 1 }).map((k) => k * 8)),
  maxPayloadDivisor: fc.constantFrom(2, 4, 8),
  ops: fc.array(batchOpArb, { minLength: 50, maxLength: 1500 }),
});

interface Case { capacityLog2: number; start: number; maxPayloadDivisor: number; ops: Op[] }

function runCase(policy: BackpressurePolicy, c: Case): void {
  const capacityBytes = 2 ** c.capacityLog2;
  const maxPayloadLength = capacityBytes / c.maxPayloadDivisor;
  const ring = SpscRing.attach(createRing({ capacityBytes, policy, maxPayloadLength, initialPosition: c.start }));
  const f64 = new Float64Array(ring.sab, HEADER_LENGTH, capacityBytes >> 3);
  const i32 = new Int32Array(ring.sab, HEADER_LENGTH, capacityBytes >> 2);
  const h = new ModelHandler(f64, i32);
  let produced = 0;
  let refused = 0;
  let dropsSeen = 0;
  // Records the consumer is guaranteed to see: everything queued as of the
  // last commit/flush/full-ring claim (deferred records may show up earlier,
  // never later, and always in order).
  let visible = 0;
  for (const op of c.ops) {
    if ('flush' in op) {
      ring.flush();
      visible = h.queue.length;
    } else if ('w' in op) {
      const length = op.w % (maxPayloadLength + 1);
      const type = 1 + (op.w % 7);
      const seq = produced++;
      let index = ring.tryClaim(type, length);
      if (index === INSUFFICIENT_CAPACITY) visible = h.queue.length; // a full ring publishes what it holds
      if (index === INSUFFICIENT_CAPACITY && policy === BackpressurePolicy.Block) {
        // Refused only when really short of space: less than one record plus its worst padding.
        const occ = readRingStats(ring.sab).occupancy;
        expect(capacityBytes - occ).toBeLessThan(2 * alignedRecordLength(length));
        if (h.queue.length === 0) {
          // Only a just-published padding record stands in the way: consuming it must make room.
          expect(ring.read(h, 1)).toBe(0);
          index = ring.tryClaim(type, length);
          expect(index).toBeGreaterThanOrEqual(0);
        }
      }
      if (index === INSUFFICIENT_CAPACITY) {
        expect(policy).not.toBe(BackpressurePolicy.DropOldest); // single thread: the consumer never holds a batch
        refused++;
        continue;
      }
      expect(index).toBeGreaterThanOrEqual(0);
      fill(ring.bytes, f64, i32, index, length, seq);
      if (op.lazy === true) ring.commitDeferred(index);
      else ring.commit(index);
      h.queue.push({ seq, type, length });
      if (op.lazy !== true) visible = h.queue.length;
      const drops = readRingStats(ring.sab).drops;
      if (policy === BackpressurePolicy.DropOldest) {
        // Exactly the oldest queued messages were dropped, as many as counted.
        for (let k = dropsSeen; k < drops; k++) h.queue.shift();
        visible = Math.max(0, visible - (drops - dropsSeen));
      }
      dropsSeen = drops;
    } else {
      const before = h.queue.length;
      const n = ring.read(h, op.r);
      expect(h.error).toBe('');
      expect(n).toBeGreaterThanOrEqual(Math.min(op.r, visible));
      expect(n).toBeLessThanOrEqual(Math.min(op.r, before));
      visible = Math.max(0, visible - n);
    }
  }
  // Drain and account for everything.
  ring.flush();
  const queued = h.queue.length;
  let drained = 0;
  for (let n = ring.read(h, 1 << 30); n > 0 || ring.hasWork(); n = ring.read(h, 1 << 30)) drained += n;
  expect(h.error).toBe('');
  expect(drained).toBe(queued);
  expect(h.queue.length).toBe(0);
  const stats = readRingStats(ring.sab);
  expect(stats.occupancy).toBe(0);
  if (policy === BackpressurePolicy.Block) expect(stats.drops).toBe(0);
  if (policy === BackpressurePolicy.DropNewest) expect(stats.drops).toBe(refused);
  if (policy !== BackpressurePolicy.Block) expect(h.delivered + stats.drops).toBe(produced);
  else expect(h.delivered + refused).toBe(produced);
  expect(stats.consumed).toBe(h.delivered);
}

describe('SPSC ring against a FIFO model (seeded fast-check)', () => {
  for (const policy of [BackpressurePolicy.Block, BackpressurePolicy.DropNewest, BackpressurePolicy.DropOldest]) {
    it(`${policyName(policy)}: delivers the model's front byte for byte and counts every drop`, () => {
      fc.assert(fc.property(caseArb, (c) => runCase(policy, c)), { seed: SEED, numRuns: NUM_RUNS });
    });
    it(`${policyName(policy)}: batch publication (commitDeferred/flush) delivers in order, by flush at the latest, and loses nothing`, () => {
      fc.assert(fc.property(batchCaseArb, (c) => runCase(policy, c)), { seed: SEED, numRuns: NUM_RUNS });
    });
  }

  it('keeps working when head and tail overflow past 2^31 many times over', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 400, maxLength: 800 }), (k, lengths) => {
        const start = 2 ** 31 - 8 * k;
        const ring = SpscRing.attach(createRing({ capacityBytes: 256, maxPayloadLength: 120, initialPosition: start }));
        const ctrl = new Int32Array(ring.sab, 0, HEADER_LENGTH >> 2);
        const f64 = new Float64Array(ring.sab, HEADER_LENGTH, 256 >> 3);
        const i32 = new Int32Array(ring.sab, HEADER_LENGTH, 256 >> 2);
        const h = new ModelHandler(f64, i32);
        let seq = 0;
        for (const length of lengths) {
          let index = ring.tryClaim(5, length);
          if (index < 0) {
            ring.read(h, 1 << 30);
            index = ring.tryClaim(5, length);
          }
          expect(index).toBeGreaterThanOrEqual(0);
          fill(ring.bytes, f64, i32, index, length, seq);
          ring.commit(index);
          h.queue.push({ seq: seq++, type: 5, length });
          if (seq % 3 === 0) ring.read(h, 2);
        }
        while (ring.hasWork()) ring.read(h, 1 << 30);
        expect(h.error).toBe('');
        expect(h.queue.length).toBe(0);
        expect(h.delivered).toBe(lengths.length);
        // ≥ 400 records of ≥ 8 bytes from 8·k ≤ 512 below 2^31: the tail went negative.
        expect(Atomics.load(ctrl, TAIL_INDEX)).toBeLessThan(0);
      }),
      { seed: SEED, numRuns: 50 },
    );
  });

  it('write() copies any source slice exactly (aligned word path, unaligned byte path, shared and plain sources)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 700 }),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        fc.integer({ min: 0, max: 7 }),
        (size, a, b, shared, viewOffset) => {
          // Distinct-looking bytes (a constant fill would hide a wrong offset).
          const data = Uint8Array.from({ length: size }, (_, i) => (i * 37 + size) & 255);
          // The source is a view at an arbitrary offset into a (shared or plain) buffer.
          const buf = shared ? new SharedArrayBuffer(data.length + 8) : new ArrayBuffer(data.length + 8);
          const src = new Uint8Array(buf, viewOffset, data.length);
          src.set(data);
          const from = a % data.length;
          const length = b % (data.length - from + 1);
          const ring = SpscRing.attach(createRing({ capacityBytes: 2048, maxPayloadLength: 1024 }));
          // Two writes from different sources and one from the first again: the view cache must follow the source.
          const other = new Uint8Array(64).fill(7);
          expect(ring.write(3, src, from, length)).toBeGreaterThanOrEqual(0);
          expect(ring.write(4, other, 5, 40)).toBeGreaterThanOrEqual(0);
          expect(ring.write(3, src, from, length)).toBeGreaterThanOrEqual(0);
          const got: number[][] = [];
          ring.read({ onMessage: (_t, bytes, index, len) => void got.push(Array.from(bytes.subarray(index, index + len))) }, 10);
          const want = Array.from(data.subarray(from, from + length));
          expect(got).toEqual([want, new Array<number>(40).fill(7), want]);
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS * 4 },
    );
  });
});
