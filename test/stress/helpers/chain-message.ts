/**
 * Test message for the stage-chain stress test: variable length, carries its
 * sequence number and a checksum of every other byte, so the sink can tell
 * lost, duplicated, reordered and corrupted messages apart.
 *
 *   0        8          length-4   length
 *   ┌────────┬──────────┬──────────┐
 *   │ seq f64│ pattern  │ crc u32  │   length ∈ [16, 256], any value
 *   └────────┴──────────┴──────────┘
 */
export const CHAIN_MSG_TYPE = 7;
export const MIN_LEN = 16;
export const MAX_LEN = 256;

/** Length of message `seq` (deterministic so the sink can check it too). */
export function lengthOf(seq: number): number {
  // xorshift-style mix of the sequence number, no allocation.
  let x = (seq * 2654435761) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  return MIN_LEN + (x % (MAX_LEN - MIN_LEN + 1));
}

/** FNV-1a over bytes [start, end). */
export function fnv1a(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= buf[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Writes message `seq` into `buf` at `index` (length = lengthOf(seq)). */
export function writeMessage(buf: Uint8Array, view: DataView, index: number, seq: number): void {
  const len = lengthOf(seq);
  view.setFloat64(index, seq, true);
  for (let i = 8; i < len - 4; i++) buf[index + i] = (seq + i * 31) & 0xff;
  view.setUint32(index + len - 4, fnv1a(buf, index, index + len - 4), true);
}
