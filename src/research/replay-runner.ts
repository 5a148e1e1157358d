/**
 * In-process replay: the engine's own stages — FeedStage (or a recording),
 * SanitizerStage, then strategy → risk → execution (DownstreamStages, the
 * part of FusedStage after the sanitizer) — over the engine's own rings
 * (topology.ts RINGS), with both ends of every ring attached in this one
 * thread, except that sanitized market data reaches strategy, risk and
 * execution already decoded (DirectMarketData: same records, same order;
 * ~+40 % events/s). A sweep task is one lane of a `runReplayGroup` call.
 *
 * Owning thread: whichever thread calls it (a piscina worker in a sweep, the
 * main thread in tests). Hot inside the loop; everything else is start-up.
 *
 * Why results equal the threaded engine's: in simulated time each market
 * event is admitted only once the stages after the sanitizer have settled
 * (FusedStage's sequenced mode), which is exactly what the threaded engine
 * does, so the thread that feeds `md` and how fast it does so cannot change
 * a decision. We then shut down in the engine's order: feed done → pipeline
 * settled → CancelAll on `control` → settled → final drain → onStop reports
 * → event rings drained → the same `buildSummary` (fill hash,
 * reconciliation, `lost`).
 *
 * Replay groups: a sweep replays one input under many parameter sets, and
 * the feed and the sanitizer — ~55 % of a replayed event on the busy
 * recording — do not depend on strategy, risk or venue parameters (nothing
 * flows back into them). So a group runs one feed and one sanitizer and,
 * per admitted event, each lane's stages in turn until they settle; the
 * sanitizer's ring output (md.*, data-quality events) is copied into each
 * lane's own rings, its decoded hand-off given to each lane in turn.
 *
 * Inputs: the seeded synthetic market (FeedStage itself, into `md`) or a
 * recording (RecordingSource), whose frames the sanitizer reads where they
 * lie in the reader's block buffer (`pullFrom`) — the same bytes in the same
 * order as `--source replay` copies into `md`, without the copy (~+8 %).
 *
 * One thread owns both ends, so nothing may ever wait for space: the feed is
 * pumped only while `md` is empty (≤ 512 events per pump, far below the ring's
 * 4 MiB), every ring the stages read is drained each cycle, the relay copies
 * at most one event's output per event, and each lane's event rings to
 * "main" are drained every 1024 of its cycles (≤ 1024 events, a few hundred
 * KiB at most against 4–8 MiB). A Block ring that filled up would spin
 * forever here; the sizes above make that impossible.
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
import type { DirectMarketData } from '../core/engine/stages/direct-market.ts';
import { DownstreamStages } from '../core/engine/stages/downstream-stages.ts';
import { SanitizerStage } from '../core/engine/stages/sanitizer-stage.ts';
import type { EngineStageParams } from '../core/engine/stages/stage-params.ts';
import { buildSummary, type RingSummary, type RunSummary, type StageReports } from '../core/engine/summary.ts';
import { RINGS, type RingPlan } from '../core/engine/topology.ts';
import { createRing, readRingStats, resetRing, SpscRing, type RecordHandler } from '../core/ring/index.ts';
import type { StageContext } from '../core/stage/stage-logic.ts';
import { PnlSeries, type PnlMetrics } from './pnl-series.ts';
import { RecordingSource } from './recording-source.ts';

/** Consecutive idle cycles that count as "settled" (the engine checks 3 quiet polls too). */
const QUIET_CYCLES = 3;
/** A lane drains its event rings to "main" every this many of its cycles (≤ 1024 events). */
const EVENT_DRAIN_CYCLES = 1024;

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
  /** Wall time of the replay; in a group of N lanes, the group's wall time / N. */
  wallMs: number;
  /** Lanes replayed together with this one over one feed and sanitizer (1 = alone; `runReplayGroup`). */
  groupSize: number;
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
  const lane = runReplayGroup([spec], options)[0]!;
  if (!lane.ok) throw lane.error;
  return lane.outcome;
}

/** One parameter set's result in a replay group: its outcome, or why its stages could not be built. */
export type LaneResult = { ok: true; outcome: ReplayOutcome } | { ok: false; error: unknown };

/**
 * What determines the sanitized market stream of a replay: the input and the
 * sanitizer's configuration. Specs with equal keys can share one feed and
 * one sanitizer (`runReplayGroup`); strategy, risk, venue and sampling may differ.
 */
export function replayStreamKey(spec: ReplaySpec): string {
  return JSON.stringify([spec.recording, spec.symbols, spec.seed, spec.durationUs, spec.rateEventsPerS, spec.synthetic, spec.sanitizer]);
}

/** Downstream stages of the engine (one set per lane). */
const DOWNSTREAM = new Set<string>(['strategy', 'risk', 'execution']);
/** The feed's and sanitizer's rings: one set per group. */
const isShared = (r: RingPlan): boolean => r.name === 'md' || r.from === 'sanitizer';
/** Sanitizer output every lane needs its own copy of: md.* for its stages, data-quality events for its summary. */
const isRelayed = (r: RingPlan): boolean => r.from === 'sanitizer' && (DOWNSTREAM.has(r.to) || r.name === 'events.sanitizer');
/** A lane's rings: its stages' inputs and outputs, and its copies of the relayed ones. */
const isLaneRing = (r: RingPlan): boolean => isRelayed(r) || DOWNSTREAM.has(r.from) || DOWNSTREAM.has(r.to);

/**
 * Copies each record the sanitizer wrote to one of its rings into every
 * lane's copy of that ring, in order. Per event it finds at most the
 * data-quality events the event raised (direct hand-off); whether there is
 * anything is a plain field read on the sanitizer's end of the ring, so an
 * event that raised none costs four comparisons here.
 */
class Relay implements RecordHandler {
  private copied = 0;

  constructor(
    /** The sanitizer's (producer) end: its commit count says when there is something to copy. */
    private readonly written: SpscRing,
    private readonly from: SpscRing,
    private readonly to: readonly SpscRing[],
  ) {}

  pump(): void {
    if (this.written.committedMessages === this.copied) return;
    this.copied = this.written.committedMessages;
    while (this.from.read(this, 1024) > 0);
  }

  onMessage(msgTypeId: number, bytes: Uint8Array, index: number, length: number): void {
    const to = this.to;
    for (let i = 0; i < to.length; i++) {
      if (to[i]!.write(msgTypeId, bytes, index, length) < 0) throw new Error(`replay: ${to[i]!.name} refused a ${length}-byte record`);
    }
  }
}

/** One parameter set of a group: its strategy, risk and execution stages, rings, events and PnL series. */
class ReplayLane {
  readonly params: EngineStageParams;
  readonly reports = new Map<string, unknown>();
  readonly errors: string[] = [];
  readonly sabs: Map<string, SharedArrayBuffer>;
  readonly relayed = new Map<string, SpscRing>();
  readonly down: DownstreamStages;
  readonly collector = new EventCollector();
  readonly filled = new Set<number>();
  readonly series: PnlSeries;
  readonly control: SpscRing;
  private cycles = 0;

  constructor(slot: number, spec: ReplaySpec, params: EngineStageParams, startUs: number) {
    this.params = params;
    const lane = RINGS.filter(isLaneRing);
    const { sabs, producer, consumer } = attachRings(`lane${slot}`, lane);
    this.sabs = sabs;
    for (const r of lane) if (isRelayed(r)) this.relayed.set(r.name, producer.get(r.name)!);
    const inputs = lane.filter((r) => DOWNSTREAM.has(r.to)).map((r) => consumer.get(r.name)!);
    const outputs = lane.filter((r) => DOWNSTREAM.has(r.from)).map((r) => producer.get(r.name)!);
    // Written on this thread and read by these stages: md.* (by the relay) and their own hand-offs.
    const inner = lane.filter((r) => DOWNSTREAM.has(r.to) && (DOWNSTREAM.has(r.from) || r.from === 'sanitizer')).map((r) => producer.get(r.name)!);
    this.down = new DownstreamStages(new InProcessContext('core', inputs, outputs, params, this.reports, this.errors), inner);
    this.control = producer.get('control')!;
    for (const r of lane) if (r.to === 'main') this.collector.watch(consumer.get(r.name)!);
    const fill = new Fill();
    const fillStamps = newStageStampSet();
    const filled = this.filled;
    this.collector.listeners.push({
      onEventRecord(ring, msgTypeId, bytes, index) {
        if (ring !== 'events.execution' || msgTypeId !== MsgType.OrderFilled) return;
        decodeOrderFilled(bytes, index, fill, fillStamps);
        filled.add(fill.clientOrderId);
      },
    });
    this.series = new PnlSeries(startUs, spec.sampleUs, this.down.execution.venue);
  }

  /**
   * The stages' share of one admitted event (or of a pass that admitted
   * none): an admitting cycle, then cycles until settled, observing the PnL
   * series after each — the cycles, and the observations, a FusedStage makes.
   */
  runEvent(): number {
    const down = this.down;
    const venue = down.execution.venue;
    let work = down.cycle(true);
    this.afterCycle(venue.clockUs);
    while (!down.settled) {
      work += down.cycle(false);
      this.afterCycle(venue.clockUs);
    }
    return work;
  }

  private afterCycle(clockUs: number): void {
    this.series.observe(clockUs);
    if ((++this.cycles & (EVENT_DRAIN_CYCLES - 1)) === 0) this.collector.poll();
  }
}

/**
 * Replays several parameter sets over one market stream (equal
 * `replayStreamKey`s) on this thread: one feed and one sanitizer, then each
 * lane's strategy → risk → execution in turn, per event. A lane decides
 * exactly what a replay of its spec alone would (its stages see the same
 * records in the same order and share nothing else with other lanes;
 * test/property/replay-group.test.ts compares them), and the feed's and the
 * sanitizer's work — about half of a replayed event — is done once for all.
 * A lane whose stages cannot be built (a value its component refuses) is
 * returned as an error; the others run. Throws if the shared part cannot be built.
 */
export function runReplayGroup(specs: readonly ReplaySpec[], options: ReplayOptions = {}): LaneResult[] {
  const t0 = performance.now();
  if (specs.length === 0) return [];
  const key = replayStreamKey(specs[0]!);
  for (const s of specs) if (replayStreamKey(s) !== key) throw new Error('runReplayGroup: the specs must share one market stream (input and sanitizer configuration)');
  const shared = stageParams(specs[0]!, options);
  const sharedReports = new Map<string, unknown>();
  const sharedErrors: string[] = [];
  const sharedRings = RINGS.filter(isShared);
  const { sabs, producer, consumer } = attachRings('shared', sharedRings);
  const feed: { done: boolean; events: number; doWork(): number; onStop(): void } =
    specs[0]!.recording !== null
      ? new RecordingSource(specs[0]!.recording, producer.get('md')!)
      : new FeedStage(new InProcessContext('feed', [consumer.get('resync')!], [producer.get('md')!], shared, sharedReports, sharedErrors));
  const sanitizer = new SanitizerStage(
    new InProcessContext('sanitizer', [consumer.get('md')!], sharedRings.filter((r) => r.from === 'sanitizer').map((r) => producer.get(r.name)!), shared, sharedReports, sharedErrors),
  );
  const direct = shared.sequenced && shared.directMarketData ? sanitizer.handOffDirectly() : null;
  const startUs = feed instanceof RecordingSource && Number.isFinite(feed.firstTsUs) ? feed.firstTsUs : SIM_START_UNIX_US;

  // A lane per spec, or the error that stopped its stages being built.
  const built: (ReplayLane | { error: unknown })[] = specs.map((spec, i) => {
    try {
      const lane = new ReplayLane(i, spec, stageParams(spec, options), startUs);
      if (direct !== null) lane.down.useDirect(direct);
      return lane;
    } catch (error) {
      return { error };
    }
  });
  const lanes = built.filter((b): b is ReplayLane => b instanceof ReplayLane);
  const relays = sharedRings.filter(isRelayed).map((r) => new Relay(producer.get(r.name)!, consumer.get(r.name)!, lanes.map((l) => l.relayed.get(r.name)!)));
  // ui.book samples are for a monitor; a replay has none: drained unread.
  const uiBook = consumer.get('ui.book')!;
  const md = consumer.get('md')!;
  const pulled = feed instanceof RecordingSource;
  if (pulled) sanitizer.pullFrom(feed);

  // Run: one event at a time (md is pumped only while empty), each lane settled before the next event.
  const fanOut = new FanOut(sanitizer, relays, lanes, direct, uiBook);
  for (;;) {
    if (!pulled && !feed.done && !md.hasWork()) feed.doWork();
    if (fanOut.next() === 0 && feed.done && !md.hasWork()) break;
  }

  // Shutdown, in ProductionEngine.shutdown's order: CancelAll, settle, stop, drain.
  const ev = new WireRiskEvent();
  ev.instrumentId = INSTRUMENT_NONE;
  ev.code = ControlCode.CancelAll;
  const st = newStageStampSet();
  for (const lane of lanes) {
    st[0] = nowUs();
    if (!encodeRiskEvent(lane.control, ev, st)) throw new Error('replay: control ring refused CancelAll');
    settle(lane.down);
  }
  feed.onStop();
  sanitizer.onStop();
  fanOut.finish();
  for (const lane of lanes) {
    lane.down.onStop();
    lane.collector.drain();
    lane.series.finish();
  }
  const wallMs = performance.now() - t0;
  const totals: GroupTotals = { sharedReports, sharedErrors, sabs, feed, fromRecording: pulled, startUs, wallMs: wallMs / Math.max(1, lanes.length), groupSize: lanes.length };
  return built.map((b): LaneResult => {
    if (!(b instanceof ReplayLane)) return { ok: false, error: b.error };
    return { ok: true, outcome: laneOutcome(b, totals) };
  });
}

/**
 * One step of a replay group: the sanitizer admits the next event, its ring
 * output is copied to the lanes, and each lane in turn takes the hand-off and
 * runs until settled. A method of its own (not the replay loop's body) so the
 * JIT optimises it as a function, not by on-stack replacement of the loop.
 */
class FanOut {
  private admitted = 0;
  private readonly discard: RecordHandler = { onMessage: () => undefined };

  constructor(
    private readonly sanitizer: SanitizerStage,
    private readonly relays: readonly Relay[],
    private readonly lanes: readonly ReplayLane[],
    private readonly direct: DirectMarketData | null,
    /** Lossy by design (DropOldest): emptied now and then, as the engine's main thread would. */
    private readonly uiBook: SpscRing,
  ) {}

  /** Returns the work done (0: nothing was admitted and no lane had anything to do). */
  next(): number {
    const w = this.sanitizer.admit(1);
    const relays = this.relays;
    for (let r = 0; r < relays.length; r++) relays[r]!.pump();
    if ((++this.admitted & (EVENT_DRAIN_CYCLES - 1)) === 0) this.uiBook.read(this.discard, 1 << 20);
    const lanes = this.lanes;
    const direct = this.direct;
    let work = 0;
    if (direct !== null) {
      // Every lane takes the same hand-off: its stages clear these flags as they take it.
      const forStrategy = direct.forStrategy;
      const forExecution = direct.forExecution;
      const bboForRisk = direct.bboForRisk;
      for (let l = 0; l < lanes.length; l++) {
        direct.forStrategy = forStrategy;
        direct.forExecution = forExecution;
        direct.bboForRisk = bboForRisk;
        work += lanes[l]!.runEvent();
      }
    } else {
      for (let l = 0; l < lanes.length; l++) work += lanes[l]!.runEvent();
    }
    return w + work;
  }

  /** After the sanitizer's onStop: what it wrote last reaches the lanes; ui.book is emptied. */
  finish(): void {
    for (let r = 0; r < this.relays.length; r++) this.relays[r]!.pump();
    this.uiBook.read(this.discard, 1 << 20);
  }
}

interface GroupTotals {
  sharedReports: Map<string, unknown>;
  sharedErrors: readonly string[];
  sabs: Map<string, SharedArrayBuffer>;
  feed: { events: number };
  fromRecording: boolean;
  startUs: number;
  /** The lane's share of the group's wall time. */
  wallMs: number;
  groupSize: number;
}

/** A lane's summary: the shared stages' reports with its own, through the engine's `buildSummary`. */
function laneOutcome(lane: ReplayLane, g: GroupTotals): ReplayOutcome {
  const venue = lane.down.execution.venue;
  const reports = new Map([...g.sharedReports, ...lane.reports]);
  // The synthetic FeedStage reports what it sent; a recording has no stage to
  // do so, and without it the feed>sanitizer reconciliation would count every
  // replayed event as lost.
  if (g.fromRecording) reports.set('feed', { stage: 'feed', source: 'replay', events: g.feed.events, done: true, lastEventUnixUs: venue.clockUs } satisfies FeedReport);
  const feedReport = g.fromRecording ? undefined : (reports.get('feed') as FeedReport | undefined);
  const rings: RingSummary[] = RINGS.map((r) => {
    const s = readRingStats(lane.sabs.get(r.name) ?? g.sabs.get(r.name)!);
    return { name: r.name, capacityBytes: r.capacityBytes, messages: s.messages, highWaterBytes: s.highWaterMark, fullPct: 0, drops: s.drops, stalls: s.producerStalls };
  });
  const errors = [...g.sharedErrors, ...lane.errors];
  const { summary } = buildSummary({
    source: lane.params.source,
    topology: 'in-process',
    clock: 'sim',
    wallSeconds: g.wallMs / 1000,
    simSeconds: feedReport ? Math.max(0, feedReport.lastEventUnixUs - SIM_START_UNIX_US) / 1e6 : Number.isFinite(venue.clockUs - g.startUs) ? (venue.clockUs - g.startUs) / 1e6 : null,
    reports: Object.fromEntries(reports) as StageReports,
    collector: lane.collector,
    rings,
    stageErrors: errors,
  });
  return { summary, metrics: lane.series.metrics(summary.pnl.net), filledOrders: lane.filled.size, events: g.feed.events, wallMs: g.wallMs, groupSize: g.groupSize, stageErrors: errors };
}

/** This thread's rings of `slot` for `plans`, with one SpscRing per side (the ring's contract, even in one thread). */
function attachRings(slot: string, plans: readonly RingPlan[]): { sabs: Map<string, SharedArrayBuffer>; producer: Map<string, SpscRing>; consumer: Map<string, SpscRing> } {
  const sabs = new Map<string, SharedArrayBuffer>();
  const producer = new Map<string, SpscRing>();
  const consumer = new Map<string, SpscRing>();
  for (const r of plans) {
    const sab = pooledRing(slot, r);
    sabs.set(r.name, sab);
    producer.set(r.name, new SpscRing(sab));
    consumer.set(r.name, new SpscRing(sab));
  }
  return { sabs, producer, consumer };
}

/**
 * This thread's rings, reused replay after replay (reset, not re-created):
 * the topology's rings are ~47 MiB, and allocating them per task cost ~4 %
 * of a 30 s replay plus the GC pressure of that much external memory. Safe
 * because a replay runs to completion on this thread before the next starts,
 * and nothing outside `runReplay` keeps a ring.
 */
const RING_POOL = new Map<string, SharedArrayBuffer>();

function pooledRing(slot: string, r: RingPlan): SharedArrayBuffer {
  const key = `${slot}/${r.name}/${r.capacityBytes}/${r.policy}`;
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
function settle(down: DownstreamStages): number {
  let quiet = 0;
  let work = 0;
  while (quiet < QUIET_CYCLES) {
    const w = down.cycle(true);
    work += w;
    quiet = w === 0 ? quiet + 1 : 0;
  }
  return work;
}
