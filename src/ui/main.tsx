/**
 * Entry of the monitor UI (Preact + Tailwind, built by scripts/build-ui.mjs).
 * Browser main thread; everything live flows from the one WebSocket opened
 * by useWebSocket (hooks/) into the signals of model/.
 */
import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { App } from './app.tsx';

render(<App />, document.getElementById('app')!);
