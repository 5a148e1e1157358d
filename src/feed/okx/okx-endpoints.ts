/**
 * OKX v5 endpoints and URL normalisation.
 *
 * Role: one place for the live and demo hosts, and for turning a user-given
 * WebSocket URL (`…/ws/v5/public`, as the CLI takes it) into the base ccxt
 * wants (`…/ws/v5`: ccxt appends `/public`, `/business` or `/private`).
 * Owning thread: any; cold (start-up only).
 */
import { ConfigError } from '../../core/config/config-error.ts';

export interface OkxEndpoints {
  /** WebSocket URL; either the base ending in `/ws/v5` or a channel URL ending in `/ws/v5/public`. */
  readonly wsUrl: string;
  /** REST base URL, e.g. `https://www.okx.com` (paths `/api/v5/...` are appended). */
  readonly restUrl: string;
}

/** Production public hosts. */
export const OKX_LIVE_ENDPOINTS: OkxEndpoints = {
  wsUrl: 'wss://ws.okx.com:8443/ws/v5/public',
  restUrl: 'https://www.okx.com',
};

/**
 * OKX demo trading ("paper trading" on OKX's side): same REST host plus the
 * `x-simulated-trading: 1` header, WebSocket on wspap.okx.com.
 */
export const OKX_DEMO_ENDPOINTS: OkxEndpoints = {
  wsUrl: 'wss://wspap.okx.com:8443/ws/v5/public',
  restUrl: 'https://www.okx.com',
};

const WS_SUFFIXES = ['/public', '/business', '/private'] as const;

/**
 * The base URL ccxt's okx expects in `urls.api.ws`: strips a trailing
 * `/public|/business|/private` and any query (`?brokerId=…`) and trailing slash.
 * Throws ConfigError unless the URL is ws:// or wss://.
 */
export function okxWsBaseUrl(wsUrl: string): string {
  let u: URL;
  try {
    u = new URL(wsUrl);
  } catch {
    throw new ConfigError('okxWsUrl', wsUrl, 'a ws:// or wss:// URL');
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new ConfigError('okxWsUrl', wsUrl, 'a ws:// or wss:// URL');
  let path = u.pathname.replace(/\/+$/, '');
  for (const s of WS_SUFFIXES) {
    if (path.endsWith(s)) {
      path = path.slice(0, -s.length);
      break;
    }
  }
  return `${u.protocol}//${u.host}${path}`;
}

/** REST base without a trailing slash; throws ConfigError unless http(s). */
export function okxRestBaseUrl(restUrl: string): string {
  let u: URL;
  try {
    u = new URL(restUrl);
  } catch {
    throw new ConfigError('okxRestUrl', restUrl, 'an http:// or https:// URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError('okxRestUrl', restUrl, 'an http:// or https:// URL');
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}
