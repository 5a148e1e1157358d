/**
 * The postMessage baseline's "ring": one `MessageChannel` per ring of the
 * engine's topology, behind the same surface the stage modules use on an
 * SpscRing (`name`, `bytes`, `tryClaim`/`commit`/`abort`, `write`,
 * `writeBlocking`, `claimBlocking`, `spaceParker`, `doorbell` on the producer
 * side; `read(handler, limit)`, `hasWork()` on the consumer side), so the
 * stage code in src/core/engine/stages runs unchanged over it.
 *
 * Producer: the encoders write into a scratch buffer (`bytes`, one per
 * channel, so the codec's cached DataView keeps hitting); `commit` copies the
 * record out (`ArrayBuffer.prototype.slice`) and posts it with the copy in
 * the transfer list — the cheapest postMessage of bytes there is (no
 * structured-clone copy on top of the slice). Record = 8-byte header
 * (length, msgTypeId) + payload, like a ring record.
 * Consumer: `port.on('message')` queues each ArrayBuffer (event-driven
 * threads), or `receiveMessageOnPort` pulls them (a thread that never returns
 * to its event loop: the feed); `read` copies each into its own scratch and
 * hands it to the handler in place, as a ring would.
 *
 * Bounded like the ring, without shared memory: the producer counts the
 * bytes it posted, the consumer posts back (on the same channel) how many it
 * has consumed every `capacity / 4` bytes, and a producer with `capacity`
 * bytes outstanding is "full": Block channels return INSUFFICIENT_CAPACITY
 * (the stage's OutRing waits on `spaceParker`, which polls the credits with
 * `receiveMessageOnPort` and naps 50 µs between polls); drop channels count
 * a drop. Unbounded postMessage would simply run out of memory flat out.
 *
 * Owning thread: each side lives on one thread (its port's). Hot path:
 * `commit` allocates the posted copy; `read` allocates a view per record.
 * That is the baseline's nature, not an accident.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { BackpressurePolicy, INSUFFICIENT_CAPACITY, INVALID_ARGUMENT, MSG_TOO_LARGE, type IdleStrategy, type Parker, type RecordHandler } from '../../src/core/ring/index.ts';

export const PM_RECORD_HEADER = 8;

/** What crosses into a worker (with `port` in the transfer list) for one ring end. */
export interface PortEnd {
  name: string;
  port: MessagePort;
  capacity: number;
  policy: BackpressurePolicy;
}

/** Telemetry of one producer side. */
export interface PortProducerStats {
  messages: number;
  stalls: number;
  drops: number;
  /** Time spent parked waiting for credits (µs). */
  blockedUs: number;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Sleeps `ms` on a private cell (worker threads only). */
const napCell = new Int32Array(new SharedArrayBuffer(4));
function nap(ms: number): void {
  Atomics.wait(napCell, 0, 0, ms);
}

/** A doorbell nobody parks on (the baseline threads are woken by their event loop). */
const NOOP_PARKER: Parker = { park: (ms: number) => nap(ms) };

export class PortProducer implements PortProducerStats {
  readonly name: string;
  readonly capacity: number;
  readonly policy: BackpressurePolicy;
  readonly maxPayloadLength: number;
  /** Scratch the encoders write into; a record's payload starts at PM_RECORD_HEADER. */
  readonly bytes: Uint8Array;
  readonly spaceParker: Parker;
  readonly doorbell: Parker = NOOP_PARKER;
  private readonly header: Int32Array;
  private readonly buffer: ArrayBuffer;
  private readonly port: MessagePort;
  private claimed = -1;
  private sent = 0;
  private acked = 0;
  private stalled = false;
  messages = 0;
  stalls = 0;
  drops = 0;
  blockedUs = 0;

  constructor(end: PortEnd) {
    this.name = end.name;
    this.port = end.port;
    this.capacity = end.capacity;
    this.policy = end.policy;
    this.maxPayloadLength = end.capacity / 8;
    const buf = new ArrayBuffer(PM_RECORD_HEADER + this.maxPayloadLength);
    this.buffer = buf;
    this.bytes = new Uint8Array(buf);
    this.header = new Int32Array(buf, 0, 2);
    this.spaceParker = { park: (ms: number) => this.parkForSpace(ms) };
  }

  tryClaim(msgTypeId: number, length: number): number {
    if ((msgTypeId | 0) !== msgTypeId || msgTypeId < 1 || (length | 0) !== length || length < 0) return INVALID_ARGUMENT;
    if (length > this.maxPayloadLength) return MSG_TOO_LARGE;
    const need = align8(PM_RECORD_HEADER + length);
    if (this.sent - this.acked + need > this.capacity) {
      this.pollCredits();
      if (this.sent - this.acked + need > this.capacity) {
        if (this.policy !== BackpressurePolicy.Block) this.drops++;
        else if (!this.stalled) {
          this.stalled = true;
          this.stalls++;
        }
        return INSUFFICIENT_CAPACITY;
      }
    }
    this.header[0] = PM_RECORD_HEADER + length;
    this.header[1] = msgTypeId;
    this.claimed = length;
    return PM_RECORD_HEADER;
  }

  commit(index: number): void {
    if (index !== PM_RECORD_HEADER || this.claimed < 0) return;
    const total = PM_RECORD_HEADER + this.claimed;
    this.claimed = -1;
    const copy = this.buffer.slice(0, total);
    this.port.postMessage(copy, [copy]);
    this.sent += align8(total);
    this.messages++;
    this.stalled = false;
  }

  abort(index: number): void {
    if (index === PM_RECORD_HEADER) this.claimed = -1;
  }

  write(msgTypeId: number, src: Uint8Array, srcOffset: number, length: number): number {
    const i = this.tryClaim(msgTypeId, length);
    if (i < 0) return i;
    this.copyIn(src, srcOffset, length);
    this.commit(i);
    return i;
  }

  claimBlocking(msgTypeId: number, length: number, idle: IdleStrategy): number {
    let i = this.tryClaim(msgTypeId, length);
    if (i !== INSUFFICIENT_CAPACITY || this.policy !== BackpressurePolicy.Block) return i;
    idle.reset();
    do {
      idle.idle(0);
      i = this.tryClaim(msgTypeId, length);
    } while (i === INSUFFICIENT_CAPACITY);
    return i;
  }

  writeBlocking(msgTypeId: number, src: Uint8Array, srcOffset: number, length: number, idle: IdleStrategy): number {
    const i = this.claimBlocking(msgTypeId, length, idle);
    if (i < 0) return i;
    this.copyIn(src, srcOffset, length);
    this.commit(i);
    return i;
  }

  /** Producer heartbeat: nothing to publish without shared memory. */
  producerHeartbeat(): void {}

  private copyIn(src: Uint8Array, srcOffset: number, length: number): void {
    const dst = this.bytes;
    for (let i = 0; i < length; i++) dst[PM_RECORD_HEADER + i] = src[srcOffset + i]!;
  }

  /** Takes in the consumer's credit messages; returns how many arrived. */
  private pollCredits(): number {
    let n = 0;
    for (;;) {
      const m = receiveMessageOnPort(this.port);
      if (m === undefined) return n;
      this.acked += m.message as number;
      n++;
    }
  }

  /** Waits (polling, 50 µs naps) until credits arrive or `timeoutMs` passes. */
  private parkForSpace(timeoutMs: number): void {
    const t0 = performance.now();
    const end = t0 + timeoutMs;
    for (;;) {
      if (this.pollCredits() > 0) break;
      const now = performance.now();
      if (now >= end) break;
      nap(Math.min(0.05, end - now));
    }
    this.blockedUs += (performance.now() - t0) * 1000;
  }
}

export class PortConsumer {
  readonly name: string;
  readonly capacity: number;
  readonly doorbell: Parker = NOOP_PARKER;
  /** The record being delivered (valid during the handler call). */
  readonly bytes: Uint8Array;
  private readonly header: Int32Array;
  private readonly port: MessagePort;
  private readonly pull: boolean;
  private readonly ackEvery: number;
  private queue: ArrayBuffer[] = [];
  private head = 0;
  private unacked = 0;
  consumed = 0;

  /**
   * @param onArrive event-driven thread: called after each message is queued
   *   (the bootstrap runs the stage from there). Omit for a thread that never
   *   yields to its event loop: then `hasWork`/`read` pull with receiveMessageOnPort.
   */
  constructor(end: PortEnd, onArrive?: () => void) {
    this.name = end.name;
    this.port = end.port;
    this.capacity = end.capacity;
    this.ackEvery = Math.max(1, end.capacity >> 2);
    const buf = new ArrayBuffer(PM_RECORD_HEADER + end.capacity / 8);
    this.bytes = new Uint8Array(buf);
    this.header = new Int32Array(buf, 0, 2);
    this.pull = onArrive === undefined;
    if (onArrive !== undefined) {
      this.port.on('message', (ab: ArrayBuffer) => {
        this.queue.push(ab);
        onArrive();
      });
    }
  }

  hasWork(): boolean {
    if (this.head < this.queue.length) return true;
    if (!this.pull) return false;
    const m = receiveMessageOnPort(this.port);
    if (m === undefined) return false;
    this.queue.push(m.message as ArrayBuffer);
    return true;
  }

  read(handler: RecordHandler, limit: number): number {
    let n = 0;
    while (n < limit && this.hasWork()) {
      const ab = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as ArrayBuffer;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      }
      this.bytes.set(new Uint8Array(ab));
      const total = this.header[0]!;
      const type = this.header[1]!;
      this.unacked += align8(total);
      n++;
      handler.onMessage(type, this.bytes, PM_RECORD_HEADER, total - PM_RECORD_HEADER);
    }
    this.consumed += n;
    if (this.unacked >= this.ackEvery) {
      this.port.postMessage(this.unacked);
      this.unacked = 0;
    }
    return n;
  }

  consumerHeartbeat(): void {}

  /** Records waiting (queued on this side). */
  queued(): number {
    return this.queue.length - this.head;
  }
}

/** Main-thread end of a channel into `main`: counts and acknowledges, decodes nothing. */
export class MainSink {
  messages = 0;
  private unacked = 0;
  private readonly port: MessagePort;
  constructor(port: MessagePort, capacity: number) {
    this.port = port;
    const ackEvery = Math.max(1, capacity >> 2);
    port.on('message', (ab: ArrayBuffer) => {
      this.messages++;
      this.unacked += align8(ab.byteLength);
      if (this.unacked >= ackEvery) {
        port.postMessage(this.unacked);
        this.unacked = 0;
      }
    });
  }

  close(): void {
    this.port.close();
  }
}
