/**
 * Per-ring views, created once per distinct `Uint8Array` and then reused:
 * a little-endian `DataView` for the template encoders and header helpers,
 * and a FlatBuffers `ByteBuffer` for the generated readers.
 *
 * Role: lets the codec's free functions take `(bytes, index)` like Agrona's
 * `onMessage(buffer, index)` without allocating a view per call. Hot; the
 * last-used ring is a single identity compare, a miss scans 8 slots and only
 * a ring never seen before allocates. Thread-local (module state per worker).
 */
import { ByteBuffer } from 'flatbuffers';

const SLOTS = 8;

const dvKeys: (Uint8Array | null)[] = new Array<Uint8Array | null>(SLOTS).fill(null);
const dvVals: (DataView | null)[] = new Array<DataView | null>(SLOTS).fill(null);
let dvNext = 0;
let dvLastKey: Uint8Array | null = null;
let dvLast: DataView | null = null;

/** The DataView over exactly `bytes` (index 0 = bytes[0]). */
export function dataViewOf(bytes: Uint8Array): DataView {
  if (bytes === dvLastKey) return dvLast!;
  return dataViewMiss(bytes);
}

function dataViewMiss(bytes: Uint8Array): DataView {
  let v: DataView | null = null;
  for (let i = 0; i < SLOTS; i++) {
    if (dvKeys[i] === bytes) {
      v = dvVals[i]!;
      break;
    }
  }
  if (v === null) {
    v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    dvKeys[dvNext] = bytes;
    dvVals[dvNext] = v;
    dvNext = (dvNext + 1) % SLOTS;
  }
  dvLastKey = bytes;
  dvLast = v;
  return v;
}

const bbKeys: (Uint8Array | null)[] = new Array<Uint8Array | null>(SLOTS).fill(null);
const bbVals: (ByteBuffer | null)[] = new Array<ByteBuffer | null>(SLOTS).fill(null);
let bbNext = 0;
let bbLastKey: Uint8Array | null = null;
let bbLast: ByteBuffer | null = null;

/** The ByteBuffer over `bytes`; callers set its position before rooting a table. */
export function byteBufferOf(bytes: Uint8Array): ByteBuffer {
  if (bytes === bbLastKey) return bbLast!;
  return byteBufferMiss(bytes);
}

function byteBufferMiss(bytes: Uint8Array): ByteBuffer {
  let v: ByteBuffer | null = null;
  for (let i = 0; i < SLOTS; i++) {
    if (bbKeys[i] === bytes) {
      v = bbVals[i]!;
      break;
    }
  }
  if (v === null) {
    v = new ByteBuffer(bytes);
    bbKeys[bbNext] = bytes;
    bbVals[bbNext] = v;
    bbNext = (bbNext + 1) % SLOTS;
  }
  bbLastKey = bytes;
  bbLast = v;
  return v;
}
