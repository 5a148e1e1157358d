/**
 * Worker side of bench/ring.bench.ts. A long-lived worker that runs one
 * command at a time (so worker start-up is paid once, not per run):
 *   tput — producer sends `n` messages as fast as it can, consumer counts them;
 *   lat  — producer offers messages at a fixed rate, each carrying its
 *          *intended* send time; the consumer records now − intended into an
 *          HDR histogram (coordinated-omission correction: a stalled sender
 *          cannot hide the queueing it caused);
 *   rtt  — ping/pong: one message out, one back, round-trip time per pair.
 * Transports: our ring (with an idle strategy), MessagePort.postMessage (the
 * baseline) and ringbuf.js. Loops allocate nothing per message except where
 * the transport itself does (postMessage's structured clone).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import { RingBuffer } from 'ringbuf.js';
import { adoptEpoch, nowNs } from '../../src/core/clock.ts';
import {
  BlockingIdle,
  BusySpinIdle,
  SpinThenParkIdle,
  SpscRing,
  type IdleStrategy,
  type Parker,
  type RecordHandler,
} from '../../src/core/ring/index.ts';

export type Transport = 'ring/busy-spin' | 'ring/spin-park' | 'ring/blocking' | 'ring/spin-park+batch' | 'ring/spin-park+copy' | 'postMessage' | 'ringbuf.js';

/** `+batch`: the producer commits with `commitDeferred` and publishes every PUBLISH_BATCH records (Disruptor batch publish). */
export const PUBLISH_BATCH = 32;

export interface BenchCommand {
  op: 'tput' | 'lat' | 'rtt';
  transport: Transport;
  role: 'producer' | 'consumer';
  n: number;
  size: number;
  /** Offered rate for `lat` (messages per second). */
  rateHz: number;
  /** ctl[0]: consumer ready; ctl[32]: producer start flag. */
  ctl: SharedArrayBuffer;
  /** Ring or ringbuf.js SABs: [forward] or [ping→pong, pong→ping]. */
  sabs: SharedArrayBuffer[];
  port?: MessagePort;
}

export interface BenchReply {
  t0Ns?: number;
  tEndNs?: number;
  count?: number;
  latencyNs?: { p50: number; p99: number; p999: number; max: number; count: number };
}

adoptEpoch((workerData as { mainTimeOriginMs: number }).mainTimeOriginMs);

const READY = 0;

function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60e9, numberOfSignificantValueDigits: 3 });
}

function summary(h: hdr.Histogram): NonNullable<BenchReply['latencyNs']> {
  return {
    p50: h.getValueAtPercentile(50),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    count: h.totalCount,
  };
}

function idleFor(transport: Transport, parker: Parker): IdleStrategy {
  if (transport.startsWith('ring/spin-park')) return new SpinThenParkIdle(parker);
  if (transport === 'ring/blocking') return new BlockingIdle(parker);
  return new BusySpinIdle();
}

function signalReady(ctl: Int32Array): void {
  Atomics.store(ctl, READY, 1);
  Atomics.notify(ctl, READY);
}

function awaitReady(ctl: Int32Array): void {
  while (Atomics.load(ctl, READY) === 0) Atomics.wait(ctl, READY, 0, 5);
}

/** Busy-waits until the shared clock reaches `tNs`: the load generator must not sleep (wake-ups cost ~25 µs). */
function spinUntil(tNs: number): void {
  while (nowNs() < tNs) {
    // spin
  }
}

/** The producer's "encode": `words` float64 fields of message `i` (the same work for every transport). */
function encodeFields(f64: Float64Array, at: number, words: number, i: number): void {
  for (let k = 0; k < words; k++) f64[at + k] = i + k;
}

// ------------------------------------------------------------------ our ring

class CountHandler implements RecordHandler {
  count = 0;
  sum = 0;
  onMessage(_type: number, buffer: Uint8Array, index: number): void {
    this.count++;
    this.sum += buffer[index]!;
  }
}

class LatencyHandler implements RecordHandler {
  count = 0;
  readonly h = histogram();
  private readonly f64: Float64Array;
  constructor(ring: SpscRing) {
    this.f64 = new Float64Array(ring.sab, ring.bytes.byteOffset, ring.capacity >> 3);
  }
  onMessage(_type: number, _buffer: Uint8Array, index: number): void {
    const sentNs = this.f64[index >> 3]!;
    this.count++;
    this.h.recordValue(Math.max(1, Math.round(nowNs() - sentNs)));
  }
}

/** Pong: echoes each record into the return ring. */
class EchoHandler implements RecordHandler {
  count = 0;
  constructor(private readonly back: SpscRing, private readonly idle: IdleStrategy) {}
  onMessage(type: number, buffer: Uint8Array, index: number, length: number): void {
    this.count++;
    this.back.writeBlocking(type, buffer, index, length, this.idle);
  }
}

function ringCommand(cmd: BenchCommand, ctl: Int32Array): BenchReply {
  const { n, size, transport } = cmd;
  if (cmd.op === 'rtt') {
    const out = SpscRing.attach(cmd.sabs[cmd.role === 'producer' ? 0 : 1]!);
    const inn = SpscRing.attach(cmd.sabs[cmd.role === 'producer' ? 1 : 0]!);
    const idle = idleFor(transport, inn.doorbell);
    if (cmd.role === 'consumer') {
      const echo = new EchoHandler(out, idleFor(transport, out.spaceParker));
      signalReady(ctl);
      while (echo.count < n) idle.idle(inn.read(echo, 64));
      return {};
    }
    const lat = new LatencyHandler(inn);
    const claimIdle = idleFor(transport, out.spaceParker);
    const f64 = new Float64Array(out.sab, out.bytes.byteOffset, out.capacity >> 3);
    awaitReady(ctl);
    for (let i = 0; i < n; i++) {
      const index = out.claimBlocking(1, size, claimIdle);
      f64[index >> 3] = nowNs();
      out.commit(index);
      while (lat.count <= i) idle.idle(inn.read(lat, 64));
    }
    return { latencyNs: summary(lat.h) };
  }

  const ring = SpscRing.attach(cmd.sabs[0]!);
  if (cmd.role === 'consumer') {
    const idle = idleFor(transport, ring.doorbell);
    if (cmd.op === 'tput') {
      const h = new CountHandler();
      signalReady(ctl);
      while (h.count < n) idle.idle(ring.read(h, 1024));
      return { tEndNs: nowNs(), count: h.count };
    }
    const h = new LatencyHandler(ring);
    signalReady(ctl);
    while (h.count < n) idle.idle(ring.read(h, 1024));
    return { latencyNs: summary(h.h) };
  }

  const idle = idleFor(transport, ring.spaceParker);
  const src = new Uint8Array(size);
  awaitReady(ctl);
  if (cmd.op === 'tput') {
    // Encoded in place: the record's fields are written straight into the
    // claimed ring space (what the codec's encoders do), where postMessage and
    // ringbuf.js must fill a staging buffer and then copy it. `+copy` is our
    // ring fed from a staging buffer too (`writeBlocking`, what a forwarding
    // stage does); `+batch` publishes once per PUBLISH_BATCH records.
    const words = size >> 3;
    const ringF64 = new Float64Array(ring.sab, ring.bytes.byteOffset, ring.capacity >> 3);
    const t0Ns = nowNs();
    if (transport === 'ring/spin-park+copy') {
      const srcF64 = new Float64Array(src.buffer);
      for (let i = 0; i < n; i++) {
        encodeFields(srcF64, 0, words, i);
        ring.writeBlocking(1, src, 0, size, idle);
      }
    } else if (transport === 'ring/spin-park+batch') {
      for (let i = 0; i < n; i++) {
        const index = ring.claimBlocking(1, size, idle);
        encodeFields(ringF64, index >> 3, words, i);
        ring.commitDeferred(index);
        if (i % PUBLISH_BATCH === PUBLISH_BATCH - 1) ring.flush();
      }
      ring.flush();
    } else {
      for (let i = 0; i < n; i++) {
        const index = ring.claimBlocking(1, size, idle);
        encodeFields(ringF64, index >> 3, words, i);
        ring.commit(index);
      }
    }
    return { t0Ns };
  }
  // At a fixed offered rate the next record is far away, so a batching
  // producer publishes each one at once (a stage flushes when its batch ends):
  // the +batch latency is the per-record path.
  const f64 = new Float64Array(ring.sab, ring.bytes.byteOffset, ring.capacity >> 3);
  const intervalNs = 1e9 / cmd.rateHz;
  const startNs = nowNs() + 1e6;
  for (let i = 0; i < n; i++) {
    const intendedNs = startNs + i * intervalNs;
    spinUntil(intendedNs);
    const index = ring.claimBlocking(1, size, idle);
    f64[index >> 3] = intendedNs;
    ring.commit(index);
  }
  return {};
}

// ---------------------------------------------------------------- ringbuf.js

function ringbufCommand(cmd: BenchCommand, ctl: Int32Array): BenchReply {
  const { n, size } = cmd;
  const rb = new RingBuffer(cmd.sabs[0]!, Uint8Array as never);
  if (cmd.role === 'consumer') {
    // Batch pops of whole messages: ringbuf.js's natural streaming use.
    const buf = new Uint8Array(64 * 1024);
    const f64 = new Float64Array(buf.buffer);
    const h = cmd.op === 'lat' ? histogram() : null;
    let count = 0;
    let sum = 0;
    signalReady(ctl);
    while (count < n) {
      const avail = rb.availableRead();
      if (avail < size) continue;
      const msgs = Math.min(Math.floor(avail / size), buf.length / size);
      rb.pop(buf, msgs * size);
      if (h !== null) {
        const t = nowNs();
        for (let k = 0; k < msgs; k++) h.recordValue(Math.max(1, Math.round(t - f64[(k * size) >> 3]!)));
      } else {
        for (let k = 0; k < msgs; k++) sum += buf[k * size]!;
      }
      count += msgs;
    }
    if (sum < 0) console.log(sum);
    return h !== null ? { latencyNs: summary(h) } : { tEndNs: nowNs(), count };
  }
  const src = new Uint8Array(size);
  const f64 = new Float64Array(src.buffer);
  awaitReady(ctl);
  if (cmd.op === 'tput') {
    const t0Ns = nowNs();
    for (let i = 0; i < n; i++) {
      encodeFields(f64, 0, size >> 3, i);
      while (rb.availableWrite() < size) {
        // spin: ringbuf.js has no wait primitive
      }
      rb.push(src, size);
    }
    return { t0Ns };
  }
  const intervalNs = 1e9 / cmd.rateHz;
  const startNs = nowNs() + 1e6;
  for (let i = 0; i < n; i++) {
    const intendedNs = startNs + i * intervalNs;
    spinUntil(intendedNs);
    f64[0] = intendedNs;
    while (rb.availableWrite() < size) {
      // spin
    }
    rb.push(src, size);
  }
  return {};
}

// --------------------------------------------------------------- postMessage

function postMessageCommand(cmd: BenchCommand, ctl: Int32Array, reply: (r: BenchReply) => void): BenchReply | null {
  const { n, size } = cmd;
  const port = cmd.port!;
  if (cmd.op === 'rtt') {
    if (cmd.role === 'consumer') {
      let count = 0;
      port.on('message', (m: Uint8Array) => {
        port.postMessage(m);
        if (++count === n) {
          port.close();
          reply({});
        }
      });
      signalReady(ctl);
      return null;
    }
    const h = histogram();
    const msg = new Uint8Array(size);
    const f64 = new Float64Array(msg.buffer);
    let count = 0;
    port.on('message', (m: Uint8Array) => {
      h.recordValue(Math.max(1, Math.round(nowNs() - new Float64Array(m.buffer, m.byteOffset, 1)[0]!)));
      if (++count === n) {
        port.close();
        reply({ latencyNs: summary(h) });
        return;
      }
      f64[0] = nowNs();
      port.postMessage(msg);
    });
    awaitReady(ctl);
    f64[0] = nowNs();
    port.postMessage(msg);
    return null;
  }
  if (cmd.role === 'consumer') {
    const h = cmd.op === 'lat' ? histogram() : null;
    let count = 0;
    let sum = 0;
    port.on('message', (m: Uint8Array) => {
      if (h !== null) h.recordValue(Math.max(1, Math.round(nowNs() - new Float64Array(m.buffer, m.byteOffset, 1)[0]!)));
      else sum += m[0]!;
      if (++count === n) {
        port.close();
        reply(h !== null ? { latencyNs: summary(h) } : { tEndNs: nowNs(), count: count + (sum < 0 ? 1 : 0) });
      }
    });
    signalReady(ctl);
    return null;
  }
  const msg = new Uint8Array(size);
  const f64 = new Float64Array(msg.buffer);
  awaitReady(ctl);
  if (cmd.op === 'tput') {
    const t0Ns = nowNs();
    for (let i = 0; i < n; i++) {
      encodeFields(f64, 0, size >> 3, i);
      port.postMessage(msg);
    }
    // The consumer closes the channel once it has everything (closing here could drop queued messages).
    return { t0Ns };
  }
  const intervalNs = 1e9 / cmd.rateHz;
  const startNs = nowNs() + 1e6;
  for (let i = 0; i < n; i++) {
    const intendedNs = startNs + i * intervalNs;
    spinUntil(intendedNs);
    f64[0] = intendedNs;
    port.postMessage(msg);
  }
  return {};
}

parentPort!.on('message', (cmd: BenchCommand) => {
  const ctl = new Int32Array(cmd.ctl);
  const reply = (r: BenchReply): void => parentPort!.postMessage(r);
  let r: BenchReply | null;
  if (cmd.transport === 'postMessage') r = postMessageCommand(cmd, ctl, reply);
  else if (cmd.transport === 'ringbuf.js') r = ringbufCommand(cmd, ctl);
  else r = ringCommand(cmd, ctl);
  if (r !== null) reply(r);
});
parentPort!.postMessage({ ready: true });
