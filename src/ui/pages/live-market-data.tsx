/**
 * LiveMarketData: order-book ladder with depth bars, trades tape,
 * liquidation tape with bursts marked on the price chart, funding and mark.
 */
import { computed } from '@preact/signals';
import type uPlot from 'uplot';
import * as M from '../model/market.ts';
import { instruments, selectedInstrument, funding, mark, fundingTime, instrument, feedState } from '../model/instruments.ts';
import { px, int, clock } from '../lib/format.ts';
import { Card, badge } from '../components/ui.tsx';
import { Chart, axis } from '../components/chart.tsx';

const sel = {
  mark: computed(() => px(instrument(selectedInstrument.value), mark(selectedInstrument.value).value)),
  funding: computed(() => {
    const r = funding(selectedInstrument.value).value;
    return Number.isFinite(r) ? `${(r * 100).toFixed(4)} %` : '–';
  }),
  next: computed(() => {
    const ms = fundingTime(selectedInstrument.value).value;
    return Number.isFinite(ms) ? clock(ms).slice(0, 8) : '–';
  }),
  feed: computed(() => feedState(selectedInstrument.value).value),
  trades: computed(() => int(M.tradeCount.value)),
  liqs: computed(() => `${int(M.liqCount.value)} · bursts ${int(M.liqBursts.value)}`),
  seq: computed(() => int(M.bookSeq.value)),
};
const feedBadge = computed(() => badge(sel.feed.value));

function LadderRow({ c, ask }: { c: M.LadderCell; ask: boolean }) {
  return (
    <div class="relative grid h-[21px] grid-cols-3 items-center px-2 text-xs">
      <div class={`absolute inset-y-0 right-0 ${ask ? 'bg-rose-500/15' : 'bg-emerald-500/15'}`} style={c.bar} />
      <span class={`num relative ${ask ? 'text-rose-300' : 'text-emerald-300'}`}>{c.price}</span>
      <span class="num relative text-right text-slate-200">{c.size}</span>
      <span class="num relative text-right text-slate-400">{c.total}</span>
    </div>
  );
}

function Ladder() {
  return (
    <div data-testid="book-ladder">
      <div class="grid grid-cols-3 px-2 pb-1 text-[11px] text-slate-500"><span>price</span><span class="text-right">size</span><span class="text-right">total</span></div>
      <div data-testid="book-asks" class="flex flex-col-reverse">{M.asks.map((c, i) => <LadderRow key={i} c={c} ask />)}</div>
      <div class="my-1 flex justify-between border-y border-slate-800 px-2 py-1 text-xs">
        <span class="text-slate-400">mid <span data-testid="book-mid" class="num text-slate-100">{M.mid}</span></span>
        <span class="text-slate-400">spread <span class="num text-slate-100">{M.spread}</span></span>
      </div>
      <div data-testid="book-bids">{M.bids.map((c, i) => <LadderRow key={i} c={c} ask={false} />)}</div>
    </div>
  );
}

function Tape({ cells, testid }: { cells: M.TapeCell[]; testid: string }) {
  return (
    <table class="w-full text-xs" data-testid={testid}>
      <thead><tr class="text-[11px] text-slate-500"><th class="text-left font-medium">time</th><th class="text-left font-medium">side</th><th class="text-right font-medium">price</th><th class="text-right font-medium">size</th></tr></thead>
      <tbody>
        {cells.map((c, i) => (
          <tr key={i} class={c.tone}>
            <td class="num py-px text-slate-400">{c.time}</td>
            <td class="num py-px">{c.side}</td>
            <td class="num py-px text-right">{c.price}</td>
            <td class="num py-px text-right">{c.size}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const dot = (fill: string): uPlot.Series => ({ stroke: fill, fill, width: 0, paths: () => null, points: { show: true, size: 9, fill, stroke: fill } });
const priceOpts: Omit<uPlot.Options, 'width'> = {
  height: 250,
  legend: { show: true },
  cursor: { drag: { x: false, y: false } },
  scales: { x: { time: true } },
  axes: [axis(), axis({ size: 70 })],
  series: [{}, { label: 'mid', stroke: '#38bdf8', width: 1.25, spanGaps: true }, { label: 'liq. longs (forced sells)', ...dot('#fb7185') }, { label: 'liq. shorts (forced buys)', ...dot('#a3e635') }],
};

export function LiveMarketData() {
  return (
    <div class="grid grid-cols-12 gap-3" data-testid="page-market">
      <div class="col-span-12 flex items-center gap-3">
        <div class="flex gap-1" data-testid="instrument-tabs">
          {instruments.value.map((i) => (
            <button key={i.id} data-testid={`instrument-${i.id}`} onClick={() => (selectedInstrument.value = i.id)}
              class={`rounded px-3 py-1 text-sm ${selectedInstrument.value === i.id ? 'bg-sky-600 text-white' : 'bg-slate-800 text-slate-300 hover:bg-slate-700'}`}>{i.symbol}</button>
          ))}
        </div>
        <span class={feedBadge} data-testid="market-feed-state">{sel.feed}</span>
        <div class="ml-auto flex gap-5 text-xs text-slate-400">
          <span>mark <span data-testid="mark-price" class="num text-slate-100">{sel.mark}</span></span>
          <span>funding <span data-testid="funding-rate" class="num text-slate-100">{sel.funding}</span></span>
          <span>next <span class="num text-slate-100">{sel.next}</span></span>
          <span>book seq <span data-testid="book-seq" class="num text-slate-100">{sel.seq}</span></span>
        </div>
      </div>
      <Card title="Order book" class="col-span-3" testid="book-card"><Ladder /></Card>
      <div class="col-span-6 flex flex-col gap-3">
        <Card title="Price · liquidations" testid="price-card" right={<span class="num text-[11px] text-slate-400">{sel.liqs}</span>}>
          <Chart options={priceOpts} data={M.priceChart} testid="price-chart" />
        </Card>
        <Card title="Liquidations" testid="liq-card"><Tape cells={M.liquidations} testid="liq-tape" /></Card>
      </div>
      <Card title="Trades" class="col-span-3" testid="trades-card" right={<span data-testid="trade-count" class="num text-[11px] text-slate-400">{sel.trades}</span>}>
        <Tape cells={M.trades} testid="trades-tape" />
      </Card>
    </div>
  );
}
