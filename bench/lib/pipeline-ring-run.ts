/**
 * One run of the real engine for the pipeline benchmark: ProductionEngine
 * with the cell's config (synthetic feed, latency probe, real stage workers
 * on SharedArrayBuffer rings), a warm-up, then a measured window between two
 * feed reports. Histograms are the stages' own (cumulative, so the window is
 * end − start); ring occupancy is sampled here every 2 ms. Cold path.
 */
import { ProductionEngine } from '../../src/core/engine/production-engine.ts';
import { createRingStats, RingStatsReader } from '../../src/core/ring/index.ts';
import { cellConfig, collectHops, deltaHistogram, HOP_NAMES, listTids, sleep, summarize, ThreadCpu, type Cell, type RunMeasure } from './pipeline-common.ts';

/** "Full": too little room left for a large book message (the engine's own summary uses the same bound). */
const FULL_FREE_BYTES = 8192;
const SAMPLE_EVERY_MS = 2;

interface Counters {
  submitted: number;
  accepted: number;
  denied: number;
}

function counters(reports: Record<string, unknown>): Counters {
  const s = reports.strategy as { submitted?: number } | undefined;
  const r = reports.risk as { accepted?: number; denied?: number[] } | undefined;
  return { submitted: s?.submitted ?? 0, accepted: r?.accepted ?? 0, denied: (r?.denied ?? []).reduce((a, b) => a + b, 0) };
}

/**
 * The engine keeps its ring SABs private; the benchmark reads them (read-only
 * telemetry) to sample occupancy over the measured window only. Engine
 * change requested in the report: a public `ringBuffers()` accessor.
 */
function ringBuffers(engine: ProductionEngine): Map<string, SharedArrayBuffer> {
  const rings = (engine as unknown as { rings?: unknown }).rings;
  if (!(rings instanceof Map)) throw new Error('ProductionEngine no longer keeps `rings` (Map name → SharedArrayBuffer): update bench/lib/pipeline-ring-run.ts');
  return rings as Map<string, SharedArrayBuffer>;
}

export async function runRingCell(cell: Cell, warmupMs: number, measureMs: number): Promise<RunMeasure> {
  const warnings: string[] = [];
  const engine = new ProductionEngine(cellConfig(cell), (line) => warnings.push(line));
  // Workers (= OS threads) are created synchronously inside start(): the new
  // tids, in order, are the plan's threads in order.
  const before = new Set(listTids());
  const starting = engine.start();
  const fresh = listTids().filter((t) => !before.has(t));
  const names = engine.plan.threads.map((t) => t.name);
  const tidOf = new Map<string, number>();
  if (fresh.length === names.length) names.forEach((n, i) => tidOf.set(n, fresh[i]!));
  else warnings.push(`cpu: ${fresh.length} new threads for ${names.length} workers; per-thread CPU not attributed`);
  try {
    await starting;
    const readers = [...ringBuffers(engine)].map(([name, sab]) => ({ name, reader: new RingStatsReader(sab), full: 0 }));
    const scratch = createRingStats();
    let samples = 0;
    let sampling = false;
    const sampler = setInterval(() => {
      if (!sampling) return;
      samples++;
      for (const r of readers) {
        const st = r.reader.read(scratch);
        if (st.capacity - st.occupancy < FULL_FREE_BYTES) r.full++;
      }
    }, SAMPLE_EVERY_MS);

    await sleep(warmupMs);
    const waitFeedReport = async (): Promise<{ at: number; events: number }> => {
      const prev = engine.reports().feed;
      while (engine.reports().feed === prev) await sleep(2);
      return { at: performance.now(), events: engine.reports().feed!.events };
    };
    const f0 = await waitFeedReport();
    sampling = true;
    const cpu = new ThreadCpu(tidOf);
    cpu.begin();
    const r0 = engine.reports() as Record<string, unknown>;
    const hops0 = collectHops(r0);
    const c0 = counters(r0);
    const stalls0 = engine.ringSummaries().reduce((a, r) => a + r.stalls, 0);
    await sleep(Math.max(0, measureMs - 1_000));
    const f1 = await waitFeedReport();
    sampling = false;
    const cpuShares = cpu.end();
    clearInterval(sampler);
    const r1 = engine.reports() as Record<string, unknown>;
    const hops1 = collectHops(r1);
    const c1 = counters(r1);
    const stalls1 = engine.ringSummaries().reduce((a, r) => a + r.stalls, 0);
    const windowS = (f1.at - f0.at) / 1000;

    let fullPct = 0;
    let fullRing = '-';
    for (const r of readers) {
      const pct = samples > 0 ? (100 * r.full) / samples : 0;
      if (pct > fullPct) {
        fullPct = pct;
        fullRing = r.name;
      }
    }
    const hops: RunMeasure['hops'] = {};
    for (const h of HOP_NAMES) if (h !== 'tickToTrade') hops[h] = summarize(deltaHistogram(hops0, hops1, h));
    return {
      eventsPerS: (f1.events - f0.events) / windowS,
      windowS,
      tickToTrade: summarize(deltaHistogram(hops0, hops1, 'tickToTrade')),
      hops,
      fullPct: Math.round(fullPct * 100) / 100,
      fullRing,
      stalls: stalls1 - stalls0,
      cpu: cpuShares,
      orders: { submitted: c1.submitted - c0.submitted, accepted: c1.accepted - c0.accepted, denied: c1.denied - c0.denied },
    };
  } finally {
    const res = await engine.stop('requested');
    if (res.exitCode !== 0 || warnings.length > 0) {
      const w = [...warnings, ...res.summary.stageErrors];
      if (w.length > 0) console.warn(`  engine (${cell.topology}/${cell.transport}): ${w.slice(0, 3).join(' | ')}`);
    }
  }
}
