/**
 * UnifiedExchange: one interface over ccxt for what the engine needs from a
 * venue — markets metadata (tick, lot, contract size, fees; cached on disk),
 * a REST order-book snapshot, and, only in an explicit opt-in demo mode,
 * order placement and cancellation on OKX demo trading.
 *
 * Role: gateway to the real exchange's REST API. Owning thread: the main
 * thread (start-up metadata, resync snapshots) or a gateway worker; cold —
 * every call is an HTTP round trip, never on the hot path.
 *
 * Modes:
 * - `paper` (default): public data only, no keys needed or read; order
 *   methods refuse (orders go to the paper exchange, src/gateway/paper-exchange).
 * - `demo`: refuses to start unless `confirmDemoTrading: true` is also given
 *   and keys are found (QHFT_OKX_API_KEY / _SECRET / _PASSPHRASE, or a 0600
 *   secret file). ccxt `setSandboxMode(true)` adds `x-simulated-trading: 1`
 *   to every request, so OKX executes against its demo venue; ccxt
 *   `verbose` is pinned off (it would print the signed headers) and every
 *   error text is passed through `redactSecrets`.
 * There is deliberately no `live` mode: real-money trading is out of scope.
 *
 * Mentor's Corner. Purpose: metadata and order routing through one adapter,
 * so strategies never see venue specifics. The ideal counterpart is a
 * native binary order-entry session (FIX/SBE/OUCH) from a colocated box,
 * with pre-trade risk in the FPGA on the wire path and ~µs acknowledgements.
 * We differ: ccxt over signed HTTPS REST to a public endpoint (tens to
 * hundreds of ms per round trip, rate-limited), and only to OKX's demo venue.
 * We accept it because this engine trades on paper; the REST path is for
 * metadata and occasional snapshots, and ccxt gives one code path to ~100
 * venues. Measured against the local mock: a markets load or a 400-level
 * book snapshot takes a few ms on 127.0.0.1 — the internet adds the rest.
 */
import { inspect } from 'node:util';
import ccxt from 'ccxt';
import { ConfigError } from '../core/config/config-error.ts';
import { Side, OrderType } from '../core/domain/enums.ts';
import { toUnits, type InstrumentSpec } from '../core/domain/instrument.ts';
import { OKX_DEMO_ENDPOINTS, OKX_LIVE_ENDPOINTS, okxRestBaseUrl } from '../feed/okx/okx-endpoints.ts';
import { loadInstruments, type CcxtMarketLike } from '../feed/okx/okx-instruments.ts';
import { loadCredentials, redactSecrets, type ExchangeCredentials } from './unified-exchange/credentials.ts';

export { loadCredentials, readSecretFile, redactSecrets, OKX_KEY_ENV, OKX_SECRET_FILE_ENV } from './unified-exchange/credentials.ts';
export type { ExchangeCredentials } from './unified-exchange/credentials.ts';

export type ExchangeMode = 'paper' | 'demo';

export interface UnifiedExchangeOptions {
  /** Only 'okx' today. */
  exchange?: 'okx';
  /** 'paper' (default, no keys) or 'demo' (OKX demo trading; needs confirmDemoTrading and keys). */
  mode?: ExchangeMode;
  /** Must be exactly true for mode 'demo'. */
  confirmDemoTrading?: boolean;
  /** Instruments, in id order (OKX instIds or ccxt symbols). */
  symbols: readonly string[];
  /** REST base URL (default https://www.okx.com; a local mock in tests). Applied after setSandboxMode. */
  restUrl?: string;
  /** JSON markets cache, read first and written after a REST load. */
  marketsCachePath?: string;
  /** ccxt unified markets given directly: no REST call for metadata. */
  markets?: readonly CcxtMarketLike[];
  /** Secret file with the keys (demo mode); default QHFT_OKX_SECRET_FILE or the QHFT_OKX_* variables. */
  secretFile?: string;
  /** Environment to read keys from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** HTTP timeout, ms (default 10000). */
  timeoutMs?: number;
}

/** A REST book snapshot on the instrument grid (cold: arrays allocated per call). */
export interface OrderBookSnapshot {
  instrumentId: number;
  /** Exchange time, Unix µs (OKX `ts` × 1000); NaN if absent. */
  tsExchangeUs: number;
  /** [priceTicks, sizeLots], best first. */
  bids: [number, number][];
  asks: [number, number][];
}

export interface PlaceOrderRequest {
  instrumentId: number;
  side: Side;
  type: OrderType;
  /** Required except for market orders. */
  priceTicks?: number;
  sizeLots: number;
  /** OKX clOrdId: 1–32 alphanumerics. */
  clientOrderId?: string;
}

export interface PlacedOrder {
  exchangeOrderId: string;
  clientOrderId: string | undefined;
}

type CcxtOkx = InstanceType<typeof ccxt.okx>;

export class UnifiedExchange {
  readonly mode: ExchangeMode;
  instruments: readonly InstrumentSpec[] = [];
  // Private (#) so neither util.inspect nor JSON.stringify of this object reaches the keys.
  readonly #ex: CcxtOkx;
  readonly #secrets: readonly string[];
  readonly #opts: UnifiedExchangeOptions;

  constructor(opts: UnifiedExchangeOptions) {
    this.#opts = opts;
    const mode = opts.mode ?? 'paper';
    if (mode !== 'paper' && mode !== 'demo') throw new ConfigError('exchange.mode', opts.mode, "'paper' or 'demo'");
    if ((opts.exchange ?? 'okx') !== 'okx') throw new ConfigError('exchange.exchange', opts.exchange, "'okx'");
    if (mode === 'demo' && opts.confirmDemoTrading !== true) {
      throw new ConfigError('exchange.confirmDemoTrading', opts.confirmDemoTrading, "true to enable mode 'demo' (orders are sent to OKX demo trading)");
    }
    this.mode = mode;
    let creds: ExchangeCredentials | undefined;
    if (mode === 'demo') creds = loadCredentials(opts.env ?? process.env, opts.secretFile);
    const rest = okxRestBaseUrl(opts.restUrl ?? (mode === 'demo' ? OKX_DEMO_ENDPOINTS : OKX_LIVE_ENDPOINTS).restUrl);
    const ex = new ccxt.okx({
      apiKey: creds?.apiKey,
      secret: creds?.secret,
      password: creds?.passphrase,
      timeout: opts.timeoutMs ?? 10_000,
      enableRateLimit: true,
      options: { fetchMarkets: { types: ['swap'] }, defaultType: 'swap' },
    });
    // ccxt's verbose mode prints request headers (OK-ACCESS-KEY, -SIGN, -PASSPHRASE): pin it off.
    Object.defineProperty(ex, 'verbose', { get: () => false, set: () => {}, configurable: false });
    if (mode === 'demo') ex.setSandboxMode(true); // x-simulated-trading: 1; also replaces urls.api with demo hosts
    (ex.urls as { api: Record<string, string> }).api = { ...(ex.urls as { api: Record<string, string> }).api, rest };
    this.#ex = ex;
    this.#secrets = creds ? [creds.apiKey, creds.secret, creds.passphrase] : [];
  }

  /** Loads markets (given / cache / REST) and builds the specs, ids in `symbols` order. */
  async loadMarkets(reload = false): Promise<readonly InstrumentSpec[]> {
    const { specs } = await this.call(() =>
      loadInstruments(this.#ex, 'okx', {
        symbols: this.#opts.symbols, cachePath: this.#opts.marketsCachePath, markets: this.#opts.markets, reload,
      }),
    );
    this.instruments = specs;
    return specs;
  }

  /** REST order-book snapshot (OKX `/api/v5/market/books`), up to `depth` ≤ 400 levels per side. */
  async fetchOrderBook(instrumentId: number, depth = 400): Promise<OrderBookSnapshot> {
    const spec = this.spec(instrumentId);
    if (!Number.isInteger(depth) || depth < 1 || depth > 400) throw new ConfigError('fetchOrderBook.depth', depth, 'an integer in 1..400');
    const ob = await this.call(() => this.#ex.fetchOrderBook(spec.symbol, depth));
    const conv = (side: unknown[][]): [number, number][] =>
      side.map((l) => [toUnits(Number(l[0]), spec.tickSize), toUnits(Number(l[1]), spec.lotSize)]);
    return {
      instrumentId,
      tsExchangeUs: typeof ob.timestamp === 'number' ? ob.timestamp * 1000 : NaN,
      bids: conv(ob.bids as unknown[][]),
      asks: conv(ob.asks as unknown[][]),
    };
  }

  /** Places an order on OKX demo trading. Refuses in paper mode. */
  async placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    this.requireDemo('placeOrder');
    const spec = this.spec(req.instrumentId);
    if (!Number.isInteger(req.sizeLots) || req.sizeLots < spec.minSizeLots) throw new ConfigError('placeOrder.sizeLots', req.sizeLots, `an integer ≥ ${spec.minSizeLots}`);
    const market = req.type === OrderType.Market;
    if (!market && !(Number.isInteger(req.priceTicks) && req.priceTicks! > 0)) throw new ConfigError('placeOrder.priceTicks', req.priceTicks, 'a positive integer');
    const params: Record<string, unknown> = { tdMode: 'cross' };
    if (req.clientOrderId !== undefined) {
      if (!/^[A-Za-z0-9]{1,32}$/.test(req.clientOrderId)) throw new ConfigError('placeOrder.clientOrderId', req.clientOrderId, '1–32 letters or digits');
      params.clOrdId = req.clientOrderId;
    }
    if (req.type === OrderType.PostOnly) params.postOnly = true;
    if (req.type === OrderType.Ioc) params.timeInForce = 'IOC';
    const amount = Number((req.sizeLots * spec.lotSize).toFixed(spec.sizeDecimals));
    const price = market ? undefined : Number((req.priceTicks! * spec.tickSize).toFixed(spec.priceDecimals));
    const side = req.side === Side.Buy ? 'buy' : 'sell';
    const o = await this.call(() => this.#ex.createOrder(spec.symbol, market ? 'market' : 'limit', side, amount, price, params));
    return { exchangeOrderId: String(o.id), clientOrderId: o.clientOrderId ?? req.clientOrderId };
  }

  /** Cancels by exchange order id (or client order id). Refuses in paper mode. */
  async cancelOrder(instrumentId: number, ids: { exchangeOrderId?: string; clientOrderId?: string }): Promise<void> {
    this.requireDemo('cancelOrder');
    const spec = this.spec(instrumentId);
    if (ids.exchangeOrderId === undefined && ids.clientOrderId === undefined) throw new ConfigError('cancelOrder.ids', ids, 'exchangeOrderId or clientOrderId');
    const params: Record<string, unknown> = {};
    if (ids.clientOrderId !== undefined) params.clOrdId = ids.clientOrderId;
    await this.call(() => this.#ex.cancelOrder(ids.exchangeOrderId ?? '', spec.symbol, params));
  }

  /** Releases ccxt resources (HTTP agents). */
  async close(): Promise<void> {
    await this.#ex.close();
  }

  /** Never shows keys: `inspect(x)` prints mode and instruments only. */
  [inspect.custom](): string {
    return `UnifiedExchange { mode: '${this.mode}', instruments: [${this.instruments.map((i) => i.symbol).join(', ')}] }`;
  }

  toJSON(): Record<string, unknown> {
    return { mode: this.mode, instruments: this.instruments.map((i) => i.symbol) };
  }

  private spec(instrumentId: number): InstrumentSpec {
    const s = this.instruments[instrumentId];
    if (s === undefined) throw new ConfigError('instrumentId', instrumentId, `a loaded instrument id (0..${this.instruments.length - 1}); call loadMarkets() first`);
    return s;
  }

  private requireDemo(what: string): void {
    if (this.mode !== 'demo') throw new Error(`UnifiedExchange.${what}: refused in '${this.mode}' mode (orders go to the paper exchange; demo mode needs mode: 'demo' and confirmDemoTrading: true)`);
  }

  /** Runs a ccxt call; rethrows with secrets redacted from the message (ccxt errors carry URLs, bodies, sometimes headers). */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      const err = e as Error;
      const safe = new Error(redactSecrets(`${err.name}: ${err.message}`, this.#secrets));
      safe.name = err.name;
      throw safe;
    }
  }
}
