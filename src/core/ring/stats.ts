/**
 * Ring statistics readable from any thread, without locks and without
 * allocating per read (the monitor samples every ring at ~10 Hz).
 *
 * Role: telemetry for the monitor, the engine summary and tests. Owning
 * thread: any reader; the counters are written by the ring's producer
 * (messages, bytes, drops, stalls, high-water mark, producer heartbeat) and
 * consumer (consumed, consumer heartbeat), each counter by exactly one thread.
 * Cold-to-warm path: `RingStatsReader.read` allocates nothing.
 *
 * Counters are float64 (exact to 2^53) written with plain stores by their
 * single writer; aligned 8-byte stores do not tear on x86-64/arm64, though
 * the JS memory model does not promise it, so a live sample is telemetry and
 * exact values are read after the writer has stopped (e.g. after the worker
 * posted "done"). HEAD/TAIL are read with Atomics.
 *
 * Mentor's Corner. Purpose: make backpressure visible (occupancy, drops,
 * stalls) in the browser. Ideal counterpart: per-core counters in a shared
 * memory segment scraped by an out-of-process agent (Aeron's CnC file,
 * https://github.com/real-logic/aeron), costing the hot path nothing. Ours
 * cost the producer two plain float64 stores per commit (within the budget
 * measured by bench/ring.bench.ts) because we chose exact drop counts over
 * sampled ones: a telemetry feed that silently loses data would defeat the
 * point of having it.
 */
import {
  BYTES_F64,
  CONSUMED_F64,
  CONSUMER_HEARTBEAT_F64,
  DROPS_F64,
  HEADER_LENGTH,
  HEAD_INDEX,
  HIGH_WATER_INDEX,
  MESSAGES_F64,
  PRODUCER_HEARTBEAT_F64,
  STALLS_F64,
  TAIL_INDEX,
} from './layout.ts';
import { describeRing } from './spsc-ring.ts';
import type { BackpressurePolicy } from './types.ts';

export interface RingStats {
  name: string;
  policy: BackpressurePolicy;
  capacity: number;
  /** Bytes between head and tail at the time of the read, clamped to [0, capacity]. */
  occupancy: number;
  /** Largest occupancy the producer has seen (bytes; an upper bound, from its head cache). */
  highWaterMark: number;
  /** Records committed by the producer. */
  messages: number;
  /** Payload bytes committed by the producer. */
  bytes: number;
  /** Messages lost to DropNewest/DropOldest, exact. */
  drops: number;
  /** Claims that found a Block ring full (once per blocked claim). */
  producerStalls: number;
  /** Records delivered to the consumer's handler. */
  consumed: number;
  producerHeartbeatUs: number;
  consumerHeartbeatUs: number;
}

/** A zeroed stats object to fill repeatedly (allocate once). */
export function createRingStats(): RingStats {
  return {
    name: '',
    policy: 0 as BackpressurePolicy,
    capacity: 0,
    occupancy: 0,
    highWaterMark: 0,
    messages: 0,
    bytes: 0,
    drops: 0,
    producerStalls: 0,
    consumed: 0,
    producerHeartbeatUs: 0,
    consumerHeartbeatUs: 0,
  };
}

/** Holds the views over one ring's header; make one per ring at startup. */
export class RingStatsReader {
  readonly name: string;
  private readonly policy: BackpressurePolicy;
  private readonly capacity: number;
  private readonly ctrl: Int32Array;
  private readonly f64: Float64Array;

  constructor(sab: SharedArrayBuffer) {
    const info = describeRing(sab);
    this.name = info.name;
    this.policy = info.policy;
    this.capacity = info.capacity;
    this.ctrl = new Int32Array(sab, 0, HEADER_LENGTH >> 2);
    this.f64 = new Float64Array(sab, 0, HEADER_LENGTH >> 3);
  }

  /** Fills `out` and returns it. No allocation. */
  read(out: RingStats): RingStats {
    const ctrl = this.ctrl;
    const f64 = this.f64;
    // Tail first, then head: the difference can only undershoot, never exceed capacity…
    const tail = Atomics.load(ctrl, TAIL_INDEX);
    const occ = (tail - Atomics.load(ctrl, HEAD_INDEX)) | 0;
    out.name = this.name;
    out.policy = this.policy;
    out.capacity = this.capacity;
    // …except a DropOldest producer racing ahead; clamp anyway.
    out.occupancy = occ < 0 ? 0 : occ > this.capacity ? this.capacity : occ;
    out.highWaterMark = Atomics.load(ctrl, HIGH_WATER_INDEX);
    out.messages = f64[MESSAGES_F64]!;
    out.bytes = f64[BYTES_F64]!;
    out.drops = f64[DROPS_F64]!;
    out.producerStalls = f64[STALLS_F64]!;
    out.consumed = f64[CONSUMED_F64]!;
    out.producerHeartbeatUs = f64[PRODUCER_HEARTBEAT_F64]!;
    out.consumerHeartbeatUs = f64[CONSUMER_HEARTBEAT_F64]!;
    return out;
  }
}

/** Cold convenience: one read of a ring's stats (builds the views each call). */
export function readRingStats(sab: SharedArrayBuffer, out: RingStats = createRingStats()): RingStats {
  return new RingStatsReader(sab).read(out);
}
