/**
 * Home: run status, equity curve, positions, trading state with the kill
 * switch and re-arm, event rates, data quality per instrument, headline
 * tick-to-trade percentiles.
 */
import { computed, signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import * as S from '../model/summary.ts';
import { instruments, feedState, instrument, symbolOf } from '../model/instruments.ts';
import { connState } from '../model/connection.ts';
import { risk, refreshRisk } from '../model/trading.ts';
import { postCommand, sessionToken, getJson } from '../lib/api.ts';
import { money, int, us, duration, px, qty } from '../lib/format.ts';
import { Card, Stat, Th, Td, badge } from '../components/ui.tsx';
import { Chart, axis } from '../components/chart.tsx';

interface Health { ok: boolean; state: string; uptimeS: number; source?: string; runId?: string; problems?: string[] }
const health = signal<Health | null>(null);

const f = {
  net: computed(() => money(S.pnlNet.value, 4)),
  realized: computed(() => money(S.pnlRealized.value, 4)),
  unrealized: computed(() => money(S.pnlUnrealized.value, 4)),
  fees: computed(() => money(-S.pnlFees.value, 4)),
  netTone: computed(() => `num text-2xl font-semibold ${S.pnlNet.value < 0 ? 'text-rose-400' : 'text-emerald-400'}`),
  p50: computed(() => us(S.t2tP50.value)),
  p99: computed(() => us(S.t2tP99.value)),
  p999: computed(() => us(S.t2tP999.value)),
  t2tCount: computed(() => int(S.t2tCount.value)),
  eventsRate: computed(() => `${int(S.eventsPerSec.value)}/s`),
  tradesRate: computed(() => `${int(S.tradesPerSec.value)}/s`),
  bookRate: computed(() => `${S.bookPerSec.value.toFixed(1)}/s`),
  orderRate: computed(() => `${S.orderEventsPerSec.value.toFixed(1)}/s`),
  eventsIn: computed(() => int(S.eventsIn.value)),
  rejected: computed(() => int(S.eventsRejected.value)),
  signals: computed(() => int(S.signalsCount.value)),
  orders: computed(() => `${int(S.ordersSubmitted.value)} / ${int(S.ordersAccepted.value)} / ${int(S.ordersDenied.value)}`),
  fills: computed(() => int(S.fills.value)),
  lost: computed(() => int(S.lost.value)),
  duration: computed(() => duration(S.durationS.value)),
  state: computed(() => (S.tradingState.value >= 0 ? S.tradingStateName.value : risk.value?.tradingState ?? '–')),
  killed: computed(() => S.killLatched.value || (risk.value?.killLatched ?? false)),
};
const killText = computed(() => (f.killed.value ? `kill switch latched${risk.value?.killReason ? `: ${risk.value.killReason}` : ''}` : 'kill switch armed'));
const eventsTotal = computed(() => `${f.eventsIn.value} / ${f.rejected.value}`);
const fillsLost = computed(() => `${f.fills.value} · ${f.lost.value}`);
/**
 * While the engine runs, the reconciliation compares live counts on main with
 * the stages' 1 Hz reports, so its difference is work between two reports, not
 * a loss; only the exit summary (all rings drained) makes it `lost`.
 */
const fillsLostLabel = computed(() => (health.value?.state === 'stopped' || health.value?.state === 'failed' ? 'fills · lost' : 'fills · in flight'));
/** Which fills the fill model decided (queue) and which the market forced (taker, traded through, book crossed). */
const fillCauses = computed(() => `${int(S.fillsTaker.value)} / ${int(S.fillsQueue.value)} / ${int(S.fillsTradeThrough.value)} / ${int(S.fillsBookCross.value)}`);
const stateBadge = computed(() => `${badge(f.state.value)} text-base px-3 py-1`);
const healthText = computed(() => (health.value ? `${health.value.state}${health.value.ok ? '' : ' (unhealthy)'}` : '–'));

const dialog = signal<null | 'kill' | 'rearm'>(null);
const reason = signal('');
const dialogError = signal('');
const busy = signal(false);

async function confirm(): Promise<void> {
  const mode = dialog.value;
  if (mode === null) return;
  busy.value = true;
  dialogError.value = '';
  try {
    const r = await postCommand<{ tradingState: string; killLatched: boolean }>(mode === 'kill' ? '/api/kill' : '/api/rearm',
      reason.value.trim() || (mode === 'kill' ? 'kill switch from the monitor' : 're-armed from the monitor'), sessionToken.value.trim());
    S.tradingState.value = S.TRADING_STATES.indexOf(r.tradingState as (typeof S.TRADING_STATES)[number]);
    S.killLatched.value = r.killLatched;
    await refreshRisk();
    dialog.value = null;
    reason.value = '';
  } catch (err) {
    dialogError.value = (err as Error).message;
  } finally {
    busy.value = false;
  }
}

function CommandDialog() {
  const mode = dialog.value;
  if (mode === null) return null;
  const kill = mode === 'kill';
  return (
    <div class="fixed inset-0 z-20 flex items-center justify-center bg-black/60" data-testid="command-dialog">
      <form
        class="w-[26rem] rounded-lg border border-slate-700 bg-slate-900 p-4 shadow-xl"
        onSubmit={(e) => {
          e.preventDefault();
          void confirm();
        }}
      >
        <h3 class={`mb-1 text-sm font-semibold ${kill ? 'text-rose-300' : 'text-emerald-300'}`}>{kill ? 'Engage the kill switch' : 'Re-arm trading'}</h3>
        <p class="mb-3 text-xs text-slate-400">
          {kill ? 'Halts all new orders and cancels working ones. Only a human re-arm clears it.' : 'Clears the kill latch and HALTED / REDUCING state.'} The monitor token is in
          <code class="mx-1 text-slate-300">.qhft/monitor-token</code>.
        </p>
        <label class="mb-2 block text-xs text-slate-400">
          Token
          <input data-testid="command-token" type="password" autocomplete="off" class="mt-1 w-full rounded border border-slate-700 bg-slate-950 px-2 py-1 font-mono text-sm text-slate-100"
            value={sessionToken.value} onInput={(e) => (sessionToken.value = (e.target as HTMLInputElement).value)} />
        </label>
        <label class="mb-3 block text-xs text-slate-400">
          Reason
          <input data-testid="command-reason" type="text" maxLength={200} class="mt-1 w-full rounded border border-slate-700 bg-slate-950 px-2 py-1 text-sm text-slate-100"
            value={reason.value} onInput={(e) => (reason.value = (e.target as HTMLInputElement).value)} placeholder={kill ? 'why are you stopping?' : 'what did you check?'} />
        </label>
        <div data-testid="command-error" class="mb-2 min-h-4 text-xs text-rose-400">{dialogError}</div>
        <div class="flex justify-end gap-2">
          <button type="button" class="rounded px-3 py-1 text-sm text-slate-300 hover:bg-slate-800" onClick={() => (dialog.value = null)}>Cancel</button>
          <button data-testid="command-confirm" type="submit" disabled={busy.value}
            class={`rounded px-3 py-1 text-sm font-semibold text-white ${kill ? 'bg-rose-600 hover:bg-rose-500' : 'bg-emerald-600 hover:bg-emerald-500'} disabled:opacity-50`}>
            {kill ? 'Kill' : 'Re-arm'}
          </button>
        </div>
      </form>
    </div>
  );
}

function PositionRow({ id }: { id: number }) {
  const p = S.position(id);
  const m = instrument(id);
  return (
    <tr class="border-t border-slate-800/60">
      <Td>{symbolOf(id)}</Td>
      <Td right class={p.lots.value > 0 ? 'text-emerald-300' : p.lots.value < 0 ? 'text-rose-300' : ''}>{qty(m, p.lots.value)}</Td>
      <Td right>{p.lots.value === 0 ? '–' : px(m, p.avgEntry.value)}</Td>
      <Td right>{px(m, p.markTicks.value)}</Td>
      <Td right class={p.unrealized.value < 0 ? 'text-rose-300' : 'text-emerald-300'}>{money(p.unrealized.value, 4)}</Td>
      <Td right>{money(p.realized.value, 4)}</Td>
    </tr>
  );
}

function DataQuality() {
  return (
    <div class="flex flex-wrap gap-2" data-testid="data-quality">
      {instruments.value.map((i) => (
        <div key={i.id} class="flex items-center gap-2 rounded border border-slate-800 px-2 py-1">
          <span class="text-xs text-slate-300">{i.symbol}</span>
          <span data-testid={`feed-${i.id}`} class={badge(feedState(i.id).value)}>{feedState(i.id)}</span>
        </div>
      ))}
    </div>
  );
}

const equityOpts = {
  height: 190,
  legend: { show: false },
  cursor: { drag: { x: false, y: false } },
  scales: { x: { time: true } },
  axes: [axis(), axis({ size: 60, values: (_u: unknown, v: number[]) => v.map((x) => x.toFixed(2)) })],
  series: [{}, { label: 'net PnL', stroke: '#34d399', width: 1.5, fill: 'rgba(52,211,153,0.08)', points: { show: false } }],
};

export function Home() {
  useEffect(() => {
    const load = () => {
      getJson<Health>('/api/health').then((h) => (health.value = h), () => (health.value = null));
      void refreshRisk();
    };
    load();
    const t = setInterval(load, 2000);
    return () => clearInterval(t);
  }, []);
  return (
    <div class="grid grid-cols-12 gap-3" data-testid="page-home">
      <Card title="Run" class="col-span-3" testid="run-status">
        <div class="grid grid-cols-2 gap-2">
          <Stat label="engine" value={healthText} testid="engine-state" />
          <Stat label="source" value={S.source} />
          <Stat label="uptime" value={f.duration} testid="run-duration" />
          <Stat label="link" value={connState} />
        </div>
      </Card>
      <Card title="Trading state" class="col-span-3" testid="trading-card">
        <div class="flex items-center justify-between gap-2">
          <span data-testid="trading-state" class={stateBadge}>{f.state}</span>
          <div class="flex gap-2">
            <button data-testid="kill-button" class="rounded bg-rose-600 px-3 py-1.5 text-sm font-bold text-white shadow hover:bg-rose-500"
              onClick={() => { dialog.value = 'kill'; dialogError.value = ''; }}>KILL</button>
            <button data-testid="rearm-button" disabled={!f.killed.value && f.state.value === 'ACTIVE'}
              class="rounded bg-slate-700 px-3 py-1.5 text-sm font-semibold text-slate-100 hover:bg-slate-600 disabled:opacity-40"
              onClick={() => { dialog.value = 'rearm'; dialogError.value = ''; }}>Re-arm</button>
          </div>
        </div>
        <div class="mt-2 text-xs text-slate-400" data-testid="kill-latched">{killText}</div>
      </Card>
      <Card title="Tick-to-trade" class="col-span-3" testid="t2t-card">
        <div class="grid grid-cols-3 gap-2">
          <Stat label="p50" value={f.p50} testid="t2t-p50" />
          <Stat label="p99" value={f.p99} testid="t2t-p99" />
          <Stat label="p99.9" value={f.p999} testid="t2t-p999" />
        </div>
        <div class="mt-1 text-[11px] text-slate-500">samples <span class="num">{f.t2tCount}</span></div>
      </Card>
      <Card title="PnL (USDT)" class="col-span-3" testid="pnl-card">
        <div data-testid="pnl-net" class={f.netTone}>{f.net}</div>
        <div class="mt-1 grid grid-cols-3 gap-2 text-xs">
          <Stat label="realized" value={f.realized} tone="num text-sm text-slate-200" />
          <Stat label="unrealized" value={f.unrealized} tone="num text-sm text-slate-200" />
          <Stat label="fees" value={f.fees} tone="num text-sm text-slate-200" />
        </div>
      </Card>
      <Card title="Equity curve (net PnL)" class="col-span-8" testid="equity-card">
        <Chart options={equityOpts} data={S.equity} testid="equity-chart" />
      </Card>
      <Card title="Event rates" class="col-span-4" testid="rates-card">
        <div class="grid grid-cols-2 gap-x-4 gap-y-2">
          <Stat label="events in" value={f.eventsRate} testid="events-rate" />
          <Stat label="trades (UI feed)" value={f.tradesRate} testid="trades-rate" />
          <Stat label="book updates (UI feed)" value={f.bookRate} />
          <Stat label="order events" value={f.orderRate} />
          <Stat label="events total / rejected" value={eventsTotal} testid="events-in" />
          <Stat label="signals" value={f.signals} />
          <Stat label="orders sub / acc / den" value={f.orders} />
          <Stat label={fillsLostLabel.value} value={fillsLost} testid="fills-count" />
          <Stat label="fills taker / queue / thru / cross" value={fillCauses} testid="fill-causes" />
        </div>
      </Card>
      <Card title="Positions" class="col-span-8" testid="positions-card">
        <table class="w-full text-sm">
          <thead><tr><Th>instrument</Th><Th right>size</Th><Th right>avg entry</Th><Th right>mark</Th><Th right>unrealized</Th><Th right>realized</Th></tr></thead>
          <tbody>{S.positionIds.value.map((id) => <PositionRow key={id} id={id} />)}</tbody>
        </table>
        {S.positionIds.value.length === 0 && <div class="py-2 text-xs text-slate-500">no positions yet</div>}
      </Card>
      <Card title="Data quality (L0 sanitizer)" class="col-span-4" testid="dq-card">
        <DataQuality />
      </Card>
      <CommandDialog />
    </div>
  );
}
