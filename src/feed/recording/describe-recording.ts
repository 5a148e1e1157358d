/**
 * `describeRecording(path)`: one pass over a recording for `qhft record --info`
 * style summaries (header, frame counts per message type, time span, torn tail).
 *
 * Cold: allocates freely; reads the whole file through a RecordingReader.
 * Owning thread: any (main thread CLI, tests).
 */
import { msgTypeName } from '../../core/codec/msg-type.ts';
import type { RecordHandler } from '../../core/ring/types.ts';
import type { RecordingHeader } from './recording-header.ts';
import { RecordingReader } from './recording-reader.ts';

export interface RecordingDescription {
  readonly path: string;
  readonly header: RecordingHeader;
  readonly frames: number;
  /** File size in bytes. */
  readonly bytes: number;
  /** Sum of frame payload lengths (the FlatBuffers bytes). */
  readonly payloadBytes: number;
  readonly blocks: number;
  /**
   * Receive time of the first / last frame, Unix µs (Recv stamp +
   * header.epochUnixUs; exchange time for frames without a Recv stamp);
   * 0 when no frame carries a time.
   */
  readonly firstTsUs: number;
  readonly lastTsUs: number;
  readonly durationS: number;
  /** Frames per message type name (`Trade`, `BookDeltas`, … `Unknown(<id>)`). */
  readonly countsByMsgType: Readonly<Record<string, number>>;
  readonly truncatedTailBytes: number;
  /** Only with `onCorrupt: 'skip'`; otherwise a corrupt block throws. */
  readonly corruptBlocks: number;
  readonly skippedBytes: number;
  readonly lostFrames: number;
}

class Counter implements RecordHandler {
  readonly byId = new Map<number, number>();
  payloadBytes = 0;
  onMessage(msgTypeId: number, _buffer: Uint8Array, _index: number, length: number): void {
    this.byId.set(msgTypeId, (this.byId.get(msgTypeId) ?? 0) + 1);
    this.payloadBytes += length;
  }
}

export function describeRecording(path: string, options: { onCorrupt?: 'throw' | 'skip' } = {}): RecordingDescription {
  const r = RecordingReader.open(path, { clock: 'recv', onCorrupt: options.onCorrupt ?? 'throw' });
  try {
    const c = new Counter();
    let first = NaN;
    let last = NaN;
    for (;;) {
      const t = r.peekTsUs() + r.header.epochUnixUs; // Recv (epoch µs) → Unix µs
      if (!r.next(c)) break;
      if (t > 0) {
        if (!(first > 0)) first = t;
        last = t;
      }
    }
    const ids = [...c.byId.keys()].sort((a, b) => a - b);
    const countsByMsgType: Record<string, number> = {};
    for (const id of ids) countsByMsgType[msgTypeName(id)] = c.byId.get(id)!;
    const has = first > 0;
    return {
      path,
      header: r.header,
      frames: r.frames,
      bytes: r.totalBytes,
      payloadBytes: c.payloadBytes,
      blocks: r.blocks,
      firstTsUs: has ? first : 0,
      lastTsUs: has ? last : 0,
      durationS: has ? (last - first) / 1e6 : 0,
      countsByMsgType,
      truncatedTailBytes: r.truncatedTailBytes,
      corruptBlocks: r.corruptBlocks,
      skippedBytes: r.skippedBytes,
      lostFrames: r.lostFrames,
    };
  } finally {
    r.close();
  }
}
