/**
 * Sweep output: the top-N table, the fill-model band table, CSV / JSON /
 * JSON-lines files, and the TTY progress bar. Cold path (main thread).
 *
 * The database rows are written by sweep-db.ts (tables `sweeps` and
 * `sweep_results`, schemas/sql/0002_sweep_results.sql); the JSON-lines file
 * here holds the same fields, one row per task.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { rank, type RankBy, type SweepProgress } from './sweep.ts';
import type { SweepResult } from './sweep-result.ts';

function f(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

function paramText(p: SweepResult['params']): string {
  const e = Object.entries(p);
  return e.length === 0 ? '(base)' : e.map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : String(v)}`).join(' ');
}

function deniedText(d: Record<string, number>): string {
  const e = Object.entries(d);
  return e.length === 0 ? '-' : e.map(([k, v]) => `${k}:${v}`).join(',');
}

function table(head: string[], rows: string[][], leftCols: number): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < leftCols ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Top-N rows by `rankBy` (failed tasks excluded). */
export function formatTop(results: readonly SweepResult[], n: number, rankBy: RankBy): string {
  const top = rank(results, rankBy).slice(0, n);
  const rows = top.map((r, i) => [
    String(i + 1), String(r.taskId), r.input, r.band || '-',
    f(r.pnlNet), f(r.pnlRealized), f(r.pnlFees), f(r.sharpe, 2), f(r.maxDrawdown), String(r.fills), f(r.fillRate, 2), deniedText(r.denied), paramText(r.params),
  ]);
  return table(['#', 'task', 'input', 'band', 'net', 'realized', 'fees', 'sharpe~', 'maxDD', 'fills', 'fillRate', 'denied', 'params'], rows, 4);
}

/** Failed tasks with their parameters. */
export function formatFailures(results: readonly SweepResult[]): string {
  return results
    .filter((r) => !r.ok)
    .map((r) => `task ${r.taskId} (${r.input}${r.band ? `, ${r.band}` : ''}; ${paramText(r.params)}): ${r.error}`)
    .join('\n');
}

/**
 * "q/N": fills the queue model decided (min–max over the bands) of all fills.
 * 0 means the queue models cannot differ on this input: every maker fill came
 * from a trade through our price or a book that crossed it.
 */
function queueFillsText(rs: readonly SweepResult[]): string {
  if (rs.length === 0) return '-';
  const q = rs.map((r) => r.fillsQueue);
  const lo = Math.min(...q);
  const hi = Math.max(...q);
  return `${lo === hi ? lo : `${lo}–${hi}`}/${Math.max(...rs.map((r) => r.fills))}`;
}

/**
 * Fill-model bands side by side: one row per (parameter set, input), net PnL
 * per band, and the spread between the best and worst band — how much of the
 * PnL is the fill assumption rather than the strategy.
 */
export function formatBands(results: readonly SweepResult[], bandOrder: readonly string[], paramSetIds: readonly number[]): string {
  const key = (r: SweepResult) => `${r.paramSetId}\u0000${r.input}`;
  const groups = new Map<string, SweepResult[]>();
  for (const r of results) {
    if (!paramSetIds.includes(r.paramSetId)) continue;
    const g = groups.get(key(r)) ?? [];
    g.push(r);
    groups.set(key(r), g);
  }
  const rows: string[][] = [];
  for (const id of paramSetIds) {
    for (const [k, g] of groups) {
      if (!k.startsWith(`${id}\u0000`)) continue;
      const cells = bandOrder.map((b) => {
        const r = g.find((x) => x.band === b);
        return r === undefined ? '' : r.ok ? f(r.pnlNet) : 'error';
      });
      const done = g.filter((r) => r.ok);
      const nets = done.map((r) => r.pnlNet);
      const spread = nets.length > 0 ? Math.max(...nets) - Math.min(...nets) : NaN;
      rows.push([String(id), g[0]!.input, ...cells, f(spread), queueFillsText(done), paramText(g[0]!.params)]);
    }
  }
  return table(['set', 'input', ...bandOrder.map((b) => `net ${b}`), 'spread', 'queue fills', 'params'], rows, 2);
}

const CSV_FIXED = [
  'taskId', 'paramSetId', 'input', 'band', 'ok', 'error', 'events', 'groupSize', 'wallMs', 'eventsPerS',
  'pnlNet', 'pnlRealized', 'pnlUnrealized', 'pnlFees', 'pnlFunding', 'sharpe', 'maxDrawdown',
  'fills', 'fillsTaker', 'fillsQueue', 'fillsTradeThrough', 'fillsBookCross', 'ordersSubmitted', 'ordersAccepted', 'filledOrders', 'fillRate', 'fillsHash', 'lost', 'killSwitch',
] as const;

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV: fixed columns, one `param.<key>` column per varied parameter, one `denied.<REASON>` per reason seen. */
export function toCsv(results: readonly SweepResult[]): string {
  const paramKeys = [...new Set(results.flatMap((r) => Object.keys(r.params)))];
  const reasons = [...new Set(results.flatMap((r) => Object.keys(r.denied)))].sort();
  const head = [...CSV_FIXED, ...paramKeys.map((k) => `param.${k}`), ...reasons.map((k) => `denied.${k}`)];
  const lines = [head.join(',')];
  for (const r of results) {
    const row: unknown[] = CSV_FIXED.map((c) => r[c]);
    for (const k of paramKeys) row.push(r.params[k]);
    for (const k of reasons) row.push(r.denied[k] ?? 0);
    lines.push(row.map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function toJsonLines(results: readonly SweepResult[], sweepId: string): string {
  return results.map((r) => JSON.stringify({ sweepId, ...r })).join('\n') + (results.length > 0 ? '\n' : '');
}

export function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function clock(ms: number): string {
  if (!Number.isFinite(ms)) return '--:--';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** One-line progress for a TTY: bar, tasks done, ETA, best so far. */
export function progressLine(p: SweepProgress, rankBy: RankBy, width = 24): string {
  const filled = p.total === 0 ? width : Math.round((width * p.done) / p.total);
  const best = p.best === null ? '-' : `${rankBy} ${f(rankBy === 'sharpe' ? p.best.sharpe : p.best.pnlNet, rankBy === 'sharpe' ? 2 : 4)} (task ${p.best.taskId})`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} tasks${p.failed > 0 ? ` (${p.failed} failed)` : ''}  ETA ${clock(p.etaMs)}  best ${best}`;
}
