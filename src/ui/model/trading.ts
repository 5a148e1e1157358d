/**
 * Trading page state: signals (incl. no-trade reasons), orders with the risk
 * decision, fills with slippage and queue time, risk limits. These tables
 * carry reason NAMES, which only the REST API has, so they are polled (1 Hz,
 * while the page is shown); positions and PnL are live from the record stream
 * (model/summary.ts).
 */
import { signal } from '@preact/signals';
import { getJson } from '../lib/api.ts';

export interface SignalRow {
  signalId: number; instrumentId: number; decision: string; reason: string; side: string;
  priceTicks: number; sizeLots: number; value: number; threshold: number; tsUs: number;
}
export interface OrderRow {
  clientOrderId: number; signalId: number; instrumentId: number; side: string; type: string; priceTicks: number; sizeLots: number;
  filledLots: number; status: string; riskDecision: string; denyReason?: string; denyValue?: number; denyLimit?: number; venueReason?: string; tsUs: number;
}
export interface FillRow {
  fillId: number; clientOrderId: number; instrumentId: number; side: string; priceTicks: number; sizeLots: number; liquidity: string;
  feeQuote: number; slippageTicks?: number; queueTimeUs?: number; tsUs: number;
}
export interface RiskLimit { name: string; value: number; limit: number; utilisation: number }
export interface RiskState { tradingState: string; killLatched: boolean; killReason?: string; stateReason?: string; limits: RiskLimit[] }

export const signalRows = signal<SignalRow[]>([]);
export const orderRows = signal<OrderRow[]>([]);
export const fillRows = signal<FillRow[]>([]);
export const risk = signal<RiskState | null>(null);
export const tradingError = signal('');
/** Live count of order-flow records (orders topic) since load. */
export const orderRecords = signal(0);

export async function refreshTrading(): Promise<void> {
  try {
    const [s, o, f, r] = await Promise.all([
      getJson<SignalRow[]>('/api/signals?limit=40'),
      getJson<OrderRow[]>('/api/orders'),
      getJson<FillRow[]>('/api/fills?limit=40'),
      getJson<RiskState>('/api/risk'),
    ]);
    signalRows.value = s;
    orderRows.value = o.slice(0, 40);
    fillRows.value = f;
    risk.value = r;
    tradingError.value = '';
  } catch (err) {
    tradingError.value = (err as Error).message;
  }
}

export async function refreshRisk(): Promise<void> {
  try {
    risk.value = await getJson<RiskState>('/api/risk');
  } catch (err) {
    tradingError.value = (err as Error).message;
  }
}
