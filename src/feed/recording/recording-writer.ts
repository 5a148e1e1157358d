/**
 * RecordingWriter: appends ring records (the md ring's FlatBuffers frames,
 * Recv stamp and msgTypeId included) to a block-structured, append-only file.
 *
 * Owning thread: the feed worker (single writer; not thread-safe). Hot:
 * `append` is called per frame from the feed loop with the ring's own
 * `(msgTypeId, bytes, index, length)`. It copies the payload once, into a
 * preallocated block buffer, and allocates nothing; when the block is full
 * it is sealed (CRC32 over the block) and written with one `fs.writeSync`.
 * Cold: `open`, `flush`, `sync`, `close`, and frames larger than a block.
 *
 * Why `writeSync` and not async `fs.write`: stage loops never return to the
 * event loop while busy (they spin or `Atomics.wait`), so an async write's
 * completion would not run; a synchronous write of a whole block to the page
 * cache is one syscall per ~7,000 trade frames. The lead may call `flush()`
 * when the feed is idle (or on its report timer) to bound what a crash loses.
 *
 * Payload copy: an unrolled Int32 loop when source and destination are
 * 4-byte aligned and the payload is at most `nativeCopyAboveBytes` (default
 * 512); above that `Uint8Array.set(subarray)`, which is ~2.5× faster on a
 * 1 KiB book but allocates one short-lived view per frame. Pass
 * `nativeCopyAboveBytes: Infinity` for a strictly allocation-free writer.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { epochTimeOriginMs, unixNowUs } from '../../core/clock.ts';
import type { RecordHandler } from '../../core/ring/types.ts';
import {
  BLOCK_BODY_LENGTH_OFFSET,
  BLOCK_CRC_OFFSET,
  BLOCK_FIRST_FRAME_OFFSET,
  BLOCK_FRAME_COUNT_OFFSET,
  BLOCK_HEADER_LENGTH,
  BLOCK_MAGIC,
  DEFAULT_BLOCK_BYTES,
  FRAME_HEADER_LENGTH,
  MAX_BLOCK_BYTES,
  MAX_OVERSIZE_BODY,
  MIN_BLOCK_BYTES,
  alignedFrameLength,
} from './layout.ts';
import { RecordingFormatError, encodeRecordingHeader, type RecordingHeaderInit } from './recording-header.ts';

export interface RecordingWriterOptions {
  /** Replace an existing file at `path` (default false: `open` refuses). */
  readonly overwrite?: boolean;
  /** Block buffer size in bytes (default 1 MiB; 4 KiB..256 MiB, multiple of 8). */
  readonly blockBytes?: number;
  /** Payloads longer than this are copied with `set(subarray)` (default 512). */
  readonly nativeCopyAboveBytes?: number;
}

/** Counters of one writer (cold snapshot). */
export interface RecordingWriterStats {
  readonly path: string;
  /** Frames appended (including those still buffered). */
  readonly frames: number;
  /** Payload bytes appended (FlatBuffers bytes, without frame headers). */
  readonly bytes: number;
  /** Bytes handed to the OS so far (header + sealed blocks). */
  readonly fileBytes: number;
  readonly blocks: number;
  /** Bytes waiting in the block buffer. */
  readonly bufferedBytes: number;
  /** Frames too large for one block, written as a block of their own. */
  readonly oversizeFrames: number;
}

const LE = true;

export class RecordingWriter implements RecordHandler {
  private readonly blockBytes: number;
  private readonly nativeCopyAbove: number;
  private readonly overwrite: boolean;
  private readonly buf: Buffer;
  private readonly dv: DataView;
  private readonly buf32: Int32Array;
  private fd = -1;
  /** Next free byte in `buf` (starts after the block header). */
  private pos = BLOCK_HEADER_LENGTH;
  private blockFrames = 0;
  private blockFirstFrame = 0;
  /** Last source array seen by `append` and its Int32 view (null: not 4-byte aligned). */
  private srcKey: Uint8Array | null = null;
  private src32: Int32Array | null = null;

  path = '';
  frames = 0;
  bytes = 0;
  fileBytes = 0;
  blocks = 0;
  oversizeFrames = 0;

  constructor(options: RecordingWriterOptions = {}) {
    const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
    if (!Number.isInteger(blockBytes) || blockBytes < MIN_BLOCK_BYTES || blockBytes > MAX_BLOCK_BYTES || blockBytes % 8 !== 0) {
      throw new RangeError(`RecordingWriter: blockBytes must be a multiple of 8 in [${MIN_BLOCK_BYTES}, ${MAX_BLOCK_BYTES}], got ${blockBytes}`);
    }
    const nativeAbove = options.nativeCopyAboveBytes ?? 512;
    if (!(nativeAbove >= 0)) throw new RangeError(`RecordingWriter: nativeCopyAboveBytes must be ≥ 0, got ${nativeAbove}`);
    this.blockBytes = blockBytes;
    this.nativeCopyAbove = nativeAbove;
    this.overwrite = options.overwrite === true;
    // Own ArrayBuffer at offset 0, so every frame payload sits 8-byte aligned.
    this.buf = Buffer.allocUnsafeSlow(blockBytes);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, blockBytes);
    this.buf32 = new Int32Array(this.buf.buffer, this.buf.byteOffset, blockBytes >> 2);
  }

  /** Creates a writer and opens `path` (convenience for `new RecordingWriter(o).open(path, h)`). */
  static create(path: string, header: RecordingHeaderInit, options: RecordingWriterOptions = {}): RecordingWriter {
    const w = new RecordingWriter(options);
    w.open(path, header);
    return w;
  }

  get isOpen(): boolean {
    return this.fd >= 0;
  }

  get bufferedBytes(): number {
    return this.blockFrames === 0 ? 0 : this.pos;
  }

  /**
   * Creates the file and writes its header. Refuses an existing file unless
   * the writer was built with `overwrite: true`. Cold; throws on any error.
   */
  open(path: string, header: RecordingHeaderInit): this {
    if (this.fd >= 0) throw new Error(`RecordingWriter.open(${path}): already open on ${this.path}`);
    const head = encodeRecordingHeader(
      path,
      {
        ...header,
        createdUnixUs: header.createdUnixUs ?? Math.round(unixNowUs()),
        epochUnixUs: header.epochUnixUs ?? epochTimeOriginMs() * 1000,
      },
      this.blockBytes,
    );
    let fd: number;
    try {
      fd = openSync(path, this.overwrite ? 'w' : 'wx');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        throw new RecordingFormatError(path, -1, 'refusing to overwrite an existing file (pass overwrite: true)');
      }
      throw new RecordingFormatError(path, -1, `cannot create recording: ${(e as Error).message}`);
    }
    this.fd = fd;
    this.path = path;
    this.pos = BLOCK_HEADER_LENGTH;
    this.blockFrames = 0;
    this.blockFirstFrame = 0;
    this.frames = 0;
    this.bytes = 0;
    this.fileBytes = 0;
    this.blocks = 0;
    this.oversizeFrames = 0;
    this.writeAll(head, head.length);
    return this;
  }

  /**
   * Appends one frame. Hot, allocation-free (see `nativeCopyAboveBytes`).
   * `bytes[index, index + length)` is the payload exactly as on the ring.
   */
  append(msgTypeId: number, bytes: Uint8Array, index: number, length: number): void {
    if (this.fd < 0 || !(length >= 0) || (length | 0) !== length) this.badAppend(length);
    const frameLen = alignedFrameLength(length);
    let p = this.pos;
    if (p + frameLen > this.blockBytes) {
      if (this.blockFrames > 0) this.flush();
      if (BLOCK_HEADER_LENGTH + frameLen > this.blockBytes) {
        this.appendOversize(msgTypeId, bytes, index, length);
        return;
      }
      p = this.pos;
    }
    const dv = this.dv;
    dv.setInt32(p, FRAME_HEADER_LENGTH + length, LE);
    dv.setInt32(p + 4, msgTypeId, LE);
    const dst = p + FRAME_HEADER_LENGTH;
    this.copyPayload(bytes, index, length, dst);
    const buf = this.buf;
    for (let i = dst + length, end = p + frameLen; i < end; i++) buf[i] = 0;
    this.pos = p + frameLen;
    this.blockFrames++;
    this.frames++;
    this.bytes += length;
  }

  /** `RecordHandler` face, so the writer can be handed to `ring.read` directly. */
  onMessage(msgTypeId: number, buffer: Uint8Array, index: number, length: number): void {
    this.append(msgTypeId, buffer, index, length);
  }

  /** Seals the buffered frames as one block and writes it (no fsync). Cheap when empty. */
  flush(): void {
    if (this.blockFrames === 0 || this.fd < 0) return;
    const end = this.pos;
    sealBlock(this.buf, end - BLOCK_HEADER_LENGTH, this.blockFrames, this.blockFirstFrame);
    this.writeAll(this.buf, end);
    this.blocks++;
    this.pos = BLOCK_HEADER_LENGTH;
    this.blockFrames = 0;
    this.blockFirstFrame = this.frames;
  }

  /** Flushes and fsyncs (durable on return). */
  sync(): void {
    if (this.fd < 0) return;
    this.flush();
    fsyncSync(this.fd);
  }

  /** Flushes, fsyncs and closes. Idempotent. The writer can then `open` another file. */
  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    try {
      this.flush();
      fsyncSync(fd);
    } finally {
      this.fd = -1;
      closeSync(fd);
    }
  }

  stats(): RecordingWriterStats {
    return {
      path: this.path,
      frames: this.frames,
      bytes: this.bytes,
      fileBytes: this.fileBytes,
      blocks: this.blocks,
      bufferedBytes: this.bufferedBytes,
      oversizeFrames: this.oversizeFrames,
    };
  }

  private copyPayload(src: Uint8Array, index: number, length: number, dst: number): void {
    const buf = this.buf;
    if (length > this.nativeCopyAbove) {
      buf.set(src.subarray(index, index + length), dst);
      return;
    }
    const s32 = src === this.srcKey ? this.src32 : this.viewOf(src);
    const words = length >> 2;
    if (s32 !== null && (index & 3) === 0) {
      const d32 = this.buf32;
      let s = index >> 2;
      let d = dst >> 2;
      const e = s + words;
      for (; s + 4 <= e; s += 4, d += 4) {
        d32[d] = s32[s]!;
        d32[d + 1] = s32[s + 1]!;
        d32[d + 2] = s32[s + 2]!;
        d32[d + 3] = s32[s + 3]!;
      }
      for (; s < e; s++, d++) d32[d] = s32[s]!;
      for (let i = words << 2; i < length; i++) buf[dst + i] = src[index + i]!;
    } else {
      for (let i = 0; i < length; i++) buf[dst + i] = src[index + i]!;
    }
  }

  /** Cold: first sight of a source array (the ring's data region, normally once per run). */
  private viewOf(src: Uint8Array): Int32Array | null {
    this.srcKey = src;
    this.src32 = (src.byteOffset & 3) === 0 ? new Int32Array(src.buffer, src.byteOffset, src.byteLength >> 2) : null;
    return this.src32;
  }

  private badAppend(length: number): never {
    if (this.fd < 0) throw new Error('RecordingWriter.append: not open');
    throw new RangeError(`RecordingWriter.append(${this.path}): length must be a non-negative int32, got ${length}`);
  }

  /** Cold: a frame bigger than a block becomes a block of its own. */
  private appendOversize(msgTypeId: number, bytes: Uint8Array, index: number, length: number): void {
    const frameLen = alignedFrameLength(length);
    if (frameLen > MAX_OVERSIZE_BODY) {
      throw new RangeError(`RecordingWriter.append(${this.path}): frame length ${length} out of range (max ${MAX_OVERSIZE_BODY - FRAME_HEADER_LENGTH})`);
    }
    const block = Buffer.alloc(BLOCK_HEADER_LENGTH + frameLen);
    block.writeInt32LE(FRAME_HEADER_LENGTH + length, BLOCK_HEADER_LENGTH);
    block.writeInt32LE(msgTypeId | 0, BLOCK_HEADER_LENGTH + 4);
    block.set(bytes.subarray(index, index + length), BLOCK_HEADER_LENGTH + FRAME_HEADER_LENGTH);
    sealBlock(block, frameLen, 1, this.frames);
    this.writeAll(block, block.length);
    this.frames++;
    this.bytes += length;
    this.blocks++;
    this.oversizeFrames++;
    this.blockFirstFrame = this.frames;
  }

  private writeAll(src: Buffer, length: number): void {
    let off = 0;
    try {
      while (off < length) off += writeSync(this.fd, src, off, length - off, this.fileBytes + off);
    } catch (e) {
      throw new RecordingFormatError(this.path, this.fileBytes + off, `write failed: ${(e as Error).message}`);
    }
    this.fileBytes += length;
  }
}

/** Fills in a block header at `block[0..24)` and its CRC (cold: once per block). */
function sealBlock(block: Buffer, bodyLength: number, frameCount: number, firstFrameIndex: number): void {
  block.writeUInt32LE(BLOCK_MAGIC, 0);
  block.writeUInt32LE(bodyLength, BLOCK_BODY_LENGTH_OFFSET);
  block.writeUInt32LE(frameCount, BLOCK_FRAME_COUNT_OFFSET);
  block.writeDoubleLE(firstFrameIndex, BLOCK_FIRST_FRAME_OFFSET);
  block.writeUInt32LE(crc32(block.subarray(BLOCK_BODY_LENGTH_OFFSET, BLOCK_HEADER_LENGTH + bodyLength)), BLOCK_CRC_OFFSET);
}
