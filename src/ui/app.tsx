/**
 * The monitor shell: navigation (hash routing), connection status, and the
 * one WebSocket (useWebSocket) that feeds every page.
 */
import { signal, computed } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { useWebSocket } from './hooks/use-web-socket.ts';
import { connState, reconnects, framesPerSec, recordsPerSec, retryInMs } from './model/connection.ts';
import { loadInstruments } from './model/instruments.ts';
import { sessionToken } from './lib/api.ts';
import { TOPICS } from './lib/wire.ts';
import { Home } from './pages/home.tsx';
import { Trading } from './pages/trading.tsx';
import { LiveMarketData } from './pages/live-market-data.tsx';
import { Latency } from './pages/latency.tsx';

const PAGES = [
  { id: 'home', label: 'Home', view: Home },
  { id: 'trading', label: 'Trading', view: Trading },
  { id: 'market', label: 'Live market data', view: LiveMarketData },
  { id: 'latency', label: 'Latency', view: Latency },
] as const;

const route = signal(location.hash.replace(/^#\/?/, '') || 'home');
window.addEventListener('hashchange', () => (route.value = location.hash.replace(/^#\/?/, '') || 'home'));

const connText = computed(() => (connState.value === 'closed' ? `reconnecting in ${(retryInMs.value / 1000).toFixed(1)} s` : connState.value));
const connTone = computed(() => `h-2 w-2 rounded-full ${connState.value === 'open' ? 'bg-emerald-400' : connState.value === 'connecting' ? 'bg-amber-400' : 'bg-rose-500'}`);
const rates = computed(() => `${framesPerSec.value} frames/s · ${recordsPerSec.value} rec/s · reconnects ${reconnects.value}`);

export function App() {
  useWebSocket({
    topics: TOPICS,
    token: () => sessionToken.peek(),
    onOpen: () => void loadInstruments().catch(() => undefined),
  });
  useEffect(() => {
    void loadInstruments().catch(() => undefined);
  }, []);
  const page = PAGES.find((p) => p.id === route.value) ?? PAGES[0];
  const View = page.view;
  return (
    <div class="mx-auto min-h-full max-w-[1600px] px-4 py-3">
      <nav class="mb-3 flex items-center gap-4 border-b border-slate-800 pb-2">
        <span class="text-sm font-bold tracking-wide text-sky-300">QUANTUM&nbsp;HFT <span class="font-normal text-slate-500">paper</span></span>
        {PAGES.map((p) => (
          <a key={p.id} href={`#/${p.id}`} data-testid={`nav-${p.id}`}
            class={`rounded px-2 py-1 text-sm ${p.id === page.id ? 'bg-slate-800 text-white' : 'text-slate-400 hover:text-slate-200'}`}>{p.label}</a>
        ))}
        <div class="ml-auto flex items-center gap-2 text-xs text-slate-400">
          <span class="num hidden lg:inline">{rates}</span>
          <span class={connTone} />
          <span data-testid="conn-state" data-state={connState}>{connText}</span>
          <span data-testid="conn-reconnects" class="hidden">{reconnects}</span>
        </div>
      </nav>
      <main>
        <View />
      </main>
    </div>
  );
}
