/**
 * Record batches: the body of every binary /ws message.
 *
 * Role: one WebSocket message = a batch of Agrona-style records, the same
 * record layout as the engine's rings (src/core/ring/layout.ts), so a ring
 * record can be forwarded by one byte copy:
 *
 *    0               4               8
 *   +---------------+---------------+----------------------------+--------+
 *   | length:int32  | msgTypeId:int32| payload (FlatBuffers root) | pad→8  |
 *   +---------------+---------------+----------------------------+--------+
 *   length = 8 + payload bytes (padding not included, as in Agrona);
 *   the next record starts at align8(offset + length). Little-endian.
 *
 * Payloads start 8-aligned inside the frame, so FlatBuffers' doubles are
 * aligned for readers that care. Owning thread: main (publisher, server) and
 * tests; hot-ish in the publisher (no allocation per record).
 */

export const RECORD_HEADER_LENGTH = 8;
export const RECORD_ALIGNMENT = 8;

/** Bytes a record of `payloadLength` occupies in a frame, padding included. */
export function alignedRecordLength(payloadLength: number): number {
  return (RECORD_HEADER_LENGTH + payloadLength + RECORD_ALIGNMENT - 1) & ~(RECORD_ALIGNMENT - 1);
}

/**
 * Appends one record at `offset` of `dst` (caller checked the space) and
 * returns the offset of the next record. Padding bytes are zeroed.
 */
export function writeRecord(dst: Uint8Array, dv: DataView, offset: number, msgTypeId: number,
  src: Uint8Array, index: number, length: number): number {
  dv.setInt32(offset, RECORD_HEADER_LENGTH + length, true);
  dv.setInt32(offset + 4, msgTypeId, true);
  dst.set(src.subarray(index, index + length), offset + RECORD_HEADER_LENGTH);
  const end = offset + RECORD_HEADER_LENGTH + length;
  const next = (end + RECORD_ALIGNMENT - 1) & ~(RECORD_ALIGNMENT - 1);
  if (next > end) dst.fill(0, end, next);
  return next;
}

export interface DecodedRecord {
  msgTypeId: number;
  /** Payload index in the frame's bytes. */
  index: number;
  length: number;
}

/**
 * Splits a frame into records (cold: tests, tools; allocates). Throws on a
 * malformed frame with the offending offset and length.
 */
export function splitRecords(frame: Uint8Array): DecodedRecord[] {
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const out: DecodedRecord[] = [];
  let off = 0;
  while (off < frame.byteLength) {
    if (off + RECORD_HEADER_LENGTH > frame.byteLength) throw new RangeError(`frame: truncated header at ${off} of ${frame.byteLength}`);
    const len = dv.getInt32(off, true);
    const type = dv.getInt32(off + 4, true);
    if (len < RECORD_HEADER_LENGTH || off + len > frame.byteLength) throw new RangeError(`frame: bad record length ${len} at ${off} of ${frame.byteLength}`);
    out.push({ msgTypeId: type, index: off + RECORD_HEADER_LENGTH, length: len - RECORD_HEADER_LENGTH });
    off = (off + len + RECORD_ALIGNMENT - 1) & ~(RECORD_ALIGNMENT - 1);
  }
  return out;
}
