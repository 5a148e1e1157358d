/**
 * Property tests of the recording format (seeded fast-check):
 * - any sequence of frames (any int32 type id, lengths 0..~2 blocks, random
 *   block sizes and flush points) reads back identical and in order;
 * - a cut at any byte reads back exactly the frames of the whole blocks
 *   before it, and reports the rest as truncatedTailBytes;
 * - one flipped byte anywhere after the header is never silent: the reader
 *   throws naming an offset at or before it, or reports a torn tail, and
 *   what it delivered before that is an exact prefix.
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { RecordHandler } from '../../src/core/ring/index.ts';
import { RecordingFormatError, RecordingReader, RecordingWriter } from '../../src/feed/recording/index.ts';
import { BLOCK_HEADER_LENGTH } from '../../src/feed/recording/layout.ts';

const SEED = Number(process.env.FC_SEED ?? 0x5eed_2026);
const NUM_RUNS = Number(process.env.FC_RUNS ?? 60);
console.log(`recording property tests: fast-check seed=${SEED} numRuns=${NUM_RUNS} (FC_SEED / FC_RUNS to override)`);

let dir = '';
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qhft-recprop-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Frame {
  type: number;
  bytes: Uint8Array;
  flushAfter: boolean;
}

const frameArb = fc.record({
  type: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  bytes: fc.oneof(
    { weight: 6, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 3, arbitrary: fc.uint8Array({ minLength: 64, maxLength: 1100 }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 4000, maxLength: 9000 }) }, // > a 4 KiB block
  ),
  flushAfter: fc.integer({ min: 0, max: 9 }).map((x) => x === 0), // ~10% of frames end a block early
});

const caseArb = fc.record({
  frames: fc.array(frameArb, { maxLength: 120 }),
  blockBytes: fc.integer({ min: 512, max: 2048 }).map((k) => k * 8), // 4 KiB .. 16 KiB
  shift: fc.integer({ min: 0, max: 7 }),
});

class Collect implements RecordHandler {
  readonly got: { type: number; bytes: Uint8Array }[] = [];
  onMessage(msgTypeId: number, buffer: Uint8Array, index: number, length: number): void {
    this.got.push({ type: msgTypeId, bytes: Uint8Array.prototype.slice.call(buffer, index, index + length) });
  }
}

function write(frames: Frame[], blockBytes: number, shift: number): string {
  const path = join(dir, `p${n++}.qrec`);
  const w = RecordingWriter.create(path, { instruments: [], configHash: 'c0ffee', source: 'prop', seed: 1 }, { blockBytes });
  const src = new Uint8Array(new SharedArrayBuffer(16384));
  for (const f of frames) {
    src.set(f.bytes, shift);
    w.append(f.type, src, shift, f.bytes.length);
    if (f.flushAfter) w.flush();
  }
  w.close();
  return path;
}

function read(path: string, c: Collect): RecordingReader {
  const r = RecordingReader.open(path);
  try {
    while (r.next(c));
  } finally {
    r.close();
  }
  return r;
}

function samePrefix(got: Collect['got'], frames: Frame[], count: number): boolean {
  if (got.length !== count) return false;
  for (let k = 0; k < count; k++) {
    if (got[k]!.type !== frames[k]!.type || Buffer.compare(got[k]!.bytes, frames[k]!.bytes) !== 0) return false;
  }
  return true;
}

/** Block ends (file offsets) and cumulative frame counts, by walking the file per layout.ts. */
function blockEnds(path: string): { dataOffset: number; ends: number[]; framesBefore: number[] } {
  const b = readFileSync(path);
  const dataOffset = (24 + b.readUInt32LE(16) + 7) & ~7;
  const ends: number[] = [];
  const framesBefore: number[] = [];
  let total = 0;
  for (let off = dataOffset; off < b.length; ) {
    total += b.readUInt32LE(off + 12);
    off += BLOCK_HEADER_LENGTH + b.readUInt32LE(off + 8);
    ends.push(off);
    framesBefore.push(total);
  }
  return { dataOffset, ends, framesBefore };
}

describe('recording round trip (property)', () => {
  it('any frame sequence reads back identical, in order', () => {
    fc.assert(
      fc.property(caseArb, ({ frames, blockBytes, shift }) => {
        const path = write(frames, blockBytes, shift);
        const c = new Collect();
        const r = read(path, c);
        rmSync(path);
        return samePrefix(c.got, frames, frames.length) && r.truncatedTailBytes === 0 && r.frames === frames.length;
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });

  it('a cut at any byte yields exactly the whole blocks before it', () => {
    fc.assert(
      fc.property(caseArb, fc.double({ min: 0, max: 1, noNaN: true }), ({ frames, blockBytes, shift }, where) => {
        const path = write(frames, blockBytes, shift);
        const { dataOffset, ends, framesBefore } = blockEnds(path);
        const size = ends.length > 0 ? ends[ends.length - 1]! : dataOffset;
        const cut = dataOffset + Math.floor(where * (size - dataOffset));
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, cut);
        closeSync(fd);
        let whole = -1;
        for (let i = 0; i < ends.length && ends[i]! <= cut; i++) whole = i;
        const wantFrames = whole < 0 ? 0 : framesBefore[whole]!;
        const wantTorn = cut - (whole < 0 ? dataOffset : ends[whole]!);
        const c = new Collect();
        const r = read(path, c);
        rmSync(path);
        return samePrefix(c.got, frames, wantFrames) && r.truncatedTailBytes === wantTorn;
      }),
      { seed: SEED + 1, numRuns: NUM_RUNS },
    );
  });

  it('one flipped byte after the header is never silent, and what came before is an exact prefix', () => {
    fc.assert(
      fc.property(
        caseArb.filter((c) => c.frames.length > 0),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.integer({ min: 1, max: 255 }),
        ({ frames, blockBytes, shift }, where, mask) => {
          const path = write(frames, blockBytes, shift);
          const { dataOffset, ends } = blockEnds(path);
          const size = ends[ends.length - 1]!;
          const at = dataOffset + Math.floor(where * (size - dataOffset));
          const b = readFileSync(path);
          b[at]! ^= mask;
          writeFileSync(path, b);
          const c = new Collect();
          let err: unknown = null;
          let torn = 0;
          try {
            torn = read(path, c).truncatedTailBytes;
          } catch (e) {
            err = e;
          }
          rmSync(path);
          const prefixOk = samePrefix(c.got, frames, c.got.length);
          if (err !== null) {
            return err instanceof RecordingFormatError && err.fileOffset >= dataOffset && err.fileOffset <= at && prefixOk;
          }
          return torn > 0 && c.got.length < frames.length && prefixOk;
        },
      ),
      { seed: SEED + 2, numRuns: NUM_RUNS * 2 },
    );
  });
});
