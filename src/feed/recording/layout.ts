/**
 * Byte layout of a recording file: offsets, sizes and magic numbers only.
 *
 * Role: the one place that says where every field of a `.qrec` file lives,
 * so the writer, the reader and the tests agree (Agrona's
 * `RecordDescriptor` split: layout here, algorithm in recording-writer.ts /
 * recording-reader.ts). Owning thread: none (pure constants and tiny pure
 * functions). All integers little-endian.
 *
 * File = file header, then zero or more blocks, each 8-byte aligned:
 *
 *   FILE HEADER (cold, written once by `RecordingWriter.open`)
 *   byte  type     field
 *   ----  -------  --------------------------------------------------------
 *      0  u8[8]    FILE_MAGIC "QHFTREC\0"
 *      8  u32      crc32 of bytes [12, 24 + jsonLength)
 *     12  u32      formatVersion (FORMAT_VERSION)
 *     16  u32      jsonLength (UTF-8 bytes of the JSON header)
 *     20  u32      blockBytes (the writer's block capacity; bounds every
 *                  block that holds more than one frame)
 *     24  u8[..]   JSON header (RecordingHeader minus the fields above)
 *    ...  0..7     zero padding to a multiple of 8 = dataOffset
 *
 *   BLOCK (one `fs.writeSync` of the writer's buffer)
 *      0  u32      BLOCK_MAGIC "QBLK"
 *      4  u32      crc32 of bytes [8, 24 + bodyLength) of this block
 *      8  u32      bodyLength (bytes of frames; a multiple of 8)
 *     12  u32      frameCount (≥ 1)
 *     16  f64      firstFrameIndex (0-based index of the block's first frame
 *                  in the whole recording; exact below 2^53)
 *     24  u8[..]   frameCount frames, back to back
 *
 *   FRAME = a ring record (core/ring/layout.ts), byte for byte:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |            Record length (8 + payload length), int32          |
 *   +---------------------------------------------------------------+
 *   |                      Message type id, int32                   |
 *   +---------------------------------------------------------------+
 *   |          Payload: the FlatBuffers message as on the ring     ...
 *  ...              then 0..7 zero bytes to the next multiple of 8  |
 *   +---------------------------------------------------------------+
 *
 * Why one CRC per block and not per frame: `zlib.crc32` costs ~110 ns on a
 * 136-byte buffer (a native call per frame, 3× the copy) but runs at ~7 GB/s
 * over a 1 MiB block (~20 ns per 144-byte frame). The price: corruption is
 * located to a block (its file offset and frame range), and a torn last block
 * loses its frames, the same order of loss as the unflushed buffer in memory.
 */

/** "QHFTREC\0". */
export const FILE_MAGIC: readonly number[] = [0x51, 0x48, 0x46, 0x54, 0x52, 0x45, 0x43, 0x00];
export const FORMAT_VERSION = 1;

export const FILE_CRC_OFFSET = 8;
export const FILE_VERSION_OFFSET = 12;
export const FILE_JSON_LENGTH_OFFSET = 16;
export const FILE_BLOCK_BYTES_OFFSET = 20;
export const FILE_FIXED_HEADER_LENGTH = 24;
/** Upper bound on the JSON header, so a corrupt length cannot ask for gigabytes. */
export const MAX_HEADER_JSON_LENGTH = 64 * 1024 * 1024;

/** "QBLK" read as a little-endian u32. */
export const BLOCK_MAGIC = 0x4b4c4251;
export const BLOCK_CRC_OFFSET = 4;
export const BLOCK_BODY_LENGTH_OFFSET = 8;
export const BLOCK_FRAME_COUNT_OFFSET = 12;
export const BLOCK_FIRST_FRAME_OFFSET = 16;
export const BLOCK_HEADER_LENGTH = 24;

export const FRAME_LENGTH_OFFSET = 0;
export const FRAME_TYPE_OFFSET = 4;
export const FRAME_HEADER_LENGTH = 8;
export const FRAME_ALIGNMENT = 8;

/** Default writer block (and reader read) size. */
export const DEFAULT_BLOCK_BYTES = 1024 * 1024;
export const MIN_BLOCK_BYTES = 4096;
export const MAX_BLOCK_BYTES = 256 * 1024 * 1024;
/**
 * A block holding one oversized frame may exceed blockBytes, never this
 * (ring payloads are far smaller; the bound keeps a corrupt length from
 * making the reader allocate gigabytes).
 */
export const MAX_OVERSIZE_BODY = 64 * 1024 * 1024;

/** Bytes a frame of `payloadLength` occupies in a block (header + payload + padding). */
export function alignedFrameLength(payloadLength: number): number {
  return (FRAME_HEADER_LENGTH + payloadLength + FRAME_ALIGNMENT - 1) & ~(FRAME_ALIGNMENT - 1);
}

/** Where the first block starts for a JSON header of `jsonLength` bytes. */
export function dataOffsetFor(jsonLength: number): number {
  return (FILE_FIXED_HEADER_LENGTH + jsonLength + 7) & ~7;
}
