/** Number formatting for the monitor (cold-ish: called per changed cell). */

export interface InstrumentMeta {
  id: number;
  symbol: string;
  tickSize: number;
  lotSize: number;
  contractValue: number;
  priceDecimals: number;
  sizeDecimals: number;
  feedState: string;
  feedReason?: string;
  markPriceTicks?: number;
  fundingRate?: number;
  nextFundingUnixMs?: number;
}

const FALLBACK: InstrumentMeta = { id: -1, symbol: '?', tickSize: 1, lotSize: 1, contractValue: 1, priceDecimals: 0, sizeDecimals: 0, feedState: 'OK' };

export function px(m: InstrumentMeta | undefined, ticks: number): string {
  const s = m ?? FALLBACK;
  return Number.isFinite(ticks) ? (ticks * s.tickSize).toFixed(s.priceDecimals) : '–';
}

export function qty(m: InstrumentMeta | undefined, lots: number): string {
  const s = m ?? FALLBACK;
  return Number.isFinite(lots) ? (lots * s.lotSize).toFixed(s.sizeDecimals) : '–';
}

export function money(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return '–';
  const sign = x < 0 ? '−' : x > 0 ? '+' : '';
  return sign + Math.abs(x).toFixed(digits);
}

export function int(x: number): string {
  return Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–';
}

export function us(x: number): string {
  if (!Number.isFinite(x) || x === 0) return '–';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} s`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(2)} ms`;
  if (x >= 100) return `${x.toFixed(0)} µs`;
  return `${x.toFixed(1)} µs`;
}

export function bytes(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x >= 2 ** 30) return `${(x / 2 ** 30).toFixed(2)} GiB`;
  if (x >= 2 ** 20) return `${(x / 2 ** 20).toFixed(1)} MiB`;
  if (x >= 2 ** 10) return `${(x / 2 ** 10).toFixed(1)} KiB`;
  return `${x.toFixed(0)} B`;
}

export function clock(unixMs: number): string {
  const d = new Date(unixMs);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function duration(s: number): string {
  if (!Number.isFinite(s)) return '–';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(sec).padStart(2, '0')}s`;
}
