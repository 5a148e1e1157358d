/**
 * An in-process replay hands sanitized market data to strategy, risk and
 * execution decoded (DirectMarketData) instead of copying it through the
 * md.* rings. That shortcut is only correct if every stage still sees the
 * same records in the same order — data-quality events the sanitizer raises
 * on the way included. Property: for the shipped recording with frames
 * dropped, duplicated and swapped at random (sequence gaps, duplicates,
 * reorders, stale books, resyncs, crossed books the sanitizer applied and
 * then rejected), a replay with the hand-off and one through the rings make
 * the same calls into the hunter, the guard and the venue — the strategy's
 * whole book included (with the hand-off it reads the sanitizer's books) —
 * and decide exactly the same: fill stream, orders, denials, signals,
 * rejections, PnL.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SimpleLiquidationHunter } from '../../src/core/strategies/simple-liquidation-hunter.ts';
import { PaperVenue } from '../../src/gateway/paper-exchange/paper-venue.ts';
import { DRBGuard } from '../../src/risk/drb-guard.ts';
import type { L2Book } from '../../src/core/book/l2-book.ts';
import { MsgType, decodeBookDeltas, encodeBookDeltas, newStageStampSet } from '../../src/core/codec/index.ts';
import { BookDeltas } from '../../src/core/domain/market-events.ts';
import { createRing, SpscRing, type RecordHandler } from '../../src/core/ring/index.ts';
import { RecordingReader, RecordingWriter } from '../../src/feed/recording/index.ts';
import { runReplay, runReplayGroup, type ReplayOutcome, type ReplaySpec } from '../../src/research/replay-runner.ts';
import { DownstreamStages } from '../../src/core/engine/stages/downstream-stages.ts';
import { SanitizerStage } from '../../src/core/engine/stages/sanitizer-stage.ts';
import { expandTasks, parseGrid } from '../../src/research/sweep-grid.ts';

const SHIPPED = join(import.meta.dirname, '..', 'fixtures', 'recordings', 'synthetic-seed1-25s.qrec');
const BUSY = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'engine', 'busy-market.json'), 'utf8')) as Record<string, unknown>;
const tmp = mkdtempSync(join(tmpdir(), 'qhft-direct-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Frame {
  type: number;
  bytes: Uint8Array;
}

function readFrames(path: string): Frame[] {
  const frames: Frame[] = [];
  const reader = RecordingReader.open(path);
  const collect: RecordHandler = { onMessage: (type, bytes, index, length) => void frames.push({ type, bytes: bytes.slice(index, index + length) }) };
  while (reader.next(collect));
  reader.close();
  return frames;
}

const original = readFrames(SHIPPED);
/** Each instrument's opening snapshot (a recovery, then a gap, when replayed again later). */
const snapshots = ((): Frame[] => {
  const d = new BookDeltas();
  const byInstrument = new Map<number, Frame>();
  for (const f of original) {
    if (f.type !== MsgType.BookDeltas || !decodeBookDeltas(f.bytes, 0, d) || !d.isSnapshot) continue;
    if (!byInstrument.has(d.instrumentId)) byInstrument.set(d.instrumentId, f);
  }
  return [...byInstrument.values()];
})();
const header = RecordingReader.open(SHIPPED);
const init = { instruments: header.header.instruments, configHash: header.header.configHash, source: header.header.source, seed: header.header.seed, epochUnixUs: header.header.epochUnixUs };
header.close();

type Fault = { at: number; kind: 'drop' | 'duplicate' | 'swap' | 'snapshot0' | 'snapshot1' | 'cross' };

/**
 * A book delta frame changed to cross the book (its first bid far above any
 * ask, or its first ask at 1 tick), in sequence: the sanitizer applies it,
 * finds the book crossed and rejects it. Other frames come back unchanged.
 */
function crossed(f: Frame): Frame {
  const d = new BookDeltas();
  const stamps = newStageStampSet();
  if (f.type !== MsgType.BookDeltas || !decodeBookDeltas(f.bytes, 0, d, stamps) || d.isSnapshot) return f;
  if (d.bidCount > 0) d.bidPriceTicks[0] = d.bidPriceTicks[0]! + 10_000_000;
  else if (d.askCount > 0) d.askPriceTicks[0] = 1;
  else return f;
  const ring = new SpscRing(createRing({ capacityBytes: 1 << 16, name: 'test.cross' }));
  if (!encodeBookDeltas(ring, d, stamps)) throw new Error('cross: encode failed');
  let out: Frame = f;
  ring.read({ onMessage: (type, bytes, index, length) => void (out = { type, bytes: bytes.slice(index, index + length) }) }, 1);
  return out;
}
let files = 0;

/** The shipped recording with the faults applied, as a new recording file. */
function faulted(faults: readonly Fault[]): string {
  const byIndex = new Map(faults.map((f) => [f.at, f.kind]));
  const out: Frame[] = [];
  for (let i = 0; i < original.length; i++) {
    const kind = byIndex.get(i);
    const f = original[i]!;
    if (kind === 'drop') continue;
    if (kind === 'swap' && i + 1 < original.length) {
      out.push(original[i + 1]!, f);
      i++;
      continue;
    }
    if (kind === 'snapshot0' || kind === 'snapshot1') out.push(snapshots[kind === 'snapshot0' ? 0 : 1]!);
    out.push(kind === 'cross' ? crossed(f) : f);
    if (kind === 'duplicate') out.push(f);
  }
  const path = join(tmp, `faulted-${files++}.qrec`);
  const w = RecordingWriter.create(path, init);
  for (const f of out) w.append(f.type, f.bytes, 0, f.bytes.length);
  w.close();
  return path;
}

/** The busy-market parameters with IOC entries, or with resting limit entries (cancelled when a feed goes bad). */
function replay(path: string, entry: 'ioc' | 'limit', directMarketData: boolean): ReplayOutcome {
  return runReplay(laneSpec(path, entry), { directMarketData });
}

function laneSpec(path: string, entry: 'ioc' | 'limit'): ReplaySpec {
  const base = { ...BUSY, strategy: { ...(BUSY.strategy as object), entryOrderType: entry }, venue: { entryLatencyUs: 2_000, queueModel: 'pessimistic' } };
  const [task] = expandTasks(parseGrid({ inputs: { recordings: [path] }, base }));
  return task!.spec;
}

/** Calls into the consumers' handlers during the current replay ("who:what instrument time/id"). */
let trace: string[] | null = null;
type Describe = (args: unknown[]) => string;
type Carrier = { instrumentId: number; tsExchangeUs: number };
const carrier: Describe = (a) => `${(a[0] as Carrier).instrumentId} ${(a[0] as Carrier).tsExchangeUs}`;
const idAndRest: Describe = (a) => a.join(' ');
const order: Describe = (a) => `${(a[0] as { clientOrderId: number }).clientOrderId} ${String(a[1])}`;
/** Every level of a book, as a short digest (the strategy's view of it at the call). */
const bookDigest = (b: L2Book): string => {
  let h = 17;
  for (let i = 0; i < b.bidCount; i++) h = Math.imul(h ^ b.bidPrice(i), 31) ^ Math.imul(b.bidSize(i), 7);
  for (let i = 0; i < b.askCount; i++) h = Math.imul(h ^ b.askPrice(i), 31) ^ Math.imul(b.askSize(i), 7);
  return `${b.bidCount}/${b.askCount} ${b.bestBid()}/${b.bestAsk()} #${(h >>> 0).toString(16)}`;
};
const TRACED: [object, string, Describe][] = [
  [SimpleLiquidationHunter.prototype, 'onBookDeltas', (a) => `${carrier(a)} ${String(a[2])} ${bookDigest(a[1] as L2Book)}`],
  [SimpleLiquidationHunter.prototype, 'onTrade', carrier],
  [SimpleLiquidationHunter.prototype, 'onLiquidation', carrier],
  [SimpleLiquidationHunter.prototype, 'onFeedState', idAndRest],
  [DRBGuard.prototype, 'onQuote', idAndRest],
  [DRBGuard.prototype, 'onFeedState', idAndRest],
  [DRBGuard.prototype, 'check', order],
  [PaperVenue.prototype, 'onBook', carrier],
  [PaperVenue.prototype, 'onTrade', carrier],
  [PaperVenue.prototype, 'onMark', carrier],
  [PaperVenue.prototype, 'onFeedStale', idAndRest],
  [PaperVenue.prototype, 'submit', order],
];
const originals = TRACED.map(([proto, name, describe]) => {
  const p = proto as Record<string, (...args: unknown[]) => unknown>;
  const original = p[name]!;
  const who = `${proto.constructor.name}.${name}`;
  p[name] = function traced(this: unknown, ...args: unknown[]) {
    if (trace !== null) trace.push(`${who} ${describe(args)}`);
    return original.apply(this, args);
  };
  return () => void (p[name] = original);
});
afterAll(() => originals.forEach((restore) => restore()));

/** Replays with the calls traced. */
function tracedReplay(path: string, entry: 'ioc' | 'limit', directMarketData: boolean): { outcome: ReplayOutcome; calls: string[] } {
  const calls: string[] = [];
  trace = calls;
  try {
    return { outcome: replay(path, entry, directMarketData), calls };
  } finally {
    trace = null;
  }
}

/** The first call where two traces part (a readable failure instead of a 60k-line diff). */
function firstDifference(a: readonly string[], b: readonly string[]): string | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `call #${i}: rings ${a[i] ?? '(none)'} | direct ${b[i] ?? '(none)'}`;
  return null;
}

/** Everything a stage decided, in one comparable object. */
function decisions(o: ReplayOutcome) {
  const s = o.summary;
  return { fillsHash: s.fillsHash, fills: s.fills, orders: s.orders, signals: s.signals, events: s.events, pnl: s.pnl, lost: s.lost, tradingState: s.tradingState, stageErrors: o.stageErrors };
}

describe('direct hand-off of market data in a replay', () => {
  it('decides exactly as the md.* rings do, on the shipped recording with random frame faults', () => {
    let withFills = 0;
    let withRejects = 0;
    let feedStateCalls = 0;
    let crossedBooks = 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: original.length - 1 }), kind: fc.constantFrom<Fault['kind']>('drop', 'duplicate', 'swap', 'snapshot0', 'snapshot1', 'cross') }), { maxLength: 12 }),
        fc.constantFrom<'ioc' | 'limit'>('ioc', 'limit'),
        (faults, entry) => {
          const path = faulted(faults);
          const viaRings = tracedReplay(path, entry, false);
          const handedOff = tracedReplay(path, entry, true);
          expect(firstDifference(viaRings.calls, handedOff.calls)).toBeNull();
          const ringed = decisions(viaRings.outcome);
          expect(decisions(handedOff.outcome)).toEqual(ringed);
          feedStateCalls += viaRings.calls.filter((c) => c.startsWith('SimpleLiquidationHunter.onFeedState')).length;
          if (ringed.fills > 0) withFills++;
          if (Object.keys(ringed.events.rejected).length > 0) withRejects++;
          crossedBooks += (ringed.events.rejected as Record<string, number>)['CROSSED_BOOK'] ?? 0;
          rmSync(path);
        },
      ),
      { numRuns: 25, seed: 20261125 },
    );
    // Not vacuous: the runs traded, and faults reached the sanitizer's checks.
    expect(snapshots).toHaveLength(2);
    expect(withFills).toBeGreaterThan(10);
    expect(withRejects).toBeGreaterThan(10);
    expect(feedStateCalls).toBeGreaterThan(50);
    expect(crossedBooks).toBeGreaterThan(3);
  });

  it('admits each event only once every ring feeding the downstream stages is empty (the settle skip never runs ahead of feedback)', () => {
    // White-box: the sanitizer admits the next event only once the stages
    // after it have settled (DownstreamStages, in a lone replay and in every
    // lane of a group); at that moment each of them must report `settled` and
    // every ring they read (orders, approved, fills and updates, denials, md.*)
    // must be empty, or the next event would overtake the last one's feedback. (Not `control` from the main thread:
    // the replay's shutdown writes CancelAll into it while the stages are idle.)
    const cycle = DownstreamStages.prototype.cycle;
    const admit = SanitizerStage.prototype.admit;
    const live = new Set<DownstreamStages>();
    let admissions = 0;
    let early = 0;
    DownstreamStages.prototype.cycle = function tracked(this: DownstreamStages, admitting: boolean): number {
      live.add(this);
      return cycle.call(this, admitting);
    };
    SanitizerStage.prototype.admit = function checked(this: SanitizerStage, limit: number): number {
      admissions++;
      for (const d of live) if (!d.settled || (d as unknown as { inner: SpscRing[] }).inner.some((r) => r.occupancy() > 0)) early++;
      return admit.call(this, limit);
    };
    try {
      for (const entry of ['ioc', 'limit'] as const) {
        for (const direct of [true, false]) {
          live.clear();
          const o = replay(SHIPPED, entry, direct);
          expect(o.summary.fills).toBeGreaterThan(0);
        }
      }
      // Two lanes behind one sanitizer.
      live.clear();
      const group = runReplayGroup(['ioc', 'limit'].map((e) => laneSpec(SHIPPED, e as 'ioc' | 'limit')));
      expect(live.size).toBe(2);
      for (const lane of group) expect(lane.ok && lane.outcome.summary.fills).toBeGreaterThan(0);
    } finally {
      DownstreamStages.prototype.cycle = cycle;
      SanitizerStage.prototype.admit = admit;
    }
    expect(admissions).toBeGreaterThan(5 * original.length);
    expect(early).toBe(0);
  });
});
