/**
 * The recording's file header: session metadata written once, before any
 * frame (instruments, config hash, source, seed, times, free-form metadata).
 *
 * Role: encode/validate/decode the header and `readHeader(path)` for tools
 * that need the metadata without the frames. Cold: JSON, allocation and
 * exceptions are fine here. Owning thread: whichever opens the file.
 * Errors throw `RecordingFormatError` naming the path and byte offset.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { makeInstrumentSpec, type InstrumentSpec } from '../../core/domain/instrument.ts';
import {
  FILE_BLOCK_BYTES_OFFSET,
  FILE_CRC_OFFSET,
  FILE_FIXED_HEADER_LENGTH,
  FILE_JSON_LENGTH_OFFSET,
  FILE_MAGIC,
  FILE_VERSION_OFFSET,
  FORMAT_VERSION,
  MAX_BLOCK_BYTES,
  MAX_HEADER_JSON_LENGTH,
  MIN_BLOCK_BYTES,
  dataOffsetFor,
} from './layout.ts';

/** What the caller gives `RecordingWriter.open`. */
export interface RecordingHeaderInit {
  /** Every instrument the frames may refer to (by `id`). */
  readonly instruments: readonly InstrumentSpec[];
  /** Hex digest of the engine config that produced the session (any length, may be empty). */
  readonly configHash: string;
  /** Market-data source name: `synthetic`, `okx`, `replay`, … */
  readonly source: string;
  /** Seed of the source (synthetic market), 0 when it has none. */
  readonly seed: number;
  /** Unix µs the recording was created; default: now. */
  readonly createdUnixUs?: number;
  /**
   * Unix µs of the recording process's shared clock epoch (core/clock.ts), so
   * Recv stamps (epoch µs) map to wall time: unix = recv + epochUnixUs.
   * Default: `epochTimeOriginMs() * 1000` of the writing thread.
   */
  readonly epochUnixUs?: number;
  /** Free-form JSON object (engine version, CLI args, host, notes). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** The header as read back (every field present). */
export interface RecordingHeader {
  readonly formatVersion: number;
  /** The writer's block capacity in bytes. */
  readonly blockBytes: number;
  readonly instruments: readonly InstrumentSpec[];
  readonly configHash: string;
  readonly source: string;
  readonly seed: number;
  readonly createdUnixUs: number;
  readonly epochUnixUs: number;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** File offset of the first block (after the header and its padding). */
  readonly dataOffset: number;
}

/** A recording that cannot be read (bad magic, version, checksum, framing), or refused (exists). */
export class RecordingFormatError extends Error {
  override readonly name = 'RecordingFormatError';
  constructor(
    readonly path: string,
    /** Byte offset in the file of the offending header/block, -1 when not about a position. */
    readonly fileOffset: number,
    message: string,
    /** Index of the first frame that could not be read, -1 when unknown. */
    readonly frameIndex = -1,
  ) {
    super(`${path}: ${message}`);
  }
}

const HEX = /^[0-9a-fA-F]*$/;

function validateInit(path: string, h: RecordingHeaderInit): void {
  const bad = (msg: string): never => {
    throw new RecordingFormatError(path, -1, `invalid recording header: ${msg}`);
  };
  if (!Array.isArray(h.instruments)) bad(`instruments must be an array, got ${typeof h.instruments}`);
  const ids = new Set<number>();
  for (const s of h.instruments) {
    if (ids.has(s.id)) bad(`duplicate instrument id ${s.id} (${s.symbol})`);
    ids.add(s.id);
  }
  if (typeof h.configHash !== 'string' || !HEX.test(h.configHash)) bad(`configHash must be a hex string, got ${JSON.stringify(h.configHash)}`);
  if (typeof h.source !== 'string') bad(`source must be a string, got ${typeof h.source}`);
  if (!Number.isFinite(h.seed)) bad(`seed must be a finite number, got ${h.seed}`);
  for (const k of ['createdUnixUs', 'epochUnixUs'] as const) {
    const v = h[k];
    if (v !== undefined && !Number.isFinite(v)) bad(`${k} must be a finite number, got ${v}`);
  }
  const m = h.metadata;
  if (m !== undefined && (m === null || typeof m !== 'object' || Array.isArray(m))) bad('metadata must be a JSON object');
}

/**
 * Encodes the file header (fixed part + JSON + padding). `createdUnixUs` and
 * `epochUnixUs` must already be resolved by the caller.
 */
export function encodeRecordingHeader(
  path: string,
  h: RecordingHeaderInit & { createdUnixUs: number; epochUnixUs: number },
  blockBytes: number,
): Buffer {
  validateInit(path, h);
  const body = {
    instruments: h.instruments.map((s) => ({
      id: s.id,
      symbol: s.symbol,
      tickSize: s.tickSize,
      lotSize: s.lotSize,
      minSizeLots: s.minSizeLots,
      contractValue: s.contractValue,
      makerFeeBps: s.makerFeeBps,
      takerFeeBps: s.takerFeeBps,
    })),
    configHash: h.configHash,
    source: h.source,
    seed: h.seed,
    createdUnixUs: h.createdUnixUs,
    epochUnixUs: h.epochUnixUs,
    metadata: h.metadata ?? {},
  };
  let json: string;
  try {
    json = JSON.stringify(body);
  } catch (e) {
    throw new RecordingFormatError(path, -1, `metadata is not JSON-serialisable: ${(e as Error).message}`);
  }
  const jsonBytes = Buffer.from(json, 'utf8');
  const total = dataOffsetFor(jsonBytes.length);
  const out = Buffer.alloc(total);
  for (let i = 0; i < FILE_MAGIC.length; i++) out[i] = FILE_MAGIC[i]!;
  out.writeUInt32LE(FORMAT_VERSION, FILE_VERSION_OFFSET);
  out.writeUInt32LE(jsonBytes.length, FILE_JSON_LENGTH_OFFSET);
  out.writeUInt32LE(blockBytes, FILE_BLOCK_BYTES_OFFSET);
  jsonBytes.copy(out, FILE_FIXED_HEADER_LENGTH);
  out.writeUInt32LE(crc32(out.subarray(FILE_VERSION_OFFSET, FILE_FIXED_HEADER_LENGTH + jsonBytes.length)), FILE_CRC_OFFSET);
  return out;
}

function readFully(fd: number, buf: Buffer, fileOffset: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, fileOffset + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** Reads and validates the header from an open file descriptor. */
export function readHeaderFromFd(path: string, fd: number): RecordingHeader {
  const fixed = Buffer.alloc(FILE_FIXED_HEADER_LENGTH);
  const got = readFully(fd, fixed, 0);
  for (let i = 0; i < FILE_MAGIC.length; i++) {
    if (got <= i) throw new RecordingFormatError(path, 0, `not a recording: file is ${got} bytes, shorter than the ${FILE_FIXED_HEADER_LENGTH}-byte header`);
    if (fixed[i] !== FILE_MAGIC[i]) throw new RecordingFormatError(path, 0, 'not a recording: bad magic (expected "QHFTREC\\0")');
  }
  if (got < FILE_FIXED_HEADER_LENGTH) throw new RecordingFormatError(path, 0, `truncated header: ${got} of ${FILE_FIXED_HEADER_LENGTH} bytes`);
  const version = fixed.readUInt32LE(FILE_VERSION_OFFSET);
  if (version < 1 || version > FORMAT_VERSION) {
    throw new RecordingFormatError(path, FILE_VERSION_OFFSET, `unsupported format version ${version} (this build reads 1..${FORMAT_VERSION})`);
  }
  const jsonLength = fixed.readUInt32LE(FILE_JSON_LENGTH_OFFSET);
  const blockBytes = fixed.readUInt32LE(FILE_BLOCK_BYTES_OFFSET);
  if (jsonLength > MAX_HEADER_JSON_LENGTH) {
    throw new RecordingFormatError(path, FILE_JSON_LENGTH_OFFSET, `corrupt header: JSON length ${jsonLength} exceeds ${MAX_HEADER_JSON_LENGTH}`);
  }
  if (blockBytes < MIN_BLOCK_BYTES || blockBytes > MAX_BLOCK_BYTES || blockBytes % 8 !== 0) {
    throw new RecordingFormatError(path, FILE_BLOCK_BYTES_OFFSET, `corrupt header: blockBytes ${blockBytes} out of range`);
  }
  const whole = Buffer.alloc(FILE_FIXED_HEADER_LENGTH + jsonLength);
  const gotWhole = readFully(fd, whole, 0);
  if (gotWhole < whole.length) {
    throw new RecordingFormatError(path, FILE_FIXED_HEADER_LENGTH, `truncated header: JSON needs ${jsonLength} bytes, file has ${gotWhole - FILE_FIXED_HEADER_LENGTH}`);
  }
  const want = whole.readUInt32LE(FILE_CRC_OFFSET);
  const have = crc32(whole.subarray(FILE_VERSION_OFFSET));
  if (want !== have) throw new RecordingFormatError(path, 0, `corrupt header: crc32 0x${have.toString(16)} != stored 0x${want.toString(16)}`);
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(whole.toString('utf8', FILE_FIXED_HEADER_LENGTH)) as Record<string, unknown>;
  } catch (e) {
    throw new RecordingFormatError(path, FILE_FIXED_HEADER_LENGTH, `corrupt header JSON: ${(e as Error).message}`);
  }
  let instruments: InstrumentSpec[];
  try {
    instruments = (j.instruments as Parameters<typeof makeInstrumentSpec>[0][]).map((s) => makeInstrumentSpec(s));
  } catch (e) {
    throw new RecordingFormatError(path, FILE_FIXED_HEADER_LENGTH, `invalid instrument in header: ${(e as Error).message}`);
  }
  return {
    formatVersion: version,
    blockBytes,
    instruments,
    configHash: String(j.configHash ?? ''),
    source: String(j.source ?? ''),
    seed: Number(j.seed ?? 0),
    createdUnixUs: Number(j.createdUnixUs ?? 0),
    epochUnixUs: Number(j.epochUnixUs ?? 0),
    metadata: (j.metadata ?? {}) as Record<string, unknown>,
    dataOffset: dataOffsetFor(jsonLength),
  };
}

/** Reads only the header of the recording at `path` (cold; opens and closes the file). */
export function readHeader(path: string): RecordingHeader {
  const fd = openSync(path, 'r');
  try {
    return readHeaderFromFd(path, fd);
  } finally {
    closeSync(fd);
  }
}
