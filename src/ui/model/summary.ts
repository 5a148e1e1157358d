/**
 * Home page state: one signal per headline cell, from the SummarySnapshot
 * records (positions topic, 1 Hz) and PositionUpdate records.
 */
import { signal, computed, type Signal } from '@preact/signals';
import type uPlot from 'uplot';

export const source = signal('–');
export const durationS = signal(NaN);
export const eventsIn = signal(0);
export const eventsRejected = signal(0);
export const eventsPerSec = signal(0);
export const ordersSubmitted = signal(0);
export const ordersAccepted = signal(0);
export const ordersDenied = signal(0);
export const signalsCount = signal(0);
export const fills = signal(0);
/** Fills by cause, from the same snapshot as `fills` (they sum to it). */
export const fillsTaker = signal(0);
export const fillsQueue = signal(0);
export const fillsTradeThrough = signal(0);
export const fillsBookCross = signal(0);
export const pnlRealized = signal(NaN);
export const pnlUnrealized = signal(NaN);
export const pnlFees = signal(NaN);
export const pnlNet = signal(NaN);
/** 0 ACTIVE, 1 REDUCING, 2 HALTED (TradingState). */
export const tradingState = signal(-1);
export const killLatched = signal(false);
export const lost = signal(0);
export const t2tCount = signal(0);
export const t2tP50 = signal(NaN);
export const t2tP99 = signal(NaN);
export const t2tP999 = signal(NaN);
export const t2tMax = signal(NaN);
export const fillsHash = signal('');
export const summaryAt = signal(0);

export const TRADING_STATES = ['ACTIVE', 'REDUCING', 'HALTED'] as const;
export const tradingStateName = computed(() => TRADING_STATES[tradingState.value] ?? '–');

/** Net PnL over time: [unix s[], net[]]. */
export const equity = signal<uPlot.AlignedData>([[], []]);
export const EQUITY_POINTS = 3600;

/** Live rates measured in the browser from the record stream (per second). */
export const tradesPerSec = signal(0);
export const bookPerSec = signal(0);
export const orderEventsPerSec = signal(0);

export interface PositionCells {
  lots: Signal<number>;
  avgEntry: Signal<number>;
  markTicks: Signal<number>;
  realized: Signal<number>;
  unrealized: Signal<number>;
  fees: Signal<number>;
}

const positionCells = new Map<number, PositionCells>();
/** Instrument ids with a position row (changes rarely). */
export const positionIds = signal<number[]>([]);

export function position(id: number): PositionCells {
  let p = positionCells.get(id);
  if (p === undefined) {
    p = { lots: signal(0), avgEntry: signal(0), markTicks: signal(NaN), realized: signal(0), unrealized: signal(0), fees: signal(0) };
    positionCells.set(id, p);
    positionIds.value = [...positionCells.keys()].sort((a, b) => a - b);
  }
  return p;
}
