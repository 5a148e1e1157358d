/**
 * Recording file format (src/feed/recording): header round trip, byte-exact
 * frame round trip, refusal to overwrite, torn tails at every byte, corrupt
 * blocks (throw and skip), describeRecording, the reader's pull API, and a
 * 1M-frame recording read back with bounded memory.
 *
 * The file is also parsed here by an independent walker written from
 * layout.ts's diagram, so the layout itself is under test, not only the
 * writer/reader pair agreeing with each other.
 */
import { closeSync, copyFileSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MsgType,
  Stage,
  encodeBookDeltas,
  encodeTrade,
  newStageStampSet,
  readStamp,
  readTsExchangeUs,
} from '../../src/core/codec/index.ts';
import { DEFAULT_INSTRUMENTS, makeInstrumentSpec } from '../../src/core/domain/instrument.ts';
import { BookDeltas, TradeTick } from '../../src/core/domain/market-events.ts';
import { SpscRing, createRing, type RecordClaimer, type RecordHandler } from '../../src/core/ring/index.ts';
import {
  RecordingFormatError,
  RecordingReader,
  RecordingWriter,
  describeRecording,
  fieldFloat64,
  readHeader,
  type RecordingHeaderInit,
} from '../../src/feed/recording/index.ts';
import { BLOCK_HEADER_LENGTH, BLOCK_MAGIC, FILE_MAGIC } from '../../src/feed/recording/layout.ts';

let dir = '';
let fileNo = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qhft-rec-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
function tmp(name = 'r'): string {
  return join(dir, `${name}-${fileNo++}.qrec`);
}

const HEADER: RecordingHeaderInit = {
  instruments: [
    ...DEFAULT_INSTRUMENTS,
    makeInstrumentSpec({ id: 7, symbol: 'DOGE-USDT-SWAP', tickSize: 0.00001, lotSize: 1, minSizeLots: 1, contractValue: 1000, makerFeeBps: -0.5, takerFeeBps: 5 }),
  ],
  configHash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  source: 'synthetic',
  seed: 0xdeadbeef,
  createdUnixUs: 1_767_225_600_000_123,
  epochUnixUs: 1_767_225_599_000_000,
  metadata: { engine: '0.1.0', args: ['run', '--record', 'x.qrec'], nested: { rate: 1e5, ok: true, none: null } },
};

/** Deterministic PRNG (mulberry32), as in the ring property tests. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Frame {
  type: number;
  bytes: Uint8Array;
}

/** Copies every delivered frame (tests only; the real handlers copy into a ring). */
class Collect implements RecordHandler {
  readonly frames: Frame[] = [];
  onMessage(msgTypeId: number, buffer: Uint8Array, index: number, length: number): void {
    // Uint8Array.prototype.slice copies; Buffer#slice (the reader hands out a Buffer) would alias.
    this.frames.push({ type: msgTypeId, bytes: Uint8Array.prototype.slice.call(buffer, index, index + length) });
  }
}

function readAll(path: string, opts: ConstructorParameters<typeof RecordingReader>[1] = {}): { frames: Frame[]; reader: RecordingReader } {
  const reader = RecordingReader.open(path, opts);
  const c = new Collect();
  while (reader.next(c));
  reader.close();
  return { frames: c.frames, reader };
}

/** Random frames; payload offsets in the source vary over all 8 alignments. */
function randomFrames(n: number, seed: number, maxLen: number): Frame[] {
  const rnd = mulberry32(seed);
  const out: Frame[] = [];
  for (let k = 0; k < n; k++) {
    const r = rnd();
    // Every length 0..24 early on, then a mix of small, aligned and large.
    const len = k < 25 ? k : r < 0.5 ? Math.floor(rnd() * 200) : r < 0.7 ? 8 * Math.floor(rnd() * 64) : Math.floor(rnd() * maxLen);
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i++) bytes[i] = Math.floor(rnd() * 256);
    out.push({ type: 1 + Math.floor(rnd() * 31), bytes });
  }
  return out;
}

/** Appends each frame from a shared source buffer at offset `shift`, to exercise every alignment path. */
function writeFrames(w: RecordingWriter, frames: Frame[], seed = 1): void {
  const rnd = mulberry32(seed);
  const sab = new Uint8Array(new SharedArrayBuffer(1 << 20));
  const odd = Buffer.alloc((1 << 20) + 8).subarray(3); // byteOffset 3: no Int32 view possible
  for (const f of frames) {
    const shift = Math.floor(rnd() * 8);
    const src = rnd() < 0.8 ? sab : odd;
    src.set(f.bytes, shift);
    w.append(f.type, src, shift, f.bytes.length);
  }
}

/** Independent walk of the file per layout.ts: block offsets and per-block frame counts. */
function walkBlocks(path: string): { dataOffset: number; blocks: { offset: number; frames: number; end: number; frameOffsets: number[] }[] } {
  const b = readFileSync(path);
  for (let i = 0; i < 8; i++) expect(b[i]).toBe(FILE_MAGIC[i]);
  const dataOffset = (24 + b.readUInt32LE(16) + 7) & ~7;
  const blocks = [];
  let off = dataOffset;
  while (off < b.length) {
    expect(b.readUInt32LE(off)).toBe(BLOCK_MAGIC);
    const bodyLen = b.readUInt32LE(off + 8);
    const count = b.readUInt32LE(off + 12);
    const frameOffsets: number[] = [];
    let q = off + BLOCK_HEADER_LENGTH;
    for (let k = 0; k < count; k++) {
      frameOffsets.push(q);
      q += (b.readInt32LE(q) + 7) & ~7;
    }
    expect(q).toBe(off + BLOCK_HEADER_LENGTH + bodyLen);
    blocks.push({ offset: off, frames: count, end: q, frameOffsets });
    off = q;
  }
  expect(off).toBe(b.length);
  return { dataOffset, blocks };
}

function expectSameFrames(got: Frame[], want: Frame[]): void {
  expect(got.length).toBe(want.length);
  for (let k = 0; k < want.length; k++) {
    if (got[k]!.type !== want[k]!.type || Buffer.compare(got[k]!.bytes, want[k]!.bytes) !== 0) {
      throw new Error(`frame #${k} differs: type ${got[k]!.type} vs ${want[k]!.type}, length ${got[k]!.bytes.length} vs ${want[k]!.bytes.length}`);
    }
  }
}

/** A one-record "ring" that captures what an encoder writes. */
class Capture implements RecordClaimer {
  readonly bytes = new Uint8Array(64 * 1024);
  length = 0;
  type = 0;
  tryClaim(msgTypeId: number, length: number): number {
    this.type = msgTypeId;
    this.length = length;
    return 8;
  }
  commit(): void {}
  abort(): void {}
}

function tradeFrame(cap: Capture, recvUs: number, exchUs: number, price: number): Frame {
  const t = new TradeTick();
  t.instrumentId = 1;
  t.tsRecvUs = recvUs;
  t.tsExchangeUs = exchUs;
  t.priceTicks = price;
  t.sizeLots = 2;
  t.tradeId = price;
  expect(encodeTrade(cap, t, newStageStampSet())).toBe(true);
  return { type: cap.type, bytes: cap.bytes.slice(8, 8 + cap.length) };
}

function bookFrame(cap: Capture, recvUs: number, exchUs: number, levels: number): Frame {
  const d = new BookDeltas();
  d.instrumentId = 0;
  d.tsRecvUs = recvUs;
  d.tsExchangeUs = exchUs;
  d.seqId = recvUs;
  d.prevSeqId = recvUs - 1;
  d.bidCount = levels;
  d.askCount = levels;
  for (let i = 0; i < levels; i++) {
    d.bidPriceTicks[i] = 1000 - i;
    d.bidSizeLots[i] = i + 1;
    d.askPriceTicks[i] = 1001 + i;
    d.askSizeLots[i] = i + 2;
  }
  expect(encodeBookDeltas(cap, d, newStageStampSet())).toBe(true);
  return { type: cap.type, bytes: cap.bytes.slice(8, 8 + cap.length) };
}

describe('recording header', () => {
  it('round-trips instruments, config hash, source, seed, times and metadata', () => {
    const path = tmp();
    RecordingWriter.create(path, HEADER).close();
    const h = readHeader(path);
    expect(h.formatVersion).toBe(1);
    expect(h.instruments).toEqual(HEADER.instruments);
    expect(h.instruments[2]!.priceDecimals).toBe(5);
    expect(h.configHash).toBe(HEADER.configHash);
    expect(h.source).toBe('synthetic');
    expect(h.seed).toBe(0xdeadbeef);
    expect(h.createdUnixUs).toBe(HEADER.createdUnixUs);
    expect(h.epochUnixUs).toBe(HEADER.epochUnixUs);
    expect(h.metadata).toEqual(HEADER.metadata);
    expect(h.dataOffset % 8).toBe(0);
    expect(RecordingReader.open(path).header).toEqual(h);
  });

  it('fills createdUnixUs and epochUnixUs when the caller leaves them out', () => {
    const path = tmp();
    const before = Date.now() * 1000;
    RecordingWriter.create(path, { instruments: [], configHash: '', source: 'okx', seed: 0 }).close();
    const h = readHeader(path);
    expect(h.createdUnixUs).toBeGreaterThanOrEqual(before - 5_000_000);
    expect(h.createdUnixUs).toBeLessThanOrEqual(Date.now() * 1000 + 5_000_000);
    expect(h.epochUnixUs).toBeGreaterThan(0);
    expect(h.metadata).toEqual({});
  });

  it('rejects a non-hex config hash and duplicate instrument ids, naming the path, without creating the file', () => {
    const path = tmp();
    expect(() => RecordingWriter.create(path, { ...HEADER, configHash: 'xyz!' })).toThrow(new RegExp(`${path}.*configHash`));
    expect(() => RecordingWriter.create(path, { ...HEADER, instruments: [DEFAULT_INSTRUMENTS[0]!, DEFAULT_INSTRUMENTS[0]!] })).toThrow(/duplicate instrument id 0/);
    expect(() => statSync(path)).toThrow();
  });

  it('rejects files that are not recordings, and a corrupt header', () => {
    const notRec = tmp();
    writeFileSync(notRec, 'hello, this is not a recording at all');
    expect(() => readHeader(notRec)).toThrow(RecordingFormatError);
    expect(() => RecordingReader.open(notRec)).toThrow(/bad magic/);
    const path = tmp();
    RecordingWriter.create(path, HEADER).close();
    const b = readFileSync(path);
    b[40] ^= 0x20; // inside the JSON
    writeFileSync(path, b);
    expect(() => readHeader(path)).toThrow(/corrupt header: crc32/);
  });
});

describe('recording frames', () => {
  it('round-trips random frames byte for byte and in order (all alignments, many blocks, oversize frames)', () => {
    const path = tmp();
    const frames = randomFrames(3000, 42, 9000);
    const w = new RecordingWriter({ blockBytes: 4096 });
    w.open(path, HEADER);
    writeFrames(w, frames);
    w.close();
    expect(w.frames).toBe(frames.length);
    expect(w.bytes).toBe(frames.reduce((s, f) => s + f.bytes.length, 0));
    expect(w.oversizeFrames).toBeGreaterThan(0);
    expect(w.fileBytes).toBe(statSync(path).size);
    const { frames: got, reader } = readAll(path);
    expectSameFrames(got, frames);
    const walk = walkBlocks(path);
    expect(reader.blocks).toBe(walk.blocks.length);
    expect(reader.truncatedTailBytes).toBe(0);
    expect(walk.blocks.reduce((s, b) => s + b.frames, 0)).toBe(frames.length);
    // A reader buffer of two blocks: compacts constantly and grows for the oversized ones.
    expectSameFrames(readAll(path, { bufferBytes: 4096 }).frames, frames);
  });

  it('writes each frame as a ring record: [8+len:i32][type:i32][payload][zero pad to 8]', () => {
    const path = tmp();
    const w = RecordingWriter.create(path, HEADER);
    const src = new Uint8Array([1, 2, 3, 4, 5]);
    w.append(MsgType.Trade, src, 0, 5);
    w.append(MsgType.BookDeltas, src, 1, 0);
    w.close();
    const b = readFileSync(path);
    const { blocks } = walkBlocks(path);
    const q = blocks[0]!.frameOffsets[0]!;
    expect(b.readInt32LE(q)).toBe(13);
    expect(b.readInt32LE(q + 4)).toBe(MsgType.Trade);
    expect([...b.subarray(q + 8, q + 16)]).toEqual([1, 2, 3, 4, 5, 0, 0, 0]);
    expect(b.readInt32LE(q + 16)).toBe(8);
    expect(b.readInt32LE(q + 20)).toBe(MsgType.BookDeltas);
    expect(b.readDoubleLE(blocks[0]!.offset + 16)).toBe(0); // firstFrameIndex
  });

  it('records what a real SPSC ring delivers when used as its RecordHandler', () => {
    const ring = new SpscRing(createRing({ capacityBytes: 4096, name: 'md' }));
    const path = tmp();
    const w = RecordingWriter.create(path, HEADER);
    const st = newStageStampSet();
    const want: Frame[] = [];
    const cap = new Capture();
    for (let k = 0; k < 500; k++) {
      const t = new TradeTick();
      t.tsRecvUs = 1000 + k;
      t.tsExchangeUs = HEADER.epochUnixUs! + 900 + k;
      t.priceTicks = 50_000 + k;
      t.sizeLots = 1 + (k % 7);
      expect(encodeTrade(ring, t, st)).toBe(true);
      encodeTrade(cap, t, st);
      want.push({ type: MsgType.Trade, bytes: cap.bytes.slice(8, 8 + cap.length) });
      if (k % 3 === 2) expect(ring.read(w, 100)).toBe(3);
    }
    ring.read(w, 100);
    w.close();
    expectSameFrames(readAll(path).frames, want);
  });

  it('refuses to overwrite an existing file unless overwrite: true', () => {
    const path = tmp();
    RecordingWriter.create(path, HEADER).close();
    const before = readFileSync(path);
    expect(() => RecordingWriter.create(path, HEADER)).toThrow(RecordingFormatError);
    expect(() => RecordingWriter.create(path, HEADER)).toThrow(new RegExp(`${path}: refusing to overwrite`));
    expect(readFileSync(path).equals(before)).toBe(true);
    const w = RecordingWriter.create(path, { ...HEADER, source: 'okx' }, { overwrite: true });
    w.append(2, new Uint8Array(16), 0, 16);
    w.close();
    expect(readHeader(path).source).toBe('okx');
    expect(readAll(path).frames.length).toBe(1);
  });

  it('reads an empty recording as zero frames', () => {
    const path = tmp();
    const w = RecordingWriter.create(path, HEADER);
    w.flush();
    w.close();
    w.close(); // idempotent
    const r = RecordingReader.open(path);
    expect(r.next(new Collect())).toBe(false);
    expect(Number.isNaN(r.peekTsUs())).toBe(true);
    expect(r.peekMsgTypeId()).toBe(0);
    expect(r.progress()).toBe(1);
    expect(r.truncatedTailBytes).toBe(0);
    r.close();
    const d = describeRecording(path);
    expect(d).toMatchObject({ frames: 0, blocks: 0, firstTsUs: 0, lastTsUs: 0, durationS: 0, truncatedTailBytes: 0, countsByMsgType: {} });
    expect(d.bytes).toBe(readHeader(path).dataOffset);
  });

  it('rejects appends before open and invalid lengths', () => {
    const w = new RecordingWriter();
    expect(() => w.append(2, new Uint8Array(8), 0, 8)).toThrow(/not open/);
    w.open(tmp(), HEADER);
    expect(() => w.append(2, new Uint8Array(8), 0, -1)).toThrow(/length must be/);
    expect(() => w.append(2, new Uint8Array(8), 0, 1.5)).toThrow(/length must be/);
    w.close();
    expect(() => new RecordingWriter({ blockBytes: 1000 })).toThrow(/blockBytes.*1000/);
  });
});

describe('torn tail and corruption', () => {
  /** Three blocks; the last holds three frames, the last of which is long enough to cut at many offsets. */
  function threeBlocks(): { path: string; frames: Frame[] } {
    const path = tmp('torn');
    const frames = randomFrames(40, 7, 300);
    const w = RecordingWriter.create(path, HEADER);
    writeFrames(w, frames.slice(0, 20));
    w.flush();
    writeFrames(w, frames.slice(20, 37));
    w.flush();
    writeFrames(w, frames.slice(37));
    w.close();
    return { path, frames };
  }

  it('at every byte offset of the last block (its header and every frame): the whole blocks before it are read and truncatedTailBytes is exact', () => {
    const { path, frames } = threeBlocks();
    const walk = walkBlocks(path);
    expect(walk.blocks.length).toBe(3);
    const last = walk.blocks[2]!;
    const size = statSync(path).size;
    expect(size - last.offset).toBeGreaterThan(BLOCK_HEADER_LENGTH + 100);
    const cutPath = tmp('cut');
    copyFileSync(path, cutPath);
    const fd = openSync(cutPath, 'r+');
    // Cut in place from the longest prefix down; ends with a cut exactly at
    // the block boundary, which is a clean end (0 torn bytes).
    for (let cut = size - 1; cut >= last.offset; cut--) {
      ftruncateSync(fd, cut);
      const { frames: got, reader } = readAll(cutPath);
      expectSameFrames(got, frames.slice(0, 37));
      expect(reader.truncatedTailBytes).toBe(cut - last.offset);
      expect(reader.atEnd).toBe(true);
    }
    closeSync(fd);
  });

  it('treats a zero-filled tail (file extended, data never written) as torn', () => {
    const { path, frames } = threeBlocks();
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(5000), 0, 5000, size);
    closeSync(fd);
    const { frames: got, reader } = readAll(path);
    expectSameFrames(got, frames);
    expect(reader.truncatedTailBytes).toBe(5000);
  });

  it('stops at a corrupted byte in a middle block with an error naming the block offset and first frame', () => {
    const { path, frames } = threeBlocks();
    const mid = walkBlocks(path).blocks[1]!;
    const b = readFileSync(path);
    const at = mid.frameOffsets[5]! + 8 + 1; // payload of the block's 6th frame (≥ 1 byte long: frames 25..)
    expect(frames[25]!.bytes.length).toBeGreaterThan(1);
    b[at] ^= 0x01;
    writeFileSync(path, b);
    const r = RecordingReader.open(path);
    const c = new Collect();
    let err: unknown = null;
    try {
      while (r.next(c));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RecordingFormatError);
    const fe = err as RecordingFormatError;
    expect(fe.fileOffset).toBe(mid.offset);
    expect(fe.frameIndex).toBe(20);
    expect(fe.message).toContain(`${path}: corrupt block at file offset ${mid.offset} (frames from #20): crc32 mismatch`);
    expectSameFrames(c.frames, frames.slice(0, 20));
    expect(r.next(c)).toBe(false); // stays stopped
    r.close();
  });

  it('skip mode resumes at the next valid block and counts what it lost', () => {
    const { path, frames } = threeBlocks();
    const mid = walkBlocks(path).blocks[1]!;
    const b = readFileSync(path);
    b[mid.offset + 9] ^= 0x40; // bodyLength field of the middle block
    writeFileSync(path, b);
    expect(() => readAll(path)).toThrow(new RegExp(`file offset ${mid.offset}`));
    const { frames: got, reader } = readAll(path, { onCorrupt: 'skip' });
    expectSameFrames(got, [...frames.slice(0, 20), ...frames.slice(37)]);
    expect(reader.corruptBlocks).toBe(1);
    expect(reader.lostFrames).toBe(17);
    expect(reader.skippedBytes).toBe(mid.end - mid.offset);
    const d = describeRecording(path, { onCorrupt: 'skip' });
    expect(d.frames).toBe(23);
    expect(d.lostFrames).toBe(17);
  });

  it('does not mistake a middle block whose length points past the end of the file for a torn tail', () => {
    const { path } = threeBlocks();
    const mid = walkBlocks(path).blocks[1]!;
    const b = readFileSync(path);
    b[mid.offset + 10] ^= 0x01; // bodyLength += 64 KiB: past EOF, still ≤ blockBytes
    writeFileSync(path, b);
    expect(() => readAll(path)).toThrow(new RegExp(`offset ${mid.offset} .*past the end of the file`));
  });

  it('detects a corrupted block magic', () => {
    const { path } = threeBlocks();
    const mid = walkBlocks(path).blocks[1]!;
    const b = readFileSync(path);
    b[mid.offset] = 0x58;
    writeFileSync(path, b);
    expect(() => readAll(path)).toThrow(new RegExp(`offset ${mid.offset} \\(frames from #20\\): bad block magic`));
  });
});

describe('reader pull API and describeRecording', () => {
  function marketRecording(): { path: string; frames: Frame[]; recv: number[]; exch: number[] } {
    const path = tmp('md');
    const cap = new Capture();
    const frames: Frame[] = [];
    const recv: number[] = [];
    const exch: number[] = [];
    const e0 = HEADER.epochUnixUs!;
    for (let k = 0; k < 300; k++) {
      const r = 5_000_000 + k * 1_000;
      const x = e0 + r - 700;
      frames.push(k % 3 === 0 ? bookFrame(cap, r, x, 1 + (k % 20)) : tradeFrame(cap, r, x, 60_000 + k));
      recv.push(r);
      exch.push(x);
    }
    const w = RecordingWriter.create(path, HEADER, { blockBytes: 8192 });
    writeFrames(w, frames);
    w.close();
    return { path, frames, recv, exch };
  }

  it('peekTsUs gives the next frame Recv stamp (or exchange time) without consuming it', () => {
    const { path, frames, recv, exch } = marketRecording();
    const r = RecordingReader.open(path);
    const rx = RecordingReader.open(path, { clock: 'exchange' });
    const c = new Collect();
    for (let k = 0; k < frames.length; k++) {
      expect(r.peekTsUs()).toBe(recv[k]);
      expect(r.peekTsUs()).toBe(recv[k]);
      expect(r.peekMsgTypeId()).toBe(frames[k]!.type);
      expect(rx.peekTsUs()).toBe(exch[k]);
      expect(r.next(c)).toBe(true);
      expect(rx.next(c)).toBe(true);
    }
    expect(Number.isNaN(r.peekTsUs())).toBe(true);
    r.close();
    rx.close();
  });

  it('fieldFloat64 agrees with the codec readers and is NaN on garbage', () => {
    const cap = new Capture();
    const f = tradeFrame(cap, 123.5, 1.7e15, 1);
    const dv = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length);
    expect(fieldFloat64(dv, 0, f.bytes.length, 0)).toBe(readStamp(f.bytes, 0, Stage.Recv));
    expect(fieldFloat64(dv, 0, f.bytes.length, 2)).toBe(readTsExchangeUs(f.bytes, 0));
    const junk = new Uint8Array(64).fill(0xff);
    expect(fieldFloat64(new DataView(junk.buffer), 0, 64, 0)).toBeNaN();
    expect(fieldFloat64(new DataView(junk.buffer), 0, 3, 0)).toBeNaN();
  });

  it('falls back across clocks in consistent units when a frame lacks one time', () => {
    const path = tmp();
    const cap = new Capture();
    const e0 = HEADER.epochUnixUs!;
    const noRecv = tradeFrame(cap, 0, e0 + 42, 1);
    const noExch = tradeFrame(cap, 77, 0, 1);
    const w = RecordingWriter.create(path, HEADER);
    writeFrames(w, [noRecv, noExch, { type: 99, bytes: new Uint8Array(5) }]);
    w.close();
    const r = RecordingReader.open(path);
    const rx = RecordingReader.open(path, { clock: 'exchange' });
    const c = new Collect();
    expect(r.peekTsUs()).toBe(42);
    expect(rx.peekTsUs()).toBe(e0 + 42);
    r.next(c);
    rx.next(c);
    expect(r.peekTsUs()).toBe(77);
    expect(rx.peekTsUs()).toBe(e0 + 77);
    r.next(c);
    expect(r.peekTsUs()).toBeNaN(); // not a FlatBuffers message
    r.close();
    rx.close();
  });

  it('read(limit) batches, progress() climbs to 1, reset() replays the same frames', () => {
    const { path, frames } = marketRecording();
    const r = RecordingReader.open(path, { bufferBytes: 16384 });
    const c = new Collect();
    expect(r.progress()).toBe(0);
    let last = 0;
    let n;
    while ((n = r.read(c, 7)) > 0) {
      expect(n).toBeLessThanOrEqual(7);
      const p = r.progress();
      expect(p).toBeGreaterThanOrEqual(last);
      last = p;
    }
    expect(r.progress()).toBe(1);
    expectSameFrames(c.frames, frames);
    r.reset();
    const c2 = new Collect();
    expect(r.read(c2, 1e9)).toBe(frames.length);
    expectSameFrames(c2.frames, frames);
    r.close();
  });

  it('reopen() picks up a replaced file and its header', () => {
    const path = tmp();
    RecordingWriter.create(path, HEADER).close();
    const r = RecordingReader.open(path);
    expect(r.next(new Collect())).toBe(false);
    const w = RecordingWriter.create(path, { ...HEADER, seed: 5 }, { overwrite: true });
    w.append(MsgType.Trade, new Uint8Array(24), 0, 24);
    w.close();
    r.reopen();
    expect(r.header.seed).toBe(5);
    expect(r.next(new Collect())).toBe(true);
    r.close();
  });

  it('describeRecording counts frames per type and spans Recv time in Unix µs', () => {
    const { path, frames, recv } = marketRecording();
    const d = describeRecording(path);
    expect(d.frames).toBe(300);
    expect(d.countsByMsgType).toEqual({ BookDeltas: 100, Trade: 200 });
    expect(d.payloadBytes).toBe(frames.reduce((s, f) => s + f.bytes.length, 0));
    expect(d.firstTsUs).toBe(HEADER.epochUnixUs! + recv[0]!);
    expect(d.lastTsUs).toBe(HEADER.epochUnixUs! + recv[299]!);
    expect(d.durationS).toBeCloseTo(0.299, 9);
    expect(d.bytes).toBe(statSync(path).size);
    expect(d.truncatedTailBytes).toBe(0);
    expect(d.header.configHash).toBe(HEADER.configHash);
    expect(d.blocks).toBeGreaterThan(1);
  });
});

describe('large recording', () => {
  it('streams 1M frames back in order with bounded reader memory', () => {
    const path = tmp('big');
    const N = 1_000_000;
    const src = new Uint8Array(new SharedArrayBuffer(1024));
    const i32 = new Int32Array(src.buffer);
    const w = RecordingWriter.create(path, HEADER);
    for (let k = 0; k < N; k++) {
      const len = 16 + ((k * 7919) % 160);
      i32[2] = k;
      i32[3] = ~k;
      i32[((len - 4) >> 2) + 2] = k ^ 0x5a5a5a5a; // last whole word of the payload
      w.append(1 + (k % 6), src, 8, len);
    }
    w.close();
    expect(statSync(path).size).toBeGreaterThan(100 * 1024 * 1024);

    class Verify implements RecordHandler {
      k = 0;
      bad = -1;
      onMessage(type: number, buffer: Uint8Array, index: number, length: number): void {
        const k = this.k++;
        const dv = new DataView(buffer.buffer, buffer.byteOffset);
        const ok =
          type === 1 + (k % 6) &&
          length === 16 + ((k * 7919) % 160) &&
          dv.getInt32(index, true) === k &&
          dv.getInt32(index + 4, true) === ~k &&
          dv.getInt32(index + ((length - 4) & ~3), true) === (k ^ 0x5a5a5a5a);
        if (!ok && this.bad < 0) this.bad = k;
      }
    }
    const before = process.memoryUsage().arrayBuffers;
    const r = RecordingReader.open(path);
    const v = new Verify();
    let peak = 0;
    while (r.read(v, 65536) > 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
    r.close();
    expect(v.bad).toBe(-1);
    expect(v.k).toBe(N);
    expect(peak).toBeLessThan(32 * 1024 * 1024); // the reader holds ~4 MiB, not the ~140 MB file
    rmSync(path);
  });
});
