/**
 * One run of the postMessage baseline: the engine's topology (same threads,
 * same stage modules, same stage params as ProductionEngine would pass) with
 * a MessageChannel in place of every ring (pipeline-pm-channel.ts), workers
 * on our own bootstrap (pipeline-pm-worker.ts). Channels into `main`
 * (events, the UI book) are counted and acknowledged by the main thread.
 * Cold path: main thread orchestration.
 */
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { epochTimeOriginMs } from '../../src/core/clock.ts';
import { ProductionEngine } from '../../src/core/engine/production-engine.ts';
import type { EngineStageParams } from '../../src/core/engine/stages/stage-params.ts';
import { planTopology, type StageName } from '../../src/core/engine/topology.ts';
import { startTsWorker } from '../../src/core/worker-loader.ts';
import { MainSink, type PortEnd, type PortProducerStats } from './pipeline-pm-channel.ts';
import type { PmWorkerData, PmWorkerMessage } from './pipeline-pm-worker.ts';
import { cellConfig, collectHops, deltaHistogram, HOP_NAMES, sleep, summarize, ThreadCpu, type Cell, type RunMeasure } from './pipeline-common.ts';

const STAGES_DIR = new URL('../../src/core/engine/stages/', import.meta.url);
const MODULE_OF: Record<string, string> = {
  feed: 'feed-stage.ts',
  sanitizer: 'sanitizer-stage.ts',
  strategy: 'strategy-stage.ts',
  risk: 'risk-stage.ts',
  execution: 'execution-stage.ts',
  core: 'fused-stage.ts',
};

class PmThread {
  readonly name: string;
  readonly worker: Worker;
  readonly control = new Int32Array(new SharedArrayBuffer(4));
  readonly reports = new Map<string, unknown>();
  producers: Record<string, PortProducerStats> = {};
  tid = -1;
  readonly ready: Promise<void>;
  readonly stopped: Promise<void>;
  errors: string[] = [];

  constructor(name: string, data: Omit<PmWorkerData, 'controlSab'>, transfer: MessagePort[]) {
    this.name = name;
    const wd: PmWorkerData = { ...data, controlSab: this.control.buffer as SharedArrayBuffer };
    this.worker = startTsWorker(new URL('./pipeline-pm-worker.ts', import.meta.url), { name: `qhft-pm-${name}`, workerData: wd, transferList: transfer });
    let onReady!: () => void;
    let onStopped!: () => void;
    let onFail!: (e: Error) => void;
    this.ready = new Promise((res, rej) => {
      onReady = res;
      onFail = rej;
    });
    this.stopped = new Promise((res) => (onStopped = res));
    this.ready.catch(() => undefined);
    this.worker.on('message', (m: PmWorkerMessage) => {
      if (m.type === 'ready') {
        this.tid = m.tid;
        onReady();
      } else if (m.type === 'report') {
        const key = (m.payload as { stage?: unknown } | null)?.stage;
        this.reports.set(typeof key === 'string' ? key : name, m.payload);
      } else if (m.type === 'pm') this.producers = m.producers;
      else if (m.type === 'stopped') onStopped();
      else if (m.type === 'error') {
        this.errors.push(m.message);
        onFail(new Error(m.message));
      }
    });
    this.worker.on('error', (e) => {
      this.errors.push(String(e));
      onFail(e);
      onStopped();
    });
    this.worker.on('exit', () => onStopped());
  }

  start(): void {
    this.worker.postMessage('start');
  }

  requestStop(): void {
    Atomics.store(this.control, 0, 1);
  }
}

/**
 * ProductionEngine's stage params are private (`stageParams()`); the baseline
 * must get the very same ones, so it calls it. Engine change requested in the
 * report: make `stageParams()` public.
 */
function engineStageParams(engine: ProductionEngine): EngineStageParams {
  const f = (engine as unknown as { stageParams?: () => EngineStageParams }).stageParams;
  if (typeof f !== 'function') throw new Error('ProductionEngine has no stageParams(): update bench/lib/pipeline-pm-run.ts');
  return f.call(engine);
}

function allReports(threads: readonly PmThread[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of threads) for (const [k, v] of t.reports) out[k] = v;
  return out;
}

function blockedUs(threads: readonly PmThread[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of threads) for (const [ring, s] of Object.entries(t.producers)) m.set(ring, s.blockedUs);
  return m;
}

function stallCount(threads: readonly PmThread[]): number {
  let n = 0;
  for (const t of threads) for (const s of Object.values(t.producers)) n += s.stalls;
  return n;
}

interface Counters {
  submitted: number;
  accepted: number;
  denied: number;
}

function counters(reports: Record<string, unknown>): Counters {
  const s = reports.strategy as { submitted?: number } | undefined;
  const r = reports.risk as { accepted?: number; denied?: number[] } | undefined;
  return { submitted: s?.submitted ?? 0, accepted: r?.accepted ?? 0, denied: (r?.denied ?? []).reduce((a, b) => a + b, 0) };
}

/** Runs one baseline cell: warm-up, then a measured window between two feed reports. */
export async function runPostMessageCell(cell: Cell, warmupMs: number, measureMs: number): Promise<RunMeasure> {
  const config = cellConfig(cell);
  const plan = planTopology(cell.topology);
  const threadOf = new Map<StageName, string>();
  for (const t of plan.threads) for (const s of t.stages) threadOf.set(s, t.name);
  // Exactly the params ProductionEngine would give its stages (built, not started).
  const params = engineStageParams(new ProductionEngine(config, () => undefined));

  // One channel per ring: port1 at the producer, port2 at the consumer.
  const ins = new Map<string, PortEnd[]>();
  const outs = new Map<string, PortEnd[]>();
  const sinks: MainSink[] = [];
  const mainPorts: MessagePort[] = [];
  for (const r of plan.rings) {
    const ch = new MessageChannel();
    const from = r.from === 'main' ? 'main' : threadOf.get(r.from)!;
    const to = r.to === 'main' ? 'main' : threadOf.get(r.to)!;
    const end = (port: MessagePort): PortEnd => ({ name: r.name, port, capacity: r.capacityBytes, policy: r.policy });
    if (from === 'main') mainPorts.push(ch.port1);
    else outs.set(from, [...(outs.get(from) ?? []), end(ch.port1)]);
    if (to === 'main') sinks.push(new MainSink(ch.port2, r.capacityBytes));
    else ins.set(to, [...(ins.get(to) ?? []), end(ch.port2)]);
  }

  const threads = plan.threads.map((t) => {
    const inputs = ins.get(t.name) ?? [];
    const outputs = outs.get(t.name) ?? [];
    return new PmThread(
      t.name,
      {
        name: t.name,
        module: new URL(MODULE_OF[t.name]!, STAGES_DIR).href,
        params,
        inputs,
        outputs,
        source: t.name === 'feed',
        epochTimeOriginMs: epochTimeOriginMs(),
      },
      [...inputs, ...outputs].map((e) => e.port),
    );
  });
  try {
    await Promise.all(threads.map((t) => t.ready));
    for (const t of threads) t.start();

    await sleep(warmupMs);
    const feed = threads[0]!;
    const waitFeedReport = async (): Promise<{ at: number; events: number }> => {
      const prev = feed.reports.get('feed');
      while (feed.reports.get('feed') === prev) await sleep(2);
      return { at: performance.now(), events: (feed.reports.get('feed') as { events: number }).events };
    };
    const f0 = await waitFeedReport();
    const cpu = new ThreadCpu(new Map(threads.map((t) => [t.name, t.tid])));
    cpu.begin();
    const hops0 = collectHops(allReports(threads));
    const c0 = counters(allReports(threads));
    const blocked0 = blockedUs(threads);
    const stalls0 = stallCount(threads);
    await sleep(Math.max(0, measureMs - 1_000));
    const f1 = await waitFeedReport();
    const cpuShares = cpu.end();
    const hops1 = collectHops(allReports(threads));
    const c1 = counters(allReports(threads));
    const blocked1 = blockedUs(threads);
    const windowS = (f1.at - f0.at) / 1000;

    let fullPct = 0;
    let fullRing = '-';
    for (const [ring, b] of blocked1) {
      const pct = (100 * (b - (blocked0.get(ring) ?? 0))) / (windowS * 1e6);
      if (pct > fullPct) {
        fullPct = pct;
        fullRing = ring;
      }
    }
    const hops: RunMeasure['hops'] = {};
    for (const h of HOP_NAMES) if (h !== 'tickToTrade') hops[h] = summarize(deltaHistogram(hops0, hops1, h));
    return {
      eventsPerS: (f1.events - f0.events) / windowS,
      windowS,
      tickToTrade: summarize(deltaHistogram(hops0, hops1, 'tickToTrade')),
      hops,
      fullPct: Math.round(fullPct * 100) / 100,
      fullRing,
      stalls: stallCount(threads) - stalls0,
      cpu: cpuShares,
      orders: { submitted: c1.submitted - c0.submitted, accepted: c1.accepted - c0.accepted, denied: c1.denied - c0.denied },
    };
  } finally {
    // Upstream first; each stage drains what is in flight, then exits.
    for (const t of threads) {
      t.requestStop();
      await Promise.race([t.stopped, sleep(3_000)]);
    }
    const errors = threads.flatMap((t) => t.errors);
    await Promise.all(threads.map((t) => t.worker.terminate()));
    for (const p of mainPorts) p.close();
    for (const s of sinks) s.close();
    if (errors.length > 0) console.warn(`postMessage pipeline: ${errors.length} stage error(s), first: ${errors[0]}`);
  }
}
