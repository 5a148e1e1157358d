/**
 * The web monitor: HTTP API, static UI and binary WebSocket frames on
 * uWebSockets.js, served from the engine's main thread.
 *
 * Role: `startMonitorServer(options, view)` answers the API of MISSION.md
 * (`GET /api/health`, `GET /api/summary`, ...; `POST /api/kill` / `/api/rearm`
 * with the token), serves the built UI at `/` (SPA fallback), and streams
 * the MonitorPublisher's record batches on `/ws` by uWS pub/sub topics.
 * Owning thread: main (the engine's event loop; uWS runs its callbacks there).
 * Cold path: every request and control message is rare next to the engine's
 * ticks; frames go out at the publisher's fixed rate, never per tick.
 *
 * Security defaults (RISK-CONTROLS §5, T14): bind 127.0.0.1; exact Origin
 * allowlist on the upgrade and on API requests that carry an Origin; Host
 * allowlist on the API (DNS rebinding); a 256-bit token from a 0600 file for
 * kill / re-arm and for every non-localhost client (Bearer header or the
 * `bearer.<token>` subprotocol / a first `auth` message; never a query
 * string); maxPayloadLength 16 KiB; ~100 control messages / min / connection;
 * connection cap; ping/pong idle timeout; no permessage-deflate; every
 * message schema-checked; every rejection counted by reason (stats()).
 * uWS buffers (`message`, request headers) are copied before anything
 * asynchronous happens: they are only valid during the callback.
 *
 * Mentor's Corner. Ideal: the trading host never serves a browser; it
 * multicasts telemetry to a monitoring box that does fan-out, auth and HTTP.
 * We serve from the engine process because a second box is not available to
 * a paper trader, and keep the cost bounded: uWS (C++ sockets, one copy per
 * publish into each socket's buffer), fixed-rate frames, closeOnBackpressure
 * for slow clients, and EngineView calls only on request or at 1 Hz.
 * Measured (bench/ws.bench.ts, 100 clients, 560 frames/s in 7-frame flushes):
 * 1.1 µs of server CPU per delivered frame vs 5.0 µs for the ws package.
 */
import uWS from 'uWebSockets.js';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, extname, relative, sep } from 'node:path';
import type { EngineView } from './engine-view.ts';
import { MonitorPublisher, type PublisherOptions, type PublisherStats } from './publisher.ts';
import { MonitorMsgType, TOPICS, type Topic } from './monitor-msg-type.ts';
import { encodeLatencySnapshot, encodeRuntimeSnapshot, encodeSummarySnapshot } from './snapshots.ts';
import { loadOrCreateToken, tokenMatches } from './token.ts';

export interface MonitorLimits {
  /** Largest WebSocket message accepted from a client; larger closes it (default 16 KiB). */
  maxPayloadLength: number;
  /** Bytes buffered per socket before uWS closes it (closeOnBackpressureLimit; default 1 MiB). */
  maxBackpressure: number;
  /** Seconds without traffic before uWS closes a socket; pings are sent automatically (default 32). */
  idleTimeoutS: number;
  /** Control messages per minute per connection (default 100); flooding closes the socket. */
  messagesPerMinute: number;
  /** Token-bucket burst on top of that rate (default 20). */
  messageBurst: number;
  /** Open WebSockets at most (default 32). */
  maxConnections: number;
  /** Largest POST body (default 4 KiB). */
  maxBodyBytes: number;
  /** A non-localhost socket without a token must send `auth` within this (default 5000 ms). */
  authTimeoutMs: number;
}

export interface MonitorServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 = a random free port (read it back from `server.port`). */
  port?: number;
  /** Default `.qhft/monitor-token` (relative to the cwd). */
  tokenFile?: string;
  /** Exact Origin values accepted; default the server's own http://host:port variants. */
  allowedOrigins?: string[];
  /** The built UI (src/ui/dist); null or missing = `/` answers 503 with how to build it. */
  staticDir?: string | null;
  limits?: Partial<MonitorLimits>;
  /** Publisher the engine feeds; one is created (and started) when absent. */
  publisher?: MonitorPublisher;
  publisherOptions?: PublisherOptions;
  /** Period of the summary / latency / runtime snapshots pushed on /ws (default 1000 ms; 0 = off). */
  snapshotIntervalMs?: number;
  /** Treat loopback clients as trusted readers (default true). False = everyone needs the token. */
  trustLocalhost?: boolean;
  /** Where the one-time token message goes (default console.log). */
  log?: (line: string) => void;
}

export interface MonitorStats {
  connections: number;
  connectionsTotal: number;
  httpRequests: number;
  wsMessages: number;
  /** Rejections and forced closes, by reason (e.g. `http.401`, `ws.origin`, `ws.rateLimit`, `ws.backpressure`). */
  errors: Record<string, number>;
  errorsTotal: number;
  /** Bytes uWS holds for all sockets now, and for the fullest one (bounded by maxBackpressure + one frame). */
  bufferedBytes: number;
  maxBufferedBytes: number;
  publisher: PublisherStats;
}

export interface MonitorServer {
  readonly host: string;
  /** The bound port (the real one when `port: 0`). */
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  readonly tokenFile: string;
  readonly publisher: MonitorPublisher;
  readonly allowedOrigins: readonly string[];
  stats(): MonitorStats;
  /** Stops listening, closes every socket, stops the timers. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_LIMITS: MonitorLimits = {
  maxPayloadLength: 16 * 1024,
  maxBackpressure: 1024 * 1024,
  idleTimeoutS: 32,
  messagesPerMinute: 100,
  messageBurst: 20,
  maxConnections: 32,
  maxBodyBytes: 4096,
  authTimeoutMs: 5000,
};

interface SocketData {
  id: number;
  local: boolean;
  authed: boolean;
  tokens: number;
  refillMs: number;
  invalid: number;
  topics: Set<Topic>;
  closed: boolean;
  closeReason: string;
  /** uWS's buffered bytes for this socket after the last publish (tells a backpressure close from a client's drop). */
  buffered: number;
  authTimer: ReturnType<typeof setTimeout> | null;
}

type Ws = uWS.WebSocket<SocketData>;
type Res = uWS.HttpResponse;

class HttpError extends Error {
  constructor(readonly status: number, readonly reason: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK', 400: '400 Bad Request', 401: '401 Unauthorized', 403: '403 Forbidden', 404: '404 Not Found',
  405: '405 Method Not Allowed', 409: '409 Conflict', 413: '413 Payload Too Large', 415: '415 Unsupported Media Type',
  500: '500 Internal Server Error', 503: '503 Service Unavailable',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.map': 'application/json', '.txt': 'text/plain; charset=utf-8',
};

interface StaticFile {
  body: Buffer;
  gz: Buffer | null;
  type: string;
  immutable: boolean;
}

/** Loads the built UI into memory (it is small); keys are URL paths. */
function loadStatic(dir: string | null | undefined): Map<string, StaticFile> | null {
  if (!dir || !existsSync(join(dir, 'index.html'))) return null;
  const files = new Map<string, StaticFile>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const body = readFileSync(p);
        const type = CONTENT_TYPES[extname(p)] ?? 'application/octet-stream';
        const text = /^(text|application\/json|image\/svg)/.test(type);
        const url = '/' + relative(dir, p).split(sep).join('/');
        files.set(url, { body, gz: text && body.length > 512 ? gzipSync(body, { level: 9 }) : null, type, immutable: url.startsWith('/assets/') });
      }
    }
  };
  walk(dir);
  return files;
}

/** Normalises uWS's remote address text and tells whether it is loopback. */
export function isLoopback(addr: string): boolean {
  const a = addr.toLowerCase();
  if (a === '::1' || a === '0000:0000:0000:0000:0000:0000:0000:0001') return true;
  if (a.startsWith('127.')) return true;
  if (a.startsWith('::ffff:127.')) return true;
  return a.startsWith('0000:0000:0000:0000:0000:ffff:7f');
}

function defaultOrigins(host: string, port: number): string[] {
  const hosts = new Set([host]);
  if (host === '127.0.0.1' || host === 'localhost' || host === '::1') {
    hosts.add('127.0.0.1');
    hosts.add('localhost');
    hosts.add('[::1]');
  }
  return [...hosts].map((h) => `http://${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}`);
}

const TEXT = new TextDecoder();

interface ApiRoute {
  method: 'get' | 'post';
  handle: (ctx: RequestCtx) => Promise<{ status?: number; body: unknown }>;
}

interface RequestCtx {
  query: URLSearchParams;
  body: unknown;
}

/** `{"reason": "..."}`: 1–200 printable characters, no other keys. */
function parseReasonBody(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'http.400.schema', 'body must be a JSON object like {"reason":"..."}');
  }
  const extra = Object.keys(body).filter((k) => k !== 'reason');
  if (extra.length > 0) throw new HttpError(400, 'http.400.schema', `unexpected field(s): ${extra.join(', ')}; only "reason" is allowed`);
  const reason = (body as { reason?: unknown }).reason;
  if (typeof reason !== 'string') throw new HttpError(400, 'http.400.schema', 'field "reason" must be a string');
  const r = reason.trim();
  if (r.length < 1 || r.length > 200) throw new HttpError(400, 'http.400.schema', `field "reason" must be 1..200 characters, got ${r.length}`);
  if ([...r].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) throw new HttpError(400, 'http.400.schema', 'field "reason" must not contain control characters');
  return r;
}

function parseLimit(q: URLSearchParams): number {
  const raw = q.get('limit');
  if (raw === null) return 100;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) {
    throw new HttpError(400, 'http.400.param', `query parameter limit must be an integer 1..1000, got "${raw.slice(0, 20)}"`);
  }
  return Number(raw);
}

export async function startMonitorServer(options: MonitorServerOptions, view: EngineView): Promise<MonitorServer> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 8080;
  const limits: MonitorLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const tokenFile = options.tokenFile ?? '.qhft/monitor-token';
  const trustLocalhost = options.trustLocalhost ?? true;
  const log = options.log ?? ((l: string) => console.log(l));
  const snapshotMs = options.snapshotIntervalMs ?? 1000;
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`monitor: limits.${k} must be a finite number ≥ 0, got ${v}`);
  }
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new RangeError(`monitor: port must be an integer 0..65535, got ${requestedPort}`);
  }

  const { token, created } = loadOrCreateToken(tokenFile);
  const tokenBuf = Buffer.from(token, 'utf8');
  if (created) log(`monitor: generated access token (shown once; stored in ${tokenFile}, mode 0600): ${token}`);

  const ownPublisher = options.publisher === undefined;
  const publisher = options.publisher ?? new MonitorPublisher(options.publisherOptions);
  const staticFiles = loadStatic(options.staticDir);

  const errors = new Map<string, number>();
  let errorsTotal = 0;
  const countError = (reason: string) => {
    errors.set(reason, (errors.get(reason) ?? 0) + 1);
    errorsTotal++;
  };
  let httpRequests = 0;
  let wsMessages = 0;
  let connectionsTotal = 0;
  let nextId = 1;
  const sockets = new Set<Ws>();
  let closed = false;

  const app = uWS.App();
  let allowedOrigins: string[] = [];
  let allowedHosts = new Set<string>();

  const stats = (): MonitorStats => {
    let buffered = 0;
    let maxBuffered = 0;
    for (const ws of sockets) {
      if (ws.getUserData().closed) continue;
      const b = ws.getBufferedAmount();
      buffered += b;
      if (b > maxBuffered) maxBuffered = b;
    }
    return {
    connections: sockets.size,
    connectionsTotal,
    httpRequests,
    wsMessages,
    errors: Object.fromEntries(errors),
    errorsTotal,
    bufferedBytes: buffered,
    maxBufferedBytes: maxBuffered,
    publisher: publisher.stats(),
    };
  };

  const authOk = (header: string): 'ok' | 'missing' | 'bad' => {
    if (header === '') return 'missing';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return 'bad';
    return tokenMatches(tokenBuf, m[1]!) ? 'ok' : 'bad';
  };

  // ---- HTTP API -----------------------------------------------------------
  const call = async <T>(f: () => T | Promise<T>): Promise<T> => f();
  const api: Record<string, ApiRoute> = {
    '/api/health': {
      method: 'get',
      handle: async () => {
        const h = await call(() => view.health());
        return { status: h.ok ? 200 : 503, body: h };
      },
    },
    '/api/summary': { method: 'get', handle: async () => ({ body: await call(() => view.summary()) }) },
    '/api/instruments': { method: 'get', handle: async () => ({ body: await call(() => view.instruments()) }) },
    '/api/positions': { method: 'get', handle: async () => ({ body: await call(() => view.positions()) }) },
    '/api/orders': { method: 'get', handle: async () => ({ body: await call(() => view.openOrders()) }) },
    '/api/fills': { method: 'get', handle: async (c) => ({ body: await call(() => view.recentFills(parseLimit(c.query))) }) },
    '/api/signals': { method: 'get', handle: async (c) => ({ body: await call(() => view.recentSignals(parseLimit(c.query))) }) },
    '/api/risk': { method: 'get', handle: async () => ({ body: await call(() => view.riskState()) }) },
    '/api/latency': { method: 'get', handle: async () => ({ body: await call(() => view.latency()) }) },
    '/api/runtime': {
      method: 'get',
      handle: async () => ({ body: { ...(await call(() => view.runtime())), monitor: stats() } }),
    },
    '/api/history': {
      method: 'get',
      handle: async () => {
        const runs = await call(() => view.history());
        return { body: { configured: runs !== null, runs: runs ?? [] } };
      },
    },
    '/api/kill': {
      method: 'post',
      handle: async (c) => {
        const reason = parseReasonBody(c.body);
        try {
          return { body: await call(() => view.kill(reason)) };
        } catch (err) {
          throw new HttpError(409, 'http.409.kill', `kill failed: ${(err as Error).message}`);
        }
      },
    },
    '/api/rearm': {
      method: 'post',
      handle: async (c) => {
        const reason = parseReasonBody(c.body);
        try {
          return { body: await call(() => view.rearm(reason)) };
        } catch (err) {
          throw new HttpError(409, 'http.409.rearm', `re-arm failed: ${(err as Error).message}`);
        }
      },
    },
  };

  const securityHeaders = (res: Res) => {
    res.writeHeader('X-Content-Type-Options', 'nosniff');
    res.writeHeader('Referrer-Policy', 'no-referrer');
    res.writeHeader('Cache-Control', 'no-store');
  };

  const sendJson = (res: Res, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.cork(() => {
      res.writeStatus(STATUS_TEXT[status] ?? `${status} Error`);
      res.writeHeader('Content-Type', 'application/json; charset=utf-8');
      securityHeaders(res);
      for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
      res.end(JSON.stringify(body));
    });
  };

  const fail = (res: Res, e: HttpError) => {
    countError(e.reason);
    sendJson(res, e.status, { error: e.message, status: e.status }, e.headers);
  };

  const handleApi = (res: Res, method: string, url: string, query: string, h: Headers) => {
    const route = api[url];
    if (route === undefined) throw new HttpError(404, 'http.404', `no API route ${url}; see GET /api/summary, /api/health, ...`);
    if (method !== route.method) {
      const allow = route.method.toUpperCase();
      throw new HttpError(405, 'http.405', `method ${method.toUpperCase()} not allowed on ${url}; use ${allow}`, { Allow: allow });
    }
    if (h.host !== '' && !allowedHosts.has(h.host)) {
      throw new HttpError(403, 'http.403.host', `Host "${h.host.slice(0, 100)}" is not this monitor (DNS rebinding guard)`);
    }
    if (h.origin !== '' && !allowedOrigins.includes(h.origin)) {
      throw new HttpError(403, 'http.403.origin', `Origin "${h.origin.slice(0, 100)}" is not allowed`);
    }
    const needToken = route.method === 'post' || !(trustLocalhost && h.local);
    if (needToken) {
      const a = authOk(h.authorization);
      const why = route.method === 'post' ? `${url} changes trading state` : 'non-localhost clients';
      if (a === 'missing') {
        throw new HttpError(401, 'http.401', `token required (${why}): send "Authorization: Bearer <token>" (token file: ${tokenFile})`,
          { 'WWW-Authenticate': 'Bearer realm="qhft-monitor"' });
      }
      if (a === 'bad') throw new HttpError(403, 'http.403.token', 'invalid token');
    }
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const run = (body: unknown) => {
      route.handle({ query: new URLSearchParams(query), body }).then(
        (r) => {
          if (!aborted) sendJson(res, r.status ?? 200, r.body);
        },
        (err: unknown) => {
          if (aborted) return;
          if (err instanceof HttpError) fail(res, err);
          else fail(res, new HttpError(500, 'http.500', `engine view failed: ${(err as Error)?.message ?? String(err)}`));
        },
      );
    };
    if (route.method === 'get') {
      run(undefined);
      return;
    }
    if (h.contentType !== '' && !/^application\/json\b/i.test(h.contentType)) {
      aborted = true; // the body is never read
      throw new HttpError(415, 'http.415', `Content-Type must be application/json, got "${h.contentType.slice(0, 60)}"`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      if (aborted) return;
      size += chunk.byteLength;
      if (size > limits.maxBodyBytes) {
        aborted = true;
        fail(res, new HttpError(413, 'http.413', `body larger than ${limits.maxBodyBytes} bytes`));
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0))); // copy: uWS reuses the chunk after the callback
      if (!isLast) return;
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text.length === 0 ? 'null' : text);
      } catch (err) {
        aborted = true;
        fail(res, new HttpError(400, 'http.400.json', `bad JSON body: ${(err as Error).message}`));
        return;
      }
      run(body);
    });
  };

  interface Headers {
    host: string;
    origin: string;
    authorization: string;
    contentType: string;
    acceptEncoding: string;
    local: boolean;
  }

  const serveStatic = (res: Res, method: string, url: string, h: Headers) => {
    if (method !== 'get' && method !== 'head') {
      throw new HttpError(405, 'http.405', `method ${method.toUpperCase()} not allowed on ${url}; use GET`, { Allow: 'GET, HEAD' });
    }
    if (staticFiles === null) {
      throw new HttpError(503, 'http.503.ui', `UI not built: run "node scripts/build-ui.mjs" (looked in ${options.staticDir ?? '(no staticDir)'})`);
    }
    let path = url === '/' ? '/index.html' : url;
    let file = staticFiles.get(path);
    if (file === undefined) {
      if (extname(path) !== '') throw new HttpError(404, 'http.404', `no file ${url.slice(0, 200)}`);
      path = '/index.html';
      file = staticFiles.get(path)!;
    }
    const gz = file.gz !== null && /\bgzip\b/.test(h.acceptEncoding);
    const f = file;
    res.cork(() => {
      res.writeStatus('200 OK');
      res.writeHeader('Content-Type', f.type);
      res.writeHeader('X-Content-Type-Options', 'nosniff');
      res.writeHeader('Cache-Control', f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (f.type.startsWith('text/html')) {
        res.writeHeader('Content-Security-Policy',
          "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
        res.writeHeader('X-Frame-Options', 'DENY');
      }
      if (gz) res.writeHeader('Content-Encoding', 'gzip');
      res.writeHeader('Vary', 'Accept-Encoding');
      if (method === 'head') res.endWithoutBody((gz ? f.gz! : f.body).length);
      else res.end(gz ? f.gz! : f.body);
    });
  };

  app.any('/*', (res, req) => {
    httpRequests++;
    if (closed) {
      res.close();
      return;
    }
    // Copy everything out of req now: it is invalid after this callback returns.
    const method = req.getMethod().toLowerCase();
    const url = req.getUrl();
    const query = req.getQuery() ?? '';
    const h: Headers = {
      host: req.getHeader('host'),
      origin: req.getHeader('origin'),
      authorization: req.getHeader('authorization'),
      contentType: req.getHeader('content-type'),
      acceptEncoding: req.getHeader('accept-encoding'),
      local: isLoopback(TEXT.decode(res.getRemoteAddressAsText())),
    };
    try {
      if (url === '/api' || url.startsWith('/api/')) handleApi(res, method, url, query, h);
      else serveStatic(res, method, url, h);
    } catch (err) {
      if (err instanceof HttpError) fail(res, err);
      else fail(res, new HttpError(500, 'http.500', (err as Error).message));
    }
  });

  // ---- WebSocket /ws -------------------------------------------------------
  const closeWs = (ws: Ws, code: number, reason: string, counted: string) => {
    const d = ws.getUserData();
    if (d.closed) return;
    d.closed = true;
    d.closeReason = counted;
    countError(counted);
    ws.end(code, reason);
  };

  const sendText = (ws: Ws, obj: unknown) => {
    ws.send(JSON.stringify(obj), false);
  };

  const handleControl = (ws: Ws, text: string) => {
    const d = ws.getUserData();
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch (err) {
      return reject(ws, `bad JSON: ${(err as Error).message}`);
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return reject(ws, 'control message must be a JSON object');
    const m = msg as Record<string, unknown>;
    const keys = Object.keys(m);
    if (m.op === 'auth') {
      if (keys.length !== 2 || typeof m.token !== 'string') return reject(ws, 'auth must be {"op":"auth","token":"..."}');
      if (d.authed) return reject(ws, 'already authenticated');
      if (!tokenMatches(tokenBuf, m.token)) return closeWs(ws, 4403, 'invalid token', 'ws.badToken');
      d.authed = true;
      if (d.authTimer) clearTimeout(d.authTimer);
      d.authTimer = null;
      sendText(ws, { type: 'authenticated' });
      return;
    }
    if (!d.authed) return closeWs(ws, 4401, 'authenticate first: {"op":"auth","token":"..."}', 'ws.unauthorized');
    if (m.op !== 'subscribe' && m.op !== 'unsubscribe') return reject(ws, `unknown op ${JSON.stringify(m.op)?.slice(0, 40)}; use subscribe | unsubscribe | auth`);
    if (keys.length !== 2 || !Array.isArray(m.topics) || m.topics.length === 0 || m.topics.length > TOPICS.length) {
      return reject(ws, `${m.op} must be {"op":"${m.op}","topics":[1..${TOPICS.length} of ${TOPICS.join(', ')}]}`);
    }
    const topics: Topic[] = [];
    for (const t of m.topics) {
      if (typeof t !== 'string' || !(TOPICS as readonly string[]).includes(t)) return reject(ws, `unknown topic ${JSON.stringify(t)?.slice(0, 40)}`);
      if (!topics.includes(t as Topic)) topics.push(t as Topic);
    }
    if (m.op === 'subscribe') {
      for (const t of topics) {
        if (d.topics.has(t)) continue;
        d.topics.add(t);
        ws.subscribe(t);
      }
      publisher.refreshSubscribers();
      sendText(ws, { type: 'subscribed', topics: [...d.topics] });
      // The latest coalesced state, so a new client does not wait for the next change.
      for (const t of topics) {
        const snap = publisher.snapshotFrame(t);
        if (snap !== null) ws.send(snap, true);
      }
    } else {
      for (const t of topics) {
        if (d.topics.delete(t)) ws.unsubscribe(t);
      }
      publisher.refreshSubscribers();
      sendText(ws, { type: 'subscribed', topics: [...d.topics] });
    }
  };

  const reject = (ws: Ws, why: string) => {
    const d = ws.getUserData();
    countError('ws.badMessage');
    d.invalid++;
    if (d.invalid > 5) {
      d.closed = true;
      d.closeReason = 'ws.tooManyBadMessages';
      countError('ws.tooManyBadMessages');
      ws.end(1008, 'too many invalid messages');
      return;
    }
    sendText(ws, { type: 'error', error: why });
  };

  app.ws<SocketData>('/ws', {
    compression: uWS.DISABLED,
    maxPayloadLength: limits.maxPayloadLength,
    maxBackpressure: limits.maxBackpressure,
    closeOnBackpressureLimit: 1, // typed as number in uWS's d.ts; any truthy value enables it
    idleTimeout: limits.idleTimeoutS,
    sendPingsAutomatically: true,
    maxLifetime: 0,
    upgrade: (res, req, context) => {
      httpRequests++;
      // Copy the headers now: req is invalid after this callback.
      const origin = req.getHeader('origin');
      const key = req.getHeader('sec-websocket-key');
      const protocols = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const host = req.getHeader('host');
      const local = isLoopback(TEXT.decode(res.getRemoteAddressAsText()));
      const refuse = (status: number, reason: string, message: string) => {
        countError(reason);
        res.cork(() => {
          res.writeStatus(STATUS_TEXT[status] ?? `${status} Error`);
          res.writeHeader('Content-Type', 'application/json; charset=utf-8');
          res.end(JSON.stringify({ error: message, status }), true);
        });
      };
      if (closed) return refuse(503, 'ws.closing', 'monitor is shutting down');
      const offered = protocols.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const bearer = offered.find((p) => p.startsWith('bearer.'));
      let tokenState: 'none' | 'ok' | 'bad' = 'none';
      if (bearer !== undefined) tokenState = tokenMatches(tokenBuf, bearer.slice('bearer.'.length)) ? 'ok' : 'bad';
      if (tokenState === 'bad') return refuse(403, 'ws.badToken', 'invalid token');
      if (origin === '' ? tokenState !== 'ok' : !allowedOrigins.includes(origin)) {
        return refuse(403, 'ws.origin', origin === '' ? 'Origin header required (or a bearer token)' : `Origin "${origin.slice(0, 100)}" is not allowed`);
      }
      if (host !== '' && !allowedHosts.has(host)) return refuse(403, 'ws.host', `Host "${host.slice(0, 100)}" is not this monitor`);
      if (sockets.size >= limits.maxConnections) {
        return refuse(503, 'ws.connectionCap', `connection cap reached (${limits.maxConnections})`);
      }
      const data: SocketData = {
        id: nextId++,
        local,
        authed: tokenState === 'ok' || (trustLocalhost && local),
        tokens: limits.messageBurst,
        refillMs: Date.now(),
        invalid: 0,
        topics: new Set(),
        closed: false,
        closeReason: '',
        buffered: 0,
        authTimer: null,
      };
      // Never echo the bearer protocol (it holds the secret): select qhft.v1 when offered.
      const selected = offered.includes('qhft.v1') ? 'qhft.v1' : '';
      res.upgrade(data, key, selected, extensions, context);
    },
    open: (ws) => {
      sockets.add(ws);
      connectionsTotal++;
      const d = ws.getUserData();
      if (!d.authed) {
        d.authTimer = setTimeout(() => {
          d.authTimer = null;
          if (!d.closed && !d.authed) closeWs(ws, 4401, 'authentication timeout', 'ws.authTimeout');
        }, limits.authTimeoutMs);
        d.authTimer.unref?.();
      }
      sendText(ws, { type: 'hello', protocol: 'qhft.v1', topics: TOPICS, authenticated: d.authed, flushHz: publisher.flushHz });
    },
    message: (ws, message, isBinary) => {
      wsMessages++;
      const d = ws.getUserData();
      if (d.closed) return;
      // Token bucket: messagesPerMinute sustained, messageBurst at once.
      const now = Date.now();
      d.tokens = Math.min(limits.messageBurst, d.tokens + ((now - d.refillMs) * limits.messagesPerMinute) / 60000);
      d.refillMs = now;
      if (d.tokens < 1) return closeWs(ws, 1008, 'rate limit exceeded', 'ws.rateLimit');
      d.tokens -= 1;
      if (isBinary) return reject(ws, 'binary control messages are not accepted; send JSON text');
      // Copy out of uWS's buffer before anything else (it is neutered after the callback).
      const text = Buffer.from(message.slice(0)).toString('utf8');
      handleControl(ws, text);
    },
    close: (ws, code, message) => {
      sockets.delete(ws);
      const d = ws.getUserData();
      if (d.authTimer) clearTimeout(d.authTimer);
      if (!d.closed) {
        d.closed = true;
        // uWS closes on its own for an oversized message (1009 / 1006) and at the
        // backpressure limit (1006, no close frame, with bytes still buffered).
        const why = message.byteLength > 0 ? TEXT.decode(message) : '';
        if (code === 1009 || /too big/i.test(why)) countError('ws.oversize');
        else if (code === 1006 && d.buffered > 0) countError('ws.backpressure');
        else if (code === 1006) countError('ws.closedAbnormally');
      }
      publisher.refreshSubscribers();
    },
  });

  // ---- listen ----------------------------------------------------------------
  const listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
    app.listen(host, requestedPort, (s) => {
      if (s === false) reject(new Error(`monitor: cannot listen on ${host}:${requestedPort} (in use or not permitted)`));
      else resolve(s);
    });
  });
  const port = uWS.us_socket_local_port(listenSocket as unknown as uWS.us_socket);
  allowedOrigins = options.allowedOrigins ?? defaultOrigins(host, port);
  allowedHosts = new Set(allowedOrigins.map((o) => o.replace(/^https?:\/\//, '')));
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  publisher.attach({
    publish: (topic, frame) => {
      app.publish(topic, frame, true, false);
      for (const ws of sockets) {
        const d = ws.getUserData();
        if (!d.closed) d.buffered = ws.getBufferedAmount();
      }
    },
    subscribers: (topic) => app.numSubscribers(topic),
  });
  if (ownPublisher) publisher.start();

  // ---- periodic snapshots (cold, ~1 Hz) ----------------------------------------
  let snapshotBusy = false;
  const snapshot = async () => {
    if (snapshotBusy || closed) return;
    snapshotBusy = true;
    try {
      const now = Date.now();
      if (app.numSubscribers('positions') > 0) {
        const [s, r] = await Promise.all([call(() => view.summary()), call(() => view.riskState())]);
        const bytes = encodeSummarySnapshot(s, r, now);
        publisher.offerRecord('positions', MonitorMsgType.SummarySnapshot, bytes, 0, bytes.length);
      }
      if (app.numSubscribers('latency') > 0) {
        const bytes = encodeLatencySnapshot(await call(() => view.latency()), now);
        publisher.offerRecord('latency', MonitorMsgType.LatencySnapshot, bytes, 0, bytes.length);
      }
      if (app.numSubscribers('health') > 0) {
        const ps = publisher.stats();
        let dropped = 0;
        for (const t of TOPICS) dropped += ps.topics[t].dropped;
        const bytes = encodeRuntimeSnapshot(await call(() => view.runtime()), { clients: sockets.size, dropped, errors: errorsTotal }, now);
        publisher.offerRecord('health', MonitorMsgType.RuntimeSnapshot, bytes, 0, bytes.length);
      }
    } catch (err) {
      countError('view.snapshot');
      void err;
    } finally {
      snapshotBusy = false;
    }
  };
  const snapshotTimer = snapshotMs > 0 ? setInterval(() => void snapshot(), snapshotMs) : null;
  snapshotTimer?.unref?.();

  return {
    host,
    port,
    url,
    tokenFile,
    publisher,
    allowedOrigins,
    stats,
    close: async () => {
      if (closed) return;
      closed = true;
      if (snapshotTimer) clearInterval(snapshotTimer);
      if (ownPublisher) publisher.stop();
      publisher.attach(null);
      uWS.us_listen_socket_close(listenSocket);
      for (const ws of [...sockets]) {
        const d = ws.getUserData();
        d.closed = true;
        ws.end(1001, 'monitor shutting down');
      }
      sockets.clear();
    },
  };
}
