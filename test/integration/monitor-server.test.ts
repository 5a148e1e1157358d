// The monitor server for real: uWebSockets.js on a random 127.0.0.1 port, a
// fixed in-test EngineView (FakeEngineView), `ws` and fetch as clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import WebSocket from 'ws';
import { startMonitorServer, splitRecords, MonitorMsgType, type MonitorServer } from '../../src/gateway/monitor/index.ts';
import { FakeEngineView, FakeMarketDriver, ScratchClaimer } from '../../src/gateway/monitor/testing/fake-engine.ts';
import { MsgType, encodeTrade, newStageStampSet } from '../../src/core/codec/index.ts';
import { TradeTick } from '../../src/core/domain/market-events.ts';
import * as wire from '../../src/core/codec/generated/index.ts';
import { ByteBuffer } from 'flatbuffers';

const dir = mkdtempSync(join(tmpdir(), 'qhft-monitor-'));
const tokenFile = join(dir, 'secret', 'monitor-token');
const staticDir = join(dir, 'dist');
mkdirSync(join(staticDir, 'assets'), { recursive: true });
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>qhft</title><div id="app"></div>');
writeFileSync(join(staticDir, 'assets', 'app-123.js'), 'console.log("ui");\n'.repeat(100));

let view: FakeEngineView;
let srv: MonitorServer;
let token: string;
const logs: string[] = [];

beforeAll(async () => {
  view = new FakeEngineView();
  srv = await startMonitorServer({ port: 0, tokenFile, staticDir, snapshotIntervalMs: 200, log: (l) => logs.push(l) }, view);
  token = readFileSync(tokenFile, 'utf8').trim();
});

afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

const api = (path: string, init: RequestInit = {}) => fetch(srv.url + path, init);
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  api(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field below
const body = (r: Response): Promise<any> => r.json();
const bearer = () => ({ authorization: `Bearer ${token}` });

interface Client {
  ws: WebSocket;
  texts: Record<string, unknown>[];
  frames: { topicTypes: number[]; at: number; bytes: Uint8Array }[];
  closed: Promise<{ code: number; reason: string }>;
}

function connect(url: string, opts: WebSocket.ClientOptions & { protocols?: string[] } = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols ?? [], { origin: srv.url, ...opts });
    const c: Client = {
      ws, texts: [], frames: [],
      closed: new Promise((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() }))),
    };
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) c.texts.push(JSON.parse(data.toString()));
      else {
        const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        c.frames.push({ topicTypes: splitRecords(bytes).map((r) => r.msgTypeId), at: Date.now(), bytes });
      }
    });
    ws.once('open', () => resolve(c));
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

const wsUrl = () => `ws://127.0.0.1:${srv.port}/ws`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('token file', () => {
  it('is created with mode 0600, holds 256 random bits, and is printed once', async () => {
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(logs.filter((l) => l.includes(token))).toHaveLength(1);
    const again = await startMonitorServer({ port: 0, tokenFile, staticDir, snapshotIntervalMs: 0, log: (l) => logs.push(l) }, view);
    await again.close();
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    expect(logs.filter((l) => l.includes(token))).toHaveLength(1);
  });
});

describe('HTTP API', () => {
  it('answers every read endpoint with JSON', async () => {
    const health = await api('/api/health');
    expect(health.status).toBe(200);
    expect(await body(health)).toMatchObject({ ok: true, state: 'running' });
    const s = await body(await api('/api/summary'));
    for (const k of ['source', 'durationS', 'events', 'orders', 'fills', 'pnl', 'lost', 'fillsHash', 'latencyUs']) expect(s).toHaveProperty(k);
    expect(s.latencyUs.tickToTrade).toHaveProperty('p999');
    expect(await body(await api('/api/instruments'))).toHaveLength(2);
    expect(await body(await api('/api/positions'))).toHaveLength(2);
    expect(Array.isArray(await body(await api('/api/orders')))).toBe(true);
    view.fills.push(...Array.from({ length: 8 }, (_, i) => ({ fillId: i + 1, clientOrderId: i, instrumentId: 0, side: 'buy' as const, priceTicks: 1, sizeLots: 1, liquidity: 'taker' as const, feeQuote: 0, tsUs: i })));
    const fills = await body(await api('/api/fills?limit=5'));
    expect(fills).toHaveLength(5);
    expect(fills[0].fillId).toBe(8);
    expect(Array.isArray(await body(await api('/api/signals?limit=3')))).toBe(true);
    expect(await body(await api('/api/risk'))).toMatchObject({ tradingState: 'ACTIVE', killLatched: false });
    expect(await body(await api('/api/latency'))).toHaveProperty('tickToTrade');
    const rt = await body(await api('/api/runtime'));
    expect(rt).toHaveProperty('rings');
    expect(rt.monitor).toHaveProperty('errors');
    expect(await body(await api('/api/history'))).toEqual({ configured: false, runs: [] });
  });

  it('reports 503 on /api/health when the engine is not healthy', async () => {
    view.failWith = 'stage risk missed heartbeats';
    const r = await api('/api/health');
    view.failWith = null;
    expect(r.status).toBe(503);
    expect((await body(r)).problems).toEqual(['stage risk missed heartbeats']);
  });

  it('rejects unknown routes, wrong methods, bad params, foreign Origin and Host with JSON errors', async () => {
    const nf = await api('/api/nope');
    expect(nf.status).toBe(404);
    expect((await body(nf)).error).toMatch(/no API route \/api\/nope/);
    const m1 = await api('/api/kill', { method: 'DELETE' });
    expect(m1.status).toBe(405);
    expect(m1.headers.get('allow')).toBe('POST');
    expect((await body(m1)).error).toMatch(/method DELETE not allowed on \/api\/kill; use POST/);
    const m2 = await api('/api/summary', { method: 'POST', body: '{}' });
    expect(m2.status).toBe(405);
    expect((await body(m2)).error).toMatch(/method POST/);
    const bad = await api('/api/fills?limit=abc');
    expect(bad.status).toBe(400);
    expect((await body(bad)).error).toMatch(/limit must be an integer/);
    const evil = await api('/api/summary', { headers: { origin: 'http://evil.example' } });
    expect(evil.status).toBe(403);
    expect((await body(evil)).error).toMatch(/Origin/);
    // fetch cannot set Host: a raw request plays the DNS-rebinding page
    const rebound = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: srv.port, path: '/api/summary', headers: { host: 'attacker.example:8080' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(rebound).toBe(403);
  });

  it('requires the token for kill and re-arm: 401 without, 403 with a wrong one', async () => {
    const none = await post('/api/kill', '{"reason":"test"}');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect((await body(none)).error).toMatch(/token required.*Authorization: Bearer/);
    const wrong = await post('/api/kill', '{"reason":"test"}', { authorization: `Bearer ${'0'.repeat(64)}` });
    expect(wrong.status).toBe(403);
    expect((await body(wrong)).error).toBe('invalid token');
    const rearm = await post('/api/rearm', '{"reason":"x"}');
    expect(rearm.status).toBe(401);
    expect(view.killCalls).toHaveLength(0);
  });

  it('names the problem in a bad JSON or schema body (400) and an oversized body (413)', async () => {
    const badJson = await post('/api/kill', '{"reason":', bearer());
    expect(badJson.status).toBe(400);
    expect((await body(badJson)).error).toMatch(/^bad JSON body: /);
    const noReason = await post('/api/kill', '{"why":"x"}', bearer());
    expect(noReason.status).toBe(400);
    expect((await body(noReason)).error).toMatch(/unexpected field\(s\): why/);
    const notString = await post('/api/kill', '{"reason":42}', bearer());
    expect((await body(notString)).error).toMatch(/"reason" must be a string/);
    const big = await post('/api/kill', JSON.stringify({ reason: 'x'.repeat(10_000) }), bearer());
    expect(big.status).toBe(413);
    const type = await api('/api/kill', { method: 'POST', body: 'reason=x', headers: { 'content-type': 'text/plain', ...bearer() } });
    expect(type.status).toBe(415);
    expect(view.killCalls).toHaveLength(0);
  });

  it('kills and re-arms through the view with the token, visible in /api/summary', async () => {
    const k = await post('/api/kill', '{"reason":"integration test"}', bearer());
    expect(k.status).toBe(200);
    expect(await body(k)).toMatchObject({ tradingState: 'HALTED', killLatched: true });
    expect(view.killCalls).toEqual(['integration test']);
    expect((await body(await api('/api/summary'))).killSwitch).toBe(true);
    const r = await post('/api/rearm', '{"reason":"human checked"}', bearer());
    expect(r.status).toBe(200);
    expect((await body(r)).tradingState).toBe('ACTIVE');
    const again = await post('/api/rearm', '{"reason":"twice"}', bearer());
    expect(again.status).toBe(409);
    expect((await body(again)).error).toMatch(/re-arm failed: not halted/);
  });

  it('serves the UI with content types, gzip and an SPA fallback', async () => {
    const index = await api('/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const js = await api('/assets/app-123.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(js.headers.get('content-type')).toMatch(/text\/javascript/);
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(await js.text()).toContain('console.log');
    const spa = await api('/trading');
    expect(spa.status).toBe(200);
    expect(await spa.text()).toContain('<div id="app">');
    expect((await api('/missing.js')).status).toBe(404);
    expect((await api('/', { method: 'PUT' })).status).toBe(405);
  });

  it('counts every error by reason', () => {
    const e = srv.stats().errors;
    for (const k of ['http.404', 'http.405', 'http.400.json', 'http.400.schema', 'http.401', 'http.403.token', 'http.403.origin', 'http.403.host', 'http.413', 'http.415']) {
      expect(e[k], k).toBeGreaterThan(0);
    }
  });
});

describe('WebSocket /ws', () => {
  it('rejects a foreign or missing Origin with 403 at the upgrade', async () => {
    await expect(connect(wsUrl(), { origin: 'http://evil.example' })).rejects.toMatchObject({ status: 403 });
    await expect(connect(wsUrl(), { origin: undefined, headers: {} })).rejects.toMatchObject({ status: 403 });
    expect(srv.stats().errors['ws.origin']).toBeGreaterThanOrEqual(2);
  });

  it('speaks the subscribe protocol and rejects anything else, counted', async () => {
    const c = await connect(wsUrl());
    await sleep(50);
    expect(c.texts[0]).toMatchObject({ type: 'hello', authenticated: true });
    c.ws.send(JSON.stringify({ op: 'subscribe', topics: ['trades', 'book'] }));
    c.ws.send(JSON.stringify({ op: 'subscribe', topics: ['nope'] }));
    c.ws.send('not json');
    c.ws.send(JSON.stringify({ op: 'subscribe', topics: ['book'], extra: 1 }));
    c.ws.send(JSON.stringify({ op: 'delete' }));
    c.ws.send(Buffer.from([1, 2, 3]));
    await sleep(100);
    expect(c.texts[1]).toEqual({ type: 'subscribed', topics: ['trades', 'book'] });
    const errs = c.texts.filter((t) => t.type === 'error').map((t) => t.error);
    expect(errs).toHaveLength(5);
    expect(errs[0]).toMatch(/unknown topic "nope"/);
    expect(errs[1]).toMatch(/bad JSON/);
    expect(errs[3]).toMatch(/unknown op "delete"/);
    expect(errs[4]).toMatch(/binary control messages/);
    expect(srv.stats().errors['ws.badMessage']).toBeGreaterThanOrEqual(5);
    c.ws.close();
  });

  it('closes an oversized message (> 16 KiB) and a flooding client', async () => {
    const big = await connect(wsUrl());
    big.ws.send('x'.repeat(20 * 1024));
    expect((await big.closed).code).toBe(1006);
    const flood = await connect(wsUrl());
    for (let i = 0; i < 200; i++) flood.ws.send('{"op":"subscribe","topics":["book"]}');
    const c = await flood.closed;
    expect(c.code).toBe(1008);
    expect(c.reason).toBe('rate limit exceeded');
    await sleep(50);
    expect(srv.stats().errors['ws.oversize']).toBe(1);
    expect(srv.stats().errors['ws.rateLimit']).toBe(1);
  });

  it('delivers binary record batches per topic, with book coalesced at the flush rate', async () => {
    const driver = new FakeMarketDriver(view, srv.publisher, { ratePerS: 3000, seed: 7 });
    const c = await connect(wsUrl());
    c.ws.send(JSON.stringify({ op: 'subscribe', topics: ['book', 'trades', 'latency', 'positions', 'health'] }));
    await sleep(100);
    const t0 = Date.now();
    driver.start();
    await sleep(2000);
    driver.stop();
    const seconds = (Date.now() - t0) / 1000;
    c.ws.close();
    const bookFrames = c.frames.filter((f) => f.topicTypes.includes(MsgType.BookDeltas));
    const tradeFrames = c.frames.filter((f) => f.topicTypes.includes(MsgType.Trade));
    // 10 Hz flush: at most ~rate frames per second per topic (+ the subscribe snapshot and timer jitter)
    expect(bookFrames.length).toBeGreaterThanOrEqual(8);
    expect(bookFrames.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 3);
    // coalesced: at most one record per (type, instrument) per frame, ~1500 book updates sent in ≤ 23 frames
    for (const f of bookFrames) {
      expect(f.topicTypes.every((t) => [MsgType.BookDeltas, MsgType.MarkPrice, MsgType.FundingRate].includes(t))).toBe(true);
      expect(f.topicTypes.filter((t) => t === MsgType.BookDeltas).length).toBeLessThanOrEqual(2);
    }
    // batched: every trade arrives, in frames that hold only trades
    const trades = tradeFrames.reduce((n, f) => n + f.topicTypes.length, 0);
    expect(tradeFrames.every((f) => f.topicTypes.every((t) => t === MsgType.Trade))).toBe(true);
    expect(trades).toBeGreaterThan(1000);
    expect(tradeFrames.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 3);
    // the monitor's own snapshots arrive on their topics and decode with the generated readers
    const lat = c.frames.find((f) => f.topicTypes.includes(MonitorMsgType.LatencySnapshot));
    expect(lat).toBeDefined();
    const rec = splitRecords(lat!.bytes).find((r) => r.msgTypeId === MonitorMsgType.LatencySnapshot)!;
    const bb = new ByteBuffer(lat!.bytes);
    bb.setPosition(rec.index);
    const snap = wire.LatencySnapshot.getRootAsLatencySnapshot(bb);
    const names = Array.from({ length: snap.seriesLength() }, (_, i) => snap.series(i)!.name());
    expect(names).toContain('tickToTrade');
    expect(c.frames.some((f) => f.topicTypes.includes(MonitorMsgType.SummarySnapshot))).toBe(true);
    expect(c.frames.some((f) => f.topicTypes.includes(MonitorMsgType.RuntimeSnapshot))).toBe(true);
    // records are 8-aligned and carry the monitor stamp
    const tf = tradeFrames[0]!;
    const r0 = splitRecords(tf.bytes)[0]!;
    expect(r0.index % 8).toBe(0);
    const bb2 = new ByteBuffer(tf.bytes);
    bb2.setPosition(r0.index);
    expect(wire.Trade.getRootAsTrade(bb2).stamps()!.monitorUs()).toBeGreaterThan(0);
  });

  it('closes a slow client at the backpressure limit; server buffers stay bounded', async () => {
    const slowSrv = await startMonitorServer({
      port: 0, tokenFile, staticDir: null, snapshotIntervalMs: 0, log: () => {},
      limits: { maxBackpressure: 256 * 1024 }, publisherOptions: { batchCapRecords: 8192, batchCapBytes: 2 << 20 },
    }, view);
    const fast = new WebSocket(`ws://127.0.0.1:${slowSrv.port}/ws`, { origin: slowSrv.url });
    const slow = new WebSocket(`ws://127.0.0.1:${slowSrv.port}/ws`, { origin: slowSrv.url });
    await Promise.all([fast, slow].map((w) => new Promise((r) => w.once('open', r))));
    let fastBytes = 0;
    fast.on('message', (d: Buffer) => (fastBytes += d.length));
    for (const w of [fast, slow]) w.send(JSON.stringify({ op: 'subscribe', topics: ['trades'] }));
    await sleep(100);
    // stop reading on the slow client: the kernel buffers fill, then uWS's
    (slow as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const t = new TradeTick();
    const st = newStageStampSet();
    const cl = new ScratchClaimer((ty, b, i, l) => slowSrv.publisher.offer(ty, b, i, l));
    const rss0 = process.memoryUsage().rss;
    let maxBuffered = 0;
    const pump = setInterval(() => {
      for (let i = 0; i < 700; i++) {
        t.tradeId++;
        encodeTrade(cl, t, st);
      }
      maxBuffered = Math.max(maxBuffered, slowSrv.stats().maxBufferedBytes);
    }, 10);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !(slowSrv.stats().errors['ws.backpressure'] >= 1)) await sleep(100);
    await sleep(500);
    clearInterval(pump);
    const stats = slowSrv.stats();
    const rssGrowth = process.memoryUsage().rss - rss0;
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    fast.close();
    await slowSrv.close();
    expect(stats.errors['ws.backpressure']).toBe(1);
    expect(stats.connections).toBe(1); // the fast client is still there
    expect(fastBytes).toBeGreaterThan(1_000_000); // and kept receiving
    // uWS holds at most maxBackpressure + one frame per socket
    expect(maxBuffered).toBeLessThan(256 * 1024 + 2 * 1024 * 1024);
    expect(rssGrowth).toBeLessThan(64 * 1024 * 1024);
  });

  it('caps connections', async () => {
    const capSrv = await startMonitorServer({ port: 0, tokenFile, staticDir: null, snapshotIntervalMs: 0, log: () => {}, limits: { maxConnections: 2 } }, view);
    const open = (o = capSrv.url) => new Promise<number>((resolve) => {
      const w = new WebSocket(`ws://127.0.0.1:${capSrv.port}/ws`, { origin: o });
      w.once('open', () => resolve(101));
      w.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    });
    expect(await open()).toBe(101);
    expect(await open()).toBe(101);
    expect(await open()).toBe(503);
    expect(capSrv.stats().errors['ws.connectionCap']).toBe(1);
    await capSrv.close();
  });
});

describe('non-localhost clients (trustLocalhost: false)', () => {
  let remote: MonitorServer;
  beforeAll(async () => {
    remote = await startMonitorServer({ port: 0, tokenFile, staticDir: null, snapshotIntervalMs: 0, log: () => {}, trustLocalhost: false, limits: { authTimeoutMs: 300 } }, view);
  });
  afterAll(() => remote.close());

  it('need the token for reads', async () => {
    const r = await fetch(`${remote.url}/api/summary`);
    expect(r.status).toBe(401);
    expect((await body(r)).error).toMatch(/non-localhost clients/);
    const ok = await fetch(`${remote.url}/api/summary`, { headers: bearer() });
    expect(ok.status).toBe(200);
  });

  it('authenticate a socket by subprotocol or a first auth message, never by query string', async () => {
    const url = `ws://127.0.0.1:${remote.port}/ws`;
    const byProto = new WebSocket(url, ['qhft.v1', `bearer.${token}`], { origin: remote.url });
    const hello = await new Promise<Record<string, unknown>>((r) => byProto.once('message', (d) => r(JSON.parse(d.toString()))));
    expect(byProto.protocol).toBe('qhft.v1');
    expect(hello.authenticated).toBe(true);
    byProto.close();

    const badProto = new WebSocket(url, ['qhft.v1', `bearer.${'1'.repeat(64)}`], { origin: remote.url });
    expect(await new Promise((r) => badProto.once('unexpected-response', (_q, res) => r(res.statusCode)))).toBe(403);

    const byMsg = new WebSocket(`${url}?token=${token}`, { origin: remote.url });
    const msgs: Record<string, unknown>[] = [];
    byMsg.on('message', (d) => msgs.push(JSON.parse(d.toString())));
    await new Promise((r) => byMsg.once('open', r));
    byMsg.send(JSON.stringify({ op: 'subscribe', topics: ['book'] }));
    const closed = await new Promise<number>((r) => byMsg.once('close', (code) => r(code)));
    expect(msgs[0]).toMatchObject({ type: 'hello', authenticated: false });
    expect(closed).toBe(4401); // the query-string token was ignored

    const auth = new WebSocket(url, { origin: remote.url });
    const got: Record<string, unknown>[] = [];
    auth.on('message', (d) => got.push(JSON.parse(d.toString())));
    await new Promise((r) => auth.once('open', r));
    auth.send(JSON.stringify({ op: 'auth', token }));
    auth.send(JSON.stringify({ op: 'subscribe', topics: ['book'] }));
    await sleep(100);
    expect(got.map((g) => g.type)).toEqual(['hello', 'authenticated', 'subscribed']);
    auth.close();

    const silent = new WebSocket(url, { origin: remote.url });
    expect(await new Promise<number>((r) => silent.once('close', (code) => r(code)))).toBe(4401);
    expect(remote.stats().errors['ws.authTimeout']).toBe(1);
  });
});
