/**
 * `npm run bench -- ws [--json PATH] [--rate FRAMES_PER_S] [--burst K] [--seconds S] [--clients 1,10,100]`
 *
 * Fan-out of the monitor's binary frames to N local WebSocket clients:
 * uWebSockets.js pub/sub (`app.publish`, what src/gateway/monitor/server.ts
 * does) vs the `ws` package broadcasting with a per-client `send` (variant
 * `ws`, the baseline), in one run, same frames, same offered rate.
 *
 *   server (this process)                        clients (child process)
 *   MonitorPublisher frame (trades, ~1.1 KB) ──▶  N × ws client: count frames,
 *   stamped with nowUs(), offered at --rate        HDR of (receive − stamp) µs
 *
 * Reported per (variant, N): frames/s delivered (sum over clients), server
 * CPU (process.cpuUsage over the window, this process only: the clients run
 * in a child so they do not bill the server), server CPU µs per delivered
 * frame, p50/p99/p99.9/max delivery latency. Both servers drop rather than
 * buffer beyond 1 MiB per client (uWS maxBackpressure; `bufferedAmount` check
 * for ws), as the monitor does. Cold: a developer tool, ~30 s.
 *
 * Measured (shared 2-core VM, load ~15, 1152-byte frames, 560 frames/s in
 * bursts of 7): server CPU per delivered frame uws / ws = 22.9 / 62.2 µs (N=1),
 * 3.2 / 8.2 µs (N=10), 1.14 / 5.04 µs (N=100: 4.4× cheaper). Throughput is
 * the offered load for both (the client process is the limit here), and p99
 * latency is dominated by the starved client process, not by the servers.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import WebSocket, { WebSocketServer } from 'ws';
import uWS from 'uWebSockets.js';
import { benchArgs, printTable, writeJson, type BenchResult } from './lib/report.ts';
import { MonitorPublisher } from '../src/gateway/monitor/publisher.ts';
import { ScratchClaimer } from '../src/gateway/monitor/testing/fake-engine.ts';
import { encodeTrade, newStageStampSet, readStamp, stampMessage, Stage } from '../src/core/codec/index.ts';
import { TradeTick } from '../src/core/domain/market-events.ts';
import { nowUs } from '../src/core/clock.ts';

const MAX_BACKPRESSURE = 1024 * 1024;
const TOPIC = 'trades';

// ---------------------------------------------------------------- client side
interface ClientCmd {
  cmd: 'connect' | 'start' | 'stop' | 'close';
  url?: string;
  n?: number;
  serverOriginMs?: number;
}

async function clientMain(): Promise<void> {
  let sockets: WebSocket[] = [];
  let hist = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  let frames = 0;
  let counting = false;
  let originShiftMs = 0;
  const onFrame = (data: Buffer) => {
    if (!counting) return;
    frames++;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const sentUs = readStamp(bytes, 8, Stage.Monitor); // first record's payload starts at 8
    const lat = (performance.now() + originShiftMs) * 1000 - sentUs;
    hist.recordValue(Math.max(1, Math.round(lat)));
  };
  process.on('message', async (m: ClientCmd) => {
    if (m.cmd === 'connect') {
      originShiftMs = performance.timeOrigin - m.serverOriginMs!;
      sockets = await Promise.all(Array.from({ length: m.n! }, () => new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(m.url!, { perMessageDeflate: false });
        ws.binaryType = 'nodebuffer';
        ws.on('message', onFrame);
        ws.once('open', () => {
          ws.send(JSON.stringify({ op: 'subscribe', topics: [TOPIC] }));
          resolve(ws);
        });
        ws.once('error', reject);
      })));
      setTimeout(() => process.send!({ ready: true }), 200);
    } else if (m.cmd === 'start') {
      hist.reset();
      frames = 0;
      counting = true;
    } else if (m.cmd === 'stop') {
      counting = false;
      process.send!({ frames, p50: hist.getValueAtPercentile(50), p99: hist.getValueAtPercentile(99), p999: hist.getValueAtPercentile(99.9), max: hist.maxValue, count: hist.totalCount });
    } else if (m.cmd === 'close') {
      for (const s of sockets) s.terminate();
      sockets = [];
      hist = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
      process.send!({ closed: true });
    }
  });
  process.send!({ up: true });
}

if (process.env.QHFT_WS_BENCH_CLIENT === '1') await clientMain();

// ---------------------------------------------------------------- server side
interface FanOut {
  name: string;
  port: number;
  publish(frame: Uint8Array): void;
  clients(): number;
  close(): Promise<void>;
}

async function startUws(): Promise<FanOut> {
  const app = uWS.App();
  let n = 0;
  app.ws('/ws', {
    compression: uWS.DISABLED,
    maxPayloadLength: 16 * 1024,
    maxBackpressure: MAX_BACKPRESSURE,
    closeOnBackpressureLimit: 0, // the bench drops, it does not close
    idleTimeout: 0,
    open: () => void n++,
    close: () => void n--,
    message: (ws, msg) => {
      const m = JSON.parse(Buffer.from(msg.slice(0)).toString()) as { op: string; topics: string[] };
      if (m.op === 'subscribe') for (const t of m.topics) ws.subscribe(t);
    },
  });
  const ls = await new Promise<uWS.us_listen_socket>((res, rej) => app.listen('127.0.0.1', 0, (s) => (s ? res(s) : rej(new Error('uWS listen failed')))));
  return {
    name: 'uWebSockets.js',
    port: uWS.us_socket_local_port(ls as unknown as uWS.us_socket),
    publish: (frame) => void app.publish(TOPIC, frame, true, false),
    clients: () => app.numSubscribers(TOPIC),
    close: async () => uWS.us_listen_socket_close(ls),
  };
}

async function startWs(): Promise<FanOut> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, path: '/ws', perMessageDeflate: false, maxPayload: 16 * 1024 });
  const subscribed = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    ws.on('message', () => subscribed.add(ws));
    ws.on('close', () => subscribed.delete(ws));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as { port: number }).port;
  return {
    name: 'ws',
    port,
    publish: (frame) => {
      for (const ws of subscribed) {
        if (ws.readyState === WebSocket.OPEN && ws.bufferedAmount < MAX_BACKPRESSURE) ws.send(frame, { binary: true });
      }
    },
    clients: () => subscribed.size,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/** One representative monitor frame: a flush of 8 trades through the real publisher. */
function monitorFrame(): Uint8Array {
  const pub = new MonitorPublisher();
  let frame: Uint8Array | null = null;
  pub.attach({ publish: (_t, f) => void (frame = f.slice()), subscribers: () => 1 });
  const t = new TradeTick();
  const st = newStageStampSet();
  const cl = new ScratchClaimer((ty, b, i, l) => pub.offer(ty, b, i, l));
  for (let i = 0; i < 8; i++) {
    t.tradeId = i + 1;
    t.priceTicks = 650_000 + i;
    t.sizeLots = 10;
    encodeTrade(cl, t, st);
  }
  pub.flush();
  return frame!;
}

function ask<T>(child: ChildProcess, msg: ClientCmd, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
    child.send(msg);
  });
}

interface ClientReport { frames: number; p50: number; p99: number; p999: number; max: number; count: number }

async function runOne(child: ChildProcess, server: FanOut, n: number, rate: number, burst: number, seconds: number, frame: Uint8Array): Promise<BenchResult> {
  await ask(child, { cmd: 'connect', url: `ws://127.0.0.1:${server.port}/ws`, n, serverOriginMs: performance.timeOrigin }, 'ready');
  const deadline = Date.now() + 5000;
  while (server.clients() < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (server.clients() < n) throw new Error(`ws bench: only ${server.clients()} of ${n} clients subscribed on ${server.name}`);

  let sent = 0;
  let t0 = performance.now();
  // Frames leave in bursts of `burst`, like a publisher flush that sends one frame per topic.
  const pace = () => {
    const due = Math.floor(((performance.now() - t0) / 1000) * (rate / burst)) * burst;
    for (; sent < due; sent++) {
      const f = frame.slice(); // a fresh buffer per publish: ws may still hold the previous one
      stampMessage(f, 8, Stage.Monitor, nowUs());
      server.publish(f);
    }
  };
  const timer = setInterval(pace, 2);
  await new Promise((r) => setTimeout(r, 700)); // warm-up
  child.send({ cmd: 'start' });
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  const sent0 = sent;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallUs = (performance.now() - w0) * 1000;
  const published = sent - sent0;
  clearInterval(timer);
  const rep = await ask<ClientReport>(child, { cmd: 'stop' }, 'frames');
  await ask(child, { cmd: 'close' }, 'closed');
  t0 = 0;
  const cpuUs = cpu.user + cpu.system;
  const delivered = rep.frames / (wallUs / 1e6);
  return {
    variant: server.name === 'ws' ? 'ws' : 'uws',
    params: { clients: n, frameBytes: frame.length, offeredFramesPerS: rate, burst },
    msgsPerS: Math.round(delivered),
    latencyUs: { p50: rep.p50, p99: rep.p99, p999: rep.p999, max: rep.max, count: rep.count },
    serverCpuPct: Math.round((1000 * cpuUs) / wallUs) / 10,
    serverCpuUsPerDelivery: rep.frames > 0 ? Math.round((100 * cpuUs) / rep.frames) / 100 : null,
    deliveryRatio: Math.round((1000 * rep.frames) / Math.max(1, published * n)) / 1000,
  };
}

export async function run(args: string[]): Promise<void> {
  const { json, flags } = benchArgs(args);
  const rate = Number(flags.get('rate') ?? 560);
  const burst = Number(flags.get('burst') ?? 7);
  const seconds = Number(flags.get('seconds') ?? 3);
  const counts = (flags.get('clients') ?? '1,10,100').split(',').map(Number);
  if (!(rate > 0) || !(seconds > 0) || counts.some((c) => !(c >= 1))) throw new Error(`ws bench: bad --rate ${rate} / --seconds ${seconds} / --clients ${counts}`);
  const frame = monitorFrame();
  console.log(`ws bench: ${frame.length}-byte monitor frames at ${rate} frames/s in bursts of ${burst} (one flush, one frame per topic) to N clients, ${seconds} s per run; clients in a child process`);
  const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, QHFT_WS_BENCH_CLIENT: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise((r) => child.once('message', r));
  const results: BenchResult[] = [];
  try {
    for (const n of counts) {
      for (const start of [startUws, startWs]) {
        const server = await start();
        try {
          const r = await runOne(child, server, n, rate, burst, seconds, frame);
          results.push(r);
          console.log(`  ${r.variant.padEnd(4)} N=${String(n).padStart(3)}: ${r.msgsPerS} frames/s delivered, server CPU ${String(r.serverCpuPct)}%, ${String(r.serverCpuUsPerDelivery)} µs/delivery, p99 ${r.latencyUs!.p99} µs`);
        } finally {
          await server.close();
        }
      }
    }
  } finally {
    child.kill();
  }
  printTable('ws: monitor frame fan-out (uWebSockets.js pub/sub vs ws per-client send)', results);
  console.log('\nserver CPU per delivered frame (lower is better) and ratios ws / uws:');
  const ratios: Record<string, { cpuPerDelivery: number; throughput: number; p99: number }> = {};
  for (const n of counts) {
    const u = results.find((r) => r.variant === 'uws' && r.params.clients === n)!;
    const w = results.find((r) => r.variant === 'ws' && r.params.clients === n)!;
    const cpu = (w.serverCpuUsPerDelivery as number) / (u.serverCpuUsPerDelivery as number);
    const thr = u.msgsPerS! / w.msgsPerS!;
    const p99 = w.latencyUs!.p99 / u.latencyUs!.p99;
    ratios[`N=${n}`] = { cpuPerDelivery: Math.round(cpu * 100) / 100, throughput: Math.round(thr * 100) / 100, p99: Math.round(p99 * 100) / 100 };
    console.log(`  N=${String(n).padStart(3)}  uws ${String(u.serverCpuUsPerDelivery).padStart(6)} µs  ws ${String(w.serverCpuUsPerDelivery).padStart(6)} µs  → uWS is ${cpu.toFixed(2)}× cheaper per delivery; throughput ×${thr.toFixed(2)}; p99 ws/uws ×${p99.toFixed(2)}`);
  }
  writeJson(json, 'ws', results, { ratiosWsOverUws: ratios });
}
