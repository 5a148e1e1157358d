/**
 * Latency: per-hop and tick-to-trade percentile curves as HdrHistogram plots
 * them (x = 1/(1-p) on a log axis: 90 %, 99 %, 99.9 %, 99.99 % evenly spaced;
 * y log µs), ring occupancy and drops, event-loop delay and GC per thread,
 * DB writer lag.
 */
import { computed } from '@preact/signals';
import type uPlot from 'uplot';
import * as L from '../model/latency.ts';
import { us, bytes, int, clock } from '../lib/format.ts';
import { Card, Stat, Th, Td } from '../components/ui.tsx';
import { Chart, axis } from '../components/chart.tsx';

const COLORS = ['#f472b6', '#38bdf8', '#a3e635', '#fbbf24', '#c084fc', '#34d399', '#fb923c', '#94a3b8'];
const PCT_LABEL = ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%', '99.9999%'];

const chartData = computed(() => L.latencyChart.value.data);
const chartVersion = computed(() => L.latencyChart.value.names.join('|'));

function latencyOptions(names: string[]): Omit<uPlot.Options, 'width'> {
  return {
    height: 300,
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, range: (_u, _min, max) => [0, Math.max(3, Math.ceil(max))] }, y: { distr: 3 } },
    axes: [
      axis({ label: 'percentile', splits: (_u, _i, _min, max) => Array.from({ length: Math.max(3, Math.ceil(max)) + 1 }, (_, k) => k), values: (_u, v) => v.map((x) => PCT_LABEL[x] ?? '') }),
      axis({ label: 'µs', size: 60, values: (_u, v) => v.map((x) => (x == null || Math.abs(Math.log10(x) % 1) > 1e-9 ? '' : x >= 1e6 ? `${x / 1e6}s` : x >= 1000 ? `${x / 1000}ms` : String(x))) }),
    ],
    series: [
      { label: 'percentile', value: (_u, x) => (x == null ? '' : `${(100 - 100 / 10 ** x).toFixed(4)}%`) },
      ...names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: n === 'tickToTrade' ? 2.5 : 1.25, spanGaps: true, points: { show: false } })),
    ],
  };
}

function LatencyChart() {
  const v = chartVersion.value;
  return <Chart key={v} version={v} options={latencyOptions(L.latencyChart.value.names)} data={chartData} testid="latency-chart" />;
}

function LatencyTable() {
  return (
    <table class="w-full text-xs" data-testid="latency-table">
      <thead><tr><Th>distribution</Th><Th right>count</Th><Th right>p50</Th><Th right>p90</Th><Th right>p99</Th><Th right>p99.9</Th><Th right>p99.99</Th><Th right>max</Th></tr></thead>
      <tbody>
        {L.latencyRows.value.map((r, i) => (
          <tr key={r.name} class="border-t border-slate-800/60">
            <Td><span class="mr-1 inline-block h-2 w-2 rounded-full" style={`background:${COLORS[i % COLORS.length]}`} />{r.name}</Td>
            <Td right>{int(r.count)}</Td>
            <Td right>{us(r.p50)}</Td>
            <Td right>{us(r.p90)}</Td>
            <Td right>{us(r.p99)}</Td>
            <Td right>{us(r.p999)}</Td>
            <Td right>{us(r.p9999)}</Td>
            <Td right>{us(r.max)}</Td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Rings() {
  return (
    <div data-testid="rings">
      {L.rings.value.map((r) => {
        const used = r.capacity > 0 ? (100 * r.used) / r.capacity : 0;
        const hw = r.capacity > 0 ? (100 * r.highWater) / r.capacity : 0;
        return (
          <div key={r.name} class="mb-1.5">
            <div class="flex justify-between text-[11px]">
              <span class="text-slate-300">{r.name}</span>
              <span class="num text-slate-400">{`${bytes(r.used)} / ${bytes(r.capacity)} · hw ${hw.toFixed(0)}% · drops `}<span class={r.drops > 0 ? 'text-amber-300' : ''}>{int(r.drops)}</span></span>
            </div>
            <div class="relative h-1.5 rounded bg-slate-800">
              <div class="absolute h-1.5 rounded bg-sky-500" style={`width:${Math.min(100, used).toFixed(1)}%`} />
              <div class="absolute h-1.5 w-0.5 bg-amber-400" style={`left:${Math.min(99.5, hw).toFixed(1)}%`} />
            </div>
          </div>
        );
      })}
    </div>
  );
}

function Threads() {
  return (
    <table class="w-full text-xs" data-testid="threads-table">
      <thead><tr><Th>thread</Th><Th right>CPU %</Th><Th right>ELU</Th><Th right>loop p99</Th><Th right>GC</Th><Th right>GC ms</Th></tr></thead>
      <tbody>
        {L.threads.value.map((t) => (
          <tr key={t.name} class="border-t border-slate-800/60">
            <Td>{t.name}</Td>
            <Td right>{t.cpuPct.toFixed(1)}</Td>
            <Td right>{t.elu.toFixed(2)}</Td>
            <Td right>{us(t.loopP99Us)}</Td>
            <Td right>{int(t.gcCount)}</Td>
            <Td right>{t.gcPauseMs.toFixed(1)}</Td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const f = {
  loop: computed(() => `${us(L.loopP50.value)} / ${us(L.loopP99.value)} / ${us(L.loopMax.value)}`),
  gc: computed(() => `${int(L.gcCount.value)} · ${Number.isFinite(L.gcPauseMs.value) ? L.gcPauseMs.value.toFixed(1) : '–'} ms`),
  mem: computed(() => `${bytes(L.rssBytes.value)} / ${bytes(L.heapBytes.value)}`),
  db: computed(() => (!L.dbPresent.value ? 'not configured' : `${L.dbConnected.value ? 'connected' : 'DISCONNECTED'} · lag ${Number.isFinite(L.dbLagMs.value) ? L.dbLagMs.value.toFixed(1) : '–'} ms`)),
  dbQueue: computed(() => `${int(L.dbQueue.value)} rec · journal ${bytes(L.dbJournal.value)}`),
  monitor: computed(() => `${int(L.monitorClients.value)} clients · ${int(L.monitorDropped.value)} dropped · ${int(L.monitorErrors.value)} rejected`),
  at: computed(() => (L.latencyAt.value ? clock(L.latencyAt.value) : '–')),
};

const runtimeOpts: Omit<uPlot.Options, 'width'> = {
  height: 120,
  legend: { show: true },
  cursor: { drag: { x: false, y: false } },
  scales: { x: { time: true } },
  axes: [axis(), axis({ size: 50 })],
  series: [{}, { label: 'DB lag ms', stroke: '#fbbf24', width: 1.25, points: { show: false } }, { label: 'loop p99 ms', stroke: '#c084fc', width: 1.25, points: { show: false } }],
};

export function Latency() {
  return (
    <div class="grid grid-cols-12 gap-3" data-testid="page-latency">
      <Card title="Latency percentiles (HDR)" class="col-span-8" testid="latency-card" right={<span class="num text-[11px] text-slate-500">{f.at}</span>}>
        <LatencyChart />
      </Card>
      <div class="col-span-4 flex flex-col gap-3">
        <Card title="Main event loop · GC" testid="loop-card">
          <div class="grid grid-cols-1 gap-2">
            <Stat label="loop delay p50 / p99 / max" value={f.loop} testid="loop-delay" tone="num text-sm text-slate-100" />
            <Stat label="GC count · pause" value={f.gc} tone="num text-sm text-slate-100" />
            <Stat label="RSS / heap" value={f.mem} tone="num text-sm text-slate-100" />
            <Stat label="monitor" value={f.monitor} tone="num text-sm text-slate-100" />
          </div>
        </Card>
        <Card title="DB writer" testid="db-card">
          <Stat label="state" value={f.db} testid="db-lag" tone="num text-sm text-slate-100" />
          <Stat label="queue" value={f.dbQueue} tone="num text-sm text-slate-100" />
        </Card>
      </div>
      <Card title="Percentiles" class="col-span-7" testid="latency-table-card"><LatencyTable /></Card>
      <Card title="Rings: occupancy, high water, drops" class="col-span-5" testid="rings-card"><Rings /></Card>
      <Card title="Threads: CPU, event loop, GC" class="col-span-7" testid="threads-card"><Threads /></Card>
      <Card title="DB lag · loop delay" class="col-span-5" testid="runtime-chart-card"><Chart options={runtimeOpts} data={L.runtimeChart} testid="runtime-chart" /></Card>
    </div>
  );
}
