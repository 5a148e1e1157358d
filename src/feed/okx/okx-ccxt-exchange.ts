/**
 * `ccxt.pro.okx` with a tap on the raw socket frames.
 *
 * Role: lets OKXLiveService keep ccxt for what it does well (connection,
 * subscribe requests through the watch* methods, text ping/pong keepalive,
 * market metadata) while the data frames go to our native parser before
 * ccxt's unified handlers see them (see okx-live-service.ts for why).
 * Owning thread: the feed worker. The tap runs once per frame (hot); the
 * rest is cold.
 *
 * Two fixes over the base class: ccxt's `onClose`/`onError` drop the client
 * registered under the *URL*, which after a quick reconnect is already the
 * new client; here they only drop the client that actually closed.
 */
import ccxt from 'ccxt';
import { nowUs } from '../../core/clock.ts';

/** The parts of ccxt's WsClient we use. */
export interface CcxtWsClient {
  url: string;
  onMessage(ev: { data: unknown }): void;
  send(message: unknown): Promise<unknown>;
  close(): Promise<unknown> | undefined;
  isOpen(): boolean;
  qhftTapped?: boolean;
}

/** Receives every frame before ccxt; returns true when it consumed the frame (ccxt never sees it). */
export interface OkxFrameTap {
  onFrame(client: CcxtWsClient, text: string, tsRecvUs: number): boolean;
  onSocketOpen(client: CcxtWsClient): void;
  onSocketDown(client: CcxtWsClient, reason: string): void;
}

type CcxtExchangeConfig = ConstructorParameters<typeof ccxt.pro.okx>[0];

export class OkxCcxtExchange extends ccxt.pro.okx {
  tap: OkxFrameTap | undefined;

  constructor(config: CcxtExchangeConfig, tap?: OkxFrameTap) {
    super(config);
    this.tap = tap;
  }

  override client(url: string): ReturnType<InstanceType<typeof ccxt.pro.okx>['client']> {
    const client = super.client(url);
    const c = client as unknown as CcxtWsClient;
    if (c.qhftTapped !== true) {
      c.qhftTapped = true;
      const original = c.onMessage;
      // One closure per connection (cold); per frame: a clock read and a call.
      c.onMessage = (ev: { data: unknown }): void => {
        const tsRecvUs = nowUs();
        const tap = this.tap;
        const data = ev.data;
        const text = typeof data === 'string' ? data : String(data);
        if (tap === undefined || !tap.onFrame(c, text, tsRecvUs)) original.call(c, { data: text });
      };
    }
    return client;
  }

  override onConnected(client: unknown, message?: unknown): void {
    super.onConnected(client, message);
    this.tap?.onSocketOpen(client as CcxtWsClient);
  }

  override onError(client: unknown, error: unknown): void {
    const c = client as CcxtWsClient;
    if (this.clients[c.url] === (client as object)) super.onError(client, error);
    this.tap?.onSocketDown(c, `error: ${(error as Error | undefined)?.message ?? String(error)}`);
  }

  override onClose(client: unknown, event: unknown): void {
    const c = client as CcxtWsClient;
    if (this.clients[c.url] === (client as object)) super.onClose(client, event);
    const code = (event as { code?: number } | undefined)?.code;
    this.tap?.onSocketDown(c, `closed${code !== undefined ? ` (code ${code})` : ''}`);
  }
}
