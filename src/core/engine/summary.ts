/**
 * The run summary of MISSION.md's contract, built from the stages' own
 * reports and the main thread's event collector, plus the reconciliation
 * that makes `lost` a computed number: every count one stage claims to have
 * sent is compared with what the next one (or the main thread) received.
 * Cold path (once per second for the monitor, once at exit).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { rejectReasonName } from '../sanitizer/index.ts';
import { denyReasonName } from '../../risk/index.ts';
import type { EventCollector } from './event-collector.ts';
import { newLatencyHistogram } from './stages/hop-latency.ts';
import type { FeedReport } from './stages/feed-stage.ts';
import type { SanitizerReport } from './stages/sanitizer-stage.ts';
import type { StrategyReport } from './stages/strategy-stage.ts';
import type { RiskReport } from './stages/risk-stage.ts';
import type { ExecutionReport } from './stages/execution-stage.ts';

export interface LatencyStats {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export interface RingSummary {
  name: string;
  capacityBytes: number;
  messages: number;
  /** Largest occupancy the main thread sampled (every ~2 ms). */
  highWaterBytes: number;
  /** Share of samples in which the ring was (nearly) full, %. */
  fullPct: number;
  drops: number;
  stalls: number;
}

export interface RunSummary {
  source: string;
  topology: string;
  clock: string;
  durationS: number;
  simDurationS: number | null;
  events: { in: number; accepted: number; rejected: Record<string, number> };
  orders: { submitted: number; accepted: number; denied: Record<string, number>; cancels: number };
  signals: number;
  fills: number;
  /** What produced the fills (the paper venue's count per cause; they sum to `fills`). */
  fillCauses: ExecutionReport['fillCauses'];
  pnl: { realized: number; unrealized: number; fees: number; funding: number; net: number };
  positions: ExecutionReport['positions'];
  tradingState: string;
  killSwitch: boolean;
  lost: number;
  reconciliation: Record<string, { sent: number; received: number }>;
  fillsHash: string;
  latencyUs: { tickToTrade: LatencyStats; hops: Record<string, LatencyStats> };
  rings: RingSummary[];
  stageErrors: string[];
}

export interface StageReports {
  feed?: FeedReport;
  sanitizer?: SanitizerReport;
  strategy?: StrategyReport;
  risk?: RiskReport;
  execution?: ExecutionReport;
}

/** Hop names in pipeline order (the contract's "<from>><to>" keys). */
export const HOP_ORDER = ['recv>feed', 'feed>sanitizer', 'sanitizer>strategy', 'strategy>risk', 'risk>execution'] as const;
const TRADING_STATES = ['ACTIVE', 'REDUCING', 'HALTED'];

/** Merges encoded histograms from the reports into one per hop (ns values). */
export function mergeHistograms(reports: StageReports): Map<string, hdr.Histogram> {
  const out = new Map<string, hdr.Histogram>();
  for (const r of [reports.sanitizer, reports.strategy, reports.risk, reports.execution]) {
    if (!r) continue;
    for (const [hop, encoded] of Object.entries(r.hops)) {
      const h = out.get(hop) ?? newLatencyHistogram();
      h.add(hdr.decodeFromCompressedBase64(encoded, 64, false));
      out.set(hop, h);
    }
  }
  return out;
}

export function latencyStats(h: hdr.Histogram | undefined): LatencyStats {
  if (!h || h.totalCount === 0) return { count: 0, p50: 0, p99: 0, p999: 0, max: 0 };
  const us = (ns: number) => Math.round(ns) / 1000;
  return { count: h.totalCount, p50: us(h.getValueAtPercentile(50)), p99: us(h.getValueAtPercentile(99)), p999: us(h.getValueAtPercentile(99.9)), max: us(h.maxValue) };
}

export interface SummaryInput {
  source: string;
  topology: string;
  clock: string;
  wallSeconds: number;
  simSeconds: number | null;
  reports: StageReports;
  collector: EventCollector;
  rings: RingSummary[];
  stageErrors: string[];
}

export function buildSummary(x: SummaryInput): { summary: RunSummary; histograms: Map<string, hdr.Histogram> } {
  const { reports: r, collector: c } = x;
  const counts = r.sanitizer?.counts ?? [];
  const rejected: Record<string, number> = {};
  let eventsIn = 0;
  counts.forEach((n, code) => {
    eventsIn += n;
    if (code !== 0 && n > 0) rejected[rejectReasonName(code)] = n;
  });
  const denied: Record<string, number> = {};
  (r.risk?.denied ?? []).forEach((n, code) => {
    if (n > 0) denied[denyReasonName(code)] = n;
  });
  const deniedTotal = (r.risk?.denied ?? []).reduce((a, b) => a + b, 0);

  // Each pair: what one side says it sent, what the other side got.
  const reconciliation: RunSummary['reconciliation'] = {
    'feed>sanitizer events': { sent: r.feed?.events ?? 0, received: eventsIn },
    'strategy>risk orders': { sent: r.strategy?.submitted ?? 0, received: r.risk?.submitted ?? 0 },
    'risk decisions': { sent: r.risk?.submitted ?? 0, received: (r.risk?.accepted ?? 0) + deniedTotal },
    'risk>execution orders': { sent: r.risk?.accepted ?? 0, received: r.execution?.ordersReceived ?? 0 },
    'risk>main approvals': { sent: r.risk?.accepted ?? 0, received: c.approvedOrders },
    'risk>main denials': { sent: deniedTotal, received: c.denials },
    'execution>main fills': { sent: r.execution?.fills ?? 0, received: c.fills },
    'strategy>main signals': { sent: r.strategy?.signals ?? 0, received: c.signals },
  };
  let lost = 0;
  for (const v of Object.values(reconciliation)) lost += Math.abs(v.sent - v.received);

  const histograms = mergeHistograms(r);
  const hops: Record<string, LatencyStats> = {};
  for (const hop of HOP_ORDER) {
    const h = histograms.get(hop);
    if (h && h.totalCount > 0) hops[hop] = latencyStats(h);
  }
  const e = r.execution;
  const summary: RunSummary = {
    source: x.source,
    topology: x.topology,
    clock: x.clock,
    durationS: Math.round(x.wallSeconds * 1000) / 1000,
    simDurationS: x.simSeconds === null ? null : Math.round(x.simSeconds * 1000) / 1000,
    events: { in: eventsIn, accepted: counts[0] ?? 0, rejected },
    orders: { submitted: r.strategy?.submitted ?? 0, accepted: r.risk?.accepted ?? 0, denied, cancels: r.strategy?.cancels ?? 0 },
    signals: c.signals,
    fills: c.fills,
    fillCauses: e?.fillCauses ?? { taker: 0, queue: 0, tradeThrough: 0, bookCross: 0 },
    pnl: {
      realized: e?.realizedQuote ?? 0,
      unrealized: e?.unrealizedQuote ?? 0,
      fees: e?.feesQuote ?? 0,
      funding: e?.fundingQuote ?? 0,
      net: (e?.realizedQuote ?? 0) + (e?.unrealizedQuote ?? 0) - (e?.feesQuote ?? 0) + (e?.fundingQuote ?? 0),
    },
    positions: e?.positions ?? [],
    tradingState: TRADING_STATES[r.risk?.tradingState ?? 0] ?? 'UNKNOWN',
    killSwitch: r.risk?.killed ?? false,
    lost,
    reconciliation,
    fillsHash: c.fillHash.hex(),
    latencyUs: { tickToTrade: latencyStats(histograms.get('tickToTrade')), hops },
    rings: x.rings,
    stageErrors: x.stageErrors,
  };
  return { summary, histograms };
}

function n(x: number, digits = 2): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

/** The exit table. */
export function formatSummary(s: RunSummary): string {
  const lines: string[] = [];
  lines.push(`run: source=${s.source} topology=${s.topology} clock=${s.clock} duration=${n(s.durationS)}s${s.simDurationS !== null ? ` (simulated ${n(s.simDurationS)}s)` : ''}`);
  lines.push(`events   in=${s.events.in} accepted=${s.events.accepted} rejected=${JSON.stringify(s.events.rejected)}`);
  lines.push(`orders   submitted=${s.orders.submitted} accepted=${s.orders.accepted} denied=${JSON.stringify(s.orders.denied)} cancels=${s.orders.cancels}`);
  lines.push(`signals  ${s.signals}   fills ${s.fills}   fillsHash ${s.fillsHash}`);
  const fc = s.fillCauses;
  if (s.fills > 0) lines.push(`fills by cause: taker ${fc.taker}, queue ${fc.queue}, traded through ${fc.tradeThrough}, book crossed ${fc.bookCross}`);
  lines.push(`pnl      realized=${n(s.pnl.realized, 4)} unrealized=${n(s.pnl.unrealized, 4)} fees=${n(s.pnl.fees, 4)} funding=${n(s.pnl.funding, 4)} net=${n(s.pnl.net, 4)} (USDT)`);
  lines.push(`state    ${s.tradingState}${s.killSwitch ? ' (kill switch latched)' : ''}   lost=${s.lost}`);
  lines.push('latency (µs)         count      p50      p99    p99.9      max');
  const row = (name: string, l: LatencyStats) =>
    `  ${name.padEnd(18)} ${String(l.count).padStart(7)} ${n(l.p50).padStart(8)} ${n(l.p99).padStart(8)} ${n(l.p999).padStart(8)} ${n(l.max).padStart(8)}`;
  for (const [hop, l] of Object.entries(s.latencyUs.hops)) lines.push(row(hop, l));
  lines.push(row('tick-to-trade', s.latencyUs.tickToTrade));
  const busy = s.rings.filter((r) => r.messages > 0);
  if (busy.length > 0) {
    lines.push('rings               messages  high-water  full%  drops  stalls');
    for (const r of busy) lines.push(`  ${r.name.padEnd(18)} ${String(r.messages).padStart(8)} ${`${((100 * r.highWaterBytes) / r.capacityBytes).toFixed(1)}%`.padStart(11)} ${r.fullPct.toFixed(1).padStart(6)} ${String(r.drops).padStart(6)} ${String(r.stalls).padStart(7)}`);
  }
  if (s.stageErrors.length > 0) lines.push(`stage errors: ${s.stageErrors.join('; ')}`);
  return lines.join('\n');
}

/** Writes each histogram as an HdrHistogram percentile-distribution (.hgrm) file, in µs. */
export function writeHgrmFiles(dir: string, histograms: Map<string, hdr.Histogram>): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [hop, h] of histograms) {
    const file = join(dir, `${hop.replace(/>/g, '-to-')}.hgrm`);
    writeFileSync(file, h.outputPercentileDistribution(5, 1000));
    written.push(file);
  }
  return written;
}
