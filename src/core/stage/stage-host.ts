/**
 * Main-thread side of a stage worker: start it with its rings, wait until it
 * is ready, watch its heartbeat, stop it (drain, then exit), and make sure no
 * thread is ever left behind.
 *
 * Owning thread: main. Cold path (start-up, supervision at ~10 Hz, shutdown).
 *
 * Mentor's Corner — a production HFT process pins each stage to an isolated
 * core at start-up (`taskset`/`pthread_setaffinity_np`, `isolcpus`), checks
 * liveness with a hardware watchdog, and never restarts a stage mid-session:
 * it fails over to a hot replica. Node gives us no affinity API and a worker
 * takes ~30–60 ms to boot (tsx transpiles on load), so we start every stage
 * before the feed opens, report readiness through shared memory, and on a
 * crash or a stalled heartbeat trip the kill switch and shut the rest down
 * cleanly rather than resurrect the stage — a half-running pipeline is worse
 * than a stopped one.
 */
import type { Worker } from 'node:worker_threads';
import { epochTimeOriginMs } from '../clock.ts';
import { startTsWorker } from '../worker-loader.ts';
import {
  CTRL_ERRORS,
  CTRL_F64_HEARTBEAT_US,
  CTRL_HEARTBEAT,
  CTRL_LOOPS,
  CTRL_STATE,
  CTRL_STOP,
  CTRL_WORK,
  StageState,
  createControlBlock,
} from './control-block.ts';
import type { IdleSpec } from './idle-spec.ts';

export interface RingRef {
  readonly name: string;
  readonly sab: SharedArrayBuffer;
  /**
   * The consuming thread's doorbell, when it reads several rings and parks on
   * one shared doorbell; both ends of the ring must attach with the same one.
   */
  readonly doorbell?: SharedArrayBuffer;
}

export interface StageSpec {
  readonly name: string;
  /** Module exporting `createStage(ctx): StageLogic`. */
  readonly module: URL;
  readonly inputs: readonly RingRef[];
  readonly outputs: readonly RingRef[];
  readonly idle: IdleSpec;
  readonly params?: unknown;
}

/** Sent by the worker over its port; cold path only. */
export type StageMessage =
  | { type: 'ready' }
  | { type: 'error'; fatal: boolean; message: string; stack?: string }
  | { type: 'stopped' }
  | { type: 'report'; payload: unknown };

export interface StageExit {
  readonly name: string;
  readonly code: number;
  /** Set when the stage failed (uncaught error, crash, or forced termination). */
  readonly error?: string;
}

const BOOT_TIMEOUT_MS = 30_000;

export class StageHandle {
  readonly name: string;
  readonly worker: Worker;
  readonly control: Int32Array;
  private readonly controlF64: Float64Array;
  readonly ready: Promise<void>;
  readonly exited: Promise<StageExit>;
  /** The last fatal error reported, if any. */
  fatalError: string | undefined;
  /** Last `report` payload the stage posted (e.g. histograms at stop). */
  lastReport: unknown;
  /** Latest report per `payload.stage` (a fused worker reports for several stages). */
  readonly reports = new Map<string, unknown>();
  private readonly errorListeners: Array<(h: StageHandle, message: string) => void> = [];

  constructor(spec: StageSpec) {
    this.name = spec.name;
    const controlSab = createControlBlock();
    this.control = new Int32Array(controlSab);
    this.controlF64 = new Float64Array(controlSab);
    this.worker = startTsWorker(new URL('./stage-worker.ts', import.meta.url), {
      name: `qhft-${spec.name}`,
      workerData: {
        name: spec.name,
        module: spec.module.href,
        inputs: spec.inputs,
        outputs: spec.outputs,
        idle: spec.idle,
        params: spec.params,
        controlSab,
        epochTimeOriginMs: epochTimeOriginMs(),
      },
    });
    let resolveReady!: () => void;
    let rejectReady!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    // Never leave an unhandled rejection when nobody awaits `ready`.
    this.ready.catch(() => undefined);
    const bootTimer = setTimeout(() => rejectReady(new Error(`stage ${this.name} did not become ready within ${BOOT_TIMEOUT_MS} ms`)), BOOT_TIMEOUT_MS);
    bootTimer.unref();

    this.worker.on('message', (m: StageMessage) => {
      if (m.type === 'ready') {
        clearTimeout(bootTimer);
        resolveReady();
      } else if (m.type === 'error') {
        if (m.fatal) this.fatalError = m.message;
        for (const l of this.errorListeners) l(this, m.message);
      } else if (m.type === 'report') {
        this.lastReport = m.payload;
        const key = (m.payload as { stage?: unknown } | null)?.stage;
        this.reports.set(typeof key === 'string' ? key : this.name, m.payload);
      }
    });
    this.exited = new Promise<StageExit>((resolve) => {
      this.worker.on('error', (err: Error) => {
        this.fatalError ??= `${err.name}: ${err.message}`;
        for (const l of this.errorListeners) l(this, this.fatalError);
      });
      this.worker.on('exit', (code) => {
        clearTimeout(bootTimer);
        const failed = code !== 0 || this.fatalError !== undefined || this.state() === StageState.Failed;
        if (!failed) {
          resolve({ name: this.name, code });
          return;
        }
        const error = this.fatalError ?? `exited with code ${code}`;
        rejectReady(new Error(`stage ${this.name} failed before ready: ${error}`));
        resolve({ name: this.name, code: code === 0 ? 1 : code, error });
      });
    });
  }

  /** Registers a listener for errors (fatal or per-message) reported by the stage. */
  onError(listener: (h: StageHandle, message: string) => void): void {
    this.errorListeners.push(listener);
  }

  state(): StageState {
    return Atomics.load(this.control, CTRL_STATE) as StageState;
  }

  heartbeatCount(): number {
    return Atomics.load(this.control, CTRL_HEARTBEAT);
  }

  /** Shared-epoch µs of the last heartbeat. */
  lastHeartbeatUs(): number {
    return this.controlF64[CTRL_F64_HEARTBEAT_US]!;
  }

  errorCount(): number {
    return Atomics.load(this.control, CTRL_ERRORS);
  }

  loopCount(): number {
    return Atomics.load(this.control, CTRL_LOOPS);
  }

  workCount(): number {
    return Atomics.load(this.control, CTRL_WORK);
  }

  /** Moves a Ready stage to Running: stages start polling together. */
  start(): void {
    Atomics.compareExchange(this.control, CTRL_STATE, StageState.Ready, StageState.Running);
    Atomics.notify(this.control, CTRL_STATE);
  }

  /** Asks the stage to drain its inputs and exit. Idempotent. */
  requestStop(): void {
    Atomics.store(this.control, CTRL_STOP, 1);
    Atomics.notify(this.control, CTRL_STATE);
  }

  /**
   * Requests a stop and waits up to `timeoutMs` for the worker to exit on its
   * own; past that the thread is terminated and the exit reports an error.
   */
  async stop(timeoutMs: number): Promise<StageExit> {
    this.requestStop();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((res) => {
      timer = setTimeout(() => res('timeout'), timeoutMs);
    });
    const r = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (r !== 'timeout') return r;
    this.fatalError ??= `did not stop within ${timeoutMs} ms; terminated`;
    await this.worker.terminate();
    return this.exited;
  }
}

export function startStage(spec: StageSpec): StageHandle {
  return new StageHandle(spec);
}

/**
 * Stops stages in the given order (upstream first, so each stage drains what
 * its producer left), then makes sure every thread is gone.
 */
export async function stopStagesInOrder(stages: readonly StageHandle[], timeoutMsEach: number): Promise<StageExit[]> {
  const exits: StageExit[] = [];
  for (const s of stages) exits.push(await s.stop(timeoutMsEach));
  return exits;
}

/**
 * Watches heartbeats: calls `onStall` once for a stage whose heartbeat has
 * not moved for `timeoutMs` while it should be running. Returns a stop function.
 */
export function watchHeartbeats(
  stages: readonly StageHandle[],
  timeoutMs: number,
  onStall: (stage: StageHandle, silentMs: number) => void,
): () => void {
  const last = stages.map((s) => ({ beat: s.heartbeatCount(), at: Date.now(), reported: false }));
  const period = Math.max(10, Math.min(250, timeoutMs / 4));
  const timer = setInterval(() => {
    const now = Date.now();
    stages.forEach((s, i) => {
      const rec = last[i]!;
      const st = s.state();
      if (st !== StageState.Running && st !== StageState.Draining) {
        rec.at = now;
        return;
      }
      const beat = s.heartbeatCount();
      if (beat !== rec.beat) {
        rec.beat = beat;
        rec.at = now;
        return;
      }
      if (!rec.reported && now - rec.at > timeoutMs) {
        rec.reported = true;
        onStall(s, now - rec.at);
      }
    });
  }, period);
  timer.unref();
  return () => clearInterval(timer);
}
