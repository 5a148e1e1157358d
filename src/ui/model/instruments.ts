/**
 * Instrument metadata (from GET /api/instruments) and the per-instrument
 * data-quality state (live from DataQualityEvent records).
 */
import { signal, type Signal } from '@preact/signals';
import { getJson } from '../lib/api.ts';
import type { InstrumentMeta } from '../lib/format.ts';

export const instruments = signal<InstrumentMeta[]>([]);
export const selectedInstrument = signal(0);
const meta = new Map<number, InstrumentMeta>();
const feed = new Map<number, Signal<string>>();
const fundingRate = new Map<number, Signal<number>>();
const markTicks = new Map<number, Signal<number>>();
const nextFunding = new Map<number, Signal<number>>();

function lazy<T>(m: Map<number, Signal<T>>, id: number, init: T): Signal<T> {
  let s = m.get(id);
  if (s === undefined) {
    s = signal(init);
    m.set(id, s);
  }
  return s;
}

export const instrument = (id: number): InstrumentMeta | undefined => meta.get(id);
export const feedState = (id: number) => lazy(feed, id, 'OK');
export const funding = (id: number) => lazy(fundingRate, id, NaN);
export const mark = (id: number) => lazy(markTicks, id, NaN);
export const fundingTime = (id: number) => lazy(nextFunding, id, NaN);

export async function loadInstruments(): Promise<void> {
  const list = await getJson<InstrumentMeta[]>('/api/instruments');
  for (const m of list) {
    meta.set(m.id, m);
    feedState(m.id).value = m.feedState;
    if (m.fundingRate !== undefined) funding(m.id).value = m.fundingRate;
    if (m.markPriceTicks !== undefined) mark(m.id).value = m.markPriceTicks;
    if (m.nextFundingUnixMs !== undefined) fundingTime(m.id).value = m.nextFundingUnixMs;
  }
  instruments.value = list;
  if (!meta.has(selectedInstrument.value) && list.length > 0) selectedInstrument.value = list[0]!.id;
}

export const symbolOf = (id: number): string => meta.get(id)?.symbol ?? (id === 0xffffffff ? 'all' : `#${id}`);
/** Compact symbol for dense tables: `BTC-USDT-SWAP` → `BTC-USDT`. */
export const shortSymbol = (id: number): string => symbolOf(id).replace(/-SWAP$/, '');
