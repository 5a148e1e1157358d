/** Message shape shared by the ring stress producer and consumer. */

export const MSG_TYPE = 10;
/** Int32 index of the producer's "done" flag in the control SAB. */
export const DONE_INDEX = 0;
/** Int32 index of the consumer's "ready" flag (in its own 128-byte slot). */
export const READY_INDEX = 32;

/** Variable lengths: 8..64 bytes, and every 997th message `bigLength` bytes (to vary the wrap points). */
export function lengthFor(seq: number, bigLength: number): number {
  if (seq % 997 === 996) return bigLength;
  return 8 + ((Math.imul(seq, 0x9e3779b1) >>> 0) % 57);
}

/** FNV-1a over the filler bytes [index + 8, index + length). */
export function payloadChecksum(buf: Uint8Array, index: number, length: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = index + 8, end = index + length; i < end; i++) h = Math.imul(h ^ buf[i]!, 16777619);
  return h;
}

/** [seq:u32][checksum:i32][filler derived from seq]. */
export function fillPayload(buf: Uint8Array, view: DataView, index: number, length: number, seq: number): void {
  let h = 0x811c9dc5 | 0;
  for (let i = 8; i < length; i++) {
    const b = (seq * 31 + i * 7) & 255;
    buf[index + i] = b;
    h = Math.imul(h ^ b, 16777619);
  }
  view.setUint32(index, seq, true);
  view.setInt32(index + 4, h, true);
}
