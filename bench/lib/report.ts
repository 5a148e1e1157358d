/**
 * Shared benchmark plumbing: machine description, HDR summaries, the printed
 * table, and the JSON file of MISSION.md's contract:
 * `{ bench, machine: {cpus, node, ...}, results: [{variant, params, msgsPerS?, latencyUs?}] }`.
 * Cold path only.
 */
import { cpus, totalmem, platform, arch, release } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Histogram } from 'hdr-histogram-js';

export interface LatencySummaryUs {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  count?: number;
}

export interface BenchResult {
  variant: string;
  params: Record<string, unknown>;
  msgsPerS?: number;
  latencyUs?: LatencySummaryUs;
  [extra: string]: unknown;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  kernel: string;
  memGiB: number;
  execArgv: string[];
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    node: process.version,
    v8: process.versions.v8,
    platform: platform(),
    arch: arch(),
    kernel: release(),
    memGiB: Math.round(totalmem() / 2 ** 30),
    execArgv: process.execArgv.filter((a) => !a.startsWith('file:')),
  };
}

/** Percentiles of a histogram recorded in nanoseconds, reported in µs. */
export function summarizeNs(h: Histogram): LatencySummaryUs {
  return {
    p50: h.getValueAtPercentile(50) / 1000,
    p99: h.getValueAtPercentile(99) / 1000,
    p999: h.getValueAtPercentile(99.9) / 1000,
    max: h.maxValue / 1000,
    count: h.totalCount,
  };
}

/** Percentiles of a histogram recorded in microseconds. */
export function summarizeUs(h: Histogram): LatencySummaryUs {
  return {
    p50: h.getValueAtPercentile(50),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    count: h.totalCount,
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function fmt(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '-';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** Prints results as an aligned table. */
export function printTable(title: string, results: BenchResult[]): void {
  const rows = results.map((r) => [
    r.variant,
    Object.entries(r.params).map(([k, v]) => `${k}=${String(v)}`).join(' '),
    fmt(r.msgsPerS),
    fmt(r.latencyUs?.p50),
    fmt(r.latencyUs?.p99),
    fmt(r.latencyUs?.p999),
    fmt(r.latencyUs?.max),
  ]);
  const head = ['variant', 'params', 'msgs/s', 'p50 µs', 'p99 µs', 'p99.9 µs', 'max µs'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n== ${title}`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** Writes the contract JSON if a path was asked for. */
export function writeJson(path: string | undefined, bench: string, results: BenchResult[], extra: Record<string, unknown> = {}): void {
  if (!path) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ bench, machine: machineInfo(), ...extra, results }, null, 2) + '\n');
  console.log(`wrote ${path}`);
}

/** Parses `--json PATH` and `--key value` flags given after the bench name. */
export function benchArgs(argv: string[]): { json?: string; flags: Map<string, string> } {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected bench argument: ${a}`);
    const key = a.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(key, 'true');
    else {
      flags.set(key, next);
      i++;
    }
  }
  return { json: flags.get('json'), flags };
}
