/**
 * Applies decoded records to the model signals. `applyFrame` is called by
 * useWebSocket's animation-frame flush for every frame received since the
 * previous flush, inside one `batch()`, then `publishFrame()` derives the
 * per-cell values the pages show: each signal changes at most once per
 * animation frame.
 */
import type { ByteBuffer } from 'flatbuffers';
import type uPlot from 'uplot';
import { forEachRecord, root, R, T } from '../lib/wire.ts';
import { decodeErrors } from './connection.ts';
import { feedState, funding, fundingTime, mark } from './instruments.ts';
import { onBook, onLiquidation, onTrade, publishMarket, tradeCount } from './market.ts';
import * as S from './summary.ts';
import * as L from './latency.ts';
import { orderRecords } from './trading.ts';

const FEED = ['OK', 'STALE', 'INVALID'];
let lastEvents = -1;
let lastEventsAt = 0;
const rate = { trades: 0, book: 0, orders: 0, since: performance.now() };
const equityT: number[] = [];
const equityV: number[] = [];
const runtimeT: number[] = [];
const runtimeDb: number[] = [];
const runtimeLoop: number[] = [];

function onBookRecord(bb: ByteBuffer, index: number): void {
  const b = root(R.book, bb, index);
  const nb = b.bidsLength();
  const na = b.asksLength();
  onBook(b.instrumentId(), b.seqId(), nb, na, (side, i, out) => {
    const l = side === 0 ? b.bids(i) : b.asks(i);
    out[0] = l?.priceTicks() ?? NaN;
    out[1] = l?.sizeLots() ?? 0;
  });
}

function onSummary(bb: ByteBuffer, index: number): void {
  const s = root(R.summary, bb, index);
  const now = Date.now();
  const ev = s.eventsIn();
  if (lastEvents >= 0 && now > lastEventsAt) S.eventsPerSec.value = Math.max(0, ((ev - lastEvents) * 1000) / (now - lastEventsAt));
  lastEvents = ev;
  lastEventsAt = now;
  S.source.value = s.source() ?? '–';
  S.durationS.value = s.durationS();
  S.eventsIn.value = ev;
  S.eventsRejected.value = s.eventsRejected();
  S.ordersSubmitted.value = s.ordersSubmitted();
  S.ordersAccepted.value = s.ordersAccepted();
  S.ordersDenied.value = s.ordersDenied();
  S.signalsCount.value = s.signals();
  S.fills.value = s.fills();
  S.fillsTaker.value = s.fillsTaker();
  S.fillsQueue.value = s.fillsQueue();
  S.fillsTradeThrough.value = s.fillsTradeThrough();
  S.fillsBookCross.value = s.fillsBookCross();
  S.pnlRealized.value = s.pnlRealized();
  S.pnlUnrealized.value = s.pnlUnrealized();
  S.pnlFees.value = s.pnlFees();
  S.pnlNet.value = s.pnlNet();
  S.tradingState.value = s.tradingState();
  S.killLatched.value = s.killLatched();
  S.lost.value = s.lost();
  S.t2tCount.value = s.t2tCount();
  S.t2tP50.value = s.t2tP50Us();
  S.t2tP99.value = s.t2tP99Us();
  S.t2tP999.value = s.t2tP999Us();
  S.t2tMax.value = s.t2tMaxUs();
  S.fillsHash.value = s.fillsHash() ?? '';
  S.summaryAt.value = now;
  equityT.push(now / 1000);
  equityV.push(s.pnlNet());
  if (equityT.length > S.EQUITY_POINTS) {
    equityT.shift();
    equityV.shift();
  }
  S.equity.value = [equityT.slice(), equityV.slice()];
}

/** Value at percentile p of a (percentile, value) curve: first point at or above p. */
function at(ps: Float64Array, vs: Float64Array, p: number): number {
  for (let i = 0; i < ps.length; i++) if (ps[i]! >= p - 1e-9) return vs[i]!;
  return vs.length ? vs[vs.length - 1]! : NaN;
}

function onLatency(bb: ByteBuffer, index: number): void {
  const snap = root(R.latency, bb, index);
  const n = snap.seriesLength();
  const names: string[] = [];
  const curves: { xs: number[]; ys: number[] }[] = [];
  const rows: L.LatencyRow[] = [];
  const xsAll = new Set<number>();
  for (let i = 0; i < n; i++) {
    const s = snap.series(i)!;
    const ps = s.percentilesArray() ?? new Float64Array(0);
    const vs = s.valuesUsArray() ?? new Float64Array(0);
    const name = s.name() ?? `#${i}`;
    names.push(name);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k < ps.length; k++) {
      const p = Math.min(ps[k]!, 99.99999);
      const x = Math.round(Math.log10(100 / (100 - p)) * 1e4) / 1e4;
      xs.push(x);
      ys.push(Math.max(vs[k]!, 0.01));
      xsAll.add(x);
    }
    curves.push({ xs, ys });
    rows.push({ name, count: s.count(), p50: at(ps, vs, 50), p90: at(ps, vs, 90), p99: at(ps, vs, 99), p999: at(ps, vs, 99.9), p9999: at(ps, vs, 99.99), max: vs.length ? vs[vs.length - 1]! : NaN });
  }
  // align every curve on the union of x values (uPlot wants one x array)
  const x = [...xsAll].sort((a, b) => a - b);
  const data: (number | null)[][] = [x];
  for (const c of curves) {
    const col: (number | null)[] = new Array(x.length).fill(null);
    for (let k = 0; k < c.xs.length; k++) col[x.indexOf(c.xs[k]!)] = c.ys[k]!;
    data.push(col);
  }
  // tick-to-trade first
  const order = rows.map((_, i) => i).sort((a, b) => (rows[a]!.name === 'tickToTrade' ? -1 : rows[b]!.name === 'tickToTrade' ? 1 : 0));
  L.latencyRows.value = order.map((i) => rows[i]!);
  L.latencyChart.value = { names: order.map((i) => names[i]!), data: [x, ...order.map((i) => data[i + 1]!)] as uPlot.AlignedData };
  L.latencyAt.value = snap.tsUnixMs();
}

function onRuntime(bb: ByteBuffer, index: number): void {
  const r = root(R.runtime, bb, index);
  const rings: L.RingRow[] = [];
  for (let i = 0; i < r.ringsLength(); i++) {
    const x = r.rings(i)!;
    rings.push({ name: x.name() ?? '', capacity: x.capacityBytes(), used: x.usedBytes(), highWater: x.highWaterBytes(), messages: x.messages(), drops: x.drops(), stalls: x.stalls() });
  }
  const threads: L.ThreadRow[] = [];
  for (let i = 0; i < r.threadsLength(); i++) {
    const x = r.threads(i)!;
    threads.push({ name: x.name() ?? '', cpuPct: x.cpuPct(), elu: x.elu(), loopP99Us: x.eventLoopDelayP99Us(), gcCount: x.gcCount(), gcPauseMs: x.gcPauseMs() });
  }
  L.rings.value = rings;
  L.threads.value = threads;
  L.loopP50.value = r.loopDelayP50Us();
  L.loopP99.value = r.loopDelayP99Us();
  L.loopMax.value = r.loopDelayMaxUs();
  L.gcCount.value = r.gcCount();
  L.gcPauseMs.value = r.gcPauseMs();
  L.rssBytes.value = r.rssBytes();
  L.heapBytes.value = r.heapUsedBytes();
  L.dbPresent.value = r.dbPresent();
  L.dbConnected.value = r.dbConnected();
  L.dbLagMs.value = r.dbLagMs();
  L.dbQueue.value = r.dbQueueRecords();
  L.dbJournal.value = r.dbJournalBytes();
  L.monitorClients.value = r.monitorClients();
  L.monitorDropped.value = r.monitorDropped();
  L.monitorErrors.value = r.monitorErrors();
  L.runtimeAt.value = r.tsUnixMs();
  runtimeT.push(r.tsUnixMs() / 1000);
  runtimeDb.push(r.dbLagMs());
  runtimeLoop.push(r.loopDelayP99Us() / 1000);
  if (runtimeT.length > 600) {
    runtimeT.shift();
    runtimeDb.shift();
    runtimeLoop.shift();
  }
  L.runtimeChart.value = [runtimeT.slice(), runtimeDb.slice(), runtimeLoop.slice()];
}

function visit(type: number, bb: ByteBuffer, index: number): void {
  switch (type) {
    case T.BookDeltas:
      rate.book++;
      onBookRecord(bb, index);
      break;
    case T.Trade: {
      const t = root(R.trade, bb, index);
      rate.trades++;
      tradeCount.value++;
      onTrade(t.instrumentId(), t.aggressorSide(), t.priceTicks(), t.sizeLots(), t.tsExchangeUs());
      break;
    }
    case T.Liquidation: {
      const l = root(R.liq, bb, index);
      onLiquidation(l.instrumentId(), l.side(), l.priceTicks(), l.sizeLots(), l.tsExchangeUs());
      break;
    }
    case T.MarkPrice: {
      const m = root(R.mark, bb, index);
      mark(m.instrumentId()).value = m.priceTicks();
      break;
    }
    case T.FundingRate: {
      const f = root(R.funding, bb, index);
      funding(f.instrumentId()).value = f.rate();
      fundingTime(f.instrumentId()).value = f.fundingTimeUs() / 1000;
      break;
    }
    case T.PositionUpdate: {
      const p = root(R.position, bb, index);
      const c = S.position(p.instrumentId());
      c.lots.value = p.positionLots();
      c.avgEntry.value = p.avgEntryPriceTicks();
      c.markTicks.value = p.markPriceTicks();
      c.realized.value = p.realizedPnlQuote();
      c.unrealized.value = p.unrealizedPnlQuote();
      c.fees.value = p.feesQuote();
      break;
    }
    case T.DataQualityEvent: {
      const d = root(R.dq, bb, index);
      feedState(d.instrumentId()).value = FEED[d.state()] ?? 'INVALID';
      break;
    }
    case T.RiskEvent: {
      const r = root(R.risk, bb, index);
      S.tradingState.value = r.tradingState();
      break;
    }
    case T.Signal:
    case T.OrderDenied:
    case T.OrderAccepted:
    case T.OrderCancelled:
    case T.OrderUpdate:
    case T.OrderFilled:
    case T.SubmitOrder:
      rate.orders++;
      orderRecords.value++;
      break;
    case T.SummarySnapshot:
      onSummary(bb, index);
      break;
    case T.LatencySnapshot:
      onLatency(bb, index);
      break;
    case T.RuntimeSnapshot:
      onRuntime(bb, index);
      break;
    default:
      break; // types this UI does not show (heartbeats, BBO): ignored
  }
}

/** Decodes one binary frame into the model; returns the number of records. */
export function applyFrame(frame: ArrayBuffer): number {
  let n: number;
  try {
    n = forEachRecord(frame, visit);
  } catch {
    n = -1;
  }
  if (n < 0) decodeErrors.value++;
  return Math.max(n, 0);
}

/** Derived per-frame values (ladder cells, tapes, rates); once per animation frame. */
export function publishFrame(): void {
  publishMarket();
  const now = performance.now();
  const dt = now - rate.since;
  if (dt >= 1000) {
    S.tradesPerSec.value = (rate.trades * 1000) / dt;
    S.bookPerSec.value = (rate.book * 1000) / dt;
    S.orderEventsPerSec.value = (rate.orders * 1000) / dt;
    rate.trades = rate.book = rate.orders = 0;
    rate.since = now;
  }
}
