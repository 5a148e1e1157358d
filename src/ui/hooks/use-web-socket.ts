/**
 * useWebSocket: the UI's one connection to the monitor's /ws.
 *
 * Role: opens `ws(s)://<page host>/ws` (offering the `qhft.v1` subprotocol,
 * plus `bearer.<token>` when the user gave a token), sends the subscribe
 * control message, queues every binary frame and decodes the queue ONCE per
 * animation frame inside a signals `batch()` (model/dispatch.ts), so a burst
 * of frames costs one render; reconnects with exponential backoff and full
 * jitter (250 ms doubling to 5 s); exposes the connection state as signals
 * (model/connection.ts). Browser main thread; mount it once (App).
 *
 * Mentor's Corner. Ideal: a trading-floor GUI reads a multicast telemetry
 * feed through a native client that renders at the display's refresh rate
 * with zero-copy structs. We read FlatBuffers records in place with the
 * generated readers (no JSON parse), drop straight into fixed signal cells
 * (no virtual-DOM diff for the hot cells), and draw at most once per
 * animation frame: the server already coalesces to 10 Hz, so a 1,000
 * updates/s burst is ~10 small decodes per second here, not 1,000 renders
 * (the browser test checks no long task > 50 ms under that load).
 */
import { useEffect } from 'preact/hooks';
import { batch } from '@preact/signals';
import { applyFrame, publishFrame } from '../model/dispatch.ts';
import { connState, framesPerSec, reconnects, recordsPerSec, retryInMs, serverError } from '../model/connection.ts';
import type { Topic } from '../lib/wire.ts';

export interface WebSocketOptions {
  topics: readonly Topic[];
  /** Token for a non-localhost page (sent as the bearer.<token> subprotocol). */
  token?: () => string;
  /** Called after every (re)connection (e.g. to reload REST state). */
  onOpen?: () => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export function useWebSocket(options: WebSocketOptions): void {
  useEffect(() => {
    let ws: WebSocket | null = null;
    let stopped = false;
    let attempt = 0;
    let everOpened = false;
    let retryTimer = 0;
    let raf = 0;
    let frames = 0;
    let records = 0;
    let queue: ArrayBuffer[] = [];
    const base = options.baseDelayMs ?? 250;
    const cap = options.maxDelayMs ?? 5000;

    const flush = () => {
      raf = 0;
      const q = queue;
      queue = [];
      batch(() => {
        for (const f of q) records += applyFrame(f);
        publishFrame();
      });
    };

    const rates = window.setInterval(() => {
      framesPerSec.value = frames;
      recordsPerSec.value = records;
      frames = records = 0;
    }, 1000);

    const connect = () => {
      if (stopped) return;
      connState.value = 'connecting';
      const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
      const token = options.token?.() ?? '';
      const protocols = token ? ['qhft.v1', `bearer.${token}`] : ['qhft.v1'];
      const sock = new WebSocket(`${scheme}//${location.host}/ws`, protocols);
      sock.binaryType = 'arraybuffer';
      ws = sock;
      sock.onopen = () => {
        if (everOpened) reconnects.value++;
        everOpened = true;
        attempt = 0;
        retryInMs.value = 0;
        connState.value = 'open';
        sock.send(JSON.stringify({ op: 'subscribe', topics: options.topics }));
        options.onOpen?.();
      };
      sock.onmessage = (ev: MessageEvent) => {
        if (typeof ev.data === 'string') {
          try {
            const m = JSON.parse(ev.data) as { type?: string; error?: string };
            if (m.type === 'error') serverError.value = m.error ?? 'error';
          } catch {
            serverError.value = 'unreadable control message';
          }
          return;
        }
        frames++;
        queue.push(ev.data as ArrayBuffer);
        if (raf === 0) raf = requestAnimationFrame(flush);
      };
      sock.onclose = () => {
        if (ws === sock) ws = null;
        if (stopped) return;
        connState.value = 'closed';
        // exponential backoff with jitter: half fixed, half random (never a synchronized herd)
        const d = Math.min(cap, base * 2 ** attempt);
        const delay = Math.round(d / 2 + (Math.random() * d) / 2);
        attempt = Math.min(attempt + 1, 10);
        retryInMs.value = delay;
        retryTimer = window.setTimeout(connect, delay);
      };
      sock.onerror = () => {
        // onclose follows and schedules the retry
      };
    };

    connect();
    return () => {
      stopped = true;
      window.clearTimeout(retryTimer);
      window.clearInterval(rates);
      if (raf) cancelAnimationFrame(raf);
      ws?.close();
    };
  }, []); // mount once: the options are read at connect time
}
