/**
 * A recording-fed source for in-process replays: copies the frames of a
 * recording (src/feed/recording) into the `md` ring byte for byte, as
 * `qhft run --source replay` does, so the sanitizer sees the recorded bytes
 * in the recorded order. Owning thread: the replay's. Hot: one ring write
 * per frame, no allocation.
 */
import { RecordingReader } from '../feed/recording/index.ts';
import type { RecordHandler, SpscRing } from '../core/ring/index.ts';

const MAX_FRAMES_PER_PUMP = 512;

export class RecordingSource implements RecordHandler {
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
