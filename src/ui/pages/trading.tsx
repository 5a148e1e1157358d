/**
 * Trading: live strategy signals (with the no-trade reasons), orders with
 * DRBGuard's decision and deny reasons, fills with slippage and queue time,
 * positions and PnL per instrument, risk limits and utilisation.
 */
import { computed } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { signalRows, orderRows, fillRows, risk, refreshTrading, tradingError, orderRecords } from '../model/trading.ts';
import * as S from '../model/summary.ts';
import { instrument, shortSymbol as symbolOf } from '../model/instruments.ts';
import { px, qty, money, clock, int } from '../lib/format.ts';
import { Card, Th, Td, badge } from '../components/ui.tsx';

/** Engine timestamps are µs since the engine started (its shared epoch); Unix µs are shown as wall time. */
const t = (tsUs: number) => (tsUs > 1e15 ? clock(tsUs / 1000) : `+${(tsUs / 1e6).toFixed(3)}s`);
const side = (s: string) => (s === 'buy' ? 'text-emerald-300' : 'text-rose-300');
const liveOrders = computed(() => int(orderRecords.value));

function Signals() {
  return (
    <table class="w-full text-xs" data-testid="signals-table">
      <thead><tr><Th>time</Th><Th>instr</Th><Th>decision</Th><Th>reason</Th><Th right>value / threshold</Th><Th right>px</Th></tr></thead>
      <tbody>
        {signalRows.value.slice(0, 14).map((s) => (
          <tr key={s.signalId} class="border-t border-slate-800/60">
            <Td class="text-slate-400">{t(s.tsUs)}</Td>
            <Td>{symbolOf(s.instrumentId)}</Td>
            <Td class={s.decision === 'NO_TRADE' ? 'text-slate-400' : side(s.side)}>{s.decision === 'NO_TRADE' ? 'no trade' : `${s.decision} ${s.side}`}</Td>
            <Td class="text-slate-300">{s.reason}</Td>
            <Td right>{`${int(s.value)} / ${int(s.threshold)}`}</Td>
            <Td right>{px(instrument(s.instrumentId), s.priceTicks)}</Td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Orders() {
  return (
    <table class="w-full text-xs" data-testid="orders-table">
      <thead><tr><Th>time</Th><Th>id</Th><Th>instr</Th><Th>side</Th><Th right>px</Th><Th right>filled</Th><Th>risk · status / reason</Th></tr></thead>
      <tbody>
        {orderRows.value.slice(0, 12).map((o) => (
          <tr key={o.clientOrderId} class="border-t border-slate-800/60">
            <Td class="text-slate-400">{t(o.tsUs)}</Td>
            <Td>{o.clientOrderId}</Td>
            <Td>{symbolOf(o.instrumentId)}</Td>
            <Td class={side(o.side)}>{`${o.side} ${o.type}`}</Td>
            <Td right>{px(instrument(o.instrumentId), o.priceTicks)}</Td>
            <Td right>{`${qty(instrument(o.instrumentId), o.filledLots)}/${qty(instrument(o.instrumentId), o.sizeLots)}`}</Td>
            <Td class={o.riskDecision === 'DENIED' ? 'text-rose-300' : 'text-slate-300'}>
              <span class={`${badge(o.riskDecision === 'DENIED' ? 'HALTED' : 'ACTIVE')} mr-1 px-1 text-[10px]`}>{o.riskDecision}</span>
              <span title={o.denyValue !== undefined ? `value ${o.denyValue} vs limit ${o.denyLimit}` : undefined}>
                {o.riskDecision === 'DENIED' ? o.denyReason ?? '' : `${o.status}${o.venueReason ? ` · ${o.venueReason}` : ''}`}
              </span>
            </Td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Fills() {
  return (
    <table class="w-full text-xs" data-testid="fills-table">
      <thead><tr><Th>time</Th><Th>fill</Th><Th>instr</Th><Th>side</Th><Th right>px</Th><Th right>qty</Th><Th right>fee</Th><Th right>slip tk</Th><Th right>queue µs</Th></tr></thead>
      <tbody>
        {fillRows.value.slice(0, 12).map((x) => (
          <tr key={x.fillId} class="border-t border-slate-800/60">
            <Td class="text-slate-400">{t(x.tsUs)}</Td>
            <Td>{x.fillId}</Td>
            <Td>{symbolOf(x.instrumentId)}</Td>
            <Td class={side(x.side)}>{`${x.side} ${x.liquidity === 'maker' ? 'M' : 'T'}`}</Td>
            <Td right>{px(instrument(x.instrumentId), x.priceTicks)}</Td>
            <Td right>{qty(instrument(x.instrumentId), x.sizeLots)}</Td>
            <Td right>{x.feeQuote.toFixed(4)}</Td>
            <Td right class={(x.slippageTicks ?? 0) > 0 ? 'text-amber-300' : ''}>{x.slippageTicks ?? '–'}</Td>
            <Td right>{x.queueTimeUs ?? '–'}</Td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Positions() {
  return (
    <table class="w-full text-xs" data-testid="trading-positions">
      <thead><tr><Th>instr</Th><Th right>size</Th><Th right>avg</Th><Th right>unrealized</Th><Th right>realized</Th><Th right>fees</Th></tr></thead>
      <tbody>
        {S.positionIds.value.map((id) => {
          const p = S.position(id);
          const m = instrument(id);
          return (
            <tr key={id} class="border-t border-slate-800/60">
              <Td>{symbolOf(id)}</Td>
              <Td right>{qty(m, p.lots.value)}</Td>
              <Td right>{p.lots.value === 0 ? '–' : px(m, p.avgEntry.value)}</Td>
              <Td right class={p.unrealized.value < 0 ? 'text-rose-300' : 'text-emerald-300'}>{money(p.unrealized.value, 4)}</Td>
              <Td right>{money(p.realized.value, 4)}</Td>
              <Td right>{p.fees.value.toFixed(4)}</Td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Counts as integers, amounts with two decimals. */
function limitValue(x: number): string {
  return Number.isInteger(x) ? int(x) : x.toFixed(2);
}

function Limits() {
  const r = risk.value;
  if (r === null) return <div class="text-xs text-slate-500">loading…</div>;
  return (
    <div data-testid="risk-limits">
      <div class="mb-2 flex items-center gap-2">
        <span class={badge(r.tradingState)}>{r.tradingState}</span>
        <span class="text-xs text-slate-400">{r.killLatched ? `kill latched${r.killReason ? `: ${r.killReason}` : ''}` : r.stateReason ?? ''}</span>
      </div>
      {r.limits.map((l) => {
        const pct = Math.min(100, Math.max(0, l.utilisation * 100));
        const tone = pct >= 90 ? 'bg-rose-500' : pct >= 70 ? 'bg-amber-500' : 'bg-sky-500';
        return (
          <div key={l.name} class="mb-1.5">
            <div class="flex justify-between text-[11px]"><span class="text-slate-300">{l.name}</span><span class="num text-slate-400">{`${limitValue(l.value)} / ${limitValue(l.limit)}`}</span></div>
            <div class="h-1.5 rounded bg-slate-800"><div class={`h-1.5 rounded ${tone}`} style={`width:${pct.toFixed(1)}%`} /></div>
          </div>
        );
      })}
    </div>
  );
}

export function Trading() {
  useEffect(() => {
    void refreshTrading();
    const timer = setInterval(() => void refreshTrading(), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <div class="grid grid-cols-12 gap-3" data-testid="page-trading">
      {tradingError.value && <div class="col-span-12 text-xs text-rose-400">{tradingError}</div>}
      <Card title="Signals (incl. no-trade decisions)" class="col-span-7" testid="signals-card" right={<span class="num text-[11px] text-slate-500">order events {liveOrders}</span>}>
        <Signals />
      </Card>
      <div class="col-span-5 flex flex-col gap-3">
        <Card title="Risk limits" testid="limits-card"><Limits /></Card>
        <Card title="Positions & PnL" testid="trading-positions-card"><Positions /></Card>
      </div>
      <Card title="Orders · risk decision" class="col-span-6" testid="orders-card"><Orders /></Card>
      <Card title="Fills · slippage · queue time" class="col-span-6" testid="fills-card"><Fills /></Card>
    </div>
  );
}
