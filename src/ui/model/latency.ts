/**
 * Latency page state: HDR percentile curves (LatencySnapshot, 1 Hz) and the
 * runtime health (RuntimeSnapshot, 1 Hz): rings, event loop, GC, threads,
 * DB writer.
 */
import { signal } from '@preact/signals';
import type uPlot from 'uplot';

export interface LatencyRow {
  name: string;
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
}

/** x = log10(1 / (1 - p)) (0 = 0 %, 1 = 90 %, 2 = 99 %, ...), then one y series per distribution (µs). */
export const latencyChart = signal<{ names: string[]; data: uPlot.AlignedData }>({ names: [], data: [[]] });
export const latencyRows = signal<LatencyRow[]>([]);
export const latencyAt = signal(0);

export interface RingRow { name: string; capacity: number; used: number; highWater: number; messages: number; drops: number; stalls: number }
export interface ThreadRow { name: string; cpuPct: number; elu: number; loopP99Us: number; gcCount: number; gcPauseMs: number }

export const rings = signal<RingRow[]>([]);
export const threads = signal<ThreadRow[]>([]);
export const loopP50 = signal(NaN);
export const loopP99 = signal(NaN);
export const loopMax = signal(NaN);
export const gcCount = signal(NaN);
export const gcPauseMs = signal(NaN);
export const rssBytes = signal(NaN);
export const heapBytes = signal(NaN);
export const dbPresent = signal(false);
export const dbConnected = signal(false);
export const dbLagMs = signal(NaN);
export const dbQueue = signal(NaN);
export const dbJournal = signal(NaN);
export const monitorClients = signal(0);
export const monitorDropped = signal(0);
export const monitorErrors = signal(0);
export const runtimeAt = signal(0);
/** [unix s, db lag ms, loop p99 ms] */
export const runtimeChart = signal<uPlot.AlignedData>([[], [], []]);
