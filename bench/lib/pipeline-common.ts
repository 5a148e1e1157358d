/**
 * Shared pieces of the pipeline benchmark (bench/pipeline.bench.ts): the
 * engine config of one cell, histogram deltas over the measured window,
 * per-thread CPU from /proc, and the shape of one run's measurement.
 * Cold path (main thread, between and around runs).
 *
 * CPU per thread: Node 20 has no `process.threadCpuUsage` (Node ≥ 23.9), and
 * `performance.eventLoopUtilization` counts a worker that blocks in a loop
 * (never returning to its event loop) as 100 % busy, and one parked in
 * `Atomics.wait` inside that loop as busy too. What we read instead is the
 * kernel's own account: `/proc/self/task/<tid>/schedstat`, whose first field
 * is the nanoseconds the thread has run on a CPU (CFS `sum_exec_runtime`).
 * Δrun_ns / Δwall_ns over the measured window = share of one core.
 * Every Node thread is named "node" in /proc (Node 20 does not name worker
 * threads), so the tid of each worker is found as follows: the baseline's
 * own bootstrap reports `/proc/thread-self`; for the real engine (whose
 * bootstrap we do not touch) the tids that appear while `ProductionEngine.start()`
 * synchronously creates its workers are matched to its thread plan in order
 * (Linux hands out tids in increasing order; checked: as many new tids as workers).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as hdr from 'hdr-histogram-js';
import { DEFAULT_CONFIG, type EngineConfig, type IdleChoice, type TopologyKind } from '../../src/core/config/engine-config.ts';
import { newLatencyHistogram } from '../../src/core/engine/stages/hop-latency.ts';
import type { LatencySummaryUs } from './report.ts';

/** Offered rate: events/s, or flat out. */
export type Rate = number | 'max';

/** The offered rate we give the synthetic feed for "flat out": far above what 2 cores can absorb. */
export const FLAT_OUT_RATE = 10_000_000;

export interface Cell {
  topology: TopologyKind;
  /** Ring wait strategy, or the postMessage baseline. */
  transport: Exclude<IdleChoice, 'auto'> | 'postMessage';
  rate: Rate;
}

export function variantName(c: Cell): string {
  return c.transport === 'postMessage' ? `${c.topology}/postMessage` : `${c.topology}/${c.transport}/ring`;
}

export function rateLabel(r: Rate): string {
  return r === 'max' ? 'max' : r >= 1000 ? `${r / 1000}k` : String(r);
}

/** Probe orders per second we aim for (risk's fat-finger ceiling is 1 000/s). */
const PROBE_ORDERS_PER_S = 500;
/** Floor between probe orders: keeps flat-out runs under the throttle whatever the event rate. */
const PROBE_MIN_INTERVAL_US = 1_500;

/**
 * The engine config of one cell: synthetic feed at the offered rate, the
 * latency probe as strategy, and risk/venue/sanitizer limits opened up so
 * that probe orders are accepted (a denial measures nothing) while every
 * check still runs. No HTTP, no writer: ProductionEngine runs stages only.
 */
export function cellConfig(c: Cell): EngineConfig {
  const rate = c.rate === 'max' ? FLAT_OUT_RATE : c.rate;
  const everyN = c.rate === 'max' ? 200 : Math.max(10, Math.round(rate / PROBE_ORDERS_PER_S));
  return {
    ...DEFAULT_CONFIG,
    source: 'synthetic',
    symbols: ['BTC-USDT-SWAP', 'ETH-USDT-SWAP'],
    durationUs: null,
    seed: 1,
    rateEventsPerS: rate,
    http: false,
    clock: 'wall',
    topology: c.topology,
    idle: c.transport === 'postMessage' ? 'spin-park' : c.transport,
    noTrade: false,
    strategy: { kind: 'latency-probe', everyNEvents: everyN, minIntervalUs: PROBE_MIN_INTERVAL_US },
    risk: {
      accountEquityQuote: 1_000_000_000,
      ordersPerWindow: 1_000,
      orderWindowUs: 1_000_000,
      cancelsPerWindow: 2_000,
      cancelWindowUs: 1_000_000,
      maxExecutionsPerWindow: 1_000_000,
      executionWindowUs: 1_000_000,
      dailyLossLimitQuote: 1_000_000,
      dailyLossHaltQuote: 1_000_000,
      maxDrawdownPct: 50,
      duplicateIntentWindowUs: 0,
      maxConsecutiveRejects: 1_000_000,
      priceCollarWindowBps: 2_000,
      maxOpenOrders: 1_000,
      openOrderCapacity: 4_096,
    },
    // The venue's OKX-like order rate limit (60 / 2 s) would reject most probes.
    venue: { rateLimitOrders: 0 },
    // Flat out, the CO-corrected receive stamps fall seconds behind the clock:
    // keep the sanitizer from calling that stale (it would stop the orders).
    sanitizer: { staleAfterUs: 3_600_000_000 },
    synthetic: { ...DEFAULT_CONFIG.synthetic },
  };
}

// ---------------------------------------------------------------- histograms

/** Hop histograms as the stages report them (encoded, cumulative, ns). */
export type HopReports = Record<string, string>;

export const HOP_NAMES = ['recv>feed', 'feed>sanitizer', 'sanitizer>strategy', 'strategy>risk', 'risk>execution', 'tickToTrade'] as const;

/** Merges the stages' hop snapshots: hop name → encoded histogram. */
export function collectHops(reports: Record<string, unknown>): HopReports {
  const out: HopReports = {};
  for (const r of Object.values(reports)) {
    const hops = (r as { hops?: Record<string, string> } | undefined)?.hops;
    if (hops) Object.assign(out, hops);
  }
  return out;
}

/** end − start of one hop (both cumulative snapshots of the same stage), ns. */
export function deltaHistogram(start: HopReports, end: HopReports, hop: string): hdr.Histogram {
  const h = newLatencyHistogram();
  const e = end[hop];
  if (e === undefined) return h;
  h.add(hdr.decodeFromCompressedBase64(e, 64, false));
  const s = start[hop];
  if (s !== undefined) h.subtract(hdr.decodeFromCompressedBase64(s, 64, false));
  return h;
}

export function summarize(h: hdr.Histogram): LatencySummaryUs & { count: number } {
  if (h.totalCount === 0) return { p50: NaN, p99: NaN, p999: NaN, max: NaN, count: 0 };
  const us = (ns: number): number => Math.round(ns) / 1000;
  return { p50: us(h.getValueAtPercentile(50)), p99: us(h.getValueAtPercentile(99)), p999: us(h.getValueAtPercentile(99.9)), max: us(h.maxValue), count: h.totalCount };
}

// ---------------------------------------------------------------- CPU per thread

export function listTids(): number[] {
  return readdirSync('/proc/self/task').map(Number).sort((a, b) => a - b);
}

/** ns this thread has spent on a CPU (schedstat field 1); NaN if unreadable (thread gone). */
export function threadRunNs(tid: number): number {
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

/** Samples named threads at window start and end; CPU = share of one core. */
export class ThreadCpu {
  private readonly names: Map<string, number>;
  private start = new Map<string, number>();
  private startWallNs = 0n;
  private startProcUs = 0;
  private result: Record<string, number> = {};

  constructor(names: Map<string, number>) {
    this.names = new Map([['main', process.pid], ...names]);
  }

  begin(): void {
    this.startWallNs = process.hrtime.bigint();
    this.startProcUs = cpuUs();
    for (const [n, tid] of this.names) this.start.set(n, threadRunNs(tid));
  }

  end(): Record<string, number> {
    const wallNs = Number(process.hrtime.bigint() - this.startWallNs);
    const out: Record<string, number> = {};
    let named = 0;
    for (const [n, tid] of this.names) {
      const d = threadRunNs(tid) - this.start.get(n)!;
      out[n] = round3(d / wallNs);
      if (Number.isFinite(d)) named += d;
    }
    const proc = (cpuUs() - this.startProcUs) * 1000;
    out.other = round3(Math.max(0, proc - named) / wallNs);
    out.process = round3(proc / wallNs);
    this.result = out;
    return out;
  }

  get last(): Record<string, number> {
    return this.result;
  }
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

// ---------------------------------------------------------------- one run

export interface RunMeasure {
  /** Market events per second through the pipeline in the window (feed events; the feed blocks on a full ring). */
  eventsPerS: number;
  windowS: number;
  tickToTrade: LatencySummaryUs & { count: number };
  hops: Record<string, LatencySummaryUs & { count: number }>;
  /** Share of main-thread samples (ring) in which a ring was full, max over rings, %; for postMessage: share of the window producers spent blocked on a full channel. */
  fullPct: number;
  fullRing: string;
  /** Producer stalls (claims that found a ring/channel full) in the window. */
  stalls: number;
  /** Threads: share of one core over the window. */
  cpu: Record<string, number>;
  orders: { submitted: number; accepted: number; denied: number };
}

/** Sleeps on the main thread (its event loop keeps running). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
