/**
 * A recording-fed source for in-process replays: the sanitizer reads the
 * frames of a recording (src/feed/recording) where they lie (`read`, via
 * SanitizerStage.pullFrom), or they are copied into the `md` ring byte for
 * byte (`doWork`), as `qhft run --source replay` does; either way the
 * sanitizer sees the recorded bytes in the recorded order. Owning thread:
 * the replay's. Hot: per frame, no allocation.
 */
import { RecordingReader } from '../feed/recording/index.ts';
import type { RecordHandler, RecordReader, SpscRing } from '../core/ring/index.ts';

const MAX_FRAMES_PER_PUMP = 512;

export class RecordingSource implements RecordHandler, RecordReader {
  private readonly reader: RecordingReader;
  private readonly md: SpscRing;
  events = 0;
  done = false;
  /** Exchange time of the first frame (Unix µs), NaN if unknown. */
  readonly firstTsUs: number;

  constructor(path: string, md: SpscRing) {
    this.reader = RecordingReader.open(path, { clock: 'exchange' });
    this.md = md;
    this.firstTsUs = this.reader.peekTsUs();
  }

  /** Called only while `md` is empty: up to 512 frames can never fill it. */
  doWork(): number {
    if (this.done) return 0;
    const n = this.reader.read(this, MAX_FRAMES_PER_PUMP);
    if (n < MAX_FRAMES_PER_PUMP) this.finish();
    return n;
  }

  /**
   * RecordReader for SanitizerStage.pullFrom: delivers up to `limit` frames
   * straight from the reader's block buffer to `handler` (no copy into `md`).
   */
  read(handler: RecordHandler, limit: number): number {
    if (this.done) return 0;
    const n = this.reader.read(handler, limit);
    this.events += n;
    if (n < limit) this.finish();
    return n;
  }

  hasWork(): boolean {
    return !this.done;
  }

  onMessage(msgTypeId: number, bytes: Uint8Array, index: number, length: number): void {
    if (this.md.write(msgTypeId, bytes, index, length) < 0) throw new Error(`recording replay: md ring refused a ${length}-byte frame`);
    this.events++;
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.reader.close();
  }

  onStop(): void {
    this.finish();
  }
}
