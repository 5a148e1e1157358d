/**
 * Replay feed: copies the frames of a recording back into the `md` ring,
 * exactly as they crossed it when recorded (the recording *is* the ring's
 * records), with fresh Recv/Feed stamps.
 *
 * Owning thread: the feed worker. Hot: one frame copy per event.
 * - `--clock sim`: as fast as the pipeline drains; with the same config the
 *   fill stream is identical to the run that recorded it (same fillsHash).
 * - `--clock wall`: paced by the recorded exchange timestamps divided by
 *   `--speed` (1, 10, …, or `max`); Recv is the *scheduled* time, so a replay
 *   that falls behind shows up as latency (coordinated-omission correction).
 *
 * Mentor's Corner — production shops replay hardware captures (pcap with PTP
 * timestamps) or an Aeron Archive / Chronicle Queue journal at line rate
 * into the same binary the exchange feeds. We replay our own FlatBuffers
 * frames from CRC-checked 1 MiB blocks (~30 ns per trade frame to read back),
 * which reproduces every decision the pipeline made on that data.
 */
import { epochTimeOriginMs, nowUs, unixNowUs } from '../../clock.ts';
import { Stage, stampMessage } from '../../codec/index.ts';
import { SpinThenParkIdle, type RecordHandler, type SpscRing } from '../../ring/index.ts';
import { RecordingReader } from '../../../feed/recording/index.ts';
import type { StageContext, StageLogic } from '../../stage/stage-logic.ts';
import type { FeedReport } from './feed-stage.ts';
import type { EngineStageParams } from './stage-params.ts';
import { ReportTimer, ringNamed } from './stage-support.ts';

const MAX_FRAMES_PER_POLL = 512;
const MAX_SLEEP_US = 2_000;
const SPIN_BELOW_US = 60;

export interface ReplayReport extends FeedReport {
  progress: number;
  truncatedTailBytes: number;
}

export class ReplayFeedStage implements StageLogic, RecordHandler {
  private readonly ctx: StageContext;
  private readonly md: SpscRing;
  private readonly spaceIdle: SpinThenParkIdle;
  private readonly reader: RecordingReader;
  private readonly sim: boolean;
  private readonly speed: number;
  private readonly epochUnixUs: number;
  private readonly report = new ReportTimer(1_000_000);
  private readonly sleepCell = new Int32Array(new SharedArrayBuffer(4));
  private readonly resync: SpscRing | null;
  private readonly drainResync: RecordHandler = { onMessage: () => undefined };
  /** Unix µs at which the first frame is replayed (wall clock), and that frame's exchange time. */
  private wallStartUnixUs = 0;
  private firstTsUs = NaN;
  /** Recv stamp for the frame being copied (a field: no boxing). */
  private recvUs = 0;
  events = 0;
  done = false;
  private lastEventUnixUs = 0;

  constructor(ctx: StageContext) {
    const p = ctx.params as EngineStageParams;
    if (p.replayFile === null) throw new Error('replay feed: no replay file given');
    this.ctx = ctx;
    this.sim = p.clock === 'sim';
    this.speed = p.replaySpeed;
    this.md = ringNamed(ctx.outputs, 'md', 'feed');
    this.spaceIdle = new SpinThenParkIdle(this.md.spaceParker, { spinUs: 50, maxParkMs: 5 });
    this.reader = RecordingReader.open(p.replayFile, { clock: 'exchange' });
    this.epochUnixUs = epochTimeOriginMs() * 1000;
    this.resync = ctx.inputs.find((r) => r.name === 'resync') ?? null;
  }

  doWork(): number {
    if (this.report.due(nowUs())) this.ctx.report(this.buildReport());
    if (this.resync !== null) this.resync.read(this.drainResync, 64);
    if (this.done) return 0;
    const r = this.reader;
    let n = 0;
    while (n < MAX_FRAMES_PER_POLL) {
      const ts = r.peekTsUs();
      if (Number.isNaN(ts)) {
        this.finish();
        break;
      }
      if (this.sim || this.speed === Infinity) {
        this.recvUs = nowUs();
      } else {
        if (Number.isNaN(this.firstTsUs)) {
          this.firstTsUs = ts;
          this.wallStartUnixUs = unixNowUs();
        }
        const dueUnixUs = this.wallStartUnixUs + (ts - this.firstTsUs) / this.speed;
        const waitUs = dueUnixUs - unixNowUs();
        if (waitUs > 0) {
          if (n === 0 && waitUs > SPIN_BELOW_US) Atomics.wait(this.sleepCell, 0, 0, Math.min(waitUs - SPIN_BELOW_US, MAX_SLEEP_US) / 1000);
          return n + 1; // not due yet: report work so the idle strategy leaves pacing to us
        }
        this.recvUs = dueUnixUs - this.epochUnixUs;
      }
      this.lastEventUnixUs = ts;
      r.next(this);
      n++;
    }
    return n;
  }

  /** Copies one recorded frame into `md` with fresh stamps. */
  onMessage(msgTypeId: number, buffer: Uint8Array, index: number, length: number): void {
    const md = this.md;
    const i = md.claimBlocking(msgTypeId, length, this.spaceIdle);
    if (i < 0) return;
    const dst = md.bytes;
    for (let k = 0; k < length; k++) dst[i + k] = buffer[index + k]!;
    stampMessage(dst, i, Stage.Recv, this.recvUs);
    stampMessage(dst, i, Stage.Feed, nowUs());
    md.commit(i);
    this.events++;
  }

  onStopRequested(): void {
    this.done = true;
  }

  onStop(): void {
    this.reader.close();
    this.ctx.report(this.buildReport());
  }

  private finish(): void {
    this.done = true;
    this.ctx.report(this.buildReport());
  }

  private buildReport(): ReplayReport {
    return {
      stage: 'feed',
      source: 'replay',
      events: this.events,
      done: this.done,
      lastEventUnixUs: this.lastEventUnixUs,
      progress: this.reader.progress(),
      truncatedTailBytes: this.reader.truncatedTailBytes,
    };
  }
}

export function createStage(ctx: StageContext): StageLogic {
  return new ReplayFeedStage(ctx);
}
