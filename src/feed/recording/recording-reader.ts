/**
 * RecordingReader: streams the frames of a recording back, one at a time or
 * in batches, into a `RecordHandler` (the same `onMessage(msgTypeId, buffer,
 * index, length)` as a ring consumer), so the replay feed copies each frame
 * straight into the md ring.
 *
 * Owning thread: the replay feed worker (or a CLI tool); single reader.
 * Hot: `next`, `read`, `peekTsUs` allocate nothing per frame. Cold, once per
 * block (~1 MiB): one `readSync` into a big reused buffer when it runs dry,
 * one CRC32 over the block (a `subarray` view), and a walk of its frame
 * headers; a block is verified whole before any of its frames is delivered.
 * The `buffer` passed to handlers is valid only during the call.
 *
 * End of data: `next` returns false. A torn tail (crash mid-write: a partial
 * block, or a zero-filled tail) ends the stream after the last whole block
 * and sets `truncatedTailBytes`. A corrupt block (bad magic, CRC or framing)
 * throws `RecordingFormatError` naming its file offset and first frame index
 * (`onCorrupt: 'throw'`, default), or is skipped by scanning for the next
 * valid block (`onCorrupt: 'skip'`; counted in corruptBlocks/skippedBytes/lostFrames).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import type { RecordHandler } from '../../core/ring/types.ts';
import {
  BLOCK_BODY_LENGTH_OFFSET,
  BLOCK_CRC_OFFSET,
  BLOCK_FIRST_FRAME_OFFSET,
  BLOCK_FRAME_COUNT_OFFSET,
  BLOCK_HEADER_LENGTH,
  BLOCK_MAGIC,
  FRAME_HEADER_LENGTH,
  MAX_OVERSIZE_BODY,
} from './layout.ts';
import { RecordingFormatError, readHeaderFromFd, type RecordingHeader } from './recording-header.ts';

/**
 * Which time `peekTsUs` reports.
 * - `recv` (default): the frame's Recv stamp, µs on the recording process's
 *   shared epoch (core/clock.ts); a frame without one falls back to its
 *   exchange time minus `header.epochUnixUs`, so units never mix.
 * - `exchange`: the frame's exchange time, Unix µs; falls back to
 *   Recv + `header.epochUnixUs`.
 */
export type ReplayClock = 'recv' | 'exchange';

export interface RecordingReaderOptions {
  /** Read buffer size (default 4 MiB; at least two writer blocks; grows for an oversized block). */
  readonly bufferBytes?: number;
  readonly onCorrupt?: 'throw' | 'skip';
  readonly clock?: ReplayClock;
}

const LE = true;
const DEFAULT_BUFFER_BYTES = 4 * 1024 * 1024;

export class RecordingReader {
  readonly path: string;
  private hdr: RecordingHeader;
  private fd: number;
  private fileSize = 0;
  private buf: Buffer;
  private dv: DataView;
  private readonly skip: boolean;
  private readonly byExchange: boolean;
  /** File offset of buf[0]. */
  private bufStart = 0;
  /** Valid bytes in buf. */
  private bufLen = 0;
  /** Buffer index of the next frame, or of the next block header when === blockEnd. */
  private framePos = 0;
  /** Buffer index one past the current verified block's frames. */
  private blockEnd = 0;
  private ended = false;
  /** In skip mode: looking for the next valid block after a corrupt one. */
  private scanning = false;

  /** Frames delivered since open/reset. */
  frames = 0;
  /** Verified blocks loaded. */
  blocks = 0;
  /** Bytes after the last whole block that do not form a whole block (torn write). */
  truncatedTailBytes = 0;
  /** Skip mode: corrupt regions met, bytes skipped over, frames lost in them. */
  corruptBlocks = 0;
  skippedBytes = 0;
  lostFrames = 0;

  constructor(path: string, options: RecordingReaderOptions = {}) {
    this.path = path;
    this.skip = options.onCorrupt === 'skip';
    this.byExchange = options.clock === 'exchange';
    const want = options.bufferBytes ?? DEFAULT_BUFFER_BYTES;
    if (!Number.isInteger(want) || want < 4096) throw new RangeError(`RecordingReader(${path}): bufferBytes must be an integer ≥ 4096, got ${want}`);
    this.fd = openSync(path, 'r');
    try {
      this.hdr = readHeaderFromFd(path, this.fd);
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
    const size = Math.max(want, 2 * this.hdr.blockBytes);
    this.buf = Buffer.allocUnsafeSlow(size);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, size);
    this.reset();
  }

  static open(path: string, options: RecordingReaderOptions = {}): RecordingReader {
    return new RecordingReader(path, options);
  }

  get header(): RecordingHeader {
    return this.hdr;
  }

  /** File size at open/reset/reopen. */
  get totalBytes(): number {
    return this.fileSize;
  }

  /** File offset of the next unread frame (or block). */
  get position(): number {
    return this.ended ? this.fileSize : this.bufStart + this.framePos;
  }

  /** True once `next` has returned false (end, torn tail, or a thrown corruption). */
  get atEnd(): boolean {
    return this.ended;
  }

  /** Fraction of the file consumed, 0..1 (for a progress bar). */
  progress(): number {
    const span = this.fileSize - this.hdr.dataOffset;
    if (this.ended || span <= 0) return 1;
    return (this.bufStart + this.framePos - this.hdr.dataOffset) / span;
  }

  /** Delivers the next frame to `handler`; false at the end of the recording. */
  next(handler: RecordHandler): boolean {
    if (this.framePos >= this.blockEnd && !this.loadBlock()) return false;
    const p = this.framePos;
    const len = this.dv.getInt32(p, LE);
    const type = this.dv.getInt32(p + 4, LE);
    this.framePos = p + ((len + 7) & ~7);
    this.frames++;
    handler.onMessage(type, this.buf, p + FRAME_HEADER_LENGTH, len - FRAME_HEADER_LENGTH);
    return true;
  }

  /** Delivers up to `limit` frames; returns how many (0 at the end). */
  read(handler: RecordHandler, limit: number): number {
    let n = 0;
    while (n < limit && this.next(handler)) n++;
    return n;
  }

  /**
   * Time of the next frame per the reader's clock (see ReplayClock), without
   * consuming it; NaN at the end or when the frame carries neither time.
   */
  peekTsUs(): number {
    if (this.framePos >= this.blockEnd && !this.loadBlock()) return NaN;
    const p = this.framePos;
    const index = p + FRAME_HEADER_LENGTH;
    const length = this.dv.getInt32(p, LE) - FRAME_HEADER_LENGTH;
    const recv = fieldFloat64(this.dv, index, length, 0);
    const exch = fieldFloat64(this.dv, index, length, 2);
    if (this.byExchange) {
      if (exch > 0) return exch;
      return recv > 0 ? recv + this.hdr.epochUnixUs : NaN;
    }
    if (recv > 0) return recv;
    return exch > 0 ? exch - this.hdr.epochUnixUs : NaN;
  }

  /** Message type id of the next frame without consuming it; 0 at the end. */
  peekMsgTypeId(): number {
    if (this.framePos >= this.blockEnd && !this.loadBlock()) return 0;
    return this.dv.getInt32(this.framePos + 4, LE);
  }

  /** Rewinds to the first frame and re-reads the file size (a file still growing shows more). */
  reset(): void {
    if (this.fd < 0) throw new RecordingFormatError(this.path, -1, 'reader is closed (use reopen())');
    this.fileSize = fstatSync(this.fd).size;
    this.bufStart = this.hdr.dataOffset;
    this.bufLen = 0;
    this.framePos = 0;
    this.blockEnd = 0;
    this.ended = false;
    this.scanning = false;
    this.frames = 0;
    this.blocks = 0;
    this.truncatedTailBytes = 0;
    this.corruptBlocks = 0;
    this.skippedBytes = 0;
    this.lostFrames = 0;
  }

  /** Closes and reopens the file (it may have been replaced), re-reads the header, rewinds. */
  reopen(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.ended = true;
    const fd = openSync(this.path, 'r');
    try {
      this.hdr = readHeaderFromFd(this.path, fd);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    this.fd = fd;
    if (this.buf.length < 2 * this.hdr.blockBytes) this.grow(2 * this.hdr.blockBytes);
    this.reset();
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    this.ended = true;
  }

  /** Cold (once per block): positions the cursor on the next verified block's first frame. */
  private loadBlock(): boolean {
    while (!this.ended) {
      if (this.fd < 0) throw new RecordingFormatError(this.path, -1, 'reader is closed');
      const off = this.bufStart + this.framePos;
      const remaining = this.fileSize - off;
      if (remaining <= 0) {
        this.ended = true;
        return false;
      }
      if (remaining < BLOCK_HEADER_LENGTH) return this.torn(off, remaining);
      if (!this.ensure(BLOCK_HEADER_LENGTH)) return this.torn(off, remaining);
      let p = this.framePos;
      const dv = this.dv;
      if (dv.getUint32(p, LE) !== BLOCK_MAGIC) {
        if (this.scanning) {
          this.advance(8);
          continue;
        }
        if (this.zeroFrom(off)) return this.torn(off, remaining);
        this.corrupt(off, `bad block magic 0x${dv.getUint32(p, LE).toString(16)}`);
        continue;
      }
      const bodyLen = dv.getUint32(p + BLOCK_BODY_LENGTH_OFFSET, LE);
      const count = dv.getUint32(p + BLOCK_FRAME_COUNT_OFFSET, LE);
      const first = dv.getFloat64(p + BLOCK_FIRST_FRAME_OFFSET, LE);
      const maxBody = count === 1 ? MAX_OVERSIZE_BODY : this.hdr.blockBytes - BLOCK_HEADER_LENGTH;
      if (count === 0 || bodyLen % 8 !== 0 || bodyLen < count * FRAME_HEADER_LENGTH || bodyLen > maxBody) {
        this.corrupt(off, `bad block header (bodyLength ${bodyLen}, frameCount ${count})`);
        continue;
      }
      if (remaining < BLOCK_HEADER_LENGTH + bodyLen) {
        if (this.scanning || this.plausiblyTorn(remaining, bodyLen, count)) return this.torn(off, remaining);
        this.corrupt(off, `block claims ${bodyLen} body bytes past the end of the file and its frames do not tile`);
        continue;
      }
      if (!this.ensure(BLOCK_HEADER_LENGTH + bodyLen)) return this.torn(off, remaining);
      p = this.framePos;
      const bodyStart = p + BLOCK_HEADER_LENGTH;
      const bodyEnd = bodyStart + bodyLen;
      const want = this.dv.getUint32(p + BLOCK_CRC_OFFSET, LE); // ensure() may have grown buf
      const have = crc32(this.buf.subarray(p + BLOCK_BODY_LENGTH_OFFSET, bodyEnd));
      if (want !== have) {
        this.corrupt(off, `crc32 mismatch (stored 0x${want.toString(16)}, computed 0x${have.toString(16)})`);
        continue;
      }
      const bad = this.checkFrames(bodyStart, bodyEnd, count);
      if (bad !== null) {
        this.corrupt(off, bad);
        continue;
      }
      const expected = this.frames + this.lostFrames;
      if (this.skip && first > expected) this.lostFrames += first - expected;
      this.scanning = false;
      this.framePos = bodyStart;
      this.blockEnd = bodyEnd;
      this.blocks++;
      return true;
    }
    return false;
  }

  /** Framing of a CRC-valid block: lengths tile the body exactly into `count` frames. */
  private checkFrames(start: number, end: number, count: number): string | null {
    const dv = this.dv;
    let q = start;
    let n = 0;
    while (q < end) {
      const len = dv.getInt32(q, LE);
      if (len < FRAME_HEADER_LENGTH || q + ((len + 7) & ~7) > end) return `bad frame length ${len} at block body offset ${q - start}`;
      q += (len + 7) & ~7;
      n++;
    }
    return n === count ? null : `frame count ${n} != header's ${count}`;
  }

  /**
   * A block that runs past the end of the file is a torn write only if what
   * is there still tiles as frames (or turns to zeros): a corrupt bodyLength
   * in the middle of the file instead runs into the next block's magic.
   */
  private plausiblyTorn(remaining: number, bodyLen: number, count: number): boolean {
    if (remaining > this.buf.length || !this.ensure(remaining)) return true;
    const dv = this.dv;
    const p = this.framePos;
    const end = p + remaining;
    const bodyEnd = p + BLOCK_HEADER_LENGTH + bodyLen;
    let q = p + BLOCK_HEADER_LENGTH;
    for (let n = 0; q + FRAME_HEADER_LENGTH <= end; n++) {
      const len = dv.getInt32(q, LE);
      if (len === 0) return this.zeroFrom(this.bufStart + q);
      if (len < FRAME_HEADER_LENGTH || n >= count || q + ((len + 7) & ~7) > bodyEnd) return false;
      q += (len + 7) & ~7;
    }
    return true;
  }

  private torn(off: number, remaining: number): false {
    if (this.scanning) this.skippedBytes += remaining;
    else this.truncatedTailBytes = remaining;
    this.ended = true;
    this.framePos = this.blockEnd = off - this.bufStart;
    return false;
  }

  private corrupt(off: number, reason: string): void {
    if (!this.skip) {
      this.ended = true;
      const idx = this.frames + this.lostFrames;
      throw new RecordingFormatError(this.path, off, `corrupt block at file offset ${off} (frames from #${idx}): ${reason}`, idx);
    }
    if (!this.scanning) this.corruptBlocks++;
    this.scanning = true;
    this.advance(8);
  }

  private advance(n: number): void {
    this.framePos += n;
    this.blockEnd = this.framePos;
    this.skippedBytes += n;
  }

  /**
   * Makes buf[framePos, framePos + n) valid: compacts (the cursor is between
   * blocks, so no delivered frame is moved), grows for an oversized block,
   * then reads as much as fits. False if the file ended first.
   */
  private ensure(n: number): boolean {
    if (this.framePos + n <= this.bufLen) return true;
    if (this.framePos + n > this.buf.length) {
      if (n > this.buf.length) this.grow(n);
      else {
        this.buf.copyWithin(0, this.framePos, this.bufLen);
        this.bufLen -= this.framePos;
        this.bufStart += this.framePos;
        this.framePos = 0;
        this.blockEnd = 0;
      }
    }
    while (this.bufLen < this.framePos + n) {
      const got = readSync(this.fd, this.buf, this.bufLen, this.buf.length - this.bufLen, this.bufStart + this.bufLen);
      if (got === 0) return false;
      this.bufLen += got;
    }
    return true;
  }

  /** Cold: a bigger buffer holding the unread bytes at index 0. */
  private grow(n: number): void {
    let size = this.buf.length;
    while (size < n) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, this.framePos, this.bufLen);
    this.bufLen -= this.framePos;
    this.bufStart += this.framePos;
    this.framePos = 0;
    this.blockEnd = 0;
    this.buf = next;
    this.dv = new DataView(next.buffer, next.byteOffset, size);
  }

  /** Cold: true when every byte from `off` to the end of the file is zero (a zero-filled torn tail). */
  private zeroFrom(off: number): boolean {
    const chunk = Buffer.allocUnsafe(64 * 1024);
    for (let at = off; at < this.fileSize; ) {
      const got = readSync(this.fd, chunk, 0, Math.min(chunk.length, this.fileSize - at), at);
      if (got === 0) break;
      for (let i = 0; i < got; i++) if (chunk[i] !== 0) return false;
      at += got;
    }
    return true;
  }
}

/**
 * Float64 field `fieldId` of the FlatBuffers root table in `[index, index+length)`,
 * read with bounds checks (a recording is untrusted input; core/codec's
 * readers assume a well-formed message). For field 0, the StageStamps
 * struct, this is its first member, the Recv stamp. NaN when absent or out of bounds.
 */
export function fieldFloat64(dv: DataView, index: number, length: number, fieldId: number): number {
  const end = index + length;
  if (length < 8) return NaN;
  const table = index + dv.getUint32(index, LE);
  if (table + 4 > end) return NaN;
  const vt = table - dv.getInt32(table, LE);
  if (vt < index || vt + 4 > end) return NaN;
  const slot = 4 + 2 * fieldId;
  if (slot + 2 > dv.getUint16(vt, LE) || vt + slot + 2 > end) return NaN;
  const o = dv.getUint16(vt + slot, LE);
  if (o === 0 || table + o + 8 > end) return NaN;
  return dv.getFloat64(table + o, LE);
}
