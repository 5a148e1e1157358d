/**
 * Worker bootstrap of the postMessage baseline (bench/pipeline.bench.ts):
 * the same stage modules as the engine (src/core/engine/stages/*.ts, loaded
 * by URL and unchanged), with every ring replaced by a MessagePort channel
 * (pipeline-pm-channel.ts). Modelled on src/core/stage/stage-worker.ts.
 *
 * Two ways to run, as a Node developer would wire stages without shared memory:
 * - event-driven (sanitizer, strategy, risk, execution, or the fused core):
 *   each `'message'` runs the stage's `doWork` at once, until it reports no
 *   more work; a 1 ms interval runs it too, for the stages' own timers and
 *   reports. The thread sleeps in its event loop between messages.
 * - source (the feed): a paced producer that never returns to its event
 *   loop, exactly like the engine's feed (`while (!stop) doWork()`); its one
 *   input (resync) is pulled with `receiveMessageOnPort`.
 * Stop: the host sets a flag in a tiny control SharedArrayBuffer (control
 * plane only — no data crosses it): a source stops producing; an event-driven
 * stage drains until it has been idle for a few ticks, then reports and exits.
 */
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { adoptEpoch, nowUs } from '../../src/core/clock.ts';
import type { SpscRing } from '../../src/core/ring/index.ts';
import type { StageContext, StageFactory, StageLogic } from '../../src/core/stage/stage-logic.ts';
import { PortConsumer, PortProducer, type PortEnd, type PortProducerStats } from './pipeline-pm-channel.ts';

export interface PmWorkerData {
  name: string;
  module: string;
  params: unknown;
  inputs: PortEnd[];
  outputs: PortEnd[];
  /** True for a source that runs a blocking loop (the feed). */
  source: boolean;
  /** Int32 [0] = stop requested. */
  controlSab: SharedArrayBuffer;
  epochTimeOriginMs: number;
}

export type PmWorkerMessage =
  | { type: 'ready'; tid: number }
  | { type: 'report'; payload: unknown }
  | { type: 'pm'; producers: Record<string, PortProducerStats> }
  | { type: 'error'; message: string }
  | { type: 'stopped' };

const data = workerData as PmWorkerData;
const port = parentPort!;
adoptEpoch(data.epochTimeOriginMs);
const ctrl = new Int32Array(data.controlSab);
const STOP = 0;
const TICK_MS = 1;
const PM_STATS_EVERY_MS = 200;
/** Idle ticks in a row that count as drained after a stop request. */
const DRAIN_IDLE_TICKS = 5;

function post(m: PmWorkerMessage): void {
  port.postMessage(m);
}

function ownTid(): number {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return -1;
  }
}

let logic: StageLogic | null = null;
let pumping = false;

/** Runs the stage until a pass finds nothing (event-driven threads). */
function pump(): void {
  if (pumping || logic === null) return;
  pumping = true;
  try {
    for (let i = 0; i < 1024; i++) if (logic.doWork() === 0) break;
  } finally {
    pumping = false;
  }
}

const producers = data.outputs.map((e) => new PortProducer(e));
const onArrive = data.source ? undefined : pump;
const consumers = data.inputs.map((e) => new PortConsumer(e, onArrive));

function producerStats(): Record<string, PortProducerStats> {
  const out: Record<string, PortProducerStats> = {};
  for (const p of producers) out[p.name] = { messages: p.messages, stalls: p.stalls, drops: p.drops, blockedUs: p.blockedUs };
  return out;
}

const ctx: StageContext = {
  name: data.name,
  // The stages program against SpscRing's surface; the port channels provide it.
  inputs: consumers as unknown as SpscRing[],
  outputs: producers as unknown as SpscRing[],
  params: data.params,
  reportError(err: unknown): void {
    post({ type: 'error', message: `stage ${data.name}: ${err instanceof Error ? err.message : String(err)}` });
  },
  report(payload: unknown): void {
    post({ type: 'report', payload });
  },
};

function runSource(l: StageLogic): void {
  let nextStatsMs = 0;
  while (Atomics.load(ctrl, STOP) === 0) {
    l.doWork();
    const t = nowUs() / 1000;
    if (t >= nextStatsMs) {
      nextStatsMs = t + PM_STATS_EVERY_MS;
      post({ type: 'pm', producers: producerStats() });
    }
  }
  l.onStopRequested?.();
  l.doWork();
  l.onStop?.();
  post({ type: 'pm', producers: producerStats() });
  post({ type: 'stopped' });
}

function runEventDriven(l: StageLogic): void {
  let idleTicks = 0;
  let stopSeen = false;
  let nextStatsMs = 0;
  const timer = setInterval(() => {
    try {
      let work = 0;
      for (let i = 0; i < 64; i++) {
        const w = l.doWork();
        work += w;
        if (w === 0) break;
      }
      const t = nowUs() / 1000;
      if (t >= nextStatsMs) {
        nextStatsMs = t + PM_STATS_EVERY_MS;
        post({ type: 'pm', producers: producerStats() });
      }
      if (!stopSeen && Atomics.load(ctrl, STOP) !== 0) {
        stopSeen = true;
        l.onStopRequested?.();
      }
      if (stopSeen) {
        idleTicks = work === 0 ? idleTicks + 1 : 0;
        if (idleTicks >= DRAIN_IDLE_TICKS) {
          clearInterval(timer);
          l.onStop?.();
          post({ type: 'pm', producers: producerStats() });
          post({ type: 'stopped' });
        }
      }
    } catch (err) {
      clearInterval(timer);
      post({ type: 'error', message: `stage ${data.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` });
    }
  }, TICK_MS);
}

async function boot(): Promise<void> {
  try {
    const mod = (await import(data.module)) as { createStage?: StageFactory };
    if (typeof mod.createStage !== 'function') throw new Error(`module ${data.module} does not export createStage(ctx)`);
    logic = mod.createStage(ctx);
  } catch (err) {
    post({ type: 'error', message: `stage ${data.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` });
    return;
  }
  const l = logic;
  port.once('message', () => {
    if (data.source) runSource(l);
    else runEventDriven(l);
  });
  post({ type: 'ready', tid: ownTid() });
}

void boot();
