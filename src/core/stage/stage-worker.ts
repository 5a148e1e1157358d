/**
 * Stage bootstrap: the entry file of every stage worker_thread.
 *
 * Role: attach the stage's rings, load its logic module, report ready, run
 * the non-async poll loop `while (running) idle.idle(logic.doWork())`, keep a
 * heartbeat in shared memory, and on a stop command drain the inputs and exit.
 * Owning thread: the stage worker. The loop is hot; everything else is cold.
 *
 * Errors: `doWork` is expected to catch per-message errors itself (and call
 * ctx.reportError, which counts them). An exception that escapes `doWork` is
 * fatal: the stage marks itself Failed, tells the main thread (which trips
 * the kill switch), and exits — it does not limp on.
 *
 * Mentor's Corner — the ideal stage is a C++ thread pinned to an isolated
 * core, busy-polling its rings with interrupts moved away, so a message is
 * picked up within ~50 ns. Here a stage is a V8 isolate on a shared core; it
 * spins only while work is flowing and then parks on `Atomics.wait`, because
 * on 2 vCPUs a parked thread costs ~20–25 µs to wake but a spinning one can
 * steal the core from the stage that has the work (p50 ≈ 9 ms measured with
 * 4 spinners on 2 cores). The idle strategy is chosen per core count.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { adoptEpoch, nowUs } from '../clock.ts';
import { SpscRing, type IdleStrategy } from '../ring/index.ts';
import {
  CTRL_ERRORS,
  CTRL_F64_HEARTBEAT_US,
  CTRL_HEARTBEAT,
  CTRL_LOOPS,
  CTRL_STATE,
  CTRL_STOP,
  CTRL_WORK,
  HEARTBEAT_EVERY_US,
  StageState,
} from './control-block.ts';
import { buildIdle, type IdleSpec } from './idle-spec.ts';
import type { RingRef, StageMessage } from './stage-host.ts';
import type { StageContext, StageFactory, StageLogic } from './stage-logic.ts';

/** Test-only fault injection (`params.fault`): proves crash and hang handling with real threads. */
interface FaultSpec {
  stage: string;
  kind: 'throw' | 'hang';
  afterLoops: number;
}

interface StageWorkerData {
  name: string;
  module: string;
  inputs: RingRef[];
  outputs: RingRef[];
  idle: IdleSpec;
  params: unknown;
  controlSab: SharedArrayBuffer;
  epochTimeOriginMs: number;
}

/** Consecutive empty polls that count as "drained" once a stop was requested. */
const DRAIN_EMPTY_POLLS = 3;

const data = workerData as StageWorkerData;
const port = parentPort!;
adoptEpoch(data.epochTimeOriginMs);
const ctrl = new Int32Array(data.controlSab);
const ctrlF64 = new Float64Array(data.controlSab);

function post(m: StageMessage): void {
  port.postMessage(m);
}

function describe(err: unknown): { message: string; stack?: string } {
  if (err instanceof Error) return { message: `${err.name}: ${err.message}`, stack: err.stack };
  return { message: String(err) };
}

function fail(err: unknown): void {
  Atomics.store(ctrl, CTRL_STATE, StageState.Failed);
  const d = describe(err);
  post({ type: 'error', fatal: true, message: `stage ${data.name}: ${d.message}`, stack: d.stack });
}

class Context implements StageContext {
  readonly name = data.name;
  readonly inputs: SpscRing[];
  readonly outputs: SpscRing[];
  readonly params = data.params;

  constructor() {
    this.inputs = data.inputs.map((r) => new SpscRing(r.sab, r.doorbell === undefined ? undefined : { doorbell: r.doorbell }));
    this.outputs = data.outputs.map((r) => new SpscRing(r.sab, r.doorbell === undefined ? undefined : { doorbell: r.doorbell }));
  }

  reportError(err: unknown): void {
    Atomics.add(ctrl, CTRL_ERRORS, 1);
    const d = describe(err);
    post({ type: 'error', fatal: false, message: `stage ${data.name}: ${d.message}`, stack: d.stack });
  }

  report(payload: unknown): void {
    post({ type: 'report', payload });
  }
}

function faultFor(name: string): FaultSpec | null {
  const f = (data.params as { fault?: FaultSpec } | null | undefined)?.fault;
  return f !== undefined && f.stage === name ? f : null;
}

function injectFault(f: FaultSpec): void {
  if (f.kind === 'throw') throw new Error(`injected fault in stage ${data.name}`);
  // A hang: the thread stops making progress (and beating) without dying.
  for (;;) Atomics.wait(ctrl, CTRL_STOP, 0, 1000);
}

function beat(loops: number): void {
  ctrlF64[CTRL_F64_HEARTBEAT_US] = nowUs();
  Atomics.add(ctrl, CTRL_HEARTBEAT, 1);
  Atomics.store(ctrl, CTRL_LOOPS, loops);
}

function drain(logic: StageLogic, loops: number): void {
  // Draining: the host stops stages upstream-first, so once our inputs stay
  // empty for a few polls nothing more can arrive.
  Atomics.store(ctrl, CTRL_STATE, StageState.Draining);
  logic.onStopRequested?.();
  let empty = 0;
  while (empty < DRAIN_EMPTY_POLLS) {
    const work = logic.doWork();
    if (work > 0) {
      Atomics.add(ctrl, CTRL_WORK, work);
      empty = 0;
    } else empty++;
    Atomics.add(ctrl, CTRL_HEARTBEAT, 1);
  }
  Atomics.store(ctrl, CTRL_LOOPS, loops);
}

function runLoop(logic: StageLogic, idle: IdleStrategy): void {
  const fault = faultFor(data.name);
  let nextBeatUs = 0;
  let loops = 0;
  // Running: poll until asked to stop.
  while (Atomics.load(ctrl, CTRL_STOP) === 0) {
    const work = logic.doWork();
    loops++;
    if (fault !== null && loops === fault.afterLoops) injectFault(fault);
    if (work > 0) Atomics.add(ctrl, CTRL_WORK, work);
    const t = nowUs();
    if (t >= nextBeatUs) {
      nextBeatUs = t + HEARTBEAT_EVERY_US;
      beat(loops);
    }
    idle.idle(work);
  }
  drain(logic, loops);
}

/** Max doWork calls per timer tick in event-driven mode, so callbacks get their turn. */
const EVENT_DRIVEN_POLLS_PER_TICK = 64;

/** Event-driven stages: poll from a timer so the event loop keeps running. */
function runEventDriven(logic: StageLogic, onDone: (err: unknown) => void): void {
  const fault = faultFor(data.name);
  let loops = 0;
  const timer = setInterval(() => {
    try {
      if (Atomics.load(ctrl, CTRL_STOP) !== 0) {
        clearInterval(timer);
        drain(logic, loops);
        onDone(null);
        return;
      }
      for (let i = 0; i < EVENT_DRIVEN_POLLS_PER_TICK; i++) {
        const work = logic.doWork();
        loops++;
        if (fault !== null && loops === fault.afterLoops) injectFault(fault);
        if (work > 0) Atomics.add(ctrl, CTRL_WORK, work);
        else break;
      }
      beat(loops);
    } catch (err) {
      clearInterval(timer);
      onDone(err);
    }
  }, 1);
}

async function boot(): Promise<void> {
  let logic: StageLogic;
  let idle: IdleStrategy;
  try {
    const ctx = new Context();
    const mod = (await import(data.module)) as { createStage?: StageFactory };
    if (typeof mod.createStage !== 'function') {
      throw new Error(`module ${data.module} does not export createStage(ctx)`);
    }
    logic = mod.createStage(ctx);
    idle = buildIdle(data.idle, ctx.inputs, data.inputs[0]?.doorbell, logic.readiness);
  } catch (err) {
    fail(err);
    return;
  }
  Atomics.store(ctrl, CTRL_STATE, StageState.Ready);
  post({ type: 'ready' });
  // Wait for the host's start() (or an early stop) without spinning.
  while (Atomics.load(ctrl, CTRL_STATE) === StageState.Ready && Atomics.load(ctrl, CTRL_STOP) === 0) {
    Atomics.wait(ctrl, CTRL_STATE, StageState.Ready, 50);
  }
  const finish = (err: unknown): void => {
    if (err !== null) {
      fail(err);
      return;
    }
    try {
      logic.onStop?.();
    } catch (e) {
      fail(e);
      return;
    }
    Atomics.store(ctrl, CTRL_STATE, StageState.Stopped);
    post({ type: 'stopped' });
  };
  if (logic.eventDriven === true) {
    runEventDriven(logic, finish);
    return;
  }
  try {
    runLoop(logic, idle);
  } catch (err) {
    finish(err);
    return;
  }
  finish(null);
}

void boot();
