/**
 * A local OKX v5 server for tests, benchmarks and demos: WebSocket public
 * channels + the REST calls ccxt and UnifiedExchange make, on 127.0.0.1.
 *
 * Speaks the real protocol, shaped like fixtures/okx:
 * - `{"op":"subscribe"|"unsubscribe","args":[{channel,instId}|{channel,instType}]}`
 *   → one ack per arg (`{"id"?, "event":"subscribe","arg":{...},"connId"}`),
 *   60012 for an invalid request, 60018 for an unknown channel/instrument;
 * - text `ping` → `pong`; a connection that sends nothing for `idleTimeoutMs`
 *   (OKX: 30 s) is closed with 4004;
 * - `books`: snapshot on subscribe (prevSeqId -1) then updates with
 *   continuous prevSeqId/seqId; `books5`, `bbo-tbt`, `trades`, `tickers`,
 *   `mark-price`, `funding-rate`, `liquidation-orders` (by instType);
 * - REST: `/api/v5/public/instruments`, `/public/time`, `/market/books`,
 *   signed private `/trade/order`, `/trade/batch-orders`, `/trade/cancel-order`,
 *   `/account/balance`, `/asset/currencies` (demo: needs `x-simulated-trading: 1`).
 * Faults on command (`inject`): sequence gap, duplicate, out-of-order,
 * malformed JSON, dropped connection, stall, notice (64008), error event.
 * Data are seeded (MarketModel); `tick()` advances the market by one step,
 * `autoTickMs` does it on a timer.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { MarketModel, Mulberry32, type MockInstrument } from './market-model.ts';

/** Verbatim copy of the shared fixtures/okx (see fixtures/SOURCES.md), so the repo is self-contained. */
const FIXTURES = new URL('./fixtures/', import.meta.url);

/** Path of an OKX fixture file (test/support/okx-mock/fixtures, or the folder in QHFT_OKX_FIXTURES). */
export function okxFixturePath(name: string): string {
  const dir = process.env.QHFT_OKX_FIXTURES;
  return dir ? `${dir.replace(/\/$/, '')}/${name}` : new URL(name, FIXTURES).pathname;
}

export function loadOkxFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(okxFixturePath(name), 'utf8')) as T;
}

export type OkxMockFault =
  /** The next `books` update (of instId, or any) is not sent; the book and seqId still advance. */
  | { type: 'gap'; instId?: string }
  /** The next `books` update is sent twice. */
  | { type: 'duplicate'; instId?: string }
  /** The next `books` update is held back and sent after the one that follows it. */
  | { type: 'out-of-order'; instId?: string }
  /** Sends a broken frame to every connection now (default: truncated JSON). */
  | { type: 'malformed'; text?: string }
  /** Destroys every connection's socket (no close frame), like a network drop. */
  | { type: 'drop' }
  /** Sends nothing at all (data, acks, pongs) for `ms`; frames produced meanwhile are lost. */
  | { type: 'stall'; ms: number }
  /** Sends the 64008 service-upgrade notice; closes the connections after `closeAfterMs` if given. */
  | { type: 'notice'; closeAfterMs?: number }
  /** Sends an error event (default 60018 "doesn't exist"). */
  | { type: 'error'; code?: string; msg?: string };

export interface OkxMockOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  /** Seed of the market model (default 1). */
  seed?: number;
  /** Close a connection after this long without a client message (OKX: 30000). Default 30000. */
  idleTimeoutMs?: number;
  /** Instruments served (REST and WS); default fixtures/okx/rest_public_instruments_swap.json. */
  instruments?: MockInstrument[];
  /** Levels per side in `books` (default 400). */
  bookDepth?: number;
  /** Advance the market every N ms (0 = only when `tick()` is called). Default 0. */
  autoTickMs?: number;
  /** Send a `books` snapshot right after the subscribe ack (OKX does). Default true. */
  snapshotOnSubscribe?: boolean;
  /** Clock for `ts` fields (default Date.now). */
  nowMs?: () => number;
  /** Private REST requires `x-simulated-trading: 1` (an OKX demo key). Default true. */
  demoOnly?: boolean;
  /** When set, private REST requests must be signed with these credentials. */
  credentials?: { apiKey: string; secret: string; passphrase: string };
  /** Log connections and faults to stderr. */
  verbose?: boolean;
}

export interface OkxMockRestRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface OkxMockConnection {
  connId: string;
  path: string;
  /** Subscriptions as `channel:instId` (or `channel:instType` for liquidation-orders). */
  subscriptions: Set<string>;
  pings: number;
  received: string[];
}

export interface OkxMockServer {
  /** `ws://127.0.0.1:PORT/ws/v5/public` (what `--okx-ws-url` takes). */
  wsUrl: string;
  /** `ws://127.0.0.1:PORT/ws/v5` (what ccxt's `urls.api.ws` takes). */
  wsBaseUrl: string;
  /** `http://127.0.0.1:PORT`. */
  restUrl: string;
  port: number;
  model: MarketModel;
  inject(fault: OkxMockFault): void;
  /**
   * Sends a data frame to the subscribers of `channel`/`instId` (for
   * liquidation-orders: of instType `instId`, e.g. 'SWAP'). `payload`: a
   * string (sent raw), a whole frame (has `arg`: sent as is), or the `data`
   * entry/entries to wrap (books: `action` 'update' unless payload.action).
   * Returns the number of connections it went to.
   */
  push(channel: string, instId: string, payload: unknown): number;
  /** Sends raw text to every open connection. */
  broadcast(text: string): number;
  /** Advances the market `n` steps, sending frames to subscribers. */
  tick(n?: number): void;
  /** Open connections (live view). */
  connections(): OkxMockConnection[];
  /** Resolves once `pred` holds (polled every 10 ms), rejects after `timeoutMs`. */
  waitFor(pred: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Total number of subscribe args received, per `channel:instId`. */
  subscribeCounts: Map<string, number>;
  restRequests: OkxMockRestRequest[];
  /** Connections accepted since start. */
  connectionCount(): number;
  close(): Promise<void>;
}

interface Conn extends OkxMockConnection {
  ws: WebSocket;
  idle: NodeJS.Timeout | undefined;
}

const DEMO_TAG = 'okx-mock';

export async function startOkxMockServer(opts: OkxMockOptions = {}): Promise<OkxMockServer> {
  const instruments: MockInstrument[] =
    opts.instruments ?? loadOkxFixture<{ data: MockInstrument[] }>('rest_public_instruments_swap.json').data;
  const model = new MarketModel({ instruments, seed: opts.seed ?? 1, bookDepth: opts.bookDepth ?? 400 });
  const idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
  const nowMs = opts.nowMs ?? Date.now;
  const snapshotOnSubscribe = opts.snapshotOnSubscribe ?? true;
  const demoOnly = opts.demoOnly ?? true;
  const connRng = new Mulberry32((opts.seed ?? 1) ^ 0x5bd1e995);
  const log = opts.verbose ? (m: string) => process.stderr.write(`[okx-mock] ${m}\n`) : () => {};

  const conns = new Set<Conn>();
  const sockets = new Set<Socket>();
  let accepted = 0;
  let stalledUntil = 0;
  const bookFaults: OkxMockFault[] = [];
  const heldBack = new Map<string, string>();
  const subscribeCounts = new Map<string, number>();
  const restRequests: OkxMockRestRequest[] = [];
  let orderSeq = 1;

  const stalled = () => nowMs() < stalledUntil;
  const sendTo = (c: Conn, text: string): boolean => {
    if (stalled() || c.ws.readyState !== WebSocket.OPEN) return false;
    c.ws.send(text);
    return true;
  };
  const subscribers = (key: string): Conn[] => [...conns].filter((c) => c.subscriptions.has(key));

  // ----------------------------------------------------------------- WS side

  function armIdle(c: Conn): void {
    if (c.idle) clearTimeout(c.idle);
    c.idle = setTimeout(() => {
      log(`${c.connId}: idle ${idleTimeoutMs} ms, closing`);
      c.ws.close(4004, 'No data received in 30s.');
    }, idleTimeoutMs);
    c.idle.unref();
  }

  function ack(c: Conn, event: 'subscribe' | 'unsubscribe', arg: Record<string, unknown>, id: unknown): void {
    const m: Record<string, unknown> = {};
    if (id !== undefined) m.id = id;
    m.event = event;
    m.arg = arg;
    m.connId = c.connId;
    sendTo(c, JSON.stringify(m));
  }

  function error(c: Conn, code: string, msg: string, id: unknown): void {
    const m: Record<string, unknown> = {};
    if (id !== undefined) m.id = id;
    m.event = 'error';
    m.code = code;
    m.msg = msg;
    m.connId = c.connId;
    sendTo(c, JSON.stringify(m));
  }

  const INST_CHANNELS = new Set(['books', 'books5', 'bbo-tbt', 'trades', 'tickers', 'mark-price', 'funding-rate']);

  function onClientMessage(c: Conn, text: string): void {
    armIdle(c);
    c.received.push(text);
    if (c.received.length > 1000) c.received.shift();
    if (text === 'ping') {
      c.pings++;
      sendTo(c, 'pong');
      return;
    }
    let req: { id?: unknown; op?: unknown; args?: unknown };
    try {
      req = JSON.parse(text) as typeof req;
    } catch {
      error(c, '60012', `Invalid request: ${text}`, undefined);
      return;
    }
    const { id, op, args } = req ?? {};
    if ((op !== 'subscribe' && op !== 'unsubscribe') || !Array.isArray(args) || args.length === 0) {
      error(c, '60012', `Invalid request: ${text}`, id);
      return;
    }
    for (const a of args as Record<string, unknown>[]) {
      const channel = a?.channel;
      const key =
        channel === 'liquidation-orders' ? `${channel}:${String(a.instType)}` : `${String(channel)}:${String(a?.instId)}`;
      const validInst = typeof a?.instId === 'string' && model.model(a.instId) !== undefined;
      const valid =
        (channel === 'liquidation-orders' && typeof a.instType === 'string' && ['SWAP', 'FUTURES', 'OPTION', 'MARGIN'].includes(a.instType)) ||
        (typeof channel === 'string' && INST_CHANNELS.has(channel) && validInst);
      if (!valid) {
        error(c, '60018', `Wrong URL or channel:${String(channel)},instId:${String(a?.instId ?? a?.instType)} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`, id);
        continue;
      }
      if (op === 'subscribe') {
        c.subscriptions.add(key);
        subscribeCounts.set(key, (subscribeCounts.get(key) ?? 0) + 1);
        ack(c, 'subscribe', a, id);
        if (snapshotOnSubscribe && (channel === 'books' || channel === 'books5' || channel === 'bbo-tbt')) {
          sendTo(c, model.bookSnapshotFrame(channel, a.instId as string, nowMs()));
        }
      } else {
        c.subscriptions.delete(key);
        ack(c, 'unsubscribe', a, id);
      }
    }
  }

  const httpServer: Server = createServer((req, res) => {
    handleRest(req, res).catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: '50000', msg: String((e as Error).message) }));
    });
  });
  httpServer.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1 << 20 });
  httpServer.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!/^\/ws\/v5\/(public|business|private)$/.test(path)) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      accepted++;
      const connId = Math.floor(connRng.next() * 0xffffffff).toString(16).padStart(8, '0');
      const c: Conn = { ws, connId, path, subscriptions: new Set(), pings: 0, received: [], idle: undefined };
      conns.add(c);
      log(`${connId}: connected on ${path}`);
      armIdle(c);
      ws.on('message', (data, isBinary) => onClientMessage(c, isBinary ? '' : data.toString()));
      ws.on('close', () => {
        if (c.idle) clearTimeout(c.idle);
        conns.delete(c);
        log(`${connId}: closed`);
      });
      ws.on('error', () => {});
    });
  });

  // ------------------------------------------------------------ market flow

  function takeBookFault(instId: string): OkxMockFault | undefined {
    const i = bookFaults.findIndex((f) => (f.type === 'gap' || f.type === 'duplicate' || f.type === 'out-of-order') && (f.instId === undefined || f.instId === instId));
    return i < 0 ? undefined : bookFaults.splice(i, 1)[0];
  }

  function sendBookUpdate(instId: string, frameFor: (channel: string) => string): void {
    const subs = subscribers(`books:${instId}`);
    if (subs.length === 0) return;
    const frame = frameFor('books');
    const held = heldBack.get(instId);
    const fault = takeBookFault(instId);
    if (fault?.type === 'gap') {
      log(`fault: gap on ${instId}`);
      return;
    }
    if (fault?.type === 'out-of-order') {
      log(`fault: holding back one update of ${instId}`);
      heldBack.set(instId, frame);
      return;
    }
    for (const c of subs) {
      sendTo(c, frame);
      if (fault?.type === 'duplicate') sendTo(c, frame);
      if (held !== undefined) sendTo(c, held);
    }
    if (held !== undefined) heldBack.delete(instId);
  }

  function tickOnce(): void {
    const ts = nowMs();
    const rng = model.rng;
    for (const [instId, m] of model.models) {
      const anySub = [...conns].some((c) => [...c.subscriptions].some((k) => k.endsWith(`:${instId}`)));
      if (!anySub) continue;
      const u = m.step(rng, ts);
      sendBookUpdate(instId, (ch) => model.bookUpdateFrame(ch, instId, u));
      for (const ch of ['books5', 'bbo-tbt'] as const) {
        for (const c of subscribers(`${ch}:${instId}`)) sendTo(c, model.bookSnapshotFrame(ch, instId, ts));
      }
      if (rng.next() < 0.5) for (const c of subscribers(`trades:${instId}`)) sendTo(c, model.tradeFrame(instId, ts));
      if (rng.next() < 0.3) for (const c of subscribers(`tickers:${instId}`)) sendTo(c, model.tickerFrame(instId, ts));
      if (rng.next() < 0.1) for (const c of subscribers(`mark-price:${instId}`)) sendTo(c, model.markPriceFrame(instId, ts));
      if (rng.next() < 0.02) for (const c of subscribers(`funding-rate:${instId}`)) sendTo(c, model.fundingRateFrame(instId, ts));
      if (rng.next() < 0.05) {
        const type = m.inst.instType;
        for (const c of subscribers(`liquidation-orders:${type}`)) sendTo(c, model.liquidationFrame(instId, type, ts));
      }
    }
    // A liquidation of an instrument nobody configured, to exercise filtering.
    if (rng.next() < 0.02) for (const c of subscribers('liquidation-orders:SWAP')) sendTo(c, model.liquidationFrame('IOST-USDT-SWAP', 'SWAP', ts));
  }

  let timer: NodeJS.Timeout | undefined;
  if ((opts.autoTickMs ?? 0) > 0) timer = setInterval(tickOnce, opts.autoTickMs);

  // --------------------------------------------------------------- REST side

  function json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const ch of req) {
      size += (ch as Buffer).length;
      if (size > 1 << 20) throw new Error('body too large');
      chunks.push(ch as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  function checkPrivate(req: IncomingMessage, pathAndQuery: string, body: string): { code: string; msg: string } | undefined {
    const h = req.headers;
    const key = h['ok-access-key'];
    const sign = h['ok-access-sign'];
    const ts = h['ok-access-timestamp'];
    const pass = h['ok-access-passphrase'];
    if (typeof key !== 'string' || key === '') return { code: '50103', msg: 'Request header "OK-ACCESS-KEY" cannot be empty.' };
    if (typeof sign !== 'string' || sign === '') return { code: '50106', msg: 'Request header "OK-ACCESS-SIGN" cannot be empty.' };
    if (typeof ts !== 'string' || ts === '') return { code: '50107', msg: 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.' };
    if (typeof pass !== 'string' || pass === '') return { code: '50104', msg: 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.' };
    if (demoOnly && h['x-simulated-trading'] !== '1') return { code: '50101', msg: 'APIKey does not match current environment.' };
    const cred = opts.credentials;
    if (cred) {
      if (key !== cred.apiKey) return { code: '50111', msg: 'Invalid OK-ACCESS-KEY.' };
      if (pass !== cred.passphrase) return { code: '50105', msg: 'Invalid OK-ACCESS-PASSPHRASE.' };
      const expect = createHmac('sha256', cred.secret).update(ts + (req.method ?? 'GET') + pathAndQuery + body).digest('base64');
      if (expect !== sign) return { code: '50113', msg: 'Invalid Sign.' };
    }
    return undefined;
  }

  async function handleRest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = req.method === 'POST' ? await readBody(req) : '';
    const query = Object.fromEntries(url.searchParams.entries());
    restRequests.push({ method: req.method ?? 'GET', path: url.pathname, query, headers: { ...req.headers }, body });
    if (restRequests.length > 1000) restRequests.shift();
    const p = url.pathname;
    const ok = (data: unknown[]) => json(res, 200, { code: '0', msg: '', data });

    if (p === '/api/v5/public/instruments') {
      const type = query.instType;
      if (!type) return json(res, 200, { code: '50014', msg: 'Parameter instType can not be empty.', data: [] });
      return ok(instruments.filter((i) => i.instType === type && (!query.instId || i.instId === query.instId)));
    }
    if (p === '/api/v5/public/time') return ok([{ ts: String(nowMs()) }]);
    if (p === '/api/v5/market/books') {
      const m = model.model(query.instId ?? '');
      if (!m) return json(res, 200, { code: '51001', msg: "Instrument ID doesn't exist.", data: [] });
      const sz = Math.min(400, Math.max(1, Number(query.sz ?? 1) || 1));
      const { bids, asks } = m.levels(sz);
      return ok([{ asks, bids, ts: String(nowMs()) }]);
    }
    if (p.startsWith('/api/v5/trade/') || p.startsWith('/api/v5/account/') || p.startsWith('/api/v5/asset/')) {
      const denied = checkPrivate(req, url.pathname + url.search, body);
      if (denied) return json(res, 401, { ...denied, data: [] });
      if (p === '/api/v5/asset/currencies') return ok([]);
      if (p === '/api/v5/account/balance') return ok([{ totalEq: '100000', details: [{ ccy: 'USDT', availBal: '100000', eq: '100000', cashBal: '100000' }], uTime: String(nowMs()) }]);
      if (p === '/api/v5/trade/order' && req.method === 'POST') {
        const o = JSON.parse(body || '{}') as Record<string, unknown>;
        return ok([{ clOrdId: o.clOrdId ?? '', ordId: String(orderSeq++), tag: o.tag ?? DEMO_TAG, ts: String(nowMs()), sCode: '0', sMsg: 'Order placed' }]);
      }
      if (p === '/api/v5/trade/batch-orders' && req.method === 'POST') {
        const list = JSON.parse(body || '[]') as Record<string, unknown>[];
        return ok(list.map((o) => ({ clOrdId: o.clOrdId ?? '', ordId: String(orderSeq++), tag: o.tag ?? DEMO_TAG, ts: String(nowMs()), sCode: '0', sMsg: 'Order placed' })));
      }
      if (p === '/api/v5/trade/cancel-order' && req.method === 'POST') {
        const o = JSON.parse(body || '{}') as Record<string, unknown>;
        return ok([{ clOrdId: o.clOrdId ?? '', ordId: o.ordId ?? '', ts: String(nowMs()), sCode: '0', sMsg: '' }]);
      }
      if (p === '/api/v5/trade/cancel-batch-orders' && req.method === 'POST') {
        const list = JSON.parse(body || '[]') as Record<string, unknown>[];
        return ok(list.map((o) => ({ clOrdId: o.clOrdId ?? '', ordId: o.ordId ?? '', ts: String(nowMs()), sCode: '0', sMsg: '' })));
      }
    }
    json(res, 404, { code: '404', msg: 'Not Found', data: [] });
  }

  // ----------------------------------------------------------------- control

  function broadcast(text: string): number {
    let n = 0;
    for (const c of conns) if (sendTo(c, text)) n++;
    return n;
  }

  function inject(fault: OkxMockFault): void {
    log(`inject ${JSON.stringify(fault)}`);
    switch (fault.type) {
      case 'gap':
      case 'duplicate':
      case 'out-of-order':
        bookFaults.push(fault);
        return;
      case 'malformed':
        broadcast(fault.text ?? '{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[{"px":"6');
        return;
      case 'drop':
        for (const c of conns) c.ws.terminate();
        return;
      case 'stall':
        stalledUntil = nowMs() + fault.ms;
        return;
      case 'notice': {
        const text = (c: Conn) => JSON.stringify({ event: 'notice', code: '64008', msg: 'The connection will soon be closed for a service upgrade. Please reconnect.', connId: c.connId });
        const targets = [...conns];
        for (const c of targets) sendTo(c, text(c));
        if (fault.closeAfterMs !== undefined) {
          setTimeout(() => {
            for (const c of targets) if (c.ws.readyState === WebSocket.OPEN) c.ws.close(1012, 'service upgrade');
          }, fault.closeAfterMs).unref();
        }
        return;
      }
      case 'error':
        for (const c of conns) error(c, fault.code ?? '60018', fault.msg ?? "Wrong URL or channel:books,instId:BTC-USDT-SWAP doesn't exist.", undefined);
        return;
    }
  }

  function push(channel: string, instId: string, payload: unknown): number {
    const key = `${channel}:${instId}`;
    let text: string;
    if (typeof payload === 'string') text = payload;
    else if (typeof payload === 'object' && payload !== null && 'arg' in payload) text = JSON.stringify(payload);
    else {
      const arg = channel === 'liquidation-orders' ? { channel, instType: instId } : { channel, instId };
      const frame: Record<string, unknown> = { arg };
      let data = payload;
      if (channel === 'books') {
        const p = payload as { action?: string; data?: unknown };
        frame.action = p.action ?? 'update';
        if (p.action !== undefined && p.data !== undefined) data = p.data;
      }
      frame.data = Array.isArray(data) ? data : [data];
      text = JSON.stringify(frame);
    }
    let n = 0;
    for (const c of subscribers(key)) if (sendTo(c, text)) n++;
    return n;
  }

  async function waitFor(pred: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`okx-mock: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  log(`listening on 127.0.0.1:${port}`);

  return {
    wsUrl: `ws://127.0.0.1:${port}/ws/v5/public`,
    wsBaseUrl: `ws://127.0.0.1:${port}/ws/v5`,
    restUrl: `http://127.0.0.1:${port}`,
    port,
    model,
    inject,
    push,
    broadcast,
    tick(n = 1) {
      for (let k = 0; k < n; k++) tickOnce();
    },
    connections: () => [...conns],
    waitFor,
    subscribeCounts,
    restRequests,
    connectionCount: () => accepted,
    async close() {
      if (timer) clearInterval(timer);
      for (const c of conns) {
        if (c.idle) clearTimeout(c.idle);
        c.ws.terminate();
      }
      wss.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => httpServer.close(() => r()));
    },
  };
}
