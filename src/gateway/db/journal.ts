/**
 * Append-only local journal: where the writer's rows go while MySQL is slow,
 * down or missing, and what `qhft load-journal` reads later.
 *
 * Role: durable spill buffer. Owning thread: the writer thread (single
 * writer; no two processes may open one file). Cold path: touched only when
 * the database does not keep up. All I/O is synchronous on purpose: the
 * writer thread has nothing better to do meanwhile, and a synchronous append
 * means no await sits between "record written" and "record counted".
 *
 * File layout (little-endian):
 *
 *   0        8            12           16
 *   +--------+------------+------------+
 *   | QHFTJNL1 magic (8) | version u32| flags u32 (0)|      header, 16 bytes
 *   +--------------------+------------+--------------+
 *   | len u32 | crc32 u32 | payload (len bytes) |           record 0
 *   +---------+-----------+---------------------+
 *   | len u32 | crc32 u32 | payload …           |           record 1 …
 *
 * crc32 is zlib's CRC-32 of the payload. A record counts only once all of its
 * bytes are written (and fsynced under `always`). A crash mid-write leaves a
 * short or CRC-failing tail: `scanJournal` returns the valid prefix and
 * describes the tail; `Journal.open` moves the bad tail aside into
 * `<path>.corrupt-<offset>` and truncates, so appends continue after valid data.
 * A CRC failure in the middle cuts the file there too: framing after a bad
 * record cannot be trusted.
 */
import { closeSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

export const JOURNAL_MAGIC = 'QHFTJNL1';
export const JOURNAL_VERSION = 1;
export const HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 8;
/** Sanity cap: a length above this is corruption, not a record. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/**
 * `always`: fdatasync after every append (survives power loss; slowest).
 * `interval`: fdatasync at most every `fsyncIntervalMs` (loses ≤ that window on power loss).
 * `never`: leave it to the OS (survives a process crash, not power loss).
 */
export type FsyncPolicy = 'always' | 'interval' | 'never';
export const FSYNC_POLICIES: readonly FsyncPolicy[] = ['always', 'interval', 'never'];

export interface JournalOptions {
  fsync?: FsyncPolicy;
  /** For `interval`; default 100 ms. */
  fsyncIntervalMs?: number;
}

export interface JournalRecord {
  /** Byte offset of the record header. */
  offset: number;
  /** Offset just past the record (where the next one starts). */
  end: number;
  payload: Buffer;
}

export interface TailProblem {
  offset: number;
  /** Bytes from `offset` to the end of the file that are not a valid record. */
  bytes: number;
  reason: 'short-header' | 'short-payload' | 'bad-length' | 'crc';
}

export interface ScanResult {
  records: JournalRecord[];
  /** End of the last valid record. */
  validEnd: number;
  tail: TailProblem | null;
}

/** Validates a fsync policy name (config time), throwing with the value. */
export function parseFsyncPolicy(v: string): FsyncPolicy {
  if ((FSYNC_POLICIES as readonly string[]).includes(v)) return v as FsyncPolicy;
  throw new RangeError(`journal fsync policy must be one of ${FSYNC_POLICIES.join(' | ')}, got "${v}"`);
}

function header(): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write(JOURNAL_MAGIC, 0, 'latin1');
  h.writeUInt32LE(JOURNAL_VERSION, 8);
  h.writeUInt32LE(0, 12);
  return h;
}

function readExactly(fd: number, len: number, pos: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, b, got, len - got, pos + got);
    if (n === 0) return b.subarray(0, got);
    got += n;
  }
  return b;
}

function checkHeader(fd: number, path: string): void {
  const h = readExactly(fd, HEADER_BYTES, 0);
  if (h.length < HEADER_BYTES || h.toString('latin1', 0, 8) !== JOURNAL_MAGIC) {
    throw new Error(`journal ${path}: not a qhft journal (bad magic or short header)`);
  }
  const version = h.readUInt32LE(8);
  if (version !== JOURNAL_VERSION) {
    throw new Error(`journal ${path}: format version ${version} is not supported (this build reads version ${JOURNAL_VERSION})`);
  }
}

/** Reads records from `from` to the end of the file; stops at the first invalid one. */
function scanFd(fd: number, from: number, size: number): ScanResult {
  const records: JournalRecord[] = [];
  let pos = from;
  let tail: TailProblem | null = null;
  while (pos < size) {
    if (size - pos < RECORD_HEADER_BYTES) {
      tail = { offset: pos, bytes: size - pos, reason: 'short-header' };
      break;
    }
    const rh = readExactly(fd, RECORD_HEADER_BYTES, pos);
    const len = rh.readUInt32LE(0);
    const crc = rh.readUInt32LE(4);
    if (len > MAX_RECORD_BYTES) {
      tail = { offset: pos, bytes: size - pos, reason: 'bad-length' };
      break;
    }
    if (size - pos - RECORD_HEADER_BYTES < len) {
      tail = { offset: pos, bytes: size - pos, reason: 'short-payload' };
      break;
    }
    const payload = readExactly(fd, len, pos + RECORD_HEADER_BYTES);
    if (crc32(payload) !== crc) {
      tail = { offset: pos, bytes: size - pos, reason: 'crc' };
      break;
    }
    const end = pos + RECORD_HEADER_BYTES + len;
    records.push({ offset: pos, end, payload });
    pos = end;
  }
  return { records, validEnd: pos, tail };
}

/** Reads a journal without modifying it (for inspection and load-journal dry runs). */
export function scanJournal(path: string): ScanResult {
  const fd = openSync(path, 'r');
  try {
    checkHeader(fd, path);
    return scanFd(fd, HEADER_BYTES, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}

export class Journal {
  readonly path: string;
  readonly fsync: FsyncPolicy;
  private readonly fsyncIntervalMs: number;
  private fd: number;
  private end: number;
  private recordCount: number;
  private lastSyncMs = 0;
  private dirty = false;
  private syncTimer: ReturnType<typeof setInterval> | null = null;
  /** What `open` found and cut off at the tail, if anything. */
  readonly recoveredTail: TailProblem | null;

  private constructor(path: string, fd: number, end: number, records: number, tail: TailProblem | null, o: JournalOptions) {
    this.path = path;
    this.fd = fd;
    this.end = end;
    this.recordCount = records;
    this.recoveredTail = tail;
    this.fsync = o.fsync ?? 'interval';
    this.fsyncIntervalMs = o.fsyncIntervalMs ?? 100;
    if (this.fsync === 'interval') {
      this.syncTimer = setInterval(() => this.syncIfDirty(), this.fsyncIntervalMs);
      this.syncTimer.unref();
    }
  }

  /**
   * Opens (or creates) a journal for appending. Existing valid records are
   * kept; an invalid tail is saved aside to `<path>.corrupt-<offset>` and cut.
   */
  static open(path: string, o: JournalOptions = {}): Journal {
    if (o.fsync !== undefined) parseFsyncPolicy(o.fsync);
    if (o.fsyncIntervalMs !== undefined && !(o.fsyncIntervalMs > 0)) {
      throw new RangeError(`journal fsyncIntervalMs must be > 0, got ${o.fsyncIntervalMs}`);
    }
    const fresh = !existsSync(path);
    const fd = openSync(path, fresh ? 'w+' : 'r+');
    try {
      const size = fstatSync(fd).size;
      if (size === 0) {
        writeAll(fd, header(), 0);
        fdatasyncSync(fd);
        return new Journal(path, fd, HEADER_BYTES, 0, null, o);
      }
      checkHeader(fd, path);
      const scan = scanFd(fd, HEADER_BYTES, size);
      if (scan.tail) {
        writeFileSync(`${path}.corrupt-${scan.tail.offset}`, readExactly(fd, scan.tail.bytes, scan.tail.offset));
        ftruncateSync(fd, scan.validEnd);
        fdatasyncSync(fd);
      }
      return new Journal(path, fd, scan.validEnd, scan.records.length, scan.tail, o);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Bytes in the file, header included. */
  get sizeBytes(): number {
    return this.end;
  }

  /** Valid records currently in the file. */
  get records(): number {
    return this.recordCount;
  }

  get isEmpty(): boolean {
    return this.recordCount === 0;
  }

  /**
   * Appends one record and returns its end offset. The record is counted only
   * after every byte is written (and synced under `always`); on a write error
   * (disk full) the partial bytes are cut off again and the error thrown.
   */
  append(payload: Buffer | string): number {
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    if (body.length > MAX_RECORD_BYTES) throw new RangeError(`journal record of ${body.length} bytes exceeds ${MAX_RECORD_BYTES}`);
    const rec = Buffer.allocUnsafe(RECORD_HEADER_BYTES + body.length);
    rec.writeUInt32LE(body.length, 0);
    rec.writeUInt32LE(crc32(body), 4);
    body.copy(rec, RECORD_HEADER_BYTES);
    try {
      writeAll(this.fd, rec, this.end);
    } catch (err) {
      try {
        ftruncateSync(this.fd, this.end);
      } catch {
        // The reopen-time scan will cut the partial record instead.
      }
      throw err;
    }
    this.end += rec.length;
    this.recordCount++;
    if (this.fsync === 'always') fdatasyncSync(this.fd);
    else if (this.fsync === 'interval') {
      this.dirty = true;
      const now = Date.now();
      if (now - this.lastSyncMs >= this.fsyncIntervalMs) this.syncIfDirty();
    }
    return this.end;
  }

  /** Valid records from `offset` (default: the first) to the end. */
  readFrom(offset: number = HEADER_BYTES): JournalRecord[] {
    return scanFd(this.fd, Math.max(offset, HEADER_BYTES), this.end).records;
  }

  /** Drops every record (after a successful replay), keeping the header. */
  truncate(): void {
    ftruncateSync(this.fd, HEADER_BYTES);
    fdatasyncSync(this.fd);
    this.end = HEADER_BYTES;
    this.recordCount = 0;
    this.dirty = false;
  }

  /** Forces data to disk now (any policy). */
  sync(): void {
    fdatasyncSync(this.fd);
    this.dirty = false;
    this.lastSyncMs = Date.now();
  }

  close(): void {
    if (this.fd < 0) return;
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = null;
    if (this.fsync !== 'never') this.syncIfDirty();
    closeSync(this.fd);
    this.fd = -1;
  }

  private syncIfDirty(): void {
    if (!this.dirty || this.fd < 0) return;
    this.sync();
  }
}

function writeAll(fd: number, buf: Buffer, pos: number): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, pos + off);
}
