/**
 * `npm run bench -- pipeline [--json PATH] [--quick] [--runs 3] [--warmup-ms 3000] [--measure-ms 3000]
 *   [--topology dedicated|fused] [--idle spin-park,busy-spin,blocking] [--rates 10000,100000,max] [--fused-baseline]`
 *
 * The real engine, end to end: ProductionEngine with the synthetic feed at a
 * fixed offered rate (10k, 100k events/s) and flat out, real stage workers
 * on SharedArrayBuffer rings, the latency probe as strategy (one IOC at the
 * touch every N-th event, ~500 orders/s), for both topologies and each wait
 * strategy (`idle`). In the same run, the baseline: the same stage modules
 * on the same threads with every ring replaced by a MessagePort channel
 * (variant `<topology>/postMessage`, see bench/lib/pipeline-pm-*.ts).
 *
 *   feed ─▶ sanitizer ─▶ strategy ─▶ risk ─▶ execution   (dedicated: 5 workers)
 *   feed ─▶ core[sanitizer → strategy → risk → execution] (fused: 2 workers)
 *
 * Latency: tick-to-trade = venue receives the order − the triggering event's
 * Recv stamp, which the feed sets to the event's *scheduled* time (wall clock),
 * so a feed or stage that falls behind shows up as latency (coordinated-
 * omission correction, HdrHistogram's expected-interval idea). Per hop: each
 * stage's stamp − the previous one. Flat out, the backlog grows for the whole
 * run, so flat-out latencies measure the backlog, not the pipeline: read the
 * throughput there.
 * Throughput: feed events/s over the window (the feed blocks on a full ring,
 * so this is what the pipeline drained). Sustained: every ring full ≤ 1 % of
 * the window (ring: occupancy sampled by the main thread every 2 ms, "full" =
 * < 8 KiB free; postMessage: share of the window a producer spent blocked on
 * its credit window) and ≥ 95 % of the offered rate delivered. Max sustainable
 * throughput = the highest offered rate that was sustained; flat out gives the
 * saturation throughput (an upper bound: there the feed is blocked on `md`).
 * CPU: share of one core per thread over the window, from /proc schedstat
 * (see bench/lib/pipeline-common.ts for why not threadCpuUsage/ELU).
 * Platform floor: before the cells, the hiccup meter (bench/lib/hiccup-meter.ts)
 * spins 1 and 2 threads on an otherwise idle machine and reports the delay
 * the OS/hypervisor alone adds to a spinning thread — no stage can beat it.
 * Each run: warm-up, then a window between two 1 Hz feed reports; `--runs`
 * runs per cell, interleaved across cells (load drift hits all variants
 * alike); the median of the runs is reported.
 */
import { cpus } from 'node:os';
import { median, printTable, writeJson, benchArgs, type BenchResult, type LatencySummaryUs } from './lib/report.ts';
import { rateLabel, variantName, type Cell, type Rate, type RunMeasure } from './lib/pipeline-common.ts';
import { runPostMessageCell } from './lib/pipeline-pm-run.ts';
import { runRingCell } from './lib/pipeline-ring-run.ts';
import type { TopologyKind } from '../src/core/config/engine-config.ts';
import { measureHiccups, type HiccupSummary } from './lib/hiccup-meter.ts';

type Idle = 'spin-park' | 'busy-spin' | 'blocking';

interface CellResult {
  cell: Cell;
  runs: RunMeasure[];
}

function parseRates(s: string): Rate[] {
  return s.split(',').map((x) => (x === 'max' ? 'max' : Number(x)));
}

function medianOf(runs: RunMeasure[], f: (r: RunMeasure) => number): number {
  return median(runs.map(f).filter((x) => Number.isFinite(x)));
}

function medLatency(runs: RunMeasure[], pick: (r: RunMeasure) => LatencySummaryUs & { count: number }): LatencySummaryUs & { count: number } {
  return {
    p50: medianOf(runs, (r) => pick(r).p50),
    p99: medianOf(runs, (r) => pick(r).p99),
    p999: medianOf(runs, (r) => pick(r).p999),
    max: medianOf(runs, (r) => pick(r).max),
    count: runs.reduce((a, r) => a + pick(r).count, 0),
  };
}

/** Share of the offered rate a run must deliver to count as sustained (the window edges are 1 Hz reports: ±2–3 % jitter under load). */
const SUSTAINED_SHARE = 0.95;

function offered(r: Rate): number {
  return r === 'max' ? Infinity : r;
}

function toResult(c: CellResult): BenchResult {
  const { cell, runs } = c;
  const t2t = medLatency(runs, (r) => r.tickToTrade);
  const hops: Record<string, LatencySummaryUs & { count: number }> = {};
  for (const h of Object.keys(runs[0]?.hops ?? {})) hops[h] = medLatency(runs, (r) => r.hops[h]!);
  const cpu: Record<string, number> = {};
  for (const k of Object.keys(runs[0]?.cpu ?? {})) cpu[k] = Math.round(medianOf(runs, (r) => r.cpu[k] ?? NaN) * 1000) / 1000;
  const msgsPerS = Math.round(medianOf(runs, (r) => r.eventsPerS));
  const fullPct = medianOf(runs, (r) => r.fullPct);
  const sustained = fullPct <= 1 && msgsPerS >= SUSTAINED_SHARE * offered(cell.rate);
  const fullRings = [...new Set(runs.map((r) => r.fullRing))].join(',');
  return {
    variant: variantName(cell),
    params: { rate: cell.rate, topology: cell.topology, idle: cell.transport === 'postMessage' ? 'event-loop' : cell.transport },
    msgsPerS,
    latencyUs: { p50: t2t.p50, p99: t2t.p99, p999: t2t.p999, max: t2t.max },
    tickToTradeCount: t2t.count,
    hops,
    cpu,
    fullPct,
    fullRing: fullRings,
    stalls: Math.round(medianOf(runs, (r) => r.stalls)),
    sustained,
    orders: {
      submitted: runs.reduce((a, r) => a + r.orders.submitted, 0),
      accepted: runs.reduce((a, r) => a + r.orders.accepted, 0),
      denied: runs.reduce((a, r) => a + r.orders.denied, 0),
    },
    runs: runs.length,
    windowS: Math.round(medianOf(runs, (r) => r.windowS) * 100) / 100,
  };
}

function fmt(x: number | undefined, digits = 1): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  if (Math.abs(x) >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (Math.abs(x) >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(digits);
}

/** Per variant: the highest offered rate sustained, and the flat-out (saturation) rate. */
function capacity(results: BenchResult[]): Record<string, { maxSustainedOfferedRate: number | null; saturationEventsPerS: number | null }> {
  const out: Record<string, { maxSustainedOfferedRate: number | null; saturationEventsPerS: number | null }> = {};
  for (const r of results) {
    const e = (out[r.variant] ??= { maxSustainedOfferedRate: null, saturationEventsPerS: null });
    const rate = r.params.rate as Rate;
    if (rate === 'max') e.saturationEventsPerS = r.msgsPerS ?? null;
    else if (r.sustained === true && rate > (e.maxSustainedOfferedRate ?? 0)) e.maxSustainedOfferedRate = rate;
  }
  return out;
}

function printCapacity(cap: ReturnType<typeof capacity>): void {
  console.log('\n== capacity: highest offered rate sustained (all rings full ≤ 1 %, ≥ 95 % delivered) | flat-out saturation');
  for (const [v, c] of Object.entries(cap)) {
    console.log(`${v.padEnd(26)} sustained ${c.maxSustainedOfferedRate === null ? 'none of the fixed rates' : `≥ ${rateLabel(c.maxSustainedOfferedRate)} ev/s`.padEnd(22)}  saturation ${fmt(c.saturationEventsPerS ?? NaN, 0)} ev/s`);
  }
}

function printDetails(results: BenchResult[]): void {
  const head = ['variant', 'rate', 'ev/s', 'sust', 'full%', 'ring', 'stalls', 'orders ok/deny', 'hop p50 µs (recv>feed feed>san san>str str>risk risk>exec)', 'cpu (cores by thread)'];
  const rows = results.map((r) => {
    const h = r.hops as Record<string, LatencySummaryUs>;
    const o = r.orders as { accepted: number; denied: number };
    const cpu = r.cpu as Record<string, number>;
    const cpuStr = Object.entries(cpu)
      .filter(([k]) => k !== 'process')
      .map(([k, v]) => `${k}=${v.toFixed(2)}`)
      .join(' ');
    return [
      r.variant,
      rateLabel(r.params.rate as Rate),
      fmt(r.msgsPerS, 0),
      r.sustained ? 'yes' : 'no',
      fmt(r.fullPct as number, 1),
      String(r.fullRing),
      String(r.stalls),
      `${o.accepted}/${o.denied}`,
      ['recv>feed', 'feed>sanitizer', 'sanitizer>strategy', 'strategy>risk', 'risk>execution'].map((k) => fmt(h[k]?.p50)).join(' '),
      `Σ${fmt(cpu.process, 2)}: ${cpuStr}`,
    ];
  });
  const widths = head.map((x, i) => Math.max(x.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log('\n== pipeline: throughput, saturation, per-hop p50, CPU');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

interface Ratio {
  variant: string;
  baseline: string;
  metric: string;
  rate: Rate;
  ours: number;
  base: number;
  ratio: number;
  target?: string;
  met?: boolean;
}

function findResult(results: BenchResult[], variant: string, rate: Rate): BenchResult | undefined {
  return results.find((r) => r.variant === variant && r.params.rate === rate);
}

function ratios(results: BenchResult[], topologies: TopologyKind[], idles: Idle[]): Ratio[] {
  const out: Ratio[] = [];
  // The baseline of every ratio: the dedicated postMessage pipeline (one
  // worker per stage, the way Node code is wired without shared memory).
  const baseline = 'dedicated/postMessage';
  for (const topo of topologies) {
    for (const idle of idles) {
      const v = `${topo}/${idle}/ring`;
      const add = (metric: string, rate: Rate, pick: (r: BenchResult) => number, target?: { op: '<=' | '>='; x: number }, absTarget?: number): void => {
        const a = findResult(results, v, rate);
        const b = findResult(results, baseline, rate);
        if (!a || !b) return;
        const ours = pick(a);
        const base = pick(b);
        const ratio = ours / base;
        const r: Ratio = { variant: v, baseline, metric, rate, ours, base, ratio: Math.round(ratio * 1000) / 1000 };
        if (target) {
          r.target = `${target.op} ${target.x}×`;
          r.met = target.op === '<=' ? ratio <= target.x : ratio >= target.x;
        }
        if (absTarget !== undefined) {
          r.target = `${r.target ? `${r.target}; ` : ''}≤ ${absTarget} µs`;
          r.met = (r.met ?? true) && ours <= absTarget;
        }
        out.push(r);
      };
      const dedicated = topo === 'dedicated';
      add('tickToTrade p50', 10_000, (r) => r.latencyUs!.p50, { op: '<=', x: dedicated ? 0.5 : 0.15 });
      add('tickToTrade p99', 10_000, (r) => r.latencyUs!.p99);
      add('tickToTrade p50', 100_000, (r) => r.latencyUs!.p50);
      add('tickToTrade p99', 100_000, (r) => r.latencyUs!.p99, undefined, dedicated ? undefined : 100);
      add('throughput flat out', 'max', (r) => r.msgsPerS!, dedicated ? { op: '>=', x: 5 } : undefined);
    }
  }
  return out;
}

function printRatios(rs: Ratio[]): void {
  console.log('\n== ratios to dedicated/postMessage (same run); tick-to-trade in µs, throughput in events/s');
  const head = ['variant', 'metric', 'rate', 'ours', 'postMessage', 'ratio', 'target', 'met'];
  const rows = rs.map((r) => [r.variant, r.metric, rateLabel(r.rate), fmt(r.ours), fmt(r.base), `${r.ratio.toFixed(3)}×`, r.target ?? '', r.met === undefined ? '' : r.met ? 'YES' : 'no']);
  const widths = head.map((x, i) => Math.max(x.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

export async function run(argv: string[]): Promise<void> {
  const { json, flags } = benchArgs(argv);
  const quick = flags.get('quick') === 'true';
  const runs = Number(flags.get('runs') ?? 3);
  // 3 s: the first second of a cold engine (JIT, first book builds) stalls the
  // fused core by up to ~200 ms at 100k ev/s, and a stage's 1 Hz report may
  // lag the feed's by up to a second, so a shorter warm-up leaks that stall
  // into the window (measured: p99 162 ms with 1 s, 3.7 ms with 3 s).
  const warmupMs = Number(flags.get('warmup-ms') ?? 3_000);
  const measureMs = Number(flags.get('measure-ms') ?? (quick ? 2_500 : 3_000));
  const topologies = (flags.get('topology')?.split(',') ?? ['dedicated', 'fused']) as TopologyKind[];
  const idles = (flags.get('idle')?.split(',') ?? (quick ? ['spin-park'] : ['spin-park', 'busy-spin', 'blocking'])) as Idle[];
  const rates = parseRates(flags.get('rates') ?? (quick ? '10000,max' : '10000,100000,max'));
  const withFusedBaseline = flags.get('fused-baseline') === 'true';

  const cells: Cell[] = [];
  for (const rate of rates) {
    cells.push({ topology: 'dedicated', transport: 'postMessage', rate });
    if (withFusedBaseline && topologies.includes('fused')) cells.push({ topology: 'fused', transport: 'postMessage', rate });
    for (const topology of topologies) for (const idle of idles) cells.push({ topology, transport: idle, rate });
  }
  const results = new Map<Cell, CellResult>(cells.map((c) => [c, { cell: c, runs: [] }]));
  const t0 = Date.now();
  console.log(`pipeline: ${cells.length} cells × ${runs} runs, warm-up ${warmupMs} ms + window ≈ ${measureMs} ms each (${quick ? 'quick' : 'full'})`);

  // Throwaway run: tsx transpiles every stage module on first load, and the OS page cache warms.
  await runRingCell({ topology: 'dedicated', transport: 'spin-park', rate: 10_000 }, 300, 1_000).catch((e: unknown) => console.warn(`warm-up run failed: ${String(e)}`));

  // The machine's own floor: what the OS/hypervisor does to a thread that never stops.
  const platform: HiccupSummary[] = [];
  for (const threads of [...new Set([1, Math.min(2, cpus().length)])]) platform.push(await measureHiccups(threads, 3_000));
  printPlatform(platform);

  for (let i = 0; i < runs; i++) {
    for (const cell of cells) {
      const runner = cell.transport === 'postMessage' ? runPostMessageCell : runRingCell;
      try {
        const m = await runner(cell, warmupMs, measureMs);
        results.get(cell)!.runs.push(m);
        console.log(
          `  run ${i + 1}/${runs} ${variantName(cell).padEnd(26)} ${rateLabel(cell.rate).padStart(4)}: ${fmt(m.eventsPerS, 0).padStart(7)} ev/s  t2t p50 ${fmt(m.tickToTrade.p50)} p99 ${fmt(m.tickToTrade.p99)} µs (n=${m.tickToTrade.count})  full ${m.fullPct}% ${m.fullRing}  cpu Σ${m.cpu.process}`,
        );
      } catch (e) {
        console.warn(`  run ${i + 1}/${runs} ${variantName(cell)} ${rateLabel(cell.rate)} FAILED: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  const out = cells.map((c) => results.get(c)!).filter((c) => c.runs.length > 0).map(toResult);
  printTable('pipeline: tick-to-trade (µs, CO-corrected; flat-out latency = backlog) and events/s', out);
  printDetails(out);
  const cap = capacity(out);
  printCapacity(cap);
  const rs = ratios(out, topologies, idles);
  printRatios(rs);
  console.log(`\npipeline: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  writeJson(json, 'pipeline', out, {
    method: {
      latency: 'tick-to-trade = venue receipt − Recv stamp of the triggering event (scheduled time: coordinated-omission corrected); medians of per-run percentiles',
      throughput: 'feed events/s over a window between two 1 Hz feed reports (the feed blocks on a full ring/channel)',
      sustained: 'all rings full ≤ 1 % of the window (ring: main-thread occupancy samples every 2 ms, < 8 KiB free; postMessage: producer time blocked on credits) and ≥ 95 % of the offered rate; saturation = flat-out events/s',
      cpu: 'share of one core per thread over the window from /proc/self/task/<tid>/schedstat (run time in ns)',
      baseline: 'same stage modules and threads; every ring replaced by a MessageChannel (slice + transfer per record, credit-bounded), event-driven workers',
      runs,
      warmupMs,
      measureMs,
    },
    capacity: cap,
    ratios: rs,
    platform,
  });
}

function printPlatform(rows: HiccupSummary[]): void {
  console.log('\n== platform hiccups: delay a spinning thread would add to a message arriving at a random moment (no engine running)');
  console.log('spinning threads  p99 µs  p99.9 µs  max µs  time lost  gaps > 1 ms /s/thread');
  for (const r of rows) {
    console.log(`${String(r.threads).padEnd(16)}  ${String(r.p99Us).padStart(6)}  ${String(r.p999Us).padStart(8)}  ${String(r.maxUs).padStart(6)}  ${(r.lostPct.toFixed(2) + ' %').padStart(9)}  ${String(r.gapsOver1msPerS).padStart(6)}`);
  }
}
