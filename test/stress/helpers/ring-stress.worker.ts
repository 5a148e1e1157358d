/**
 * Worker side of test/stress/ring-spsc.test.ts: one producer of one ring, or
 * one consumer of one or more rings (sharing a doorbell). Each message carries
 * its sequence number and an FNV-1a checksum of a filler derived from that
 * number, so the consumer can tell lost, duplicated, reordered and corrupted
 * messages apart. The loops allocate nothing per message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  AnyReady,
  BackpressurePolicy,
  BlockingIdle,
  Doorbell,
  SpinThenParkIdle,
  SpscRing,
  type IdleStrategy,
  type Parker,
  type RecordHandler,
} from '../../../src/core/ring/index.ts';
import { DONE_INDEX, MSG_TYPE, READY_INDEX, fillPayload, lengthFor, payloadChecksum } from './ring-stress-payload.ts';

export interface StressWorkerData {
  role: 'producer' | 'consumer';
  /** Producer: one ring. Consumer: all its input rings. */
  rings: SharedArrayBuffer[];
  /** Shared doorbell when a consumer reads several rings. */
  doorbell?: SharedArrayBuffer;
  ctl: SharedArrayBuffer;
  count: number;
  idle: 'spin-park' | 'blocking';
  /** Park timeout: long, so a lost wake-up shows up as a long park. */
  parkTimeoutMs: number;
  /** Length of every 997th message (≤ the ring's maxPayloadLength). */
  bigLength: number;
  /** Producer: commitDeferred and flush every n-th record (and at odd points); 0 = commit each. */
  publishBatch?: number;
}

const data = workerData as StressWorkerData;
const ctl = new Int32Array(data.ctl);

/** Measures the longest park: a lost wake-up would park for the full timeout. */
class TimedParker implements Parker {
  maxParkMs = 0;
  parks = 0;
  private readonly inner: Parker;
  constructor(inner: Parker) {
    this.inner = inner;
  }
  park(timeoutMs: number): void {
    this.parks++;
    const t0 = performance.now();
    this.inner.park(timeoutMs);
    const dt = performance.now() - t0;
    if (dt > this.maxParkMs) this.maxParkMs = dt;
  }
}

function makeIdle(parker: Parker): IdleStrategy {
  return data.idle === 'blocking'
    ? new BlockingIdle(parker, data.parkTimeoutMs)
    : new SpinThenParkIdle(parker, { maxParkMs: data.parkTimeoutMs, minParkMs: data.parkTimeoutMs });
}

class Verifier implements RecordHandler {
  readonly strict: boolean;
  readonly view: DataView;
  delivered = 0;
  lastSeq = -1;
  missing = 0;
  reordered = 0;
  corrupted = 0;
  firstError = '';

  constructor(ring: SpscRing) {
    this.strict = ring.policy === BackpressurePolicy.Block;
    this.view = new DataView(ring.bytes.buffer, ring.bytes.byteOffset, ring.bytes.byteLength);
  }

  onMessage(msgTypeId: number, buffer: Uint8Array, index: number, length: number): void {
    this.delivered++;
    const seq = this.view.getUint32(index, true);
    if (msgTypeId !== MSG_TYPE + (seq & 3) || length !== lengthFor(seq, data.bigLength) || this.view.getInt32(index + 4, true) !== payloadChecksum(buffer, index, length)) {
      this.corrupted++;
      if (this.firstError === '') this.firstError = 'corrupt seq=' + seq + ' type=' + msgTypeId + ' len=' + length + ' expectedLen=' + lengthFor(seq, data.bigLength);
      return;
    }
    if (seq <= this.lastSeq) {
      this.reordered++;
      if (this.firstError === '') this.firstError = 'seq ' + seq + ' after ' + this.lastSeq;
      return;
    }
    if (seq !== this.lastSeq + 1) {
      this.missing += seq - this.lastSeq - 1;
      if (this.strict && this.firstError === '') this.firstError = 'gap: seq ' + seq + ' after ' + this.lastSeq;
    }
    this.lastSeq = seq;
  }
}

const attach = data.doorbell ? { doorbell: data.doorbell } : {};

if (data.role === 'producer') {
  const ring = SpscRing.attach(data.rings[0]!, attach);
  const view = new DataView(ring.bytes.buffer, ring.bytes.byteOffset, ring.bytes.byteLength);
  const parker = new TimedParker(ring.spaceParker);
  const idle = makeIdle(parker);
  const bytes = ring.bytes;
  let refused = 0;
  const publishBatch = data.publishBatch ?? 0;
  // Start together: a drop ring filled before the consumer runs would only test dropping.
  while (Atomics.load(ctl, READY_INDEX) === 0) Atomics.wait(ctl, READY_INDEX, 0, 1);
  for (let seq = 0; seq < data.count; seq++) {
    const length = lengthFor(seq, data.bigLength);
    const index = ring.claimBlocking(MSG_TYPE + (seq & 3), length, idle);
    if (index < 0) {
      refused++;
      continue;
    }
    fillPayload(bytes, view, index, length, seq);
    if (publishBatch === 0) ring.commit(index);
    else {
      ring.commitDeferred(index);
      // Mostly full batches, sometimes a short one (seq % 7 == 0): uneven bursts like a stage's.
      if (seq % publishBatch === publishBatch - 1 || seq % 7 === 0) ring.flush();
    }
  }
  ring.flush();
  Atomics.add(ctl, DONE_INDEX, 1);
  ring.doorbell.ring();
  parentPort!.postMessage({ produced: data.count, refused, maxParkMs: parker.maxParkMs, parks: parker.parks });
} else {
  const rings: SpscRing[] = [];
  const verifiers: Verifier[] = [];
  for (const sab of data.rings) {
    const r = SpscRing.attach(sab, attach);
    rings.push(r);
    verifiers.push(new Verifier(r));
  }
  const bell = data.doorbell ? new Doorbell(data.doorbell, 0, new AnyReady(rings)) : rings[0]!.doorbell;
  const parker = new TimedParker(bell);
  const idle = makeIdle(parker);
  Atomics.store(ctl, READY_INDEX, 1);
  Atomics.notify(ctl, READY_INDEX);
  const n = rings.length;
  for (;;) {
    let work = 0;
    for (let i = 0; i < n; i++) work += rings[i]!.read(verifiers[i]!, 256);
    if (work === 0 && Atomics.load(ctl, DONE_INDEX) === n) {
      let pending = false;
      for (let i = 0; i < n; i++) pending = pending || rings[i]!.hasWork();
      if (!pending) break;
    }
    idle.idle(work);
  }
  parentPort!.postMessage({
    maxParkMs: parker.maxParkMs,
    parks: parker.parks,
    perRing: verifiers.map((v) => ({
      delivered: v.delivered,
      missing: v.missing + (data.count - 1 - v.lastSeq),
      reordered: v.reordered,
      corrupted: v.corrupted,
      firstError: v.firstError,
    })),
  });
}
