/**
 * Builds the monitor's own snapshot records (schemas/fbs/monitor.fbs) from
 * EngineView data: LatencySnapshot, RuntimeSnapshot, SummarySnapshot.
 *
 * Role: the monitor polls the engine's cold views at snapshotIntervalMs and
 * offers these records to the MonitorPublisher, beside the ring records the
 * engine forwards. Owning thread: main. Cold: FlatBuffers Builder, strings,
 * allocation (≈ 1 Hz).
 */
import { Builder } from 'flatbuffers';
import * as wire from '../../core/codec/generated/index.ts';
import { INSTRUMENT_NONE } from '../../core/codec/msg-type.ts';
import type { LatencySeriesMap, RunSummary, RuntimeStats, RiskState } from './engine-view.ts';

const b = new Builder(4096);

function zeroStamps(): number {
  return wire.StageStamps.createStageStamps(b, 0, 0, 0, 0, 0, 0, 0, 0);
}

function finish(root: number): Uint8Array {
  b.finish(root);
  return b.asUint8Array().slice();
}

export function encodeLatencySnapshot(series: LatencySeriesMap, tsUnixMs: number): Uint8Array {
  b.clear();
  b.forceDefaults(true);
  const offs: number[] = [];
  for (const [name, s] of Object.entries(series)) {
    const n = b.createString(name);
    const ps = wire.LatencySeries.createPercentilesVector(b, s.points.map((p) => p.percentile));
    const vs = wire.LatencySeries.createValuesUsVector(b, s.points.map((p) => p.valueUs));
    offs.push(wire.LatencySeries.createLatencySeries(b, n, s.count, ps, vs));
  }
  const vec = wire.LatencySnapshot.createSeriesVector(b, offs);
  wire.LatencySnapshot.startLatencySnapshot(b);
  wire.LatencySnapshot.addStamps(b, zeroStamps());
  wire.LatencySnapshot.addInstrumentId(b, INSTRUMENT_NONE);
  wire.LatencySnapshot.addTsExchangeUs(b, 0);
  wire.LatencySnapshot.addTsUnixMs(b, tsUnixMs);
  wire.LatencySnapshot.addSeries(b, vec);
  return finish(wire.LatencySnapshot.endLatencySnapshot(b));
}

export interface MonitorCounters {
  clients: number;
  dropped: number;
  errors: number;
}

export function encodeRuntimeSnapshot(r: RuntimeStats, m: MonitorCounters, tsUnixMs: number): Uint8Array {
  b.clear();
  b.forceDefaults(true);
  const rings = r.rings.map((x) => {
    const n = b.createString(x.name);
    return wire.RingStat.createRingStat(b, n, x.capacityBytes, x.usedBytes ?? 0, x.highWaterBytes, x.messages, x.drops, x.stalls);
  });
  const threads = r.threads.map((x) => {
    const n = b.createString(x.name);
    return wire.ThreadStat.createThreadStat(b, n, x.cpuPct, x.elu ?? 0, x.eventLoopDelayP99Us ?? 0, x.gcCount ?? 0, x.gcPauseMs ?? 0);
  });
  const rv = wire.RuntimeSnapshot.createRingsVector(b, rings);
  const tv = wire.RuntimeSnapshot.createThreadsVector(b, threads);
  const db = r.db;
  const root = wire.RuntimeSnapshot.createRuntimeSnapshot(b, zeroStamps(), INSTRUMENT_NONE, 0, tsUnixMs,
    r.memory.rssBytes, r.memory.heapUsedBytes, r.eventLoop.p50Us, r.eventLoop.p99Us, r.eventLoop.maxUs,
    r.gc.count, r.gc.pauseMs, rv, tv, db !== null, db?.connected ?? false, db?.lagMs ?? 0, db?.queueRecords ?? 0,
    db?.journalBytes ?? 0, m.clients, m.dropped, m.errors);
  return finish(root);
}

const STATES: Record<string, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

function sum(o: Record<string, number>): number {
  let s = 0;
  for (const v of Object.values(o)) s += v;
  return s;
}

export function encodeSummarySnapshot(s: RunSummary, risk: RiskState | null, tsUnixMs: number): Uint8Array {
  b.clear();
  b.forceDefaults(true);
  const source = b.createString(s.source);
  const hash = b.createString(s.fillsHash);
  const W = wire.SummarySnapshot;
  const t2t = s.latencyUs.tickToTrade;
  const state = risk?.tradingState ?? s.tradingState ?? 'ACTIVE';
  W.startSummarySnapshot(b);
  W.addStamps(b, zeroStamps());
  W.addInstrumentId(b, INSTRUMENT_NONE);
  W.addTsExchangeUs(b, 0);
  W.addTsUnixMs(b, tsUnixMs);
  W.addSource(b, source);
  W.addDurationS(b, s.durationS);
  W.addEventsIn(b, s.events.in);
  W.addEventsAccepted(b, s.events.accepted);
  W.addEventsRejected(b, sum(s.events.rejected));
  W.addOrdersSubmitted(b, s.orders.submitted);
  W.addOrdersAccepted(b, s.orders.accepted);
  W.addOrdersDenied(b, sum(s.orders.denied));
  W.addSignals(b, s.signals ?? 0);
  W.addFills(b, s.fills);
  W.addPnlRealized(b, s.pnl.realized);
  W.addPnlUnrealized(b, s.pnl.unrealized);
  W.addPnlFees(b, s.pnl.fees);
  W.addPnlNet(b, s.pnl.net ?? s.pnl.realized + s.pnl.unrealized - s.pnl.fees);
  W.addTradingState(b, STATES[state] ?? 2);
  W.addKillLatched(b, risk?.killLatched ?? s.killSwitch ?? false);
  W.addLost(b, s.lost);
  W.addT2tCount(b, t2t.count);
  W.addT2tP50Us(b, t2t.p50);
  W.addT2tP99Us(b, t2t.p99);
  W.addT2tP999Us(b, t2t.p999);
  W.addT2tMaxUs(b, t2t.max);
  W.addFillsHash(b, hash);
  const causes = s.fillCauses;
  W.addFillsTaker(b, causes?.taker ?? 0);
  W.addFillsQueue(b, causes?.queue ?? 0);
  W.addFillsTradeThrough(b, causes?.tradeThrough ?? 0);
  W.addFillsBookCross(b, causes?.bookCross ?? 0);
  return finish(W.endSummarySnapshot(b));
}
