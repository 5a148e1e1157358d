/** Small presentational pieces shared by the pages (dark theme, tabular figures). */
import type { ComponentChildren } from 'preact';
import type { ReadonlySignal } from '@preact/signals';

export function Card({ title, children, testid, class: cls, right }: { title: string; children: ComponentChildren; testid?: string; class?: string; right?: ComponentChildren }) {
  return (
    <section data-testid={testid} class={`min-w-0 rounded-lg border border-slate-800 bg-slate-900/70 p-3 ${cls ?? ''}`}>
      <header class="mb-2 flex items-center justify-between gap-2">
        <h2 class="text-[11px] font-semibold uppercase tracking-wider text-slate-400">{title}</h2>
        {right}
      </header>
      <div class="overflow-x-auto">{children}</div>
    </section>
  );
}

/** A labelled live number: `value` is a (computed) signal passed straight into JSX. */
export function Stat({ label, value, testid, tone }: { label: string; value: ReadonlySignal<string>; testid?: string; tone?: ReadonlySignal<string> | string }) {
  return (
    <div class="min-w-0">
      <div class="truncate text-[11px] text-slate-500">{label}</div>
      <div data-testid={testid} class={tone ?? 'num text-lg font-semibold text-slate-100'}>
        {value}
      </div>
    </div>
  );
}

export function Th({ children, right }: { children: ComponentChildren; right?: boolean }) {
  return <th class={`whitespace-nowrap px-2 py-1 font-medium text-slate-500 ${right ? 'text-right' : 'text-left'}`}>{children}</th>;
}

export function Td({ children, right, class: cls }: { children: ComponentChildren; right?: boolean; class?: string }) {
  return <td class={`num whitespace-nowrap px-2 py-0.5 ${right ? 'text-right' : ''} ${cls ?? ''}`}>{children}</td>;
}

export const STATE_TONE: Record<string, string> = {
  ACTIVE: 'bg-emerald-500/15 text-emerald-300 ring-emerald-500/40',
  REDUCING: 'bg-amber-500/15 text-amber-300 ring-amber-500/40',
  HALTED: 'bg-rose-500/20 text-rose-300 ring-rose-500/50',
  OK: 'bg-emerald-500/15 text-emerald-300 ring-emerald-500/40',
  STALE: 'bg-amber-500/15 text-amber-300 ring-amber-500/40',
  INVALID: 'bg-rose-500/20 text-rose-300 ring-rose-500/50',
};

export const badge = (state: string) => `inline-flex items-center rounded px-2 py-0.5 text-xs font-semibold ring-1 ${STATE_TONE[state] ?? 'bg-slate-700/40 text-slate-300 ring-slate-600'}`;
