/**
 * In-process replay: the engine's own stages — FeedStage and FusedStage
 * (sanitizer → strategy → risk → execution) — over the engine's own rings
 * (topology.ts RINGS), with both ends of every ring attached in this one
 * thread, except that sanitized market data reaches strategy, risk and
 * execution already decoded (DirectMarketData: same records, same order;
 * ~+40 % events/s). A sweep task is one call to `runReplay`.
 *
 * Owning thread: whichever thread calls it (a piscina worker in a sweep, the
 * main thread in tests). Hot inside the loop; everything else is start-up.
 *
 * Why results equal the threaded engine's: in simulated time FusedStage
 * admits one market event per settled cycle (its `sequenced` mode), which is
 * exactly what the threaded engine does, so the thread that feeds `md` and
 * how fast it does so cannot change a decision. We then shut down in the
 * engine's order: feed done → pipeline settled → CancelAll on `control` →
 * settled → final drain → onStop reports → event rings drained → the same
 * `buildSummary` (fill hash, reconciliation, `lost`).
 *
 * Inputs: the seeded synthetic market (FeedStage itself, into `md`) or a
 * recording (RecordingSource), whose frames the sanitizer reads where they
 * lie in the reader's block buffer (`pullFrom`) — the same bytes in the same
 * order as `--source replay` copies into `md`, without the copy (~+8 %).
 *
 * One thread owns both ends, so nothing may ever wait for space: the feed is
 * pumped only while `md` is empty (≤ 512 events per pump, far below the ring's
 * 4 MiB), every inner ring is drained each cycle, and the event rings to
 * "main" are drained after every pump (a pulled recording: every 1024 cycles,
 * ≤ 512 events). A Block ring that filled up would spin forever here; the
 * sizes above make that impossible.
 */
import { nowUs } from '../core/clock.ts';
import { DEFAULT_CONFIG } from '../core/config/engine-config.ts';
import { RiskEvent as WireRiskEvent, INSTRUMENT_NONE, MsgType, decodeOrderFilled, encodeRiskEvent, newStageStampSet } from '../core/codec/index.ts';
import { Fill } from '../core/domain/orders.ts';
import { EventCollector } from '../core/engine/event-collector.ts';
import { instrumentsOfRecording, resolveInstruments } from '../core/engine/instruments.ts';
import { SIM_START_UNIX_US } from '../core/engine/production-engine.ts';
import { ControlCode } from '../core/engine/stages/control-codes.ts';
import { FeedStage, type FeedReport } from '../core/engine/stages/feed-stage.ts';
import { FusedStage } from '../core/engine/stages/fused-stage.ts';
import type { EngineStageParams } from '../core/engine/stages/stage-params.ts';
import { buildSummary, type RingSummary, type RunSummary, type StageReports } from '../core/engine/summary.ts';
import { RINGS, type RingPlan } from '../core/engine/topology.ts';
import { createRing, readRingStats, resetRing, SpscRing } from '../core/ring/index.ts';
import type { StageContext } from '../core/stage/stage-logic.ts';
import { PnlSeries, type PnlMetrics } from './pnl-series.ts';
import { RecordingSource } from './recording-source.ts';

/** Stages the fused worker runs (the `core` thread of topology.ts). */
const CORE_STAGES = new Set<string>(['sanitizer', 'strategy', 'risk', 'execution']);
/** Consecutive idle cycles that count as "settled" (the engine checks 3 quiet polls too). */
const QUIET_CYCLES = 3;
/** A pulled recording: drain the rings to "main" every this many cycles (≤ 512 events, as a pump). */
const PULLED_DRAIN_CYCLES = 1024;

export interface ReplaySpec {
  /** A recording to replay (src/feed/recording); null = the synthetic market below. */
  readonly recording: string | null;
  readonly symbols: readonly string[];
  readonly seed: number;
  /** Simulated run length, µs of event time. */
  readonly durationUs: number;
  readonly rateEventsPerS: number;
  /** Component sections, already merged over DEFAULT_CONFIG's (see `sectionsOver`). */
  readonly strategy: Record<string, unknown>;
  readonly risk: Record<string, unknown>;
  readonly sanitizer: Record<string, unknown>;
  readonly venue: Record<string, unknown>;
  readonly synthetic: Record<string, unknown>;
  /** PnL sampling interval for the Sharpe-like ratio and drawdown, µs of simulated time. */
  readonly sampleUs: number;
}

export interface ReplayOutcome {
  summary: RunSummary;
  metrics: PnlMetrics;
  /** Distinct orders with at least one fill. */
  filledOrders: number;
  /** Market events replayed (the feed's count). */
  events: number;
  wallMs: number;
  /** Per-message errors the stages reported (they kept going). */
  stageErrors: string[];
}

type Section = 'strategy' | 'risk' | 'sanitizer' | 'venue' | 'synthetic';
export const SECTIONS: readonly Section[] = ['strategy', 'risk', 'sanitizer', 'venue', 'synthetic'];

/** Merges overrides over DEFAULT_CONFIG's sections field by field, as `qhft run --config` does. */
export function sectionsOver(overrides: Partial<Record<Section, Record<string, unknown>>>): Record<Section, Record<string, unknown>> {
  const out = {} as Record<Section, Record<string, unknown>>;
  for (const s of SECTIONS) out[s] = { ...DEFAULT_CONFIG[s], ...(overrides[s] ?? {}) };
  return out;
}

class InProcessContext implements StageContext {
  constructor(
    readonly name: string,
    readonly inputs: readonly SpscRing[],
    readonly outputs: readonly SpscRing[],
    readonly params: EngineStageParams,
    private readonly reports: Map<string, unknown>,
    private readonly errors: string[],
  ) {}

  reportError(err: unknown): void {
    if (this.errors.length < 100) this.errors.push(`stage ${this.name}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }

  report(payload: unknown): void {
    const key = (payload as { stage?: unknown } | null)?.stage;
    this.reports.set(typeof key === 'string' ? key : this.name, payload);
  }
}

export interface ReplayOptions {
  /**
   * Hand sanitized market data to strategy, risk and execution decoded
   * (EngineStageParams.directMarketData; default true). False replays through
   * the md.* rings as the engine does: tests compare the two.
   */
  readonly directMarketData?: boolean;
}

function stageParams(spec: ReplaySpec, options: ReplayOptions): EngineStageParams {
  return {
    runId: 0,
    instruments: spec.recording !== null ? instrumentsOfRecording(spec.recording) : resolveInstruments(spec.symbols),
    source: spec.recording !== null ? 'replay' : 'synthetic',
    clock: 'sim',
    sequenced: true,
    durationUs: spec.durationUs,
    seed: spec.seed,
    rateEventsPerS: spec.rateEventsPerS,
    noTrade: false,
    replayFile: spec.recording,
    record: null,
    configHash: '',
    replaySpeed: Infinity,
    okxWsUrl: DEFAULT_CONFIG.okxWsUrl,
    okxRestUrl: DEFAULT_CONFIG.okxRestUrl,
    strategy: spec.strategy,
    risk: spec.risk,
    sanitizer: spec.sanitizer,
    venue: spec.venue,
    synthetic: spec.synthetic,
    simStartUnixUs: SIM_START_UNIX_US,
    // A sweep reports PnL, not latency: no clock reads or histogram records
    // on the replay's message path (EngineStageParams.latency).
    latency: false,
    // One thread, one event per settled cycle: hand market data over decoded.
    directMarketData: options.directMarketData ?? true,
  };
}

/** Replays one (input, parameter set) to the end; throws if a stage cannot be built (bad config). */
export function runReplay(spec: ReplaySpec, options: ReplayOptions = {}): ReplayOutcome {
  const t0 = performance.now();
  const params = stageParams(spec, options);
  const reports = new Map<string, unknown>();
  const errors: string[] = [];
  const sabs = new Map<string, SharedArrayBuffer>();
  const producer = new Map<string, SpscRing>();
  const consumer = new Map<string, SpscRing>();
  for (const r of RINGS) {
    const sab = pooledRing(r);
    sabs.set(r.name, sab);
    // One SpscRing per side, as the ring's contract asks, even in one thread.
    producer.set(r.name, new SpscRing(sab));
    consumer.set(r.name, new SpscRing(sab));
  }
  const ins = (pred: (r: RingPlan) => boolean) => RINGS.filter(pred).map((r) => consumer.get(r.name)!);
  const outs = (pred: (r: RingPlan) => boolean) => RINGS.filter(pred).map((r) => producer.get(r.name)!);
  const feed: { done: boolean; events: number; doWork(): number; onStop(): void } =
    spec.recording !== null
      ? new RecordingSource(spec.recording, producer.get('md')!)
      : new FeedStage(new InProcessContext('feed', ins((r) => r.to === 'feed'), outs((r) => r.from === 'feed'), params, reports, errors));
  const fused = new FusedStage(new InProcessContext('core', ins((r) => CORE_STAGES.has(r.to)), outs((r) => CORE_STAGES.has(r.from)), params, reports, errors));
  const collector = new EventCollector();
  for (const r of RINGS) if (r.to === 'main') collector.watch(consumer.get(r.name)!);
  const filled = new Set<number>();
  const fill = new Fill();
  const fillStamps = newStageStampSet();
  collector.listeners.push({
    onEventRecord(ring, msgTypeId, bytes, index) {
      if (ring !== 'events.execution' || msgTypeId !== MsgType.OrderFilled) return;
      decodeOrderFilled(bytes, index, fill, fillStamps);
      filled.add(fill.clientOrderId);
    },
  });
  const md = consumer.get('md')!;
  const venue = fused.execution.venue;
  const startUs = feed instanceof RecordingSource && Number.isFinite(feed.firstTsUs) ? feed.firstTsUs : SIM_START_UNIX_US;
  const series = new PnlSeries(startUs, spec.sampleUs, venue);

  // A recording is read by the sanitizer itself, frame by frame where it lies
  // in the reader's buffer; the synthetic feed writes into `md`.
  const pulled = feed instanceof RecordingSource;
  if (pulled) fused.sanitizer.pullFrom(feed);
  let cycles = 0;
  // Run: feed while `md` is empty, one settled cycle per event (FusedStage sequenced).
  for (;;) {
    if (pulled) {
      // Drain the event rings as often as a pump would (≥ 2 cycles per event).
      if ((++cycles & (PULLED_DRAIN_CYCLES - 1)) === 0) collector.poll();
    } else if (!feed.done && !md.hasWork()) {
      feed.doWork();
      collector.poll();
    }
    const w = fused.doWork();
    series.observe(venue.clockUs);
    if (w === 0 && feed.done && !md.hasWork() && settle(fused) === 0) break;
  }
  series.observe(venue.clockUs);

  // Shutdown, in ProductionEngine.shutdown's order.
  const control = producer.get('control')!;
  const ev = new WireRiskEvent();
  ev.instrumentId = INSTRUMENT_NONE;
  ev.code = ControlCode.CancelAll;
  const st = newStageStampSet();
  st[0] = nowUs();
  if (!encodeRiskEvent(control, ev, st)) throw new Error('replay: control ring refused CancelAll');
  settle(fused);
  feed.onStop();
  fused.onStop();
  collector.drain();
  series.finish();

  // The synthetic FeedStage reports what it sent; a recording has no stage to
  // do so, and without it the feed>sanitizer reconciliation would count every
  // replayed event as lost.
  const fromRecording = feed instanceof RecordingSource;
  if (fromRecording) reports.set('feed', { stage: 'feed', source: 'replay', events: feed.events, done: true, lastEventUnixUs: venue.clockUs } satisfies FeedReport);
  const feedReport = fromRecording ? undefined : (reports.get('feed') as FeedReport | undefined);
  const rings: RingSummary[] = RINGS.map((r) => {
    const s = readRingStats(sabs.get(r.name)!);
    return { name: r.name, capacityBytes: r.capacityBytes, messages: s.messages, highWaterBytes: s.highWaterMark, fullPct: 0, drops: s.drops, stalls: s.producerStalls };
  });
  const wallMs = performance.now() - t0;
  const { summary } = buildSummary({
    source: params.source,
    topology: 'in-process',
    clock: 'sim',
    wallSeconds: wallMs / 1000,
    simSeconds: feedReport ? Math.max(0, feedReport.lastEventUnixUs - SIM_START_UNIX_US) / 1e6 : Number.isFinite(venue.clockUs - startUs) ? (venue.clockUs - startUs) / 1e6 : null,
    reports: Object.fromEntries(reports) as StageReports,
    collector,
    rings,
    stageErrors: errors,
  });
  return { summary, metrics: series.metrics(summary.pnl.net), filledOrders: filled.size, events: feed.events, wallMs, stageErrors: errors };
}

/**
 * This thread's rings, reused replay after replay (reset, not re-created):
 * the topology's rings are ~47 MiB, and allocating them per task cost ~4 %
 * of a 30 s replay plus the GC pressure of that much external memory. Safe
 * because a replay runs to completion on this thread before the next starts,
 * and nothing outside `runReplay` keeps a ring.
 */
const RING_POOL = new Map<string, SharedArrayBuffer>();

function pooledRing(r: RingPlan): SharedArrayBuffer {
  const key = `${r.name}/${r.capacityBytes}/${r.policy}`;
  const sab = RING_POOL.get(key);
  if (sab !== undefined) {
    resetRing(sab);
    return sab;
  }
  const created = createRing({ capacityBytes: r.capacityBytes, policy: r.policy, name: r.name });
  RING_POOL.set(key, created);
  return created;
}

/** Polls until QUIET_CYCLES consecutive cycles do nothing; returns the work done. */
function settle(fused: FusedStage): number {
  let quiet = 0;
  let work = 0;
  while (quiet < QUIET_CYCLES) {
    const w = fused.doWork();
    work += w;
    quiet = w === 0 ? quiet + 1 : 0;
  }
  return work;
}
